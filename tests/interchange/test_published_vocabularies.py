"""SKOS vocabularies as others publish them: a concept defined by one plain `skos:definition` comes
in defined by its common ground (or by the department the admin names), a definition that names
its department goes to it, and every signing department still signs each term off."""

from dataclasses import replace
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from rdflib import RDF, SKOS, Graph

from glossary.entries import Entry
from glossary.interchange.imports import glossary_import
from glossary.interchange.options import ImportOptions
from glossary.models import Proposal, Term
from glossary.services.proposals import proposal_update
from tests.workflow_helpers import approve, login, snapshot

pytestmark = pytest.mark.django_db

# As published vocabularies define a concept: one plain definition, in the vocabulary's language.
PLAIN = """\
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://vocab.example.org/churn> a skos:Concept ;
    skos:prefLabel "Churn"@en ;
    skos:definition "The share of customers who stop buying in a period."@en .
"""
# A definition resource that names its department as its creator or source, not as its audience.
CREDITED = """\
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
<https://vocab.example.org/latency> a skos:Concept ;
    skos:prefLabel "Latency"@en ;
    skos:definition "The time a request waits."@en ,
        [ rdf:value "Milliseconds from request to first byte." ; dct:creator <https://glossary.example.com/departments/it> ] .
<https://vocab.example.org/reach> a skos:Concept ;
    skos:prefLabel "Reach"@en ;
    skos:definition [ rdf:value "How many people saw the campaign." ; dct:source <https://glossary.example.com/departments/marketing/> ] .
"""


def proposed(name: str) -> tuple[str, dict[str, str]]:
    """A proposal's common ground and its definitions by department slug."""
    proposal = Proposal.objects.get(name=name)
    return proposal.summary, {d.department.slug: d.text for d in proposal.definitions.select_related("department")}


def test_a_plain_definition_is_the_common_ground_and_the_term_is_published_when_every_department_approves(
    admin_user, ivan, marco
):
    report = glossary_import(filename="v.ttl", data=PLAIN.encode(), user=admin_user, dry_run=False)
    assert report.ok, report.row_errors
    assert proposed("Churn") == ("The share of customers who stop buying in a period.", {})

    proposal = Proposal.objects.get(name="Churn")
    approve(proposal, ivan)
    assert not Term.objects.exists(), "one department's sign-off is not enough"
    approve(Proposal.objects.get(pk=proposal.pk), marco)
    term = Term.objects.get(name="Churn")
    assert (term.summary, term.definitions.count()) == ("The share of customers who stop buying in a period.", 0)


def test_the_admin_can_make_a_plain_definition_a_departments_own(admin_user, it, marketing):
    options = ImportOptions(plain_definition="marketing")
    report = glossary_import(filename="v.ttl", data=PLAIN.encode(), user=admin_user, dry_run=False, options=options)
    assert report.ok, report.row_errors
    assert proposed("Churn") == ("", {"marketing": "The share of customers who stop buying in a period."})


def test_a_definition_naming_its_department_as_creator_or_source_goes_to_that_department(admin_user, it, marketing):
    report = glossary_import(filename="v.ttl", data=CREDITED.encode(), user=admin_user, dry_run=False)
    assert report.ok, report.row_errors
    assert proposed("Latency") == ("The time a request waits.", {"it": "Milliseconds from request to first byte."})
    assert proposed("Reach") == ("", {"marketing": "How many people saw the campaign."})


def test_a_plain_definition_made_a_departments_that_has_its_own_already_is_refused_for_its_concept(admin_user, it):
    before = snapshot()
    options = ImportOptions(plain_definition="it")
    report = glossary_import(filename="v.ttl", data=CREDITED.encode(), user=admin_user, dry_run=False, options=options)
    assert not report.ok
    assert [(row.values["name"], row.errors) for row in report.row_errors] == [
        ("Latency", ["has a plain skos:definition and a definition of its own for the department “it”"])
    ]
    assert snapshot() == before


def test_the_import_page_offers_where_a_plain_definition_goes_and_uses_the_choice(admin_client, it, marketing):
    page = admin_client.get(reverse("glossary:glossary_import")).content.decode()
    assert "A definition that names no department becomes" in page
    assert '<option value="marketing">Marketing&#x27;s definition</option>' in page

    upload = SimpleUploadedFile("vocabulary.ttl", PLAIN.encode(), content_type="text/turtle")
    response = admin_client.post(reverse("glossary:glossary_import"), {"file": upload, "plain_definition": "it"})
    assert response.status_code == 200, response.content.decode()[:2000]
    assert proposed("Churn") == ("", {"it": "The share of customers who stop buying in a period."})


def test_the_import_page_refuses_a_department_it_does_not_offer_next_to_the_field(admin_client, it):
    before = snapshot()
    upload = SimpleUploadedFile("vocabulary.ttl", PLAIN.encode(), content_type="text/turtle")
    response = admin_client.post(reverse("glossary:glossary_import"), {"file": upload, "plain_definition": "legal"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert snapshot() == before


def test_the_import_command_takes_the_department_a_plain_definition_belongs_to(admin_user, it, tmp_path):
    path = tmp_path / "vocabulary.ttl"
    path.write_text(PLAIN)
    with pytest.raises(CommandError, match="No department with the slug legal"):
        call_command("import_glossary", str(path), user=admin_user.username, plain_definition="legal")
    call_command("import_glossary", str(path), user=admin_user.username, plain_definition="it")
    assert proposed("Churn") == ("", {"it": "The share of customers who stop buying in a period."})


def test_the_proposal_form_takes_a_term_defined_by_its_common_ground_alone(reader_client, it, marketing):
    response = reader_client.post(
        reverse("glossary:term_propose_new"),
        {
            "name": "Churn",
            "summary": "Customers who stop buying.",
            "definition_it": "",
            "definition_marketing": "",
            "reason": "One meaning for all",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert proposed("Churn") == ("Customers who stop buying.", {})


# Published by the W3C Data Privacy Vocabularies and Controls Community Group (github.com/w3c/dpv,
# 2.2/dpv/modules/consent_types.ttl at f01a55c, W3C Software and Document License), as published.
DPV_CONSENT_TYPES = Path(__file__).resolve().parents[2] / "fixtures" / "vocabularies" / "dpv" / "consent_types.ttl"


def test_a_published_vocabulary_lists_what_the_glossary_cannot_keep_and_imports_without_it_when_asked(
    admin_client, it, marketing
):
    data = DPV_CONSENT_TYPES.read_bytes()
    before = snapshot()
    response = admin_client.post(
        reverse("glossary:glossary_import"),
        {"file": SimpleUploadedFile("consent_types.ttl", data), "dry_run": "on"},
    )
    assert response.status_code == 400
    report = response.context["report"]
    published = Graph().parse(data=data.decode(), format="turtle")
    concepts = set(published.subjects(RDF.type, SKOS.Concept))
    assert len(report.row_errors) == len(concepts) == 5
    # Counted from the file itself: every statement of each property the glossary has no field for.
    broader = len(list(published.subject_objects(SKOS.broader)))
    unkept = {property.name: (property.statements, property.concepts) for property in report.unkept}
    assert unkept["skos:broader"] == (broader, 5)
    assert set(unkept) >= {"dct:contributor", "rdfs:isDefinedBy", "sw:term_status", "skos:broader"}
    page = response.content.decode()
    assert "What the file says that the glossary cannot keep" in page and "<code>skos:broader</code>" in page
    assert snapshot() == before

    response = admin_client.post(
        reverse("glossary:glossary_import"),
        {"file": SimpleUploadedFile("consent_types.ttl", data), "drop_unkept": "on"},
    )
    assert response.status_code == 200, response.content.decode()[:3000]
    assert response.context["report"].unkept_left_out
    assert "Left out on purpose" in response.content.decode()
    for concept in concepts:
        label = str(published.value(concept, SKOS.prefLabel))
        assert proposed(label) == (str(published.value(concept, SKOS.definition)), {}), label
        assert Proposal.objects.get(name=label).scope_note == str(published.value(concept, SKOS.scopeNote) or "")


def test_a_published_vocabulary_signed_off_exports_its_labels_definitions_and_scope_notes_again(
    admin_user, ivan, marco, reader_client, site
):
    data = DPV_CONSENT_TYPES.read_bytes()
    options = ImportOptions(drop_unkept=True)
    assert glossary_import(filename="consent_types.ttl", data=data, user=admin_user, dry_run=False, options=options).ok
    for proposal in Proposal.objects.all():
        approve(proposal, ivan)
        approve(Proposal.objects.get(pk=proposal.pk), marco)
    assert Term.objects.filter(status=Term.Status.APPROVED).count() == 5

    def kept(graph: Graph) -> set[tuple[str, str, str]]:
        """Each concept's label, definition and scope note: what the glossary keeps of this file."""
        return {
            (
                str(graph.value(c, SKOS.prefLabel)),
                str(graph.value(c, SKOS.definition)),
                str(graph.value(c, SKOS.scopeNote) or ""),
            )
            for c in graph.subjects(RDF.type, SKOS.Concept)
            if graph.value(c, SKOS.prefLabel) is not None and (c, SKOS.definition, None) in graph
        }

    exported = Graph().parse(data=reader_client.get(reverse("glossary:glossary_ttl")).content.decode(), format="turtle")
    assert kept(exported) == kept(Graph().parse(data=data.decode(), format="turtle"))
    assert len(kept(exported)) == 5


BILINGUAL = """\
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://vocab.example.org/churn> a skos:Concept ;
    skos:prefLabel "Churn"@en-GB, "Asiakaspoistuma"@fi ;
    skos:altLabel "Attrition", "Poistuma"@fi ;
    skos:definition "Customers who stop buying."@en, "Asiakkaat, jotka lakkaavat ostamasta."@fi .
"""


def test_texts_in_another_language_are_counted_as_not_kept_and_the_sites_language_comes_in(admin_user, it):
    refused = glossary_import(filename="v.ttl", data=BILINGUAL.encode(), user=admin_user, dry_run=True)
    assert not refused.ok
    assert [(p.name, p.statements, p.concepts) for p in refused.unkept] == [
        ("skos:altLabel@fi", 1, 1),
        ("skos:definition@fi", 1, 1),
        ("skos:prefLabel@fi", 1, 1),
    ]
    options = ImportOptions(drop_unkept=True)
    report = glossary_import(filename="v.ttl", data=BILINGUAL.encode(), user=admin_user, dry_run=False, options=options)
    assert report.ok, report.row_errors
    proposal = Proposal.objects.get()
    assert (proposal.name, proposal.synonyms, proposal.summary) == ("Churn", "Attrition", "Customers who stop buying.")


def test_every_problem_of_every_concept_is_reported_at_once_grouped_by_kind(admin_client, it):
    unnamed = "".join(
        f'<https://vocab.example.org/c{n}> a skos:Concept ; skos:definition "Meaning {n}."@en .\n' for n in range(7)
    )
    duplicated = "".join(
        f'<https://vocab.example.org/d{n}> a skos:Concept ; skos:prefLabel "Twice"@en ; skos:definition "D{n}."@en .\n'
        for n in range(2)
    )
    data = "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n" + unnamed + duplicated
    before = snapshot()
    response = admin_client.post(
        reverse("glossary:glossary_import"), {"file": SimpleUploadedFile("v.ttl", data.encode()), "dry_run": "on"}
    )
    assert response.status_code == 400
    groups = [(g.message, len(g.rows), g.more) for g in response.context["report"].error_groups]
    assert groups == [("has no name", 7, 2), ("repeats the name “Twice” from row 8", 1, 0)]
    page = response.content.decode()
    assert "7 rows: has no name" in page and "and 2 more" in page
    assert snapshot() == before


LABELS_ONLY = """\
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://vocab.example.org/attribution> a skos:Concept ; skos:prefLabel "Attribution"@en .
<https://vocab.example.org/cohort> a skos:Concept ; skos:prefLabel "Cohort"@en ;
    skos:definition "A group of customers who started in the same month."@en .
"""


def test_a_concept_with_labels_alone_comes_in_needing_a_definition_and_nobody_approves_it_until_one_is_written(
    admin_user, ivan, marco
):
    report = glossary_import(filename="v.ttl", data=LABELS_ONLY.encode(), user=admin_user, dry_run=False)
    assert report.ok, report.error_groups
    assert report.summary == "2 new terms, 0 changes, 0 deprecations; 0 unchanged, 1 needs a definition."
    assert [change.name for change in report.changes if change.needs_definition] == ["Attribution"]
    undefined = Proposal.objects.get(name="Attribution")
    assert undefined.needs_definition and not Proposal.objects.get(name="Cohort").needs_definition

    with pytest.raises(PermissionDenied, match="“Attribution” needs a definition"):
        approve(undefined, ivan)
    assert not undefined.sign_offs.exists()

    # Its author may revise it and leave it undefined a while (the name, say), then write it in.
    entry = replace(Entry.from_proposal(undefined), name="Marketing attribution")
    undefined = proposal_update(proposal=undefined, user=admin_user, reason="Our name", entry=entry, seen_revision=1)
    entry = replace(entry, summary="Which touchpoints get the credit for a sale.")
    defined = proposal_update(proposal=undefined, user=admin_user, reason="Defined", entry=entry, seen_revision=2)
    approve(defined, ivan)
    approve(Proposal.objects.get(pk=defined.pk), marco)
    assert Term.objects.get(name="Marketing attribution").summary == "Which touchpoints get the credit for a sale."


def test_the_proposal_page_says_a_term_needs_a_definition_and_offers_no_approval(admin_user, client, ivan):
    glossary_import(filename="v.ttl", data=LABELS_ONLY.encode(), user=admin_user, dry_run=False)
    page = login(client, ivan).get(Proposal.objects.get(name="Attribution").get_absolute_url()).content.decode()
    assert "Needs a definition" in page
    assert 'value="approve"' not in page


def test_an_import_cannot_take_every_definition_from_a_term(admin_user, make_term):
    make_term("Cohort", it_text="Users by signup month.")
    report = glossary_import(
        filename="v.csv", data=b"name,definition:it,summary\nCohort,,\n", user=admin_user, dry_run=True
    )
    assert [group.message for group in report.error_groups] == [
        "definitions: Give the common ground or at least one department's definition."
    ]


# An excerpt of YSO, the General Finnish Ontology (National Library of Finland, CC BY 4.0), as the
# Skosmos project publishes it for its tests (github.com/NatLibFi/Skosmos,
# tests/test-vocab-data/yso.ttl at b87d250, MIT licence): 270 concepts in Finnish, Swedish, Sámi
# and English, labels and a hierarchy, few definitions, links to concepts the excerpt leaves out.
YSO_EXCERPT = Path(__file__).resolve().parents[2] / "fixtures" / "vocabularies" / "yso" / "yso.ttl"


def test_a_published_thesaurus_is_reported_in_one_pass_with_every_problem_grouped_and_counted(admin_user, it):
    data = YSO_EXCERPT.read_bytes()
    published = Graph().parse(data=data.decode(), format="turtle")
    concepts = set(published.subjects(RDF.type, SKOS.Concept))
    # Counted from the file: concepts with no English label, and links to concepts the excerpt leaves out.
    unnamed = {c for c in concepts if not any(label.language == "en" for label in published.objects(c, SKOS.prefLabel))}
    outside = [(c, other) for c in concepts for other in published.objects(c, SKOS.related) if other not in concepts]
    narrower = [(c, other) for c in concepts for other in published.objects(c, SKOS.narrower)]
    assert (len(unnamed), len({c for c, _ in outside})) == (3, 108)
    before = snapshot()

    strict = glossary_import(filename="yso.ttl", data=data, user=admin_user, dry_run=True)
    groups = {group.message: len(group.rows) for group in strict.error_groups}
    assert groups["has no name"] == len(unnamed)
    link_problem = (
        "is related to <…>, which the file does not describe and which is no term's address in this glossary; "
        "add that concept to the file or remove the link"
    )
    # Each concept is one row of the group, however many such links it has.
    assert groups[link_problem] == len({c for c, _ in outside})

    lenient = glossary_import(
        filename="yso.ttl", data=data, user=admin_user, dry_run=True, options=ImportOptions(drop_unkept=True)
    )
    assert {group.message: len(group.rows) for group in lenient.error_groups} == {"has no name": len(unnamed)}
    unkept = {p.name: (p.statements, p.concepts) for p in lenient.unkept}
    assert unkept["skos:narrower"] == (len(narrower), len({c for c, _ in narrower}))
    assert unkept["skos:prefLabel@fi"] == (len(concepts), len(concepts))
    assert unkept["skos:related (to a concept neither the file nor the glossary has)"] == (
        len({(c, o) for c, o in outside if c not in unnamed}),
        len({c for c, _ in outside if c not in unnamed}),
    )
    assert snapshot() == before
