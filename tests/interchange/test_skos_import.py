"""Importing SKOS (Turtle, RDF/XML, JSON-LD) through the import every file takes: each new or
changed concept becomes a proposal, all or nothing; hostile files get a message, never a fetch or a
500, and nothing is written."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, OWL, PROV, SKOS

from accounts.models import User
from glossary.interchange.imports import glossary_import
from glossary.models import Proposal, Term
from tests.interchange.skos_files import FORMATS, SITE, concept
from tests.shared_data import built_once
from tests.workflow_helpers import approve, snapshot

pytestmark = pytest.mark.django_db


def exported(client, file_format) -> bytes:
    return client.get(reverse(f"glossary:glossary_{file_format}")).content


def clear_glossary():
    from glossary.models import Comment, ProposedDefinition, SignOff

    Term.objects.update(approval=None, replaced_by=None)  # kept from deletion while a term names them
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
        (
            b"@prefix skos: <http://www.w3.org/2004/02/skos/core#> . <x> a skos:Concept ; skos:prefLabel",
            "not readable Turtle",
        ),
        (b"", "no skos:Concept"),
        (
            b'@prefix skos: <http://www.w3.org/2004/02/skos/core#> . [] a skos:Concept ; skos:prefLabel "Blank" ; skos:definition "x" .',
            "blank node",
        ),
        (
            b'@prefix skos: <http://www.w3.org/2004/02/skos/core#> . <http://e/a> a skos:Concept ; skos:prefLabel "A" ; '
            b'skos:definition "x" ; skos:broader <http://e/b> .',
            "does not keep",
        ),
        (
            b'@prefix skos: <http://www.w3.org/2004/02/skos/core#> . <http://e/a> a skos:Concept ; skos:prefLabel "A", "B" ; '
            b'skos:definition "x" .',
            "has 2 values of skos:prefLabel",
        ),
        # Only a stub: the name of a term the file links to, described elsewhere.
        (
            b"@prefix skos: <http://www.w3.org/2004/02/skos/core#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . "
            b'<http://e/a> a skos:Concept ; skos:prefLabel "A" ; rdfs:seeAlso <http://e/a> .',
            "describes no skos:Concept in full",
        ),
        # A name that grows past its limit under NFKC normalisation: refused for its concept, not at publishing.
        (
            (
                "@prefix skos: <http://www.w3.org/2004/02/skos/core#> . <http://e/a> a skos:Concept ; "
                'skos:prefLabel "' + "\ufdfa" * 8 + '" ; skos:definition <http://e/a#d> . '
                '<http://e/a#d> <http://www.w3.org/1999/02/22-rdf-syntax-ns#value> "x" ; '
                "<http://purl.org/dc/terms/audience> <http://127.0.0.1:8000/departments/it> ."
            ).encode(),
            "characters",
        ),
    ],
    "rdf": [
        (
            b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
            b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="http://e/">'
            b"<rdf:value>&lol2;</rdf:value></rdf:Description></rdf:RDF>",
            "DOCTYPE",
        ),
        # The same, with the expansion billion-laughs deep (ten levels of ten).
        (
            (
                '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">'
                + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
                + ']><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="http://e/">'
                "<rdf:value>&lol9;</rdf:value></rdf:Description></rdf:RDF>"
            ).encode(),
            "DOCTYPE",
        ),
        # An external entity (a local file, or an address to fetch).
        (
            b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><rdf:RDF '
            b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="http://e/">'
            b"<rdf:value>&x;</rdf:value></rdf:Description></rdf:RDF>",
            "DOCTYPE",
        ),
        (
            b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><unclosed>',
            "not readable RDF/XML",
        ),
    ],
    "jsonld": [
        (
            json.dumps({"@context": "https://example.com/context.jsonld", "@id": "http://e/a"}).encode(),
            "remote @context",
        ),
        (json.dumps({"@context": [{"@import": "https://example.com/c"}], "@id": "http://e/a"}).encode(), "@import"),
        # A scoped context inside a term definition names a document too.
        (
            json.dumps(
                {
                    "@context": {"x": {"@id": "http://e/x", "@context": "https://example.com/c"}},
                    "@id": "http://e/a",
                    "x": {"y": 1},
                }
            ).encode(),
            "remote @context",
        ),
        # Nested objects, as JSON-LD writes a node inside a node, ten thousand deep.
        (
            ('{"@id": "http://e/a", "http://e/p": ' + '{"http://e/p": ' * 10_000 + "1" + "}" * 10_001).encode(),
            "levels deep",
        ),
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
    concept = (
        b"<http://e/a> a <http://www.w3.org/2004/02/skos/core#Concept> ; "
        b'<http://www.w3.org/2004/02/skos/core#prefLabel> "A" .\n'
    )
    data = concept * (10 * 1024 * 1024 // len(concept) + 1)
    before = snapshot()
    report = glossary_import(filename=f"big.{file_format}", data=data, user=admin_user, dry_run=False)
    assert len(data) > 10 * 1024 * 1024
    assert report.file_errors and "limit" in report.file_errors[0] and not report.changes
    assert snapshot() == before


def test_the_import_page_takes_a_turtle_file(client, admin_user, glossary_to_export, site):
    client.force_login(admin_user)
    data = exported(client, "ttl")
    response = client.post(
        reverse("glossary:glossary_import"),
        {"file": SimpleUploadedFile("glossary.ttl", data, content_type="text/turtle"), "dry_run": "on"},
    )
    assert response.status_code == 200
    assert "unchanged" in response.content.decode().lower()


SKOS_NS = "http://www.w3.org/2004/02/skos/core#"
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
# Properties whose address has no prefixed form: nothing after the last `:`, `#` or `/` can be a
# local name, and rdflib raises "Can't split" where it would make one up. RDF/XML spells a property
# as an element name, so its local name is one that XML takes and rdflib still cannot split.
UNSPLITTABLE = {
    "ttl": (
        f'@prefix skos: <{SKOS_NS}> . <http://e/a> a skos:Concept ; skos:prefLabel "A" ; skos:definition "x" ; '
        '<urn:x:> "v" ; <http://example.org/#> "w" ; <http://e/p> "u" .',
        ["<http://e/p>", "<http://example.org/#>", "<urn:x:>"],
    ),
    "jsonld": (
        json.dumps(
            {
                "@id": "http://e/a",
                "@type": f"{SKOS_NS}Concept",
                f"{SKOS_NS}prefLabel": "A",
                f"{SKOS_NS}definition": "x",
                "urn:x:": "v",
                "http://example.org/#": "w",
            }
        ),
        ["<http://example.org/#>", "<urn:x:>"],
    ),
    "rdf": (
        f'<?xml version="1.0"?><rdf:RDF xmlns:rdf="{RDF_NS}" xmlns:skos="{SKOS_NS}" xmlns:x="urn:x:" '
        'xmlns:h="http://example.org/#"><skos:Concept rdf:about="http://e/a"><skos:prefLabel>A</skos:prefLabel>'
        "<skos:definition>x</skos:definition><x:\u02bb>v</x:\u02bb><h:\u0559>w</h:\u0559></skos:Concept></rdf:RDF>",
        ["<http://example.org/#\u0559>", "<urn:x:\u02bb>"],
    ),
}


def unkept(names: list[str]) -> str:
    return f"says what Common Ground does not keep ({', '.join(names)}); leave it out on purpose, or it would be lost"


@pytest.mark.parametrize("file_format", list(UNSPLITTABLE))
def test_a_property_without_a_prefixed_form_is_reported_like_any_property_not_kept(
    client, admin_user, it, marketing, file_format
):
    text, names = UNSPLITTABLE[file_format]
    client.force_login(admin_user)
    before = snapshot()
    upload = SimpleUploadedFile(f"vocabulary.{file_format}", text.encode(), content_type="application/octet-stream")
    response = client.post(reverse("glossary:glossary_import"), {"file": upload})
    assert response.status_code == 400
    assert [(row.number, row.errors) for row in response.context["report"].row_errors] == [(1, [unkept(names)])]
    assert "cannot be imported" in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize("file_format", list(UNSPLITTABLE))
def test_the_import_command_reports_a_property_without_a_prefixed_form_and_imports_nothing(
    tmp_path, admin_user, it, marketing, file_format
):
    text, names = UNSPLITTABLE[file_format]
    path = tmp_path / f"vocabulary.{file_format}"
    path.write_text(text, encoding="utf-8")
    before = snapshot()
    with pytest.raises(CommandError) as refused:
        call_command("import_glossary", str(path), "--user", admin_user.username)
    assert str(refused.value).startswith(f"Nothing imported.\n1 row: {unkept(names)} (row 1 ")
    assert snapshot() == before


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
def test_a_new_concept_that_is_already_deprecated_is_left_out_and_the_rest_comes_in(
    admin_user, it, marketing, site, dry_run
):
    before = snapshot()
    report = glossary_import(filename="g.ttl", data=NEW_AND_DEPRECATED.encode(), user=admin_user, dry_run=dry_run)
    assert report.ok and not report.row_errors
    assert [(c.name, c.action) for c in report.changes] == [("Latency", "new term"), ("Web 2.0", "left out")]
    assert [c.name for c in report.left_out] == ["Web 2.0"]
    if dry_run:
        assert snapshot() == before
    else:
        assert list(Proposal.objects.values_list("name", flat=True)) == ["Latency"]


def test_a_concept_deprecated_in_the_file_and_in_the_glossary_is_unchanged(
    client, admin_user, glossary_in_every_status, site
):
    client.force_login(admin_user)
    data = client.get(reverse("glossary:glossary_ttl"), {"status": "deprecated"}).content
    report = glossary_import(filename="g.ttl", data=data, user=admin_user, dry_run=False)
    assert report.ok and [(c.name, c.action) for c in report.changes] == [("Web 2.0", "unchanged")]
    assert not Proposal.objects.exists()


def demo_glossary(replaced_by: str = "Platform"):
    """The demo glossary, its deprecated Web 2.0 pointing to a term to use instead."""
    call_command("load_demo")
    Term.objects.filter(status=Term.Status.DEPRECATED).update(replaced_by=Term.objects.get(name=replaced_by))
    return User.objects.get(username="admin")


def links() -> dict[str, tuple[list[str], str]]:
    """Every term's links: the names of its related terms, and of the term to use instead."""
    return {
        term.name: (
            sorted(other.name for other in term.related_terms.all()),
            term.replaced_by.name if term.replaced_by else "",
        )
        for term in Term.objects.select_related("replaced_by").prefetch_related("related_terms")
    }


def import_and_publish(filename: str, data: bytes, admin) -> None:
    """Import the file into the glossary and have both departments approve every proposal it makes."""
    ivan, marco = User.objects.get(username="ivan"), User.objects.get(username="marco")
    report = glossary_import(filename=filename, data=data, user=admin, dry_run=False)
    assert report.ok, [(r.number, r.errors) for r in report.row_errors]
    assert not any(c.notes for c in report.changes)
    for change in report.changes:
        if change.proposal is not None:
            approve(change.proposal, ivan)
            approve(change.proposal, marco)
            change.proposal.refresh_from_db()
            assert change.proposal.state == Proposal.State.PUBLISHED, change.name


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    """demo_glossary(), once for the tests of the class, which each import into it: what a test
    imports is rolled back with the test. Returns the glossary admin."""
    with built_once(django_db_blocker), django_db_blocker.unblock():
        yield demo_glossary()


@pytest.mark.slow  # the demo glossary, loaded once, and a dozen imports of it: about 10 s
class TestOnTheDemo:
    """The demo glossary's own files imported back into it: loaded once for all of them."""

    @pytest.mark.parametrize(
        "file_format, query",
        [("ttl", {}), ("rdf", {}), ("jsonld", {}), ("ttl", {"status": "approved"}), ("ttl", {"tag": "architecture"})],
    )
    def test_the_demo_export_imported_back_keeps_every_link(self, demo, client, site, file_format, query):
        """Every link of every concept reads back to the term it points to, whether the file holds that
        term in full, as a stub, or not at all (a term of this glossary at that address)."""
        admin = demo
        client.force_login(admin)
        before = links()
        assert before["Web 2.0"] == (["API", "Platform"], "Platform")
        data = client.get(reverse(f"glossary:glossary_{file_format}"), query).content

        import_and_publish(f"demo.{file_format}", data, admin)
        assert links() == before

    def test_a_link_to_an_address_the_file_does_not_describe_is_made_to_the_term_there(self, demo, client, site):
        """Not to a name guessed from the address: web-20 is "Web 2.0", not "web 20"."""
        admin = demo
        client.force_login(admin)
        graph = Graph().parse(data=exported(client, "ttl").decode(), format="turtle")
        graph.remove((concept("web-20"), None, None))  # the file keeps only the links to it
        graph.remove((None, None, URIRef(f"{concept('web-20')}#definition-it")))
        before = links()
        import_and_publish("g.ttl", graph.serialize(format="turtle").encode(), admin)
        assert links() == before

    @pytest.mark.parametrize("dry_run", [True, False])
    def test_a_link_to_an_address_neither_the_file_nor_the_glossary_has_is_refused_for_its_concept(
        self, demo, client, site, dry_run
    ):
        admin = demo
        client.force_login(admin)
        graph = Graph().parse(data=exported(client, "ttl").decode(), format="turtle")
        graph.add((concept("api"), SKOS.related, URIRef("http://elsewhere.example/vocabulary/web-20")))
        graph.add((concept("api"), SKOS.related, concept("no-such-term")))
        graph.add((concept("platform"), OWL.deprecated, Literal(True)))
        graph.add((concept("platform"), DCTERMS.isReplacedBy, BNode()))
        before = snapshot()
        report = glossary_import(
            filename="g.ttl", data=graph.serialize(format="turtle").encode(), user=admin, dry_run=dry_run
        )
        assert not report.ok and report.changes == []
        errors = {error for row in report.row_errors for error in row.errors}
        assert errors == {
            "is related to <http://elsewhere.example/vocabulary/web-20>, which the file does not describe and which is "
            "no term's address in this glossary; add that concept to the file or remove the link",
            f"is related to <{concept('no-such-term')}>, which the file does not describe and which is no term's "
            "address in this glossary; add that concept to the file or remove the link",
            "names to use instead a resource without an address (a blank node), which cannot be matched to a term",
        }
        assert snapshot() == before

    def test_the_demo_moved_into_an_empty_glossary_keeps_every_link_it_can_and_names_the_rest(self, demo, client, site):
        """Web 2.0 cannot start deprecated in a new glossary, so the file for a move holds the terms in
        use (status=approved) and Web 2.0 as a stub: the links to it are kept by its name, reported, and
        made once a term of that name is published; every other link comes back."""
        admin = demo
        ivan, marco = User.objects.get(username="ivan"), User.objects.get(username="marco")
        client.force_login(admin)
        data = client.get(reverse("glossary:glossary_ttl"), {"status": "approved"}).content
        before = Graph().parse(data=data.decode(), format="turtle")
        clear_glossary()

        report = glossary_import(filename="demo.ttl", data=data, user=admin, dry_run=False)
        assert report.ok, [(r.number, r.errors) for r in report.row_errors]
        assert report.count("new term") == len(set(before.subjects(SKOS.topConceptOf)))
        notes = {c.name: c.notes for c in report.changes if c.notes}
        assert notes == {
            name: [
                "links to “Web 2.0”, which is neither in the glossary nor in this file: the link is made once a term "
                "of that name is published"
            ]
            for name in ("API", "Platform")
        }
        assert "web 20" not in " ".join(Proposal.objects.values_list("related_names", flat=True))
        for proposal in Proposal.objects.order_by("pk"):
            approve(proposal, ivan)
            approve(proposal, marco)
        after = Graph().parse(
            data=client.get(reverse("glossary:glossary_ttl"), {"status": "approved"}).content.decode(), format="turtle"
        )
        web = concept("web-20")
        without_web = Graph()
        for s, p, o in _content(before):
            # The scheme's word on stubs goes with the only stub.
            if web not in (s, o) and (s, p) != (URIRef(f"{SITE}"), DCTERMS.description):
                without_web.add((s, p, o))
        assert isomorphic(without_web, _content(after))

    def test_the_import_page_shows_a_link_it_cannot_make_yet(self, demo, client, site):
        admin = demo
        client.force_login(admin)
        data = client.get(reverse("glossary:glossary_ttl"), {"status": "approved"}).content
        clear_glossary()
        page = client.post(
            reverse("glossary:glossary_import"),
            {"file": SimpleUploadedFile("demo.ttl", data, content_type="text/turtle"), "dry_run": "on"},
        ).content.decode()
        assert "links to “Web 2.0”, which is neither in the glossary nor in this file" in page

    def test_the_demos_default_file_moves_into_an_empty_glossary_leaving_out_its_deprecated_term(
        self, demo, client, site
    ):
        """The default SKOS file holds Web 2.0, deprecated: a new glossary cannot start with it, so it
        is left out and said so, on the page and for the terms linking to it; everything else comes in."""
        admin = demo
        client.force_login(admin)
        data = client.get(reverse("glossary:glossary_ttl")).content
        in_use = Term.objects.exclude(status=Term.Status.DEPRECATED).count()
        clear_glossary()

        report = glossary_import(filename="demo.ttl", data=data, user=admin, dry_run=True)
        assert report.ok, [(r.number, r.errors) for r in report.row_errors]
        assert [c.name for c in report.left_out] == ["Web 2.0"]
        assert report.count("new term") == in_use
        assert {c.name: c.notes for c in report.changes if c.notes and c.action != "left out"} == {
            name: [
                "links to “Web 2.0”, which this import leaves out (deprecated, not in the glossary): the link is "
                "made once a term of that name is published"
            ]
            for name in ("API", "Platform")
        }
        page = client.post(
            reverse("glossary:glossary_import"),
            {"file": SimpleUploadedFile("demo.ttl", data, content_type="text/turtle"), "dry_run": "on"},
        ).content.decode()
        assert "Left out (1): marked deprecated and not in the glossary" in page and "Web 2.0 (row" in page

    def test_an_unchanged_file_proposes_nothing_whatever_order_its_labels_come_in(self, demo, client, site):
        """SKOS labels are a set: a term whose synonyms are stored in another order than the file
        lists them is unchanged, as is one whose tag the file spells in another case."""
        admin = demo
        omnichannel = Term.objects.get(name="Omnichannel")
        synonyms = omnichannel.synonym_list
        assert len(synonyms) > 1, "the demo gives Omnichannel several synonyms"
        Term.objects.filter(pk=omnichannel.pk).update(synonyms="\n".join(reversed(synonyms)))
        client.force_login(admin)
        for file_format in FORMATS:
            data = client.get(reverse(f"glossary:glossary_{file_format}")).content
            report = glossary_import(filename=f"g.{file_format}", data=data, user=admin, dry_run=True)
            assert report.ok, [(r.number, r.errors) for r in report.row_errors]
            assert report.changes_to_make == [], [(c.name, c.action) for c in report.changes_to_make]
