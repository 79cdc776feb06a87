"""The glossary in SKOS (Turtle, RDF/XML, JSON-LD): what each term becomes, and the SKOS integrity
rules the export keeps."""

import csv
import io
import json
import re
from pathlib import Path

import pyshacl
import pytest
from django.core.management import call_command
from django.urls import reverse
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, RDFS, SH, SKOS

from glossary.models import Term
from glossary.services.terms import term_save
from tests.interchange.skos_files import FORMATS, SITE, concept, download
from tests.workflow_helpers import approve

pytestmark = pytest.mark.django_db


def test_each_term_is_a_concept_at_its_page_with_its_labels_and_definitions(reader_client, glossary_to_export, site):
    graph = download(reader_client, "ttl")
    api = concept("api")
    assert (api, RDF.type, SKOS.Concept) in graph
    assert graph.value(api, SKOS.prefLabel) == Literal("API", lang="en")
    assert set(graph.objects(api, SKOS.altLabel)) == {Literal("application programming interface", lang="en")}
    definitions = list(graph.objects(api, SKOS.definition))
    assert Literal("A documented way for software to talk.", lang="en") in definitions
    it_definition = URIRef(f"{api}#definition-it")
    assert it_definition in definitions
    assert str(graph.value(it_definition, RDF.value)).startswith("A contract between programs:")
    assert graph.value(it_definition, DCTERMS.audience) == URIRef("http://127.0.0.1:8000/departments/it")
    assert (api, SKOS.related, concept("omnichannel")) in graph
    architecture = URIRef("http://127.0.0.1:8000/?tag=architecture")
    assert (architecture, RDF.type, SKOS.Collection) in graph and (architecture, SKOS.member, api) in graph
    assert graph.value(api, DCTERMS.modified) is not None


def test_an_abbreviation_is_an_alternative_label(reader_client, make_term, site):
    make_term("Key performance indicator", abbreviation="KPI", it_text="Uptime.", status=Term.Status.APPROVED)
    graph = download(reader_client, "ttl")
    assert Literal("KPI", lang="en") in set(graph.objects(concept("key-performance-indicator"), SKOS.altLabel))


def test_who_approved_the_current_version_travels_as_provenance(reader_client, proposal, ivan, marco, site):
    approve(proposal, ivan)
    approve(proposal, marco)
    graph = download(reader_client, "ttl")
    attributions = list(graph.objects(concept("omnichannel"), PROV.qualifiedAttribution))
    roles = {graph.value(a, PROV.hadRole) for a in attributions}
    names = {
        str(graph.value(graph.value(a, PROV.agent), URIRef("http://xmlns.com/foaf/0.1/name"))) for a in attributions
    }
    assert roles == {
        URIRef("http://127.0.0.1:8000/departments/it"),
        URIRef("http://127.0.0.1:8000/departments/marketing"),
    }
    assert names == {str(ivan), str(marco)}


def test_a_deprecated_term_is_marked_deprecated(reader_client, glossary_in_every_status, site):
    graph = download(reader_client, "ttl", status="deprecated")
    web = next(iter(graph.subjects(RDF.type, SKOS.Concept)))
    assert graph.value(web, OWL.deprecated).toPython() is True


def test_the_three_formats_hold_the_same_graph(reader_client, glossary_to_export, site):
    turtle, xml, json_ld = (download(reader_client, f) for f in FORMATS)
    assert isomorphic(turtle, xml)
    assert isomorphic(turtle, json_ld)


SHAPES = Path(__file__).with_name("skos_shapes.ttl")


def shacl_violations(graph: Graph) -> list[str]:
    """What in `graph` breaks the SHACL shapes in tests/interchange/skos_shapes.ttl (the SKOS Reference's
    integrity conditions, by their numbers, and a glossary file's own rules: every concept named and
    in the scheme, defined unless it is a stub, and no link pointing outside the file), each as
    "message: focus node value". Empty when the graph conforms.

    pySHACL validates without inference, so a rule holds for what the file says, not for what a
    reasoner could add; skosify's checks only log, and cover three of these rules."""
    conforms, results, _ = pyshacl.validate(graph, shacl_graph=Graph().parse(SHAPES), inference="none")
    found = sorted(
        f"{results.value(result, SH.resultMessage)}: {results.value(result, SH.focusNode)} {results.value(result, SH.value)}"
        for result in results.subjects(RDF.type, SH.ValidationResult)
    )
    assert conforms == (not found)
    return found


@pytest.fixture
def glossary_with_every_kind_of_term(glossary_to_export, make_term, ada, it):
    """Terms in every status; synonyms that repeat the name or abbreviation in another case; tags;
    related terms, in and out of review; a deprecated term with its replacement; a term with one
    department's definition and no common ground."""
    api, omni = glossary_to_export
    kpi = make_term(
        "Key performance indicator",
        it_text="Uptime.",
        abbreviation="KPI",
        synonyms="kpi\nKey Performance Indicator\nKPI",
        tags=["Data"],
        status=Term.Status.APPROVED,
    )
    budget = make_term("Budget", it_text="Run cost.", marketing_text="Media spend.", status=Term.Status.IN_REVIEW)
    lead = make_term("Lead", marketing_text="A person who might buy.", status=Term.Status.DRAFT, tags=["Data"])
    social = make_term("Social media", it_text="Platforms.", status=Term.Status.APPROVED)
    web = make_term("Web 2.0", it_text="Old.", synonyms="web 2.0", status=Term.Status.DEPRECATED)
    term_save(term=web, user=ada, reason="Link", related_terms=[api])
    # Only a published deprecation names a replacement (tests/glossary/test_replaced_by.py takes that path).
    Term.objects.filter(pk=web.pk).update(replaced_by=social)
    term_save(term=kpi, user=ada, reason="Link", related_terms=[budget, lead, web, omni])
    return [api, omni, kpi, budget, lead, social, web]


EVERY_FILTER = [
    {},
    {"include_in_review": "on"},
    {"status": "approved"},
    {"status": "deprecated"},
    {"status": "draft"},
    {"tag": "data"},
    {"letter": "K"},
]


@pytest.mark.parametrize("filters", EVERY_FILTER)
def test_the_export_keeps_the_skos_integrity_rules(reader_client, glossary_with_every_kind_of_term, site, filters):
    for file_format in FORMATS:
        graph = download(reader_client, file_format, **filters)
        assert set(graph.subjects(RDF.type, SKOS.Concept)), filters
        assert shacl_violations(graph) == []


@pytest.mark.parametrize("filters", EVERY_FILTER)
def test_a_term_the_filters_leave_out_is_a_stub_wherever_the_file_links_to_it(
    reader_client, glossary_with_every_kind_of_term, site, filters
):
    graph = download(reader_client, "ttl", **filters)
    concepts = set(graph.subjects(RDF.type, SKOS.Concept))
    links = {o for p in (SKOS.related, DCTERMS.isReplacedBy) for o in graph.objects(None, p)}
    assert links <= concepts, filters
    stubs = {c for c in concepts if not list(graph.objects(c, SKOS.definition))}
    full = concepts - stubs
    # A stub is what the filters left out, and only what the file links to.
    assert stubs <= links and not stubs & set(graph.objects(URIRef(SITE), SKOS.hasTopConcept))
    names = dict(Term.objects.values_list("slug", "name"))
    for stub in stubs:
        slug = str(stub).removeprefix(f"{SITE}terms/").rstrip("/")
        assert set(graph.predicate_objects(stub)) <= {
            (RDF.type, SKOS.Concept),
            (SKOS.prefLabel, Literal(names[slug], lang="en")),
            (SKOS.inScheme, URIRef(SITE)),
            (RDFS.seeAlso, stub),
            (OWL.deprecated, Literal(True)),
        }
        assert graph.value(stub, SKOS.prefLabel) and graph.value(stub, RDFS.seeAlso) == stub
        assert (graph.value(stub, OWL.deprecated) is not None) == (
            Term.objects.get(slug=slug).status == Term.Status.DEPRECATED
        )
        # Its address answers with the term in full.
        answer = Graph().parse(
            data=reader_client.get(
                str(stub).removeprefix(SITE.rstrip("/")), headers={"Accept": "text/turtle"}
            ).content.decode(),
            format="turtle",
        )
        assert list(answer.objects(stub, SKOS.definition))
    assert (graph.value(URIRef(SITE), DCTERMS.description) is not None) == bool(stubs)
    assert full


def test_the_default_skos_export_holds_deprecated_terms_as_the_api_says(reader_client, glossary_in_every_status, site):
    """A vocabulary tool keeps a deprecated concept to send people on from it, so the SKOS file holds
    them (marked so); the CSV, JSON and PDF are for people and hold terms in use."""
    for file_format in FORMATS:
        graph = download(reader_client, file_format)
        web = concept("web-20")
        assert graph.value(web, OWL.deprecated) == Literal(True) and list(graph.objects(web, SKOS.definition))
        assert concept("budget") not in set(graph.subjects(RDF.type, SKOS.Concept)), "in review only on request"
        from_api = Graph().parse(
            data=reader_client.get("/api/v1/skos", {"format": file_format}).content.decode(),
            format=FORMATS[file_format],
        )
        assert isomorphic(from_api, graph)
    rows = csv.DictReader(io.StringIO(reader_client.get(reverse("glossary:glossary_csv")).content.decode()))
    assert [row["name"] for row in rows] == ["API", "Omnichannel"]


def test_the_scheme_is_named_titled_dated_and_holds_its_top_concepts(
    reader_client, glossary_with_every_kind_of_term, site, settings
):
    settings.GLOSSARY_ORGANISATION = "Acme"
    graph = download(reader_client, "ttl", tag="data")
    scheme = URIRef(SITE)
    assert graph.value(scheme, SKOS.prefLabel) == Literal("Acme glossary", lang="en")
    assert graph.value(scheme, DCTERMS.title) == Literal("Acme glossary", lang="en")
    exported = Term.objects.filter(tags__slug="data", status__in=[Term.Status.APPROVED, Term.Status.DEPRECATED])
    assert graph.value(scheme, DCTERMS.modified).toPython() == max(t.updated_at for t in exported)
    described = {c for c in graph.subjects(RDF.type, SKOS.Concept) if list(graph.objects(c, SKOS.definition))}
    assert described == {concept(t.slug) for t in exported}
    assert set(graph.objects(scheme, SKOS.hasTopConcept)) == described == set(graph.subjects(SKOS.topConceptOf, scheme))


def test_departments_are_organisational_units_named_in_the_file(reader_client, glossary_to_export, site):
    graph = download(reader_client, "ttl")
    for slug, name in (("it", "IT"), ("marketing", "Marketing")):
        node = URIRef(f"{SITE}departments/{slug}")
        assert (node, RDF.type, ORG.OrganizationalUnit) in graph
        assert graph.value(node, FOAF.name) == Literal(name, lang="en")


@pytest.mark.slow  # loads the demo glossary: about 2 s
def test_the_demo_export_conforms_to_the_shapes_in_every_format(reader_client, site):
    call_command("load_demo")
    for file_format in FORMATS:
        graph = download(reader_client, file_format)
        assert len(set(graph.subjects(RDF.type, SKOS.Concept))) == Term.objects.count()
        assert shacl_violations(graph) == []
        assert shacl_violations(download(reader_client, file_format, status="approved")) == []


@pytest.fixture
def hostile_glossary(make_term, ada):
    """Names and texts that break a careless serialiser: quotes, angle brackets, Turtle's long-string
    quotes, backslashes, newlines, right-to-left text with its marks, labels differing only by case."""
    quoted = make_term(
        'Say "hello" <b>',
        it_text='Line one\nline """two"""\n\\ and \\"\n</x> ]]> \u2028',
        synonyms="say 'hello'\n<i>\"x\"</i>",
        tags=['<Tag> & "co"'],
        owner='O"Brien <ob@example.com>',
        status=Term.Status.APPROVED,
    )
    arabic = make_term(
        "\u0645\u0631\u062d\u0628\u0627 \u200fRTL",
        it_text="\u05e9\u05dc\u05d5\u05dd \u202eevil\u202c",
        marketing_text="Mixed \u05e2\u05d1\u05e8\u05d9\u05ea and English",
        synonyms="\u05e9\u05dc\u05d5\u05dd",
        status=Term.Status.APPROVED,
    )
    cased = make_term(
        "API",
        it_text="Interface.",
        abbreviation="api",
        synonyms="Api\napi\nA.P.I.",
        summary="Line\r\nbreaks",
        status=Term.Status.APPROVED,
    )
    gone = make_term("Old <name>", it_text="Gone.", status=Term.Status.DEPRECATED)
    Term.objects.filter(pk=gone.pk).update(replaced_by=quoted)
    term_save(term=cased, user=ada, reason="Link", related_terms=[quoted, arabic, gone])
    return [quoted, arabic, cased, gone]


@pytest.mark.parametrize("filters", [{}, {"letter": "A"}])
def test_a_hostile_glossary_conforms_to_the_shapes_in_every_format(reader_client, hostile_glossary, site, filters):
    graphs = [download(reader_client, file_format, **filters) for file_format in FORMATS]
    for graph in graphs:
        assert shacl_violations(graph) == []
        assert {str(label) for label in graph.objects(None, SKOS.prefLabel)} >= {
            t.name for t in hostile_glossary if not filters or t.name.startswith("A")
        }
    assert isomorphic(graphs[0], graphs[1]) and isomorphic(graphs[0], graphs[2])


def test_the_shapes_catch_what_breaks_each_rule(reader_client, glossary_with_every_kind_of_term, site):
    """The shapes are worth something only if they fail on a graph that breaks the rules."""
    graph = download(reader_client, "ttl", include_in_review="on")
    assert shacl_violations(graph) == []
    api, kpi, scheme = concept("api"), concept("key-performance-indicator"), URIRef(SITE)
    broken = [
        (api, SKOS.prefLabel, Literal("Application interface", lang="en")),
        (kpi, SKOS.altLabel, Literal("Key performance indicator", lang="en")),
        (kpi, SKOS.hiddenLabel, Literal("KPI", lang="en")),
        (kpi, SKOS.broader, api),
        (kpi, SKOS.related, concept("nothing-here")),
        (concept("web-20"), DCTERMS.isReplacedBy, concept("nowhere")),
        (URIRef(f"{SITE}?tag=data"), SKOS.member, URIRef("http://elsewhere.example/x")),
        (URIRef(f"{SITE}?tag=data"), RDF.type, SKOS.Concept),
        (concept("omnichannel"), SKOS.altLabel, Literal(42)),
        (concept("omnichannel"), SKOS.definition, URIRef(f"{SITE}terms/omnichannel/#empty")),
        (URIRef(f"{SITE}terms/api/#definition-it"), DCTERMS.audience, URIRef(f"{SITE}departments/legal")),
    ]
    for triple in broken:
        graph.add(triple)
    graph.add((kpi, SKOS.related, api))  # related and broader at once
    graph.remove((concept("lead"), SKOS.definition, None))
    graph.remove((concept("budget"), SKOS.inScheme, None))
    graph.remove((scheme, SKOS.prefLabel, None))
    graph.add((scheme, RDF.type, SKOS.Concept))
    found = "\n".join(shacl_violations(graph))
    for rule in (
        "S9:",
        "S12:",
        "S13:",
        "S14:",
        "S27:",
        "S32:",
        "S37:",
        "skos:related to no concept",
        "dct:isReplacedBy no concept",
        "without a skos:definition",
        "in no concept scheme",
        "neither a literal nor a resource",
        "dct:audience no department",
        "without a skos:prefLabel",
    ):
        assert rule in found, rule
    assert found.count("S13:") == 2
    assert f"skos:related to no concept of the file: {kpi} {concept('nothing-here')}" in found


def test_the_command_writes_each_format_by_its_file_name(glossary_to_export, tmp_path, site):
    for file_format, parser in FORMATS.items():
        output = tmp_path / f"glossary.{file_format}"
        call_command("export_glossary", str(output))
        graph = Graph().parse(output, format=parser)
        assert len(set(graph.subjects(RDF.type, SKOS.Concept))) == 2


def test_the_home_page_offers_the_skos_files_with_its_filters(reader_client, glossary_to_export):
    page = reader_client.get("/?tag=architecture").content.decode()
    for file_format in FORMATS:
        assert f'href="/export/glossary.{file_format}?tag=architecture"' in page
    assert "vocabulary tools get deprecated terms too" in page


def test_hostile_text_stays_a_literal(reader_client, make_term, site):
    hostile = '"> <x:y> ; a <http://evil.example/> . @prefix e: <http://e/> . ]]> <!ENTITY x "y"> {"@context": 1}'
    make_term("Hostile", it_text=hostile, synonyms=hostile[:100], status=Term.Status.APPROVED)
    for file_format in FORMATS:
        graph = download(reader_client, file_format)
        assert str(graph.value(URIRef(f"{concept('hostile')}#definition-it"), RDF.value)) == hostile
        # No statement about anything but the site's own resources (and blank nodes) got in.
        foreign = {s for s in graph.subjects() if isinstance(s, URIRef) and not s.startswith("http://127.0.0.1:8000/")}
        assert not foreign


def test_a_terms_address_answers_rdf_to_a_client_that_asks_for_it(reader_client, glossary_to_export, site):
    address = reverse("glossary:term_detail", args=["api"])
    for media_type, parser in (
        ("text/turtle", "turtle"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
    ):
        response = reader_client.get(address, headers={"Accept": media_type})
        assert response["Content-Type"].startswith(media_type)
        assert "Accept" in response["Vary"]
        graph = Graph().parse(data=response.content.decode(), format=parser)
        # The term in full; the term it links to as a stub, so the link points into the answer.
        assert set(graph.subjects(SKOS.definition)) == {concept("api")}
        assert set(graph.subjects(RDF.type, SKOS.Concept)) == {concept("api"), concept("omnichannel")}
    browser = reader_client.get(address, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert browser["Content-Type"].startswith("text/html") and "Accept" in browser["Vary"]
    anything = reader_client.get(address, headers={"Accept": "*/*"})
    assert anything["Content-Type"].startswith("text/html")
    assert reader_client.get("/terms/nothing-here/", headers={"Accept": "text/turtle"}).status_code == 404


def test_the_term_page_embeds_a_schema_org_defined_term(reader_client, make_term, site):
    make_term("Script", it_text="</script><script>alert(1)</script> & more", synonyms="JS", status=Term.Status.APPROVED)
    page = reader_client.get(reverse("glossary:term_detail", args=["script"])).content.decode()
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    data = json.loads(found.group(1))
    assert (data["@type"], data["name"], data["alternateName"]) == ("DefinedTerm", "Script", ["JS"])
    assert data["@id"] == str(concept("script"))
    assert "</script><script>alert(1)</script> & more" in data["description"]
    assert data["inDefinedTermSet"]["@type"] == "DefinedTermSet"


def test_a_renamed_term_keeps_its_address(reader_client, make_term, ada, site):
    term = make_term("Cloud", it_text="Rented servers.", status=Term.Status.APPROVED)
    term_save(term=term, user=ada, reason="Rename", fields={"name": "Cloud computing"})
    response = reader_client.get("/terms/cloud/")
    assert response.status_code == 200 and "Cloud computing" in response.content.decode()
    graph = download(reader_client, "ttl")
    assert graph.value(concept("cloud"), SKOS.prefLabel) == Literal("Cloud computing", lang="en")


def test_the_api_gives_the_same_skos_file(reader_client, glossary_to_export, site):
    for file_format, parser in FORMATS.items():
        response = reader_client.get("/api/v1/skos", {"format": file_format, "tag": "architecture"})
        assert response.status_code == 200
        assert response["ETag"]
        graph = Graph().parse(data=response.content.decode(), format=parser)
        assert isomorphic(graph, download(reader_client, file_format, tag="architecture"))
    assert reader_client.get("/api/v1/skos", {"format": "owl"}).status_code == 422
    assert reader_client.get("/api/v1/skos", {"tag": "nope"}).status_code == 422
