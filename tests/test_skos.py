"""The glossary in SKOS (Turtle, RDF/XML, JSON-LD): what each term becomes, and the SKOS integrity
rules the export keeps."""

import json
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, OWL, PROV, SKOS

from glossary.models import Term
from glossary.services.terms import term_save
from tests.workflow_helpers import approve

pytestmark = pytest.mark.django_db

FORMATS = {"ttl": "turtle", "rdf": "xml", "jsonld": "json-ld"}


def download(client, file_format, **query) -> Graph:
    response = client.get(reverse(f"glossary:glossary_{file_format}"), query)
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'.{file_format}"')
    return Graph().parse(data=response.content.decode(), format=FORMATS[file_format])


def concept(slug) -> URIRef:
    return URIRef(f"http://127.0.0.1:8000/terms/{slug}/")


@pytest.fixture
def site(settings):
    settings.SITE_URL = "http://127.0.0.1:8000"


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
    names = {str(graph.value(graph.value(a, PROV.agent), URIRef("http://xmlns.com/foaf/0.1/name"))) for a in attributions}
    assert roles == {URIRef("http://127.0.0.1:8000/departments/it"), URIRef("http://127.0.0.1:8000/departments/marketing")}
    assert names == {str(ivan), str(marco)}


def test_a_deprecated_term_is_marked_deprecated(reader_client, glossary_in_every_status, site):
    graph = download(reader_client, "ttl", status="deprecated")
    web = next(iter(graph.subjects(RDF.type, SKOS.Concept)))
    assert graph.value(web, OWL.deprecated).toPython() is True


def test_the_three_formats_hold_the_same_graph(reader_client, glossary_to_export, site):
    turtle, xml, json_ld = (download(reader_client, f) for f in FORMATS)
    assert isomorphic(turtle, xml)
    assert isomorphic(turtle, json_ld)


def test_the_export_keeps_the_skos_integrity_rules(reader_client, glossary_to_export, make_term, ada, site):
    term = make_term("Cloud", it_text="Rented servers.", synonyms="Cloud\nthe cloud", status=Term.Status.APPROVED)
    term_save(term=term, user=ada, reason="Same as its name", fields={"abbreviation": "Cloud"})
    graph = download(reader_client, "ttl")
    scheme = next(iter(graph.subjects(RDF.type, SKOS.ConceptScheme)))
    concepts = set(graph.subjects(RDF.type, SKOS.Concept))
    assert len(concepts) == 3
    for each in concepts:
        preferred = list(graph.objects(each, SKOS.prefLabel))
        # S14: at most one prefLabel per language (and here exactly one).
        assert len({label.language for label in preferred}) == len(preferred) == 1
        # S13: prefLabel and altLabel are disjoint.
        assert not set(preferred) & set(graph.objects(each, SKOS.altLabel))
        # Every concept is in the scheme, and says what it means.
        assert (each, SKOS.inScheme, scheme) in graph
        assert list(graph.objects(each, SKOS.definition))


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
    for media_type, parser in (("text/turtle", "turtle"), ("application/ld+json", "json-ld"), ("application/rdf+xml", "xml")):
        response = reader_client.get(address, headers={"Accept": media_type})
        assert response["Content-Type"].startswith(media_type)
        assert "Accept" in response["Vary"]
        graph = Graph().parse(data=response.content.decode(), format=parser)
        assert set(graph.subjects(RDF.type, SKOS.Concept)) == {concept("api")}
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
