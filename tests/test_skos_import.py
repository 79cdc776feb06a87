"""Importing SKOS (Turtle, RDF/XML, JSON-LD) through the import every file takes: each new or
changed concept becomes a proposal, all or nothing; hostile files get a message, never a fetch or a
500, and nothing is written."""

import json

import pytest
from django.urls import reverse
from rdflib import BNode, Graph
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, PROV

from glossary.exports.imports import glossary_import
from glossary.models import Proposal, Term
from tests.test_skos import FORMATS
from tests.workflow_helpers import approve, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(settings):
    settings.SITE_URL = "http://127.0.0.1:8000"


def exported(client, file_format) -> bytes:
    return client.get(reverse(f"glossary:glossary_{file_format}")).content


def clear_glossary():
    from glossary.models import Comment, ProposedDefinition, SignOff

    for model in (Comment, SignOff, ProposedDefinition, Proposal):
        model.objects.all().delete()
    Term.objects.all().delete()


@pytest.mark.parametrize("file_format", list(FORMATS))
def test_an_exported_glossary_comes_back_as_proposals_and_exports_the_same_concepts(
    client, admin_user, glossary_to_export, ivan, marco, site, file_format
):
    client.force_login(admin_user)
    data = exported(client, file_format)
    before = Graph().parse(data=data.decode(), format=FORMATS[file_format])
    clear_glossary()

    report = glossary_import(filename=f"glossary.{file_format}", data=data, user=admin_user, dry_run=False)
    assert report.ok, (report.file_errors, [(r.number, r.errors) for r in report.row_errors])
    assert {c.name: c.action for c in report.changes} == {"API": "new term", "Omnichannel": "new term"}
    for proposal in Proposal.objects.all():
        approve(proposal, ivan)
        approve(proposal, marco)
    after = Graph().parse(data=exported(client, file_format).decode(), format=FORMATS[file_format])
    assert isomorphic(_content(before), _content(after))


def _content(graph: Graph) -> Graph:
    """The graph without what only the glossary's own history gives: when a term was made and
    changed, and who approved it (the provenance's blank nodes); those belong to the new glossary."""
    kept = Graph()
    for s, p, o in graph:
        if isinstance(s, BNode) or p in (DCTERMS.created, DCTERMS.modified, PROV.qualifiedAttribution):
            continue
        kept.add((s, p, o))
    return kept


def test_a_dry_run_reports_and_writes_nothing(client, admin_user, glossary_to_export, site):
    client.force_login(admin_user)
    data = exported(client, "ttl").replace(b"A contract between programs", b"An agreement between programs")
    before = snapshot()
    report = glossary_import(filename="glossary.ttl", data=data, user=admin_user, dry_run=True)
    assert report.ok and {c.name: c.action for c in report.changes}["API"] == "change"
    assert snapshot() == before


HOSTILE = {
    "ttl": [
        # Blank nodes and lists nested deeper than the reader's stack.
        (b"@prefix e: <http://e/> . e:a e:p " + b"[ e:p " * 50_000 + b"e:x" + b" ]" * 50_000 + b" .", "too deeply"),
        (b"@prefix e: <http://e/> . e:a e:p " + b"( " * 50_000 + b" )" * 50_000 + b" .", "too deeply"),
        (b"@prefix skos: <http://www.w3.org/2004/02/skos/core#> . <x> a skos:Concept ; skos:prefLabel", "not readable Turtle"),
        (b"", "no skos:Concept"),
        (b"@prefix skos: <http://www.w3.org/2004/02/skos/core#> . [] a skos:Concept ; skos:prefLabel \"Blank\" ; skos:definition \"x\" .",
         "blank node"),
        (b"@prefix skos: <http://www.w3.org/2004/02/skos/core#> . <http://e/a> a skos:Concept ; skos:prefLabel \"A\" ; "
         b"skos:definition \"x\" ; skos:broader <http://e/b> .", "does not keep"),
        (b"@prefix skos: <http://www.w3.org/2004/02/skos/core#> . <http://e/a> a skos:Concept ; skos:prefLabel \"A\", \"B\" ; "
         b"skos:definition \"x\" .", "preferred labels"),
        # A name that grows past its limit under NFKC normalisation: refused for its concept, not at publishing.
        (("@prefix skos: <http://www.w3.org/2004/02/skos/core#> . <http://e/a> a skos:Concept ; "
         "skos:prefLabel \"" + "\ufdfa" * 8 + "\" ; skos:definition <http://e/a#d> . "
         "<http://e/a#d> <http://www.w3.org/1999/02/22-rdf-syntax-ns#value> \"x\" ; "
         "<http://purl.org/dc/terms/audience> <http://127.0.0.1:8000/departments/it> .").encode(), "characters"),
    ],
    "rdf": [
        (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
         b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="http://e/">'
         b'<rdf:value>&lol2;</rdf:value></rdf:Description></rdf:RDF>', "DOCTYPE"),
        # The same, with the expansion billion-laughs deep (ten levels of ten).
        (('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">'
          + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
          + ']><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="http://e/">'
          '<rdf:value>&lol9;</rdf:value></rdf:Description></rdf:RDF>').encode(), "DOCTYPE"),
        # An external entity (a local file, or an address to fetch).
        (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><rdf:RDF '
         b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="http://e/">'
         b'<rdf:value>&x;</rdf:value></rdf:Description></rdf:RDF>', "DOCTYPE"),
        (b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><unclosed>', "not readable RDF/XML"),
    ],
    "jsonld": [
        (json.dumps({"@context": "https://example.com/context.jsonld", "@id": "http://e/a"}).encode(), "remote @context"),
        (json.dumps({"@context": [{"@import": "https://example.com/c"}], "@id": "http://e/a"}).encode(), "@import"),
        # A scoped context inside a term definition names a document too.
        (json.dumps({"@context": {"x": {"@id": "http://e/x", "@context": "https://example.com/c"}}, "@id": "http://e/a",
                     "x": {"y": 1}}).encode(), "remote @context"),
        # Nested objects, as JSON-LD writes a node inside a node, ten thousand deep.
        (('{"@id": "http://e/a", "http://e/p": ' + '{"http://e/p": ' * 10_000 + "1" + "}" * 10_001).encode(), "levels deep"),
        (("[" * 10_000 + "]" * 10_000).encode(), "levels deep"),
        (b'{"@id": "http://e/a", "http://e/p": 1' + b"9" * 5_000 + b"}", "characters"),
    ],
}


@pytest.mark.parametrize("file_format, data, says", [(f, d, s) for f, cases in HOSTILE.items() for d, s in cases])
def test_a_hostile_skos_file_gets_a_message_and_writes_nothing(admin_user, it, marketing, file_format, data, says):
    before = snapshot()
    report = glossary_import(filename=f"upload.{file_format}", data=data, user=admin_user, dry_run=False)
    messages = report.file_errors + [error for row in report.row_errors for error in row.errors]
    assert not report.ok
    assert any(says in message for message in messages), messages
    assert snapshot() == before


@pytest.mark.parametrize("file_format", list(FORMATS))
def test_a_ten_megabyte_skos_file_is_refused_and_writes_nothing(admin_user, it, marketing, file_format):
    """Refused for its size before any parser reads it: valid-looking content all the way through."""
    concept = (b'<http://e/a> a <http://www.w3.org/2004/02/skos/core#Concept> ; '
               b'<http://www.w3.org/2004/02/skos/core#prefLabel> "A" .\n')
    data = concept * (10 * 1024 * 1024 // len(concept) + 1)
    before = snapshot()
    report = glossary_import(filename=f"big.{file_format}", data=data, user=admin_user, dry_run=False)
    assert len(data) > 10 * 1024 * 1024
    assert report.file_errors and "limit" in report.file_errors[0] and not report.changes
    assert snapshot() == before


def test_the_import_page_takes_a_turtle_file(client, admin_user, glossary_to_export, site):
    client.force_login(admin_user)
    data = exported(client, "ttl")
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("glossary:glossary_import"),
        {"file": SimpleUploadedFile("glossary.ttl", data, content_type="text/turtle"), "dry_run": "on"},
    )
    assert response.status_code == 200
    assert "unchanged" in response.content.decode().lower()


NEW_AND_DEPRECATED = """@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
<http://127.0.0.1:8000/terms/latency/> a skos:Concept ; skos:prefLabel "Latency"@en ; skos:definition <#latency-it> .
<#latency-it> rdf:value "Delay." ; dct:audience <http://127.0.0.1:8000/departments/it> .
<http://127.0.0.1:8000/terms/web-20/> a skos:Concept ; skos:prefLabel "Web 2.0"@en ; skos:definition <#web-it> ;
    owl:deprecated true ; dct:isReplacedBy <http://127.0.0.1:8000/terms/latency/> .
<#web-it> rdf:value "Old." ; dct:audience <http://127.0.0.1:8000/departments/it> .
"""


@pytest.mark.parametrize("dry_run", [True, False])
def test_a_new_concept_that_is_already_deprecated_is_refused_and_nothing_is_imported(admin_user, it, marketing, site, dry_run):
    before = snapshot()
    report = glossary_import(filename="g.ttl", data=NEW_AND_DEPRECATED.encode(), user=admin_user, dry_run=dry_run)
    assert not report.ok and report.changes == []
    assert [(row.number, row.errors) for row in report.row_errors] == [
        (2, ["“Web 2.0” is marked deprecated but is not in the glossary; a new term cannot start deprecated "
             "(leave it out, or import it first and propose its deprecation after)"]),
    ]
    # All or nothing: the good concept beside it is not proposed either.
    assert snapshot() == before


def test_a_concept_deprecated_in_the_file_and_in_the_glossary_is_unchanged(client, admin_user, glossary_in_every_status, site):
    client.force_login(admin_user)
    data = client.get(reverse("glossary:glossary_ttl"), {"status": "deprecated"}).content
    report = glossary_import(filename="g.ttl", data=data, user=admin_user, dry_run=False)
    assert report.ok and [(c.name, c.action) for c in report.changes] == [("Web 2.0", "unchanged")]
    assert not Proposal.objects.exists()
