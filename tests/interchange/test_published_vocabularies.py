"""SKOS vocabularies as others publish them: a concept defined by one plain `skos:definition` comes
in defined by its common ground (or by the department the admin names), a definition that names
its department goes to it, and every signing department still signs each term off."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from glossary.interchange.imports import glossary_import
from glossary.interchange.options import ImportOptions
from glossary.models import Proposal, Term
from tests.workflow_helpers import approve, snapshot

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
