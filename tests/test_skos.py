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


SITE = "http://127.0.0.1:8000/"


def skos_integrity_violations(graph: Graph, client) -> list[str]:
    """What in `graph` breaks the SKOS Reference's integrity conditions (named by their numbers,
    https://www.w3.org/TR/skos-reference/), or the issue's own rules for a glossary (every concept
    in the scheme and defined; nothing it points to left dangling). Empty when all hold.

    Written here rather than taken from skosify: skosify's checks only log warnings, and cover three
    of these rules (S13, S14, S27)."""
    violations = []
    concepts = set(graph.subjects(RDF.type, SKOS.Concept))
    schemes = set(graph.subjects(RDF.type, SKOS.ConceptScheme))
    collections = set(graph.subjects(RDF.type, SKOS.Collection))
    # S9: skos:ConceptScheme is disjoint with skos:Concept; S37: skos:Collection with both.
    if concepts & schemes:
        violations.append(f"S9: both a concept and a scheme: {concepts & schemes}")
    if collections & (concepts | schemes):
        violations.append(f"S37: a collection that is also a concept or scheme: {collections & (concepts | schemes)}")
    labels = {p: set(graph.subject_objects(p)) for p in (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel)}
    for prop, pairs in labels.items():
        for subject, label in pairs:
            # S12: the range of prefLabel, altLabel and hiddenLabel is the RDF plain literals.
            if not isinstance(label, Literal) or label.datatype is not None:
                violations.append(f"S12: {subject} has {graph.qname(prop)} {label!r}, not a plain literal")
    # S13: prefLabel, altLabel and hiddenLabel are pairwise disjoint (the same literal, language and all).
    for first, second in ((SKOS.prefLabel, SKOS.altLabel), (SKOS.prefLabel, SKOS.hiddenLabel), (SKOS.altLabel, SKOS.hiddenLabel)):
        for subject, label in labels[first] & labels[second]:
            violations.append(f"S13: {subject} has {label!r} as both {graph.qname(first)} and {graph.qname(second)}")
    # S14: no more than one prefLabel per language tag.
    for subject in {s for s, _ in labels[SKOS.prefLabel]}:
        languages = [label.language for label in graph.objects(subject, SKOS.prefLabel)]
        if len(languages) != len(set(languages)):
            violations.append(f"S14: {subject} has more than one prefLabel in a language: {languages}")
    # S27: skos:related is disjoint with skos:broaderTransitive.
    for subject, other in graph.subject_objects(SKOS.related):
        if other in set(graph.transitive_objects(subject, SKOS.broader)) | set(graph.transitive_subjects(SKOS.broader, subject)):
            violations.append(f"S27: {subject} is both related to and broader or narrower than {other}")
    # S32: the range of skos:member is skos:Concept or skos:Collection: a tag holds terms.
    for collection, member in graph.subject_objects(SKOS.member):
        if member not in concepts | collections:
            violations.append(f"S32: collection {collection} has a member that is no concept: {member}")
    for each in concepts:
        # The rules: one name, in the scheme, saying what it means.
        if len(list(graph.objects(each, SKOS.prefLabel))) != 1:
            violations.append(f"{each} does not have exactly one prefLabel")
        if not any((each, SKOS.inScheme, scheme) in graph for scheme in schemes):
            violations.append(f"{each} is in no concept scheme of the file")
        if not list(graph.objects(each, SKOS.definition)):
            violations.append(f"{each} has no definition")
    # S20 (a semantic relation's range is skos:Concept), read for a file: a related concept, or the
    # term to use instead, is a concept in the file, or a term address that answers with that concept.
    for subject, prop, other in [*graph.triples((None, SKOS.related, None)), *graph.triples((None, DCTERMS.isReplacedBy, None))]:
        if other in concepts:
            continue
        answer = client.get(str(other).removeprefix(SITE.rstrip("/")), headers={"Accept": "text/turtle"}) if str(other).startswith(SITE) else None
        if answer is None or answer.status_code != 200 or (other, RDF.type, SKOS.Concept) not in Graph().parse(
            data=answer.content.decode(), format="turtle"
        ):
            violations.append(f"{subject} {graph.qname(prop)} {other}, which is neither in the file nor a term of the site")
    return violations


@pytest.fixture
def glossary_with_every_kind_of_term(glossary_to_export, make_term, ada, it):
    """Terms in every status; synonyms that repeat the name or abbreviation in another case; tags;
    related terms, in and out of review; a deprecated term with its replacement; a term with one
    department's definition and no common ground."""
    api, omni = glossary_to_export
    kpi = make_term(
        "Key performance indicator", it_text="Uptime.", abbreviation="KPI",
        synonyms="kpi\nKey Performance Indicator\nKPI", tags=["Data"], status=Term.Status.APPROVED,
    )
    budget = make_term("Budget", it_text="Run cost.", marketing_text="Media spend.", status=Term.Status.IN_REVIEW)
    lead = make_term("Lead", marketing_text="A person who might buy.", status=Term.Status.DRAFT, tags=["Data"])
    social = make_term("Social media", it_text="Platforms.", status=Term.Status.APPROVED)
    web = make_term("Web 2.0", it_text="Old.", synonyms="web 2.0", status=Term.Status.DEPRECATED)
    term_save(term=web, user=ada, reason="Link", related_terms=[api])
    # Only a published deprecation names a replacement (tests/test_replaced_by.py takes that path).
    Term.objects.filter(pk=web.pk).update(replaced_by=social)
    term_save(term=kpi, user=ada, reason="Link", related_terms=[budget, lead, web, omni])
    return [api, omni, kpi, budget, lead, social, web]


@pytest.mark.parametrize(
    "filters", [{}, {"include_in_review": "on"}, {"status": "deprecated"}, {"status": "draft"}, {"tag": "data"}]
)
def test_the_export_keeps_the_skos_integrity_rules(reader_client, glossary_with_every_kind_of_term, site, filters):
    for file_format in FORMATS:
        graph = download(reader_client, file_format, **filters)
        assert set(graph.subjects(RDF.type, SKOS.Concept)), filters
        assert skos_integrity_violations(graph, reader_client) == []


def test_the_integrity_checks_find_what_breaks_each_rule(reader_client, glossary_with_every_kind_of_term, site):
    """The checks above are worth something only if they fail on a graph that breaks the rules."""
    graph = download(reader_client, "ttl", include_in_review="on")
    api, kpi = concept("api"), concept("key-performance-indicator")
    graph.add((api, SKOS.prefLabel, Literal("Application interface", lang="en")))
    graph.add((kpi, SKOS.altLabel, Literal("Key performance indicator", lang="en")))
    graph.add((kpi, SKOS.hiddenLabel, Literal("KPI", lang="en")))
    graph.add((kpi, SKOS.broader, api))
    graph.add((kpi, SKOS.related, api))
    graph.add((kpi, SKOS.related, concept("nothing-here")))
    graph.add((URIRef(f"{SITE}?tag=data"), SKOS.member, URIRef("http://elsewhere.example/x")))
    graph.remove((concept("lead"), SKOS.definition, None))
    graph.remove((concept("budget"), SKOS.inScheme, None))
    found = " ".join(skos_integrity_violations(graph, reader_client))
    for rule in ("S13:", "S14:", "S27:", "S32:", "neither in the file", "has no definition", "in no concept scheme"):
        assert rule in found, rule
    assert found.count("S13:") == 2


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
