"""Review dates: set on publishing, changed through a proposal, listed when due, confirmed by approvers.

Dates are computed against an explicit `today` where the code takes one; publishing reads the clock,
so those tests freeze it (django.utils.timezone.now).
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import roles
from accounts.models import Department
from glossary.models import Proposal, ReviewConfirmation, Term
from glossary.models.terms import ReviewStatus
from glossary.selectors.review import terms_due_for_review
from glossary.selectors.terms import term_versions
from glossary.services import proposals as services
from glossary.services.review import add_months, term_confirm_review
from glossary.services.terms import term_save
from tests.workflow_helpers import (
    api_call,
    approve,
    frozen,
    login,
    new_term_entry,
    proposal_form_data,
    set_review_by,
    snapshot,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 10)


def publish_new_term(ada, ivan, marco, it, marketing, **fields):
    proposal = services.proposal_create(
        author=ada, reason="Settle the word", entry=new_term_entry(it, marketing, **fields)
    )
    approve(proposal, ivan)
    approve(proposal, marco)
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.PUBLISHED
    return Term.objects.get(pk=proposal.term_id)


# Dates.


def test_adding_months_keeps_the_day_or_takes_the_months_last():
    assert add_months(datetime.date(2026, 3, 10), 12) == datetime.date(2027, 3, 10)
    assert add_months(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)
    assert add_months(datetime.date(2024, 2, 29), 12) == datetime.date(2025, 2, 28)
    assert add_months(datetime.date(2026, 11, 15), 3) == datetime.date(2027, 2, 15)


def test_publishing_sets_the_review_date_to_the_publish_date_plus_twelve_months(ada, ivan, marco, it, marketing):
    with frozen(TODAY):
        term = publish_new_term(ada, ivan, marco, it, marketing)
    assert term.review_by == datetime.date(2027, 3, 10)


def test_the_glossary_wide_period_is_a_setting(ada, ivan, marco, it, marketing, settings):
    settings.GLOSSARY_REVIEW_MONTHS = 6
    with frozen(TODAY):
        term = publish_new_term(ada, ivan, marco, it, marketing)
    assert term.review_by == datetime.date(2026, 9, 10)


def test_the_shortest_period_of_the_defining_departments_wins(ada, ivan, marco, it, marketing):
    it.review_months, marketing.review_months = 3, 9
    it.save(), marketing.save()
    with frozen(TODAY):
        term = publish_new_term(ada, ivan, marco, it, marketing)
    assert term.review_by == datetime.date(2026, 6, 10)


def test_a_department_without_a_definition_does_not_shorten_the_period(ada, ivan, marco, it, marketing):
    it.review_months = 2
    it.save()
    with frozen(TODAY):
        term = publish_new_term(ada, ivan, marco, it, marketing, it_text="")
    assert term.review_by == datetime.date(2027, 3, 10), "only Marketing defines it; IT's period does not apply"


def test_a_change_left_with_the_current_date_gets_a_fresh_period_on_publishing(ada, ivan, marco, it, marketing):
    with frozen(TODAY):
        term = publish_new_term(ada, ivan, marco, it, marketing)
    later = TODAY + datetime.timedelta(days=100)
    with frozen(later):
        change = services.proposal_create(
            author=ada,
            reason="Sharper",
            term=term,
            entry=new_term_entry(it, marketing, it_text="Integrated systems, in real time.", review_by=term.review_by),
        )
        approve(change, ivan)
        approve(change, marco)
    term.refresh_from_db()
    assert term.review_by == add_months(later, 12)


def test_a_review_date_chosen_in_a_proposal_is_kept(ada, ivan, marco, it, marketing):
    chosen = datetime.date(2026, 8, 1)
    with frozen(TODAY):
        term = publish_new_term(ada, ivan, marco, it, marketing, review_by=chosen)
    assert term.review_by == chosen
    history = term_versions(term)
    assert history[0].entry.review_by == chosen, "the date is part of the published version"


@pytest.mark.parametrize(
    "review_by, message",
    [
        (datetime.date(2026, 3, 9), "cannot be in the past"),
        (datetime.date(2031, 3, 11), "At most 5 years ahead: choose 2031-03-10 or earlier."),
    ],
)
def test_a_review_date_in_the_past_or_too_far_ahead_is_refused(it, marketing, review_by, message):
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        services.validate_entry(entry=new_term_entry(it, marketing, review_by=review_by), term=None, today=TODAY)
    assert message in " ".join(refused.value.message_dict["review_by"])
    assert snapshot() == before


def test_the_last_day_five_years_ahead_and_today_are_allowed(it, marketing):
    for day in (TODAY, datetime.date(2031, 3, 10)):
        services.validate_entry(entry=new_term_entry(it, marketing, review_by=day), term=None, today=TODAY)


def test_a_term_whose_date_has_passed_can_still_be_changed_without_touching_the_date(
    ada, ivan, marco, it, marketing, make_term
):
    term = make_term("Cloud", it_text="Rented servers.")
    set_review_by(term, datetime.date(2020, 1, 1), ada)
    with frozen(TODAY):
        change = services.proposal_create(
            author=ada,
            reason="Clearer",
            term=term,
            entry=new_term_entry(
                it,
                marketing,
                name="Cloud",
                it_text="Rented servers, by the hour.",
                marketing_text="",
                review_by=term.review_by,
            ),
        )
    assert change.review_by == datetime.date(2020, 1, 1)


def test_a_restore_keeps_the_current_review_date(ada, make_term, reader_client):
    term = make_term("Cloud", it_text="Rented servers.")
    term_save(term=term, user=ada, reason="Second", fields={"abbreviation": "CL"})
    set_review_by(term, TODAY + datetime.timedelta(days=200), ada)
    page = reader_client.get(reverse("glossary:term_propose_restore", args=[term.slug, 1]))
    assert page.context["form"].initial["review_by"] == term.review_by


# The proposal form and the API refuse a bad date with a message, storing nothing.


@pytest.mark.parametrize(
    "typed, message",
    [
        ("31/12/2027", "Enter a date as YYYY-MM-DD"),
        ("2027-02-30", "Enter a date as YYYY-MM-DD"),
        ("2001-01-01", "cannot be in the past"),
        ("2099-01-01", "years ahead"),
    ],
)
def test_the_proposal_form_refuses_a_bad_review_date_next_to_the_field(client, ada, it, marketing, typed, message):
    login(client, ada)
    before = snapshot()
    response = client.post(reverse("glossary:term_propose_new"), proposal_form_data(it, marketing, review_by=typed))
    assert response.status_code == 400
    errors = response.context["form"].errors["review_by"]
    assert any(message in error for error in errors)
    html = response.content.decode()
    assert 'id="id_review_by_error"' in html and 'aria-describedby="id_review_by_helptext id_review_by_error"' in html
    assert snapshot() == before


def test_the_proposal_form_takes_a_valid_review_date(client, ada, it, marketing):
    login(client, ada)
    chosen = timezone.localdate() + datetime.timedelta(days=90)
    response = client.post(
        reverse("glossary:term_propose_new"), proposal_form_data(it, marketing, review_by=chosen.isoformat())
    )
    assert response.status_code == 302
    assert Proposal.objects.get().review_by == chosen


@pytest.mark.parametrize(
    "review_by, message",
    [("2027-02-30", "date"), ("next spring", "date"), ("2001-01-01", "cannot be in the past")],
)
def test_the_api_refuses_a_bad_review_date_and_stores_nothing(ada, it, marketing, review_by, message):
    before = snapshot()
    response = api_call(
        ada,
        {
            "kind": "new_term",
            "reason": "Both sides use it.",
            "content": {"name": "Organic search", "definitions": {"it": "Unpaid traffic."}, "review_by": review_by},
        },
    )
    assert response.status_code in (400, 422), response.content
    assert message in response.content.decode()
    assert snapshot() == before


def test_the_api_shows_the_review_date_and_whether_it_is_overdue(make_term, ada, client):
    term = make_term("Cloud", it_text="Rented servers.")
    set_review_by(term, timezone.localdate() - datetime.timedelta(days=1), ada)
    login(client, ada)
    data = client.get("/api/v1/terms/cloud").json()
    assert data["review_by"] == term.review_by.isoformat() and data["review_overdue"] is True
    set_review_by(term, timezone.localdate() + datetime.timedelta(days=1), ada)
    data = client.get("/api/v1/terms/cloud").json()
    assert data["review_overdue"] is False


# Due for review.


def test_a_term_is_overdue_only_once_its_date_has_passed():
    assert ReviewStatus.of(TODAY, TODAY) == ReviewStatus.DUE_SOON
    assert ReviewStatus.of(TODAY - datetime.timedelta(days=1), TODAY) == ReviewStatus.OVERDUE
    assert ReviewStatus.of(TODAY + datetime.timedelta(days=30), TODAY) == ReviewStatus.DUE_SOON
    assert ReviewStatus.of(TODAY + datetime.timedelta(days=31), TODAY) == ReviewStatus.CURRENT
    assert ReviewStatus.of(None, TODAY) == ReviewStatus.NONE


def test_the_due_list_holds_terms_overdue_or_due_within_30_days_most_overdue_first(make_term, ada):
    days = {"In 29 days": 29, "In 30 days": 30, "In 31 days": 31, "Yesterday": -1, "Long ago": -400, "Today": 0}
    for name, offset in days.items():
        set_review_by(make_term(name, it_text="Words."), TODAY + datetime.timedelta(days=offset), ada)
    set_review_by(
        make_term("Gone", it_text="Old.", status=Term.Status.DEPRECATED), TODAY - datetime.timedelta(days=9), ada
    )
    due = [t.name for t in terms_due_for_review(today=TODAY)]
    assert due == ["Long ago", "Yesterday", "Today", "In 29 days", "In 30 days"]
    assert [t.name for t in terms_due_for_review(today=TODAY, overdue_only=True)] == ["Long ago", "Yesterday"]


def test_the_due_list_filters_by_department_and_tag(make_term, ada, it, marketing):
    soon = TODAY + datetime.timedelta(days=3)
    set_review_by(make_term("API", it_text="An interface.", tags=["Tech"]), soon, ada)
    set_review_by(make_term("Lead", marketing_text="A prospect."), soon, ada)
    assert [t.name for t in terms_due_for_review(today=TODAY, department=marketing)] == ["Lead"]
    tech = Term.objects.get(name="API").tags.get()
    assert [t.name for t in terms_due_for_review(today=TODAY, tag=tech)] == ["API"]


def test_the_due_page_lists_filters_and_says_when_nothing_is_due(client, ivan, make_term, ada, marketing):
    login(client, ivan)
    empty = client.get(reverse("glossary:review_due"))
    assert "No term is due for review" in empty.content.decode()
    set_review_by(make_term("API", it_text="An interface."), timezone.localdate() - datetime.timedelta(days=2), ada)
    page = client.get(reverse("glossary:review_due")).content.decode()
    assert "API" in page and "Review overdue since" in page and "Confirm still accurate" in page
    filtered = client.get(reverse("glossary:review_due"), {"department": marketing.slug}).content.decode()
    assert "No term matching these filters" in filtered
    assert client.get(reverse("glossary:review_due"), {"department": "nope", "page": "x"}).status_code == 200


def test_the_due_page_is_paginated(client, ivan, make_term, ada, settings):
    settings.GLOSSARY_PAGE_SIZE = 2
    for name in ("A1", "B2", "C3"):
        set_review_by(make_term(name, it_text="Words."), timezone.localdate(), ada)
    login(client, ivan)
    first = client.get(reverse("glossary:review_due"))
    assert [row["term"].name for row in first.context["rows"]] == ["A1", "B2"]
    second = client.get(reverse("glossary:review_due"), {"page": 2})
    assert [row["term"].name for row in second.context["rows"]] == ["C3"]


def test_approvers_find_the_due_list_in_the_navigation(client, ivan, ada):
    assert "Due for review" in login(client, ivan).get(reverse("glossary:term_list")).content.decode()
    assert "Due for review" not in login(Client(), ada).get(reverse("glossary:term_list")).content.decode()


# Confirming a term still accurate.


def test_confirming_moves_the_date_on_and_shows_in_the_history_without_a_new_version(make_term, ada, ivan, client):
    term = set_review_by(make_term("API", it_text="An interface."), TODAY - datetime.timedelta(days=5), ada)
    versions_before, version = Term.history.filter(id=term.pk).count(), term.version
    confirmation = term_confirm_review(term=term, user=ivan, today=TODAY)
    term.refresh_from_db()
    assert term.review_by == datetime.date(2027, 3, 10) == confirmation.review_by
    assert (confirmation.confirmed_by, confirmation.department.slug) == (ivan, "it")
    assert confirmation.previous_review_by == TODAY - datetime.timedelta(days=5)
    assert (Term.history.filter(id=term.pk).count(), term.version) == (versions_before, version)
    record = confirmation.history.get()
    assert record.history_user == ivan and record.history_change_reason == "Review confirmed by Ivan Okafor (IT)"
    history = login(client, ada).get(reverse("glossary:term_history", args=[term.slug])).content.decode()
    assert "Review confirmations" in history and "Ivan Okafor" in history


def test_confirming_uses_the_departments_period(make_term, ada, ivan, it):
    it.review_months = 3
    it.save()
    term = set_review_by(make_term("API", it_text="An interface."), TODAY, ada)
    assert term_confirm_review(term=term, user=ivan, today=TODAY).review_by == datetime.date(2026, 6, 10)


def test_a_term_not_yet_due_cannot_be_confirmed(make_term, ada, ivan):
    term = set_review_by(make_term("API", it_text="An interface."), TODAY + datetime.timedelta(days=31), ada)
    with pytest.raises(ValidationError, match="not due for review yet"):
        term_confirm_review(term=term, user=ivan, today=TODAY)
    assert not ReviewConfirmation.objects.exists()


def test_only_an_approver_of_a_department_that_defines_the_term_may_confirm(make_term, ada, marco, maya, ivan):
    term = set_review_by(make_term("API", it_text="An interface."), TODAY, ada)
    for user in (ada, maya, marco):  # a contributor, a reader of the other side, an approver without a definition
        with pytest.raises(PermissionDenied):
            term_confirm_review(term=term, user=user, today=TODAY)
    assert not ReviewConfirmation.objects.exists()


def test_a_term_only_its_common_ground_defines_is_confirmed_by_any_signing_departments_approver(
    make_term, make_user, ada, ivan, marco
):
    term = set_review_by(make_term("Churn", summary="Customers who stop buying."), TODAY, ada)
    legal = Department.objects.create(name="Legal", slug="legal", signs_off=False)
    lawyer = make_user("lena", department=legal, role=roles.APPROVER)
    with pytest.raises(PermissionDenied, match="Only a signing department's approver"):
        term_confirm_review(term=term, user=lawyer, today=TODAY)
    term_confirm_review(term=term, user=marco, today=TODAY)
    assert list(ReviewConfirmation.objects.values_list("department__slug", flat=True)) == ["marketing"]


def test_the_confirm_button_posts_and_others_get_403(client, make_term, ada, ivan, marco):
    term = set_review_by(make_term("API", it_text="An interface."), timezone.localdate(), ada)
    page = login(client, ivan).get(term.get_absolute_url()).content.decode()
    assert "Review due" in page and "Confirm still accurate" in page
    assert client.get(reverse("glossary:term_confirm_review", args=[term.slug])).status_code == 405
    other = login(Client(), marco)
    assert "Confirm still accurate" not in other.get(term.get_absolute_url()).content.decode()
    assert other.post(reverse("glossary:term_confirm_review", args=[term.slug])).status_code == 403
    response = client.post(reverse("glossary:term_confirm_review", args=[term.slug]), {"next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == term.get_absolute_url()
    term.refresh_from_db()
    assert term.review_by == add_months(timezone.localdate(), 12)
    assert "Next review by" in client.get(term.get_absolute_url()).content.decode()


def test_the_confirm_endpoint_needs_the_csrf_token(make_term, ada, ivan):
    term = set_review_by(make_term("API", it_text="An interface."), timezone.localdate(), ada)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(ivan)
    assert strict.post(reverse("glossary:term_confirm_review", args=[term.slug])).status_code == 403
    assert not ReviewConfirmation.objects.exists()


def test_the_term_page_marks_an_overdue_term(client, make_term, ada):
    term = set_review_by(make_term("API", it_text="An interface."), datetime.date(2025, 1, 2), ada)
    page = login(client, ada).get(term.get_absolute_url()).content.decode()
    assert "Review overdue since" in page and "2 January 2025" in page


# Files carry the date like any declared field.


def test_the_csv_export_carries_the_review_date_and_an_import_refuses_a_bad_one(
    make_term, ada, admin_user, reader_client
):
    from glossary.interchange.imports import glossary_import

    term = make_term("API", it_text="An interface.", status=Term.Status.APPROVED)
    exported = reader_client.get(reverse("glossary:glossary_csv")).content.decode()
    header, row = exported.splitlines()[:2]
    assert "review_by" in header.split(",") and term.review_by.isoformat() in row
    before = snapshot()
    bad = exported.replace(term.review_by.isoformat(), "someday").replace(
        "An interface.", "An interface between programs."
    )
    report = glossary_import(filename="glossary.csv", data=bad.encode(), user=admin_user, dry_run=False)
    assert not report.ok
    assert any("review_by: “someday” is not a date" in message for row in report.row_errors for message in row.errors)
    assert snapshot() == before


@pytest.mark.django_db
def test_the_due_list_is_read_from_its_index_in_its_order_without_sorting_the_glossary(make_term):
    """The page and its count read only the due terms, whatever the glossary's size: the query is
    answered by the index on (review_by, name_key) over the terms in use, with no sort of its own."""
    from django.db import connection

    make_term(
        "Omnichannel", it_text="Integrated systems.", marketing_text="One experience.", status=Term.Status.APPROVED
    )
    query = terms_due_for_review(today=timezone.localdate())[:25]
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A tiny table without statistics is cheapest read whole and sorted: ask whether the
            # index can answer the query at all, as it does for a large glossary.
            for method in ("seqscan", "bitmapscan", "sort", "incremental_sort"):
                cursor.execute(f"SET LOCAL enable_{method} = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = "\n".join(str(row) for row in cursor.fetchall())
    assert "glossary_term_review_due" in plan, plan
    assert "Sort" not in plan and "TEMP B-TREE" not in plan, plan
