"""Reading an uploaded SKOS file (Turtle, RDF/XML, JSON-LD) without trusting it.

Each `skos:Concept` becomes a record with the same fields a CSV or JSON row has, so the import that
follows (checks, proposals, dry run, all or nothing) is the one every file takes. The mapping is
glossary/interchange/skos.py's, read backwards, field by field as glossary.entries.CONTENT declares
it: a literal skos:definition is the common ground, a definition resource with `dct:audience`
that department's definition, the altLabels the synonyms (an abbreviation exported among them comes
back as a synonym), and so on; dct:isReplacedBy names the term a deprecation says to use instead.
A field declared NOT_IN_SKOS has no value in the record, so the import keeps the term's; a file
that says one anyway is reported, as anything else not kept is.

A link (related, or to use instead) to a concept the file describes is read as that concept's name.
A link to one it does not describe in full, a stub (glossary/interchange/skos.py writes one for each
term the export's filters leave out) or nothing at all, is read as a `Reference`: its address and
the stub's name, which the import resolves to a term (glossary/interchange/imports.py). No name is
guessed from an address.

Nothing is fetched while parsing: a JSON-LD `@context` or `@import` that names another document is
refused before rdflib sees it (it would download it), and so is any DOCTYPE in RDF/XML (entity
expansion). A concept without a URI (a blank node) cannot be matched to a term and is reported; so
is any statement about a concept that Common Ground would not keep, so that nothing is dropped
without a word.
"""

import json
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.exceptions import ParserError
from rdflib.namespace import DCTERMS, PROV, RDFS, SKOS

from glossary.entries import CONTENT, NOT_IN_SKOS, ContentField, Kind
from glossary.interchange import json_input
from glossary.interchange.options import ImportOptions
from glossary.interchange.skos import FORMATS, STUB_PREDICATES, predicate

# What the export writes about a concept besides its declared fields; anything else is reported.
CONCEPT_PREDICATES = {
    RDF.type,
    SKOS.inScheme,
    SKOS.topConceptOf,
    DCTERMS.created,
    DCTERMS.modified,
    PROV.qualifiedAttribution,
    DCTERMS.isReplacedBy,
}
# How much of an unkept property's address the report shows.
PROPERTY_SHOWN = 100


@dataclass(frozen=True)
class Reference:
    """A link to a concept the file does not describe in full: its address ("" for a blank node)
    and, for a stub, the name the file gives it."""

    address: str
    label: str = ""


@dataclass
class SkosDocument:
    records: list[tuple[dict, list[str]]] = field(default_factory=list)  # values and problems, one per concept
    errors: list[str] = field(default_factory=list)  # problems with the file as a whole


def read(content: str, file_format: str, options: ImportOptions = ImportOptions()) -> SkosDocument:
    refusal = _fetches_or_expands(content, file_format)
    if refusal:
        return SkosDocument(errors=[refusal])
    graph = Graph()
    try:
        graph.parse(data=content, format=FORMATS[file_format][0])
    except RecursionError:
        # rdflib's Turtle reader descends once per nested blank node or list: a file can nest past
        # Python's stack.
        return SkosDocument(
            errors=[f"The {_format_name(file_format)} nests blank nodes or lists too deeply to be read."]
        )
    except (ParserError, SyntaxError, ValueError, TypeError, KeyError, AttributeError) as error:
        return SkosDocument(errors=[f"This is not readable {_format_name(file_format)}: {_first_line(error)}"])
    except Exception as error:  # noqa: BLE001 - rdflib's parsers raise many kinds; none may become a 500
        return SkosDocument(errors=[f"This is not readable {_format_name(file_format)}: {_first_line(error)}"])
    concepts = set(graph.subjects(RDF.type, SKOS.Concept))
    if not concepts:
        return SkosDocument(errors=["The file has no skos:Concept."])
    described = {c for c in concepts if not is_stub(graph, c)}
    if not described:
        return SkosDocument(errors=["The file describes no skos:Concept in full: each only names a term it links to."])
    return SkosDocument(records=[_record(graph, concept, described, options) for concept in sorted(described, key=str)])


def is_stub(graph: Graph, concept) -> bool:
    """Whether the concept is only a link target: a name, a scheme, perhaps `owl:deprecated`, and
    `rdfs:seeAlso` where it is described in full, as the export writes for a term it leaves out."""
    return (
        isinstance(concept, URIRef)
        and (concept, RDFS.seeAlso, None) in graph
        and set(graph.predicates(concept)) <= STUB_PREDICATES
    )


def _record(graph: Graph, concept, described: set, options: ImportOptions) -> tuple[dict, list[str]]:
    errors = []
    if isinstance(concept, BNode):
        errors.append("is a concept without a URI (a blank node), so it cannot be matched to a term")
    # Links to concepts the file does not describe in full, by field; the import resolves them.
    values, elsewhere, known = {}, {"replaced_by": []}, set(CONCEPT_PREDICATES)
    unkept: Counter[str] = Counter()  # statements the glossary cannot keep, by property (and language)
    for content_field in CONTENT:
        if content_field.skos is NOT_IN_SKOS:
            continue
        known.add(predicate(content_field))
        if content_field.skos.read_as:
            values[content_field.name] = ""  # its values come back as the other field's
        elif content_field.kind == Kind.REFERENCES:
            values[content_field.name], elsewhere[content_field.name] = _links(graph, concept, content_field, described)
        else:
            values[content_field.name] = _value(graph, concept, content_field, errors, unkept)
    if options.plain_definition and values.get("summary"):
        _plain_definition_to(options.plain_definition, values, errors)
    replacement = graph.value(concept, DCTERMS.isReplacedBy)
    values["replaced_by"] = _name_in_file(graph, replacement, described) if replacement is not None else ""
    if replacement is not None and not values["replaced_by"]:
        elsewhere["replaced_by"].append(_reference(graph, replacement))
    for said_by in set(graph.predicates(concept)) - known:
        unkept[_property_name(graph, said_by)] += len(list(graph.objects(concept, said_by)))
    if unkept and not options.drop_unkept:
        shown = ", ".join(sorted(unkept)[:5])
        errors.append(f"says what Common Ground does not keep ({shown}); leave it out on purpose, or it would be lost")
    values["elsewhere"] = elsewhere
    values["unkept"] = dict(unkept)
    return values, errors


def _value(graph: Graph, concept, content_field: ContentField, errors: list[str], unkept: Counter):
    """A declared field's value as the concept says it, in the shape the export writes for its kind.
    A text in a language other than the site's is not the field's: counted among what is not kept."""
    said_by = predicate(content_field)
    objects = list(graph.objects(concept, said_by))
    if content_field.kind == Kind.DEFINITIONS:
        return _definitions(graph, objects, errors)
    if content_field.kind == Kind.NAMES and not content_field.column:  # tags: the collections holding the concept
        return sorted(str(graph.value(c, SKOS.prefLabel) or "") for c in graph.subjects(said_by, concept))
    if content_field.kind == Kind.STATUS:
        return "deprecated" if Literal(True) in objects else ""
    texts = []
    for value in objects:
        if not isinstance(value, Literal):
            continue
        if content_field.skos.in_language and not _in_site_language(value):
            unkept[f"{content_field.skos.predicate}@{value.language}"] += 1
            continue
        texts.append(str(value))
    if content_field.is_list:
        return sorted(texts)
    if len(texts) > 1:
        errors.append(
            f"has {len(texts)} values of {content_field.skos.predicate}; Common Ground holds one ({content_field.label})"
        )
    return texts[0] if texts else ""


def _links(graph: Graph, concept, content_field: ContentField, described: set) -> tuple[list[str], list[Reference]]:
    """The names of the concepts a reference field links to that the file describes, and the
    links to any it does not (resolved by the import)."""
    names, references = [], []
    for other in graph.objects(concept, predicate(content_field)):
        name = _name_in_file(graph, other, described)
        if name:
            names.append(name)
        else:
            references.append(_reference(graph, other))
    return sorted(names), references


def _in_site_language(text: Literal) -> bool:
    """Untagged, or in the site's language (any region of it: `en-GB` for an `en-us` site)."""
    return not text.language or text.language.split("-")[0].lower() == settings.LANGUAGE_CODE.split("-")[0].lower()


def _plain_definition_to(slug: str, values: dict, errors: list[str]) -> None:
    """The plain skos:definition, read as the common ground, made the department's definition."""
    if values["definitions"].get(slug):
        errors.append(f"has a plain skos:definition and a definition of its own for the department “{slug}”")
        return
    values["definitions"][slug] = values["summary"]
    values["summary"] = ""


def _definitions(graph: Graph, objects: list, errors: list[str]) -> dict[str, str]:
    """The departments' definitions, by the department's slug: each a resource holding the text
    (`rdf:value`) and naming the department, as its audience (`dct:audience`, as the export
    writes it) or as its creator or source (`dct:creator`, `dct:source`: a department's address,
    …/departments/<slug>). A literal is the common ground, read as such."""
    definitions = {}
    for definition in objects:
        if isinstance(definition, Literal):
            continue
        department = _department_of(graph, definition)
        body = graph.value(definition, RDF.value)
        if department is None or body is None:
            errors.append("has a definition without a department (dct:audience) or a text (rdf:value)")
            continue
        definitions[department] = str(body)
    return definitions


def _department_of(graph: Graph, definition) -> str | None:
    """The slug of the department a definition resource names, or None."""
    audience = graph.value(definition, DCTERMS.audience)
    if audience is not None:
        return str(audience).rstrip("/").rsplit("/", 1)[-1]
    for said_by in (DCTERMS.creator, DCTERMS.source):
        for value in graph.objects(definition, said_by):
            path = urlsplit(str(value)).path.rstrip("/") if isinstance(value, URIRef) else ""
            folder, _, slug = path.rpartition("/")
            if folder.endswith("/departments") and slug:
                return slug
    return None


def _property_name(graph: Graph, predicate) -> str:
    """A property as the file can write it: `skos:broader` under a prefix the file or rdflib binds,
    else its whole address in angle brackets. Some addresses have no prefixed form at all (`urn:x:`,
    `http://example.org/#`: nothing after the last `:` or `#` can be a local name), and rdflib
    raises for them where it would otherwise invent a prefix such as `ns1`, which says nothing."""
    try:
        prefix, _, local = graph.namespace_manager.compute_qname(str(predicate), generate=False)
    except (KeyError, ValueError):
        address = str(predicate)
        return f"<{address if len(address) <= PROPERTY_SHOWN else address[:PROPERTY_SHOWN] + '…'}>"
    return f"{prefix}:{local}"


def _name_in_file(graph: Graph, concept, described: set) -> str:
    """The name of a concept the file describes in full (the row it becomes), else ""."""
    label = graph.value(concept, SKOS.prefLabel) if concept in described else None
    return str(label) if label is not None else ""


def _reference(graph: Graph, concept) -> Reference:
    label = graph.value(concept, SKOS.prefLabel) if is_stub(graph, concept) else None
    return Reference(str(concept) if isinstance(concept, URIRef) else "", str(label) if label is not None else "")


def _fetches_or_expands(content: str, file_format: str) -> str | None:
    if file_format == "rdf" and ("<!DOCTYPE" in content or "<!ENTITY" in content):
        return "The RDF/XML file declares a DOCTYPE or entities; Common Ground reads RDF/XML without them."
    if file_format != "jsonld":
        return None
    try:
        document = json_input.load(content)
    except json.JSONDecodeError as error:
        return f"This is not valid JSON-LD: {error.msg} (line {error.lineno})."
    except json_input.FileTooDeep:
        return f"The JSON-LD nests more than {json_input.MAX_NESTING} levels deep."
    refused = json_input.refused_in(document)
    if refused is not None:
        return f"The JSON-LD holds {refused.problem}."
    stack = [document]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            context = item.get("@context")
            if isinstance(context, str) or (isinstance(context, list) and any(isinstance(c, str) for c in context)):
                return "The JSON-LD names a remote @context; Common Ground does not fetch documents while importing."
            if "@import" in item:
                return "The JSON-LD uses @import; Common Ground does not fetch documents while importing."
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


def _format_name(file_format: str) -> str:
    return {"ttl": "Turtle", "rdf": "RDF/XML", "jsonld": "JSON-LD"}[file_format]


def _first_line(error: Exception) -> str:
    """The parser's message on one line, cut short (rdflib's spans lines: where, then what)."""
    message = " ".join(str(error).split())
    return (message[:300] or type(error).__name__).rstrip(".") + "."
