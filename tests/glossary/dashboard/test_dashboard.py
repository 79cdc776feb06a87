"""The dashboard page and its CSV downloads: same figures as the selectors, same reading rule as the
site, a constant number of queries however large the glossary."""

import csv
import io
import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from accounts import roles
from accounts.models import User
from glossary.dashboard import selectors
from glossary.dashboard.tables import TABLE_SLUGS, dashboard_table
from glossary.entries import Entry
from glossary.models import Term
from glossary.services import proposals as services
from tests.glossary.dashboard.dashboard_history import NOW
from tests.workflow_helpers import approve, new_term_entry


@pytest.fixture
def reader(history):
    user = User.objects.create_user(username="rita", password="pw-for-tests-only")
    user.groups.add(Group.objects.get(name=roles.READER))
    return user


def rows_of(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode())))


def test_a_reader_sees_the_dashboard_in_the_navigation_and_its_figures(client, reader):
    client.force_login(reader)
    home = client.get(reverse("glossary:term_list")).content.decode()
    assert f'href="{reverse("glossary:dashboard")}"' in home
    page = client.get(reverse("glossary:dashboard")).content.decode()
    assert "1 of 4 terms (25.0%) have a current version every signing department approved" in page
    assert 'href="/terms/platform/">Platform</a>' in page  # the term furthest apart links to its page
    assert re.search(r'href="/proposals/\d+/">#\d+ API</a>', page)  # the longest waiting proposal


def test_the_dashboard_needs_a_login_unless_reading_is_public(client, history, settings):
    response = client.get(reverse("glossary:dashboard"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert client.get(reverse("glossary:dashboard_csv", args=["agreement"])).status_code == 302
    settings.GLOSSARY_PUBLIC_READ = True
    assert client.get(reverse("glossary:dashboard")).status_code == 200


@pytest.mark.parametrize("slug", TABLE_SLUGS)
def test_each_csv_holds_the_figures_the_page_shows(client, reader, slug):
    client.force_login(reader)
    page = client.get(reverse("glossary:dashboard")).content.decode()
    response = client.get(reverse("glossary:dashboard_csv", args=[slug]))
    assert response["Content-Type"].startswith("text/csv")
    rows = rows_of(response.content)
    table = dashboard_table(selectors.dashboard_figures(now=NOW), slug)
    assert rows[0] == table.columns
    assert rows[1:] == [["" if cell is None else str(cell) for cell in row.cells] for row in table.rows]
    # Each figure of the file is on the page, in its table's section.
    section = page.split(f'id="{slug}-title"')[1].split('class="dashboard-table"')[0]
    for row in rows[1:]:
        for cell in row:
            assert (cell or "–") in section.replace("&amp;", "&").replace("&#x27;", "'")


def test_the_csv_of_the_agreement_table_has_known_figures(client, reader):
    client.force_login(reader)
    rows = rows_of(client.get(reverse("glossary:dashboard_csv", args=["agreement"])).content)
    assert rows == [
        ["Terms", "Count", "Share"],
        ["Agreed by every signing department", "1", "25.0%"],
        ["Missing a department's definition", "2", "50.0%"],
        ["A change in review", "2", "50.0%"],
        ["Deprecated", "1", "25.0%"],
        ["All terms", "4", "100.0%"],
    ]


def test_the_csv_by_month_starts_with_the_glossarys_first_month(client, reader):
    client.force_login(reader)
    rows = rows_of(client.get(reverse("glossary:dashboard_csv", args=["agreement-by-month"])).content)
    assert rows[1] == ["Jan 2026", "2", "1", "0", "0", "1"]
    assert rows[4] == ["Apr 2026", "4", "1", "2", "1", "1"]
    assert rows[-1] == ["Jun 2026", "4", "1", "2", "2", "1"]


def test_a_tag_narrows_the_page_and_its_files(client, reader):
    client.force_login(reader)
    page = client.get(reverse("glossary:dashboard") + "?tag=architecture").content.decode()
    assert "Dashboard: Architecture" in page
    assert "0 of 1 term (0.0%)" in page
    assert "?tag=architecture" in page  # the CSV links keep the tag
    rows = rows_of(client.get(reverse("glossary:dashboard_csv", args=["agreement"]) + "?tag=architecture").content)
    assert rows[-1] == ["All terms", "1", "100.0%"]


def test_an_unknown_tag_says_so_next_to_the_filter_and_shows_the_whole_glossary(client, reader):
    client.force_login(reader)
    response = client.get(reverse("glossary:dashboard") + "?tag=%00nope")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'aria-describedby="id_tag-error"' in page and "No tag has this address" in page
    assert "1 of 4 terms" in page


def test_an_unknown_table_is_not_found(client, reader):
    client.force_login(reader)
    assert client.get("/dashboard/secrets.csv").status_code == 404


def test_an_empty_glossary_shows_empty_states(client, db, make_user):
    client.force_login(make_user("rita", role=roles.READER))
    page = client.get(reverse("glossary:dashboard")).content.decode()
    assert "No terms yet." in page and "No proposal is open." in page
    assert "No term is defined by two departments yet." in page
    assert "<canvas" not in page  # no chart without figures


def test_a_term_name_that_looks_like_a_formula_is_neutralised_in_the_csv(client, db, ada, ivan, marco, it, marketing):
    proposal = services.proposal_create(
        author=ada,
        reason="x",
        entry=new_term_entry(it, marketing, name="=HYPERLINK(1)", it_text="a b", marketing_text="c d"),
    )
    approve(proposal, ivan)
    approve(proposal, marco)
    client.force_login(ada)
    rows = rows_of(client.get(reverse("glossary:dashboard_csv", args=["furthest-apart"])).content)
    assert rows[1][0] == "'=HYPERLINK(1)"


def test_charts_are_drawn_from_json_and_scripts_from_the_site_only(client, reader):
    client.force_login(reader)
    response = client.get(reverse("glossary:dashboard"))
    page = response.content.decode()
    scripts = re.findall(r"<script([^>]*)>", page)
    # Only the JSON figures are inline, and they do not run; the code comes from static files.
    assert all('type="application/json"' in attributes or "src=" in attributes for attributes in scripts)
    assert "/static/vendor/chartjs/chart.umd.min.js" in page
    assert '<script id="agreement-by-month-data" type="application/json">' in page
    assert 'role="img" aria-label="Chart: Agreement month by month.' in page


def grow(size, *, ada, ivan, marco, maya, it, marketing):
    """`size` published terms, each with a request for changes on the way and an open change."""
    for n in range(Term.objects.count(), size):
        proposal = services.proposal_create(
            author=ada,
            reason="New",
            entry=new_term_entry(
                it, marketing, name=f"Term {n:03}", it_text=f"IT words {n}.", marketing_text=f"Ads {n}.", tags=("Data",)
            ),
        )
        services.proposal_request_changes(proposal=proposal, user=marco, comment="More", seen_revision=1)
        proposal.refresh_from_db()
        services.proposal_update(
            proposal=proposal,
            user=ada,
            reason="More",
            entry=new_term_entry(it, marketing, name=f"Term {n:03}", it_text=f"IT words {n}!", tags=("Data",)),
            seen_revision=1,
        )
        approve(proposal, ivan)
        approve(proposal, marco)
        term = Term.objects.get(name=f"Term {n:03}")
        from glossary.entries import Entry

        services.proposal_create(
            author=maya,
            reason="Change",
            term=term,
            entry=Entry(**{**Entry.from_term(term).__dict__, "summary": f"S {n}"}),
        )


def test_the_dashboard_and_its_selectors_ask_a_fixed_number_of_queries(
    client, settings, django_assert_max_num_queries, ada, ivan, marco, maya, it, marketing
):
    settings.CACHED_PARTS_OFF = ["dashboard", "agreement-months", "term-gaps"]  # computed every time
    client.force_login(ivan)
    budgets = {}
    for size in (2, 8):
        grow(size, ada=ada, ivan=ivan, marco=marco, maya=maya, it=it, marketing=marketing)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as selector_queries:
            figures = selectors.dashboard_figures(now=timezone.now())
        with CaptureQueriesContext(connection) as page_queries:
            assert client.get(reverse("glossary:dashboard") + "?tag=data").status_code == 200
        budgets[size] = (len(selector_queries), len(page_queries))
    assert figures.agreement.now.total == 8 and figures.divergence.most_disputed[0].request_changes == 1
    assert budgets[2] == budgets[8], budgets
    with django_assert_max_num_queries(20):
        selectors.dashboard_figures(now=timezone.now())


def test_the_api_answers_the_figures_of_the_selectors(client, reader):
    client.force_login(reader)
    answer = client.get("/api/v1/metrics").json()
    figures = selectors.dashboard_figures(now=NOW)
    assert answer["as_of"].startswith("2026-06-15T12:00:00")
    assert answer["agreement"] == {
        "total": 4,
        "agreed": 1,
        "missing_definition": 2,
        "in_review": 2,
        "deprecated": 1,
        "agreed_share": 0.25,
        "missing_definition_share": 0.5,
        "in_review_share": 0.5,
        "deprecated_share": 0.25,
    }
    assert [m["figures"]["agreed"] for m in answer["agreement_by_month"]] == [
        p.counts.agreed for p in figures.agreement.months
    ]
    assert answer["open_proposals"] == 3
    assert [(w["waiting_on"], w["proposals"]) for w in answer["open_by_waiting_on"]] == [
        (w.label, w.count) for w in figures.decisions.by_department
    ]
    assert answer["decision_times"][1] == {
        "department": "Marketing",
        "decisions": 2,
        "median_hours": 60.0,
        "p90_hours": 72.0,
    }
    assert answer["decisions_by_kind"][0] == {"department": "IT", "approve": 2, "request_changes": 1, "reject": 0}
    assert [p["name"] for p in answer["oldest_waiting"]] == ["API", "Platform", "Budget"]
    assert answer["oldest_waiting"][0]["url"] == "http://testserver" + figures.decisions.oldest[0].url
    assert [(g["name"], g["similarity"]) for g in answer["furthest_apart"]] == [
        (g.name, g.similarity) for g in figures.divergence.furthest_apart
    ]
    assert answer["most_disputed"] == [
        {"name": "Platform", "url": "http://testserver/terms/platform/", "request_changes": 2, "reject": 0}
    ]


def test_the_api_narrows_to_a_tag_and_refuses_an_unknown_one(client, reader):
    client.force_login(reader)
    assert client.get("/api/v1/metrics?tag=architecture").json()["agreement"]["total"] == 1
    refused = client.get("/api/v1/metrics?tag=nope")
    assert refused.status_code == 422 and "No tag has this slug." in refused.content.decode()


def test_the_api_needs_read_access(client, history):
    assert client.get("/api/v1/metrics").status_code == 401


def test_a_term_imported_with_labels_alone_waits_for_its_definition_not_on_any_department(
    admin_user, ada, it, marketing
):
    services.proposal_create(author=admin_user, reason="Imported", entry=Entry(name="Attribution"), imported=True)
    services.proposal_create(author=ada, reason="Ours", entry=new_term_entry(it, marketing, name="Cohort"))
    decisions = selectors.decisions(now=timezone.now())
    assert [(w.label, w.count) for w in decisions.by_department] == [
        ("IT", 1),
        ("Marketing", 1),
        ("The author (changes requested or out of date)", 0),
        ("A definition, to be written in (imported with labels alone)", 1),
    ]
    assert {p.name: p.waiting_on for p in decisions.oldest} == {
        "Attribution": ["A definition, to be written in"],
        "Cohort": ["IT", "Marketing"],
    }
