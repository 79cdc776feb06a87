"""The dashboard's figures, against a hand-built history with known answers (tests/glossary/dashboard/dashboard_history.py)."""

from datetime import date

import pytest
from django.db import connection

from glossary import similarity
from glossary.dashboard import selectors
from glossary.models import Tag
from tests.glossary.dashboard.dashboard_history import (
    API_IT,
    API_MARKETING,
    NOW,
    OMNICHANNEL_FINANCE,
    OMNICHANNEL_IT,
    OMNICHANNEL_MARKETING,
    PLATFORM_IT,
    PLATFORM_MARKETING,
)


def counts(total, agreed, missing, in_review, deprecated):
    return selectors.AgreementCounts(total, agreed, missing, in_review, deprecated)


def test_agreement_now_counts_a_department_added_later_as_not_having_approved(history):
    # API and Platform were approved before Finance signed off: only Omnichannel has all three.
    # API and Platform also lack Finance's definition; both have a change open; Web 2.0 is deprecated.
    assert selectors.agreement_now() == counts(total=4, agreed=1, missing=2, in_review=2, deprecated=1)
    assert selectors.agreement_now().share("agreed") == 0.25


def test_agreement_month_by_month_is_replayed_from_the_history(history):
    agreement = selectors.agreement_history(now=NOW)
    by_month = {point.month: point.counts for point in agreement.months}
    assert [point.month for point in agreement.months][0] == date(2025, 7, 1)
    assert len(agreement.months) == 12
    assert by_month[date(2025, 12, 1)] == counts(0, 0, 0, 0, 0)
    assert by_month[date(2026, 1, 1)] == counts(total=2, agreed=1, missing=0, in_review=0, deprecated=1)
    # Marketing's request for changes came before the revision both approved.
    assert by_month[date(2026, 2, 1)] == counts(total=3, agreed=2, missing=0, in_review=0, deprecated=1)
    # The withdrawn proposal was for a new term: it never made a term.
    assert by_month[date(2026, 3, 1)] == counts(total=3, agreed=2, missing=0, in_review=0, deprecated=1)
    # Finance joined: the older approvals lack it; the API change is open (its revision cleared IT's approval).
    assert by_month[date(2026, 4, 1)] == counts(total=4, agreed=1, missing=2, in_review=1, deprecated=1)
    assert by_month[date(2026, 5, 1)] == counts(total=4, agreed=1, missing=2, in_review=2, deprecated=1)
    assert by_month[date(2026, 6, 1)] == selectors.agreement_now() == agreement.now


def test_agreement_for_one_tag_counts_only_its_terms(history):
    architecture = Tag.objects.get(name="Architecture")
    assert selectors.agreement_now(tag=architecture) == counts(total=1, agreed=0, missing=1, in_review=1, deprecated=0)
    by_month = {p.month: p.counts for p in selectors.agreement_history(now=NOW, tag=architecture).months}
    assert by_month[date(2026, 2, 1)] == counts(total=1, agreed=1, missing=0, in_review=0, deprecated=0)


def test_open_proposals_by_age_and_by_whom_they_wait_on(history):
    decisions = selectors.decisions(now=NOW)
    assert decisions.open_total == 3
    assert [(w.label, w.count) for w in decisions.by_age] == [
        ("Under a week", 1),
        ("1 to 4 weeks", 0),
        ("1 to 3 months", 2),
        ("Over 3 months", 0),
    ]
    # The API change's second revision cleared IT's approval; Budget waits on everyone; the
    # Platform change waits on its author.
    assert [(w.label, w.count) for w in decisions.by_department] == [
        ("IT", 2),
        ("Marketing", 2),
        ("Finance", 2),
        ("The author (changes requested or out of date)", 1),
        ("A definition, to be written in (imported with labels alone)", 0),
    ]


def test_oldest_waiting_proposals_count_from_their_latest_revision(history):
    oldest = selectors.decisions(now=NOW).oldest
    assert [(p.name, p.days, p.waiting_on) for p in oldest] == [
        ("API", 73, ["IT", "Marketing", "Finance"]),  # revision 2, April 3rd
        ("Platform", 36, ["The author"]),
        ("Budget", 3, ["IT", "Marketing", "Finance"]),
    ]
    assert oldest[0].url == history.api_change.get_absolute_url()


def test_time_to_decision_over_the_last_90_days_per_department(history):
    times = {t.department: t for t in selectors.decisions(now=NOW).times}
    # IT: 24 h (API revision 1), 24 h (Omnichannel), 36 h (Platform change); January and February are too old.
    assert times["IT"] == selectors.DecisionTime("IT", 3, median_hours=24.0, p90_hours=36.0)
    # Marketing: 48 h (Omnichannel), 72 h (rejecting Conversion).
    assert times["Marketing"] == selectors.DecisionTime("Marketing", 2, median_hours=60.0, p90_hours=72.0)
    assert times["Finance"] == selectors.DecisionTime("Finance", 1, median_hours=96.0, p90_hours=96.0)


def test_time_to_decision_counts_from_the_revision_decided_on(history):
    # On February 20th: IT approved API after 48 h and Platform's second revision (Feb 5th) a day
    # later, not five days after the proposal; Marketing took 72 h, 48 h and 72 h from revision 2.
    times = {t.department: t for t in selectors.decisions(now=date_time(2026, 2, 20)).times}
    assert times["IT"] == selectors.DecisionTime("IT", 2, median_hours=36.0, p90_hours=48.0)
    assert times["Marketing"] == selectors.DecisionTime("Marketing", 3, median_hours=72.0, p90_hours=72.0)


def date_time(year, month, day):
    from datetime import UTC, datetime

    return datetime(year, month, day, 12, tzinfo=UTC)


def test_decisions_by_kind_per_department(history):
    kinds = selectors.decisions(now=NOW).kinds
    assert kinds == [
        selectors.DecisionKinds("IT", approve=2, request_changes=1, reject=0),
        selectors.DecisionKinds("Marketing", approve=1, request_changes=0, reject=1),
        selectors.DecisionKinds("Finance", approve=1, request_changes=0, reject=0),
    ]


def test_terms_furthest_apart_first_by_trigram_similarity(history):
    gaps = selectors.furthest_apart()
    assert [gap.name for gap in gaps] == ["Platform", "API", "Omnichannel"]
    # The same figures in the database (pg_trgm) and in Python.
    expected_api = similarity.similarity(API_IT, API_MARKETING)
    expected_omni = min(
        similarity.similarity(OMNICHANNEL_IT, OMNICHANNEL_MARKETING),
        similarity.similarity(OMNICHANNEL_IT, OMNICHANNEL_FINANCE),
        similarity.similarity(OMNICHANNEL_MARKETING, OMNICHANNEL_FINANCE),
    )
    assert [gap.similarity for gap in gaps] == pytest.approx(
        [similarity.similarity(PLATFORM_IT, PLATFORM_MARKETING), expected_api, expected_omni], abs=0.001
    )
    assert gaps[0].url == history.platform.get_absolute_url()


def test_python_trigram_similarity_matches_pg_trgm(db):
    pairs = [(API_IT, API_MARKETING), (OMNICHANNEL_IT, OMNICHANNEL_MARKETING), ("Ça coûte", "ça coûte cher"), ("", "x")]
    if connection.vendor != "postgresql":
        # pg_trgm's own figures for these pairs, as PostgreSQL 15+ computes them.
        assert similarity.similarity("word", "words") == pytest.approx(4 / 7)
        assert similarity.similarity("", "x") == 0
        return
    with connection.cursor() as cursor:
        for a, b in pairs:
            cursor.execute("SELECT similarity(%s, %s)", [a, b])
            assert similarity.similarity(a, b) == pytest.approx(cursor.fetchone()[0], abs=1e-6), (a, b)


def test_most_disputed_terms_count_request_changes_and_rejections(history):
    disputed = selectors.most_disputed()
    # Platform: Marketing asked for changes in February, IT in May. Conversion was never a term.
    assert [(d.name, d.request_changes, d.reject) for d in disputed] == [("Platform", 2, 0)]


def test_an_empty_glossary_has_zero_figures(db):
    figures = selectors.dashboard_figures(now=NOW)
    assert figures.agreement.now == counts(0, 0, 0, 0, 0)
    assert figures.agreement.now.share("agreed") == 0.0
    assert figures.decisions.open_total == 0 and figures.decisions.oldest == []
    assert figures.divergence.furthest_apart == [] and figures.divergence.most_disputed == []


def test_a_changed_definition_is_compared_again_while_the_others_come_from_the_cache(make_term, ada, it, marketing):
    from glossary.services.terms import term_save

    same = make_term("Same", it_text="one two three", marketing_text="one two three")
    make_term("Apart", it_text="alpha", marketing_text="omega")
    assert [(g.name, g.similarity) for g in selectors.furthest_apart()] == [("Apart", 0.0), ("Same", 1.0)]
    term_save(term=same, user=ada, reason="Drift", definitions={marketing: "kiwi"})
    # Same's new version is compared; of two terms alike, the older comes first.
    assert [(g.name, g.similarity) for g in selectors.furthest_apart()] == [("Same", 0.0), ("Apart", 0.0)]


def test_past_months_are_replayed_again_when_history_before_this_month_changes(history, clock):
    from accounts.models import User
    from glossary.services.terms import term_create

    march = date(2026, 3, 1)
    assert {p.month: p.counts for p in selectors.agreement_history(now=NOW).months}[march].total == 3
    clock.at(3, 15)  # a term written down with a past date, as an import of old records would
    term_create(name="Backdated", user=User.objects.get(username="ada"), reason="Old record")
    clock.now = NOW
    assert {p.month: p.counts for p in selectors.agreement_history(now=NOW).months}[march].total == 4
