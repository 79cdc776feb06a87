"""Reading an uploaded SKOS file (Turtle, RDF/XML, JSON-LD) without trusting it.

Each `skos:Concept` becomes a record with the same fields a CSV or JSON row has, so the import that
follows (checks, proposals, dry run, all or nothing) is the one every file takes. The mapping is
glossary/exports/skos.py's, read backwards: prefLabel → name, altLabels → synonyms (an
abbreviation exported as an altLabel comes back as a synonym), a literal skos:definition → the
common ground, a definition resource with `dct:audience` → that department's definition,
skos:example, skos:related (by the related concept's label, or the term at that address),
tag collections, schema:maintainer → owner, owl:deprecated → deprecated, dct:isReplacedBy → the
term a deprecation names to use instead.

Nothing is fetched while parsing: a JSON-LD `@context` or `@import` that names another document is
refused before rdflib sees it (it would download it), and so is any DOCTYPE in RDF/XML (entity
expansion). A concept without a URI (a blank node) cannot be matched to a term and is reported; so
is any statement about a concept that Common Ground would not keep, so that nothing is dropped
without a word.
"""

import json
from dataclasses import dataclass, field

from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.exceptions import ParserError
from rdflib.namespace import DCTERMS, OWL, PROV, SKOS

from glossary.exports import json_input
from glossary.exports.skos import FORMATS, SCHEMA

# What the export writes about a concept; anything else is reported.
KNOWN_PREDICATES = {
    RDF.type, SKOS.inScheme, SKOS.topConceptOf, SKOS.prefLabel, SKOS.altLabel, SKOS.definition, SKOS.example,
    SKOS.related, SCHEMA.maintainer, DCTERMS.created, DCTERMS.modified, OWL.deprecated, PROV.qualifiedAttribution,
    DCTERMS.isReplacedBy,
}


@dataclass
class SkosDocument:
    records: list[tuple[dict, list[str]]] = field(default_factory=list)  # values and problems, one per concept
    errors: list[str] = field(default_factory=list)  # problems with the file as a whole


def read(content: str, file_format: str) -> SkosDocument:
    refusal = _fetches_or_expands(content, file_format)
    if refusal:
        return SkosDocument(errors=[refusal])
    graph = Graph()
    try:
        graph.parse(data=content, format=FORMATS[file_format][0])
    except RecursionError:
        # rdflib's Turtle reader descends once per nested blank node or list: a file can nest past
        # Python's stack.
        return SkosDocument(errors=[f"The {_format_name(file_format)} nests blank nodes or lists too deeply to be read."])
    except (ParserError, SyntaxError, ValueError, TypeError, KeyError, AttributeError) as error:
        return SkosDocument(errors=[f"This is not readable {_format_name(file_format)}: {_first_line(error)}"])
    except Exception as error:  # noqa: BLE001 - rdflib's parsers raise many kinds; none may become a 500
        return SkosDocument(errors=[f"This is not readable {_format_name(file_format)}: {_first_line(error)}"])
    concepts = sorted(set(graph.subjects(RDF.type, SKOS.Concept)), key=str)
    if not concepts:
        return SkosDocument(errors=["The file has no skos:Concept."])
    return SkosDocument(records=[_record(graph, concept) for concept in concepts])


def _record(graph: Graph, concept) -> tuple[dict, list[str]]:
    errors = []
    if isinstance(concept, BNode):
        errors.append("is a concept without a URI (a blank node), so it cannot be matched to a term")
    names = [str(label) for label in graph.objects(concept, SKOS.prefLabel)]
    if len(names) > 1:
        errors.append(f"has {len(names)} preferred labels; a term has one name")
    summary, definitions = "", {}
    for definition in graph.objects(concept, SKOS.definition):
        if isinstance(definition, Literal):
            summary = str(definition)
            continue
        audience = graph.value(definition, DCTERMS.audience)
        body = graph.value(definition, RDF.value)
        if audience is None or body is None:
            errors.append("has a definition without a department (dct:audience) or a text (rdf:value)")
            continue
        definitions[str(audience).rstrip("/").rsplit("/", 1)[-1]] = str(body)
    related = [_name_of(graph, other) for other in graph.objects(concept, SKOS.related)]
    replacement = graph.value(concept, DCTERMS.isReplacedBy)
    unknown = sorted({graph.qname(p) if isinstance(p, URIRef) else str(p) for p in graph.predicates(concept)} -
                     {graph.qname(p) for p in KNOWN_PREDICATES})
    if unknown:
        errors.append(f"says what Common Ground does not keep ({', '.join(unknown[:5])}); remove it or it would be lost")
    values = {
        "name": names[0] if names else "",
        "abbreviation": "",
        "synonyms": sorted(str(label) for label in graph.objects(concept, SKOS.altLabel)),
        "status": "deprecated" if graph.value(concept, OWL.deprecated) == Literal(True) else "",
        "summary": summary,
        "definitions": definitions,
        "examples": str(graph.value(concept, SKOS.example) or ""),
        "tags": sorted(str(graph.value(c, SKOS.prefLabel) or "") for c in graph.subjects(SKOS.member, concept)),
        "related": sorted(related),
        "owner": str(graph.value(concept, SCHEMA.maintainer) or ""),
        "replaced_by": _name_of(graph, replacement) if replacement is not None else "",
    }
    return values, errors


def _name_of(graph: Graph, concept) -> str:
    """Another concept's name: its label in the file, else the slug at the end of its address."""
    label = graph.value(concept, SKOS.prefLabel)
    return str(label) if label is not None else str(concept).rstrip("/").rsplit("/", 1)[-1].replace("-", " ")


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
