"""A term's fields are declared once (glossary.entries.CONTENT); every place a term goes reads them.

The walk below gives each declared field a value of its own, takes a new term through the proposal
form and both sign-offs, and looks for every value in each place: the form, the diff, the published
version, its page, the admin and its history, CSV, JSON, JSON with history, SKOS, the API, an
import of CSV, JSON and SKOS, and the PDF. A new field is covered by this test the moment it is
declared.
"""

import csv
import io
import json
from dataclasses import fields, replace

import pytest
from django.urls import reverse
from pypdf import PdfReader

from glossary.entries import COLUMNS, CONTENT, NOT_IN_SKOS, Entry, Kind, label_for
from glossary.interchange import skos, skos_input
from glossary.interchange.files import glossary_file
from glossary.interchange.imports import glossary_import
from glossary.interchange.options import ExportOptions
from glossary.models import Proposal, Term
from glossary.models.terms import EntryContent
from glossary.selectors.terms import term_versions
from tests.workflow_helpers import approve


def marker(content_field) -> str:
    return f"mark{content_field.name}"


def walk_date():
    """The review date the walk proposes: a day within the years a proposal may choose."""
    import datetime

    from django.utils import timezone

    return timezone.localdate() + datetime.timedelta(days=100)


def test_entries_models_and_the_declaration_name_the_same_fields():
    assert [f.name for f in fields(Entry)] == [f.name for f in CONTENT]
    columns = {f.name for f in EntryContent._meta.get_fields()}
    assert columns == set(COLUMNS) - {"status"}, "every column but the status is shared by terms and proposals"


@pytest.mark.parametrize(
    "model", [Term, Proposal, Term.history.model, Proposal.history.model], ids=lambda m: m.__name__
)
def test_every_declared_column_is_a_column_of_terms_proposals_and_their_histories_as_declared(model):
    for content_field in CONTENT:
        column = content_field.column
        if column is None or not column.shared:
            continue
        stored = model._meta.get_field(content_field.name)
        where = f"{model.__name__}.{content_field.name}"
        assert stored.max_length == column.max_length, f"{where} does not hold the declared limit"
        assert stored.help_text == column.help_text, f"{where} does not say the declared help"
        assert stored.blank != column.required, f"{where} is not required as declared"
        assert stored.verbose_name == (column.verbose_name or content_field.name.replace("_", " "))


def form_data(it, marketing, related):
    """The proposal form filled in: each typed field with its own marker."""
    data = {"reason": "Walk the declaration"}
    for content_field in CONTENT:
        name, mark = content_field.export_name, marker(content_field)
        if content_field.kind == Kind.NAME:
            data[name] = f"Walked {mark}"
        elif content_field.kind == Kind.TEXT:
            data[name] = mark
        elif content_field.kind == Kind.MARKDOWN:
            data[name] = f"The *{mark}* text."
        elif content_field.kind == Kind.NAMES:
            data[name] = f"{mark} one, {mark} two"
        elif content_field.kind == Kind.REFERENCES:
            data[name] = [related.pk]
        elif content_field.kind == Kind.DEFINITIONS:
            data[f"definition_{it.slug}"] = f"IT {mark}"
            data[f"definition_{marketing.slug}"] = f"Marketing {mark}"
        elif content_field.kind == Kind.DATE:
            data[name] = walk_date().isoformat()
    return data


def expected_text(content_field, related) -> str:
    """What of the field's value every place shows as text."""
    if content_field.kind == Kind.REFERENCES:
        return related.name
    if content_field.kind == Kind.STATUS:
        return "approved"
    if content_field.kind == Kind.DEFINITIONS:
        return f"IT {marker(content_field)}"
    if content_field.kind == Kind.DATE:
        return walk_date().isoformat()
    return marker(content_field)


def printed_text(content_field, related) -> str:
    """What of the field's value the PDF prints: a date as people write it."""
    if content_field.kind == Kind.DATE:
        return f"{walk_date().day} {walk_date():%B %Y}"
    return expected_text(content_field, related)


@pytest.mark.slow  # renders a PDF
def test_every_declared_field_reaches_every_place_a_term_goes(
    client, ada, ivan, marco, it, marketing, make_term, admin_user
):
    related = make_term("Anchorword", it_text="A term to relate to.", status=Term.Status.APPROVED)
    client.force_login(ada)
    form_page = client.get(reverse("glossary:term_propose_new")).content.decode()
    response = client.post(reverse("glossary:term_propose_new"), form_data(it, marketing, related))
    assert response.status_code == 302, response.context["form"].errors
    proposal = ada.proposals.get()
    proposal_page = client.get(proposal.get_absolute_url()).content.decode()
    approve(proposal, ivan)
    approve(proposal, marco)
    term = Term.objects.get(name__startswith="Walked")
    published, version = Entry.from_term(term), term_versions(term)[0].entry
    term_page = client.get(term.get_absolute_url()).content.decode()

    client.force_login(admin_user)
    admin_page = client.get(reverse("admin:glossary_term_change", args=[term.pk])).content.decode()
    csv_text = client.get(reverse("glossary:glossary_csv")).content.decode()
    csv_row = next(row for row in csv.DictReader(io.StringIO(csv_text)) if row["name"] == term.name)
    json_text = client.get(reverse("glossary:glossary_json"), {"history": "1"}).content.decode()
    record = next(r for r in json.loads(json_text)["terms"] if r["name"] == term.name)
    skos_text = client.get(reverse("glossary:glossary_ttl")).content.decode()
    api_term = json.dumps(client.get(f"/api/v1/terms/{term.slug}").json(), ensure_ascii=False)
    pdf = client.get(reverse("glossary:term_pdf", args=[term.slug]))
    pdf_text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)

    for content_field in CONTENT:
        name, text = content_field.name, expected_text(content_field, related)
        where = f"{name} missing from"
        if content_field.kind == Kind.DEFINITIONS:
            assert f'name="definition_{it.slug}"' in form_page, f"{where} the proposal form"
            assert label_for(content_field, it) in proposal_page and text in proposal_page, f"{where} the diff"
        elif content_field.kind != Kind.STATUS:  # the kind of proposal decides the status
            assert f'name="{content_field.export_name}"' in form_page, f"{where} the proposal form"
            assert content_field.label in proposal_page and text in proposal_page, f"{where} the diff"
        value = getattr(published, name)
        assert text in str(value), f"{where} the published term"
        assert text.lower() in term_page.lower(), f"{where} the term page"
        if content_field.kind == Kind.DEFINITIONS:
            assert f"IT {marker(content_field)}" in admin_page, f"{where} the admin"
        else:
            assert f'name="{name}"' in admin_page, f"{where} the admin"
        assert getattr(version, name) == value, f"{where} the term's history"
        columns = [c for c in csv_row if c == content_field.export_name or c.startswith("definition:")]
        assert any(text in csv_row[c] for c in columns), f"{where} CSV"
        assert text in json.dumps(record[content_field.export_name]), f"{where} JSON"
        assert record["history"][-1][content_field.export_name] == record[content_field.export_name], (
            f"{where} JSON history"
        )
        assert printed_text(content_field, related).lower() in " ".join(pdf_text.split()).lower(), f"{where} the PDF"
        assert text in api_term, f"{where} the API"
        # SKOS marks only a deprecated term.
        if content_field.skos is not NOT_IN_SKOS and content_field.kind != Kind.STATUS:
            assert text in skos_text, f"{where} SKOS"

    for filename, data in (("walk.csv", csv_text), ("walk.json", json_text), ("walk.ttl", skos_text)):
        report = glossary_import(filename=filename, data=data.encode(), user=admin_user, dry_run=True)
        assert report.ok, report.row_errors
        assert {c.name: c.action for c in report.changes}[term.name] == "unchanged", (
            f"{filename} does not read every field back"
        )


def skos_file() -> bytes:
    return glossary_file(options=ExportOptions(), file_format="ttl").body.encode()


@pytest.mark.django_db
def test_a_field_declared_not_in_skos_is_kept_by_a_skos_import_and_a_file_saying_it_gets_a_message(
    monkeypatch, settings, admin_user, make_term
):
    settings.SITE_URL = "http://127.0.0.1:8000"
    make_term("API", it_text="A contract.", owner="Platform team", status=Term.Status.APPROVED)
    saying_the_owner = skos_file()
    declaration = tuple(replace(f, skos=NOT_IN_SKOS) if f.name == "owner" else f for f in CONTENT)
    for module in (skos, skos_input):
        monkeypatch.setattr(module, "CONTENT", declaration)
    without_the_owner = skos_file()
    assert b"Platform team" in saying_the_owner and b"Platform team" not in without_the_owner

    unchanged = glossary_import(filename="g.ttl", data=without_the_owner, user=admin_user, dry_run=True)
    assert unchanged.ok and [(c.name, c.action) for c in unchanged.changes] == [("API", "unchanged")]
    changed = without_the_owner.replace(b"A contract.", b"An agreement.")
    report = glossary_import(filename="g.ttl", data=changed, user=admin_user, dry_run=False)
    assert report.ok and report.changes[0].proposal.owner == "Platform team", "the file cannot say it, so it is kept"

    told = glossary_import(filename="g.ttl", data=saying_the_owner, user=admin_user, dry_run=True)
    assert [(row.number, row.errors) for row in told.row_errors] == [
        (1, ["says what Common Ground does not keep (schema:maintainer); leave it out on purpose, or it would be lost"])
    ]
