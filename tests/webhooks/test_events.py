"""Which of the workflow's events become webhook deliveries, to which endpoints."""

import pytest

from glossary.models import Term
from glossary.services.proposals import proposal_create
from tests.workflow_helpers import approve, decide, new_term_entry
from webhooks import formats, payloads
from webhooks.models import WebhookAttempt

pytestmark = pytest.mark.django_db


def test_the_workflow_fires_opened_decided_and_published_to_subscribed_endpoints_only(
    register, ada, it, marketing, ivan, marco, django_capture_on_commit_callbacks
):
    everything, _ = register("https://hooks.example.com/all")
    only_published, _ = register("https://hooks.example.com/published", wanted=[payloads.TERM_PUBLISHED])
    with django_capture_on_commit_callbacks(execute=True):
        proposal = proposal_create(author=ada, reason="Settle the word", entry=new_term_entry(it, marketing))
    with django_capture_on_commit_callbacks(execute=True):
        approve(proposal, ivan)
    with django_capture_on_commit_callbacks(execute=True):
        approve(proposal, marco, comment="Fine by us")

    sent = list(everything.deliveries.order_by("pk"))
    assert [d.event for d in sent] == ["proposal.opened", "proposal.decided", "proposal.decided", "term.published"]
    assert [d.payload["data"]["decision"]["department"] for d in sent[1:3]] == ["IT", "Marketing"]
    assert sent[2].payload["data"]["decision"] == {
        "decision": "approve",
        "label": "Approved",
        "department": "Marketing",
        "approver": str(marco),
        "comment": "Fine by us",
    }
    published = sent[3].payload["data"]
    term = Term.objects.get(name="Omnichannel")
    assert published["term"]["url"].endswith(term.get_absolute_url())
    assert published["term"]["version"] == term.version
    assert published["proposal"]["id"] == proposal.pk
    assert [d.event for d in only_published.deliveries.all()] == ["term.published"]
    # Nobody sent anything: the deliveries wait for the task worker.
    assert WebhookAttempt.objects.count() == 0


def test_rejecting_fires_a_decision_and_deprecating_fires_deprecated_with_the_replacement(
    register, ada, it, marketing, ivan, marco, make_term, django_capture_on_commit_callbacks
):
    from glossary.entries import Entry
    from glossary.models import Proposal
    from glossary.workflow import Action

    endpoint, _ = register("https://hooks.example.com/all")
    with django_capture_on_commit_callbacks(execute=True):
        proposal = proposal_create(author=ada, reason="Settle the word", entry=new_term_entry(it, marketing))
    with django_capture_on_commit_callbacks(execute=True):
        decide(proposal, ivan, Action.REJECT, "We have a word for it already.")
    rejected = endpoint.deliveries.get(event=payloads.PROPOSAL_DECIDED)
    assert rejected.payload["data"]["decision"]["decision"] == "reject"
    assert rejected.payload["data"]["decision"]["comment"] == "We have a word for it already."

    old = make_term("Web 2.0", it_text="Old web.", marketing_text="Social web.", status=Term.Status.APPROVED)
    new = make_term("Social media", it_text="Platforms.", marketing_text="Channels.", status=Term.Status.APPROVED)
    entry = Entry.from_term(old)
    from dataclasses import replace

    with django_capture_on_commit_callbacks(execute=True):
        deprecation = proposal_create(
            author=ada,
            reason="Nobody says it",
            entry=replace(entry, status=Term.Status.DEPRECATED),
            term=old,
            kind=Proposal.Kind.DEPRECATE,
            replaced_by=new,
        )
    with django_capture_on_commit_callbacks(execute=True):
        approve(deprecation, ivan)
    with django_capture_on_commit_callbacks(execute=True):
        approve(deprecation, marco)
    deprecated = endpoint.deliveries.get(event=payloads.TERM_DEPRECATED)
    assert deprecated.payload["data"]["term"]["name"] == "Web 2.0"
    assert deprecated.payload["data"]["replaced_by"]["name"] == "Social media"
    assert not endpoint.deliveries.filter(event=payloads.TERM_PUBLISHED).exists()


def test_a_review_due_event_raised_by_the_glossary_becomes_a_delivery_with_its_date(
    register, make_term, django_capture_on_commit_callbacks
):
    from datetime import date

    from glossary import events

    endpoint, _ = register("https://hooks.example.com/reviews", wanted=[payloads.TERM_REVIEW_DUE])
    term = make_term("Churn", it_text="Cancelled contracts.", marketing_text="Customers we lose.")
    with django_capture_on_commit_callbacks(execute=True):
        events.raise_event(events.TermReviewDue(term_id=term.pk, review_by=date(2027, 1, 31)))
    payload = endpoint.deliveries.get().payload
    assert payload["type"] == "term.review_due"
    assert payload["data"]["review_by"] == "2027-01-31"
    assert formats.headline(payload) == "“Churn” is due for review by 2027-01-31."


def test_the_tick_announces_each_terms_review_date_once_when_it_comes_near(
    register, make_term, django_capture_on_commit_callbacks
):
    import datetime

    from django.utils import timezone

    from glossary.services.review import review_due_announce

    endpoint, _ = register("https://hooks.example.com/reviews", wanted=[payloads.TERM_REVIEW_DUE])
    due = make_term(
        "Churn", it_text="Cancelled contracts.", marketing_text="Customers we lose.", status=Term.Status.APPROVED
    )
    later = make_term("Cohort", it_text="A group.", marketing_text="People alike.", status=Term.Status.APPROVED)
    now = timezone.now()
    today = timezone.localdate(now)
    Term.objects.filter(pk=due.pk).update(review_by=today + datetime.timedelta(days=10))
    Term.objects.filter(pk=later.pk).update(review_by=today + datetime.timedelta(days=90))

    with django_capture_on_commit_callbacks(execute=True):
        assert review_due_announce(now=now) == 1
        assert review_due_announce(now=now + datetime.timedelta(minutes=5)) == 0  # the next tick
    [delivery] = endpoint.deliveries.all()
    assert delivery.payload["data"]["term"]["name"] == "Churn"
    assert delivery.payload["data"]["review_by"] == (today + datetime.timedelta(days=10)).isoformat()
    # A review confirmed since gives a new date, announced again when its time comes.
    Term.objects.filter(pk=due.pk).update(review_by=today + datetime.timedelta(days=20))
    with django_capture_on_commit_callbacks(execute=True):
        assert review_due_announce(now=now) == 1
    assert endpoint.deliveries.count() == 2
