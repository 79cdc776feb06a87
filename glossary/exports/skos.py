"""The glossary in the W3C's SKOS, as Turtle, RDF/XML or JSON-LD, built with rdflib.

How a term maps (the README's "SKOS" section says why each choice):

- the glossary is a `skos:ConceptScheme` at SITE_URL; each term a `skos:Concept` whose URI is its
  page (SITE_URL/terms/<slug>/), in the scheme and one of its top concepts (the glossary is flat);
- name → `skos:prefLabel`; synonyms and the abbreviation → `skos:altLabel` (SKOS keeps
  `hiddenLabel` for strings never shown, such as misspellings; an abbreviation is shown);
- the common ground → `skos:definition` as text; each department's definition → a
  `skos:definition` that is a resource of its own (<term>#definition-<department>) with the text as
  `rdf:value` and the department as `dct:audience` (the group whose meaning it is), a
  `dct:AgentClass` labelled with its name;
- examples → `skos:example`; related terms → `skos:related`; tags → a `skos:Collection` each,
  at the home page filtered by the tag; the owner → `schema:maintainer`; `dct:created`,
  `dct:modified`; a deprecated term → `owl:deprecated true`, and `dct:isReplacedBy` the term to use;
- who approved the current version → one `prov:qualifiedAttribution` per department: the approver
  (`prov:agent`, a `prov:Person` with `foaf:name`), the department (`prov:hadRole`) and the day
  (`dct:date`).

Texts are literals in the site's language, Markdown as written: the definitions' words travel
exactly, and another tool shows them as text.
"""

from django.conf import settings
from rdflib import RDF, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDFS, SKOS

from glossary.entries import Entry
from glossary.models import SignOff, Term

SCHEMA = Namespace("https://schema.org/")

# The file formats, as rdflib names its serialisers, with their media types.
FORMATS = {
    "ttl": ("turtle", "text/turtle; charset=utf-8"),
    "rdf": ("xml", "application/rdf+xml"),
    "jsonld": ("json-ld", "application/ld+json"),
}
# JSON-LD written compact against these prefixes, so a person can read it.
_CONTEXT = {"skos": str(SKOS), "dct": str(DCTERMS), "owl": str(OWL), "prov": str(PROV), "foaf": str(FOAF),
            "schema": str(SCHEMA), "rdfs": str(RDFS), "xsd": str(XSD)}


def site_address() -> str:
    return settings.SITE_URL.rstrip("/")


def term_uri(slug: str) -> URIRef:
    """A term's URI is its page: one address for people and for machines."""
    return URIRef(f"{site_address()}/terms/{slug}/")


def department_uri(slug: str) -> URIRef:
    return URIRef(f"{site_address()}/departments/{slug}")


def tag_uri(slug: str) -> URIRef:
    return URIRef(f"{site_address()}/?tag={slug}")


def glossary_graph(terms, departments) -> Graph:
    """The SKOS graph of `terms` (from glossary.exports.selectors.export_terms, prefetched)."""
    language = settings.LANGUAGE_CODE.split("-")[0]
    graph = Graph()
    for prefix, namespace in _CONTEXT.items():
        graph.bind(prefix, namespace)
    scheme = URIRef(f"{site_address()}/")
    graph.add((scheme, RDF.type, SKOS.ConceptScheme))
    graph.add((scheme, DCTERMS.title, Literal(f"{settings.GLOSSARY_ORGANISATION} glossary", lang=language)))
    by_pk = {d.pk: d for d in departments}
    for department in departments:
        node = department_uri(department.slug)
        graph.add((node, RDF.type, DCTERMS.AgentClass))
        graph.add((node, RDFS.label, Literal(department.name, lang=language)))

    def text(value: str) -> Literal:
        return Literal(value, lang=language)

    for term in terms:
        concept = term_uri(term.slug)
        entry = Entry.from_term(term)
        graph.add((concept, RDF.type, SKOS.Concept))
        graph.add((concept, SKOS.inScheme, scheme))
        graph.add((scheme, SKOS.hasTopConcept, concept))
        graph.add((concept, SKOS.topConceptOf, scheme))
        graph.add((concept, SKOS.prefLabel, text(entry.name)))
        for label in {*term.synonym_list, *([entry.abbreviation] if entry.abbreviation else [])} - {entry.name}:
            graph.add((concept, SKOS.altLabel, text(label)))
        if entry.summary:
            graph.add((concept, SKOS.definition, text(entry.summary)))
        for department_id, body in sorted(entry.definitions.items()):
            department = by_pk.get(department_id)
            if department is None or not body:
                continue  # an inactive department's definition: not shown anywhere else either
            definition = URIRef(f"{concept}#definition-{department.slug}")
            graph.add((concept, SKOS.definition, definition))
            graph.add((definition, RDF.value, text(body)))
            graph.add((definition, DCTERMS.audience, department_uri(department.slug)))
        if entry.examples:
            graph.add((concept, SKOS.example, text(entry.examples)))
        for other in term.related_terms.all():
            graph.add((concept, SKOS.related, term_uri(other.slug)))
        for tag in term.tags.all():
            collection = tag_uri(tag.slug)
            graph.add((collection, RDF.type, SKOS.Collection))
            graph.add((collection, SKOS.prefLabel, text(tag.name)))
            graph.add((collection, SKOS.member, concept))
        if entry.owner:
            graph.add((concept, SCHEMA.maintainer, Literal(entry.owner)))
        graph.add((concept, DCTERMS.created, Literal(term.created_at, datatype=XSD.dateTime)))
        graph.add((concept, DCTERMS.modified, Literal(term.updated_at, datatype=XSD.dateTime)))
        if term.status == Term.Status.DEPRECATED:
            graph.add((concept, OWL.deprecated, Literal(True)))
            if term.replaced_by is not None:
                graph.add((concept, DCTERMS.isReplacedBy, term_uri(term.replaced_by.slug)))
        for sign_off in _approvals(term):
            attribution, person = BNode(), BNode()
            graph.add((concept, PROV.qualifiedAttribution, attribution))
            graph.add((attribution, RDF.type, PROV.Attribution))
            graph.add((attribution, PROV.agent, person))
            graph.add((attribution, PROV.hadRole, department_uri(sign_off.department.slug)))
            graph.add((attribution, DCTERMS.date, Literal(sign_off.created_at.date(), datatype=XSD.date)))
            graph.add((person, RDF.type, PROV.Person))
            graph.add((person, FOAF.name, Literal(str(sign_off.approver))))
    return graph


def _approvals(term: Term) -> list[SignOff]:
    """The approvals of the term's current version (prefetched by export_terms)."""
    if term.approval is None:
        return []
    return [s for s in term.approval.sign_offs.all() if s.revision == term.approval.revision]


def export_skos(terms, departments, file_format: str) -> str:
    serialiser, _ = FORMATS[file_format]
    graph = glossary_graph(terms, departments)
    if serialiser == "json-ld":
        return graph.serialize(format="json-ld", context=_CONTEXT, indent=2)
    return graph.serialize(format=serialiser)
