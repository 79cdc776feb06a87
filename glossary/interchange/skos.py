"""The glossary in the W3C's SKOS, as Turtle, RDF/XML or JSON-LD, built with rdflib.

How a term maps (the README's "SKOS" section says why each choice):

- the glossary is a `skos:ConceptScheme` at SITE_URL, named by its `skos:prefLabel` and
  `dct:title`, dated by `dct:modified` (its newest term in the file); each term a `skos:Concept`
  whose URI is its page (SITE_URL/terms/<slug>/), in the scheme and one of its top concepts (the
  glossary is flat);
- each field of the term's content under the predicate its declaration names
  (glossary.entries.CONTENT, `Skos`), in the shape its kind takes: the name a `skos:prefLabel`,
  synonyms and the abbreviation `skos:altLabel`s (SKOS keeps `hiddenLabel` for strings never
  shown, such as misspellings; an abbreviation is shown), the common ground a `skos:definition` as
  text and each department's definition a `skos:definition` that is a resource of its own
  (<term>#definition-<department>) with the text as `rdf:value` and the department as
  `dct:audience` (the group whose meaning it is), related terms `skos:related` links, each tag a
  `skos:Collection` at the home page filtered by it, a deprecated term `owl:deprecated true`; a
  field declared NOT_IN_SKOS (the review date) is left out;
- a department → an `org:OrganizationalUnit` (and `dct:AgentClass`, what `dct:audience` names) at
  SITE_URL/departments/<slug>, the page that describes it, with its name;
- `dct:created`, `dct:modified`; a deprecated term's `dct:isReplacedBy`, the term to use;
- who approved the current version → one `prov:qualifiedAttribution` per department: the approver
  (`prov:agent`, a `prov:Person` with `foaf:name`), the department (`prov:hadRole`) and the day
  (`dct:date`).

A term the file links to (related, or to use instead) that the export's filters leave out is still
a concept of the file, a stub: its name, its scheme, `owl:deprecated` if it is, and `rdfs:seeAlso`
its address, which answers with it in full. So nothing in the file points nowhere; the scheme's
`dct:description` says so, and the import reads a stub as a link, not as a term to change.

Texts are literals in the site's language, Markdown as written: the definitions' words travel
exactly, and another tool shows them as text.
"""

from django.conf import settings
from rdflib import RDF, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, RDFS, SKOS

from accounts.models import Department
from glossary.entries import CONTENT, NOT_IN_SKOS, ContentField, Entry, Kind, as_list
from glossary.models import SignOff, Term

SCHEMA = Namespace("https://schema.org/")

# The file formats, as rdflib names its serialisers, with their media types.
FORMATS = {
    "ttl": ("turtle", "text/turtle; charset=utf-8"),
    "rdf": ("xml", "application/rdf+xml"),
    "jsonld": ("json-ld", "application/ld+json"),
}
# JSON-LD written compact against these prefixes, so a person can read it.
_CONTEXT = {
    "skos": str(SKOS),
    "dct": str(DCTERMS),
    "owl": str(OWL),
    "prov": str(PROV),
    "foaf": str(FOAF),
    "schema": str(SCHEMA),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "org": str(ORG),
}
# What a stub says: a term the file links to without holding it in full.
STUB_PREDICATES = frozenset({RDF.type, SKOS.prefLabel, SKOS.inScheme, OWL.deprecated, RDFS.seeAlso})
STUBS_DESCRIPTION = (
    "Terms this file links to that its filters leave out are each given by their name and status only, "
    "with rdfs:seeAlso their address, which answers with the term in full."
)


def site_address() -> str:
    return settings.SITE_URL.rstrip("/")


def scheme_uri() -> URIRef:
    return URIRef(f"{site_address()}/")


def term_uri(slug: str) -> URIRef:
    """A term's URI is its page: one address for people and for machines."""
    return URIRef(f"{site_address()}/terms/{slug}/")


def department_uri(slug: str) -> URIRef:
    """A department's URI is its page (glossary/views/departments.py)."""
    return URIRef(f"{site_address()}/departments/{slug}")


def tag_uri(slug: str) -> URIRef:
    return URIRef(f"{site_address()}/?tag={slug}")


def predicate(content_field: ContentField) -> URIRef:
    """A declared field's SKOS predicate as an address (its declaration writes it prefix:name)."""
    prefix, local_name = content_field.skos.predicate.split(":", 1)
    return URIRef(_CONTEXT[prefix] + local_name)


def _language() -> str:
    return settings.LANGUAGE_CODE.split("-")[0]


def _new_graph() -> Graph:
    graph = Graph()
    for prefix, namespace in _CONTEXT.items():
        graph.bind(prefix, namespace)
    return graph


def _add_department(graph: Graph, department: Department) -> URIRef:
    """A department as an organisational unit named in the site's language; also the `dct:AgentClass`
    that `dct:audience` names (the people whose meaning a definition is)."""
    node = department_uri(department.slug)
    graph.add((node, RDF.type, ORG.OrganizationalUnit))
    graph.add((node, RDF.type, DCTERMS.AgentClass))
    graph.add((node, RDFS.label, Literal(department.name, lang=_language())))
    graph.add((node, FOAF.name, Literal(department.name, lang=_language())))
    if department.description.strip():
        graph.add((node, DCTERMS.description, Literal(department.description.strip(), lang=_language())))
    return node


def _add_stub(graph: Graph, term: Term, scheme: URIRef) -> None:
    concept = term_uri(term.slug)
    graph.add((concept, RDF.type, SKOS.Concept))
    graph.add((concept, SKOS.prefLabel, Literal(term.name, lang=_language())))
    graph.add((concept, SKOS.inScheme, scheme))
    graph.add((concept, RDFS.seeAlso, concept))
    if term.status == Term.Status.DEPRECATED:
        graph.add((concept, OWL.deprecated, Literal(True)))


def glossary_graph(terms, departments) -> Graph:
    """The SKOS graph of `terms` (from glossary.interchange.selectors.export_terms, prefetched)."""
    language = _language()
    graph = _new_graph()
    scheme = scheme_uri()
    name = Literal(f"{settings.GLOSSARY_ORGANISATION} glossary", lang=language)
    graph.add((scheme, RDF.type, SKOS.ConceptScheme))
    graph.add((scheme, SKOS.prefLabel, name))
    graph.add((scheme, DCTERMS.title, name))
    if terms:
        newest = max(term.updated_at for term in terms)
        graph.add((scheme, DCTERMS.modified, Literal(newest, datatype=XSD.dateTime)))
    by_pk = {d.pk: d for d in departments}
    named_departments = dict(by_pk)
    in_file = {term.pk for term in terms}
    linked: dict[int, Term] = {}  # terms linked to that the file does not hold

    def text(value: str) -> Literal:
        return Literal(value, lang=language)

    def link(concept: URIRef, predicate: URIRef, other: Term) -> None:
        graph.add((concept, predicate, term_uri(other.slug)))
        if other.pk not in in_file:
            linked[other.pk] = other

    def write(concept: URIRef, term: Term, entry: Entry, content_field: ContentField) -> None:
        """One declared field of the term, in the shape its kind takes."""
        value, kind, said_by = getattr(entry, content_field.name), content_field.kind, predicate(content_field)
        if kind == Kind.DEFINITIONS:
            for department_id, body in sorted(value.items()):
                department = by_pk.get(department_id)
                if department is None or not body:
                    continue  # an inactive department's definition: not shown anywhere else either
                definition = URIRef(f"{concept}#definition-{department.slug}")
                graph.add((concept, said_by, definition))
                graph.add((definition, RDF.value, text(body)))
                graph.add((definition, DCTERMS.audience, department_uri(department.slug)))
        elif kind == Kind.REFERENCES:
            for other in getattr(term, content_field.name).all():
                link(concept, said_by, other)
        elif kind == Kind.NAMES and not content_field.column:  # tags, each a collection
            for tag in getattr(term, content_field.name).all():
                collection = tag_uri(tag.slug)
                graph.add((collection, RDF.type, SKOS.Collection))
                graph.add((collection, SKOS.prefLabel, text(tag.name)))
                graph.add((collection, said_by, concept))
        elif kind == Kind.STATUS:
            if value == Term.Status.DEPRECATED:
                graph.add((concept, said_by, Literal(True)))
        else:
            for item in as_list(content_field, value) if content_field.is_list else [value]:
                if item:
                    graph.add((concept, said_by, text(item) if content_field.skos.in_language else Literal(item)))

    for term in terms:
        concept = term_uri(term.slug)
        entry = Entry.from_term(term)
        graph.add((concept, RDF.type, SKOS.Concept))
        graph.add((concept, SKOS.inScheme, scheme))
        graph.add((scheme, SKOS.hasTopConcept, concept))
        graph.add((concept, SKOS.topConceptOf, scheme))
        for content_field in CONTENT:
            if content_field.skos is not NOT_IN_SKOS:
                write(concept, term, entry, content_field)
        # SKOS S13: a label is preferred or alternative, not both; a synonym repeating the name is left out.
        graph.remove((concept, SKOS.altLabel, text(entry.name)))
        graph.add((concept, DCTERMS.created, Literal(term.created_at, datatype=XSD.dateTime)))
        graph.add((concept, DCTERMS.modified, Literal(term.updated_at, datatype=XSD.dateTime)))
        if term.status == Term.Status.DEPRECATED and term.replaced_by is not None:
            link(concept, DCTERMS.isReplacedBy, term.replaced_by)
        for sign_off in _approvals(term):
            attribution, person = BNode(), BNode()
            graph.add((concept, PROV.qualifiedAttribution, attribution))
            graph.add((attribution, RDF.type, PROV.Attribution))
            graph.add((attribution, PROV.agent, person))
            graph.add((attribution, PROV.hadRole, department_uri(sign_off.department.slug)))
            graph.add((attribution, DCTERMS.date, Literal(sign_off.created_at.date(), datatype=XSD.date)))
            graph.add((person, RDF.type, PROV.Person))
            graph.add((person, FOAF.name, Literal(str(sign_off.approver))))
            # A department that signed and has since been made inactive is still named.
            named_departments.setdefault(sign_off.department.pk, sign_off.department)
    for department in named_departments.values():
        _add_department(graph, department)
    for other in linked.values():
        _add_stub(graph, other, scheme)
    if linked:
        graph.add((scheme, DCTERMS.description, text(STUBS_DESCRIPTION)))
    return graph


def _approvals(term: Term) -> list[SignOff]:
    """The approvals of the term's current version (prefetched by export_terms)."""
    if term.approval is None:
        return []
    return [s for s in term.approval.sign_offs.all() if s.revision == term.approval.revision]


def _serialise(graph: Graph, file_format: str) -> str:
    serialiser, _ = FORMATS[file_format]
    if serialiser == "json-ld":
        return graph.serialize(format="json-ld", context=_CONTEXT, indent=2)
    return graph.serialize(format=serialiser)


def export_skos(terms, departments, file_format: str) -> str:
    return _serialise(glossary_graph(terms, departments), file_format)


def export_department(department: Department, file_format: str) -> str:
    """One department as RDF, what its address answers a client that asks for RDF."""
    graph = _new_graph()
    _add_department(graph, department)
    return _serialise(graph, file_format)
