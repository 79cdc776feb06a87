"""The one event hook (glossary.events): every event the workflow raises reaches each subscriber
once, after a real commit, and never when the change rolls back; a failing subscriber stops
neither the others nor the change; the demo's events reach nobody.

These tests commit for real (outside the test's transaction), so `transaction.on_commit` runs as
it does in production, on SQLite and on PostgreSQL alike.
"""

import logging
from dataclasses import replace

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from glossary import events
from glossary.entries import Entry
from glossary.mail import tasks as mail_tasks
from glossary.models import Proposal, SignOff, Term, WatchNotice
from glossary.services import proposals as services
from glossary.services.watching import watch_set
from glossary.workflow import Action
from tests.workflow_helpers import approve, decide, login, new_term_entry, outside_a_transaction
from webhooks.models import WebhookDelivery
from webhooks.services import webhook_endpoint_register

pytestmark = outside_a_transaction

EVENT_TYPES = events.Event.__subclasses__()


class Heard:
    """A subscriber to every event, in one phase, remembering what it heard and whether a
    transaction was open when it did."""

    def __init__(self, name: str, *, in_transaction: bool = False):
        self.name, self.in_transaction, self.events, self.inside = name, in_transaction, [], []

    def __call__(self, event):
        self.events.append(event)
        self.inside.append(transaction.get_connection().in_atomic_block)

    @property
    def types(self) -> list[str]:
        return [type(event).__name__ for event in self.events]


@pytest.fixture
def alone(monkeypatch):
    """No subscriber but the test's own: for events made up by the test, about no real proposal."""
    from collections import defaultdict

    monkeypatch.setattr(events, "_after_commit", defaultdict(list))
    monkeypatch.setattr(events, "_in_transaction", defaultdict(list))


@pytest.fixture
def listen():
    """Subscribe `Heard` listeners (or any handler) to every event type; unsubscribed after the test."""
    added = []

    def subscribe(handler, *, in_transaction: bool = False):
        for event_type in EVENT_TYPES:
            events.subscribe(event_type, handler, in_transaction=in_transaction)
        added.append((handler, in_transaction))
        return handler

    yield subscribe
    for handler, in_transaction in added:
        for event_type in EVENT_TYPES:
            events.unsubscribe(event_type, handler, in_transaction=in_transaction)


def test_an_event_reaches_each_subscriber_once_after_commit_in_the_order_they_subscribed(alone, listen):
    order = []
    first = listen(Heard("first"))
    second = listen(Heard("second"))
    listen(lambda event: order.append("first"))
    listen(lambda event: order.append("second"))
    opened = events.ProposalOpened(proposal_id=1)
    with transaction.atomic():
        events.raise_event(opened)
        assert first.events == second.events == []  # not while the change can still roll back
    assert first.events == second.events == [opened]
    assert first.inside == [False]
    assert order == ["first", "second"]


def test_an_in_transaction_subscriber_hears_the_event_at_once_inside_the_change(alone, listen):
    inside = listen(Heard("inside"), in_transaction=True)
    after = listen(Heard("after"))
    with transaction.atomic():
        events.raise_event(events.ProposalWithdrawn(proposal_id=7))
        assert inside.inside == [True] and after.events == []
    assert len(inside.events) == len(after.events) == 1


def test_no_after_commit_subscriber_hears_an_event_whose_transaction_rolls_back(alone, listen):
    heard = listen(Heard("after"))
    with pytest.raises(RuntimeError), transaction.atomic():
        events.raise_event(events.ProposalOpened(proposal_id=1))
        raise RuntimeError("the change fails after raising its event")
    assert heard.events == []


def test_an_event_of_a_savepoint_rolled_back_is_dropped_and_the_others_go_once_at_the_outer_commit(alone, listen):
    heard = listen(Heard("after"))
    kept, dropped = events.ProposalOpened(proposal_id=1), events.ProposalWithdrawn(proposal_id=1)
    with transaction.atomic():
        events.raise_event(kept)
        try:
            with transaction.atomic():
                events.raise_event(dropped)
                raise RuntimeError("the inner step fails")
        except RuntimeError:
            pass
        with transaction.atomic():  # a savepoint that commits: its event waits for the outer commit
            events.raise_event(events.ProposalOutOfDate(proposal_id=2))
        assert heard.events == []
    assert heard.types == ["ProposalOpened", "ProposalOutOfDate"]


def test_without_a_transaction_an_event_reaches_its_subscribers_at_once(alone, listen):
    heard = listen(Heard("after"))
    assert not transaction.get_connection().in_atomic_block
    events.raise_event(events.ProposalOpened(proposal_id=1))
    assert heard.types == ["ProposalOpened"]


def test_the_workflow_raises_each_event_once_for_what_happened(listen, make_term, ada, ivan, marco, it, marketing):
    heard = listen(Heard("after"))
    proposal = services.proposal_create(author=ada, reason="Settle the word", entry=new_term_entry(it, marketing))
    decide(proposal, ivan, Action.REQUEST_CHANGES, "Say which systems.")
    proposal.refresh_from_db()
    services.proposal_update(
        proposal=proposal,
        user=ada,
        reason="Systems named",
        seen_revision=proposal.revision,
        entry=new_term_entry(it, marketing, it_text="CRM and shop, integrated."),
    )
    approve(proposal, ivan)
    approve(proposal, marco)
    term = Term.objects.get(name="Omnichannel")
    withdrawn = services.proposal_create(
        author=ada,
        reason="Shorter",
        term=term,
        entry=replace(Entry.from_term(term), summary="Short."),
    )
    services.proposal_withdraw(proposal=withdrawn, user=ada)
    deprecation = services.proposal_create(
        author=ada,
        reason="Nobody says it",
        term=term,
        kind=Proposal.Kind.DEPRECATE,
        entry=replace(Entry.from_term(term), status=Term.Status.DEPRECATED),
    )
    stale = services.proposal_create(
        author=ada,
        reason="Longer",
        term=term,
        entry=replace(Entry.from_term(term), summary="Long."),
    )
    approve(deprecation, ivan)
    approve(deprecation, marco)

    decisions = list(SignOff.objects.order_by("pk").values_list("pk", "proposal_id", "decision"))
    assert heard.events == [
        events.ProposalOpened(proposal_id=proposal.pk),
        events.ProposalDecided(proposal_id=proposal.pk, sign_off_id=decisions[0][0], decision="request_changes"),
        events.ProposalRevised(proposal_id=proposal.pk, revision=2),
        events.ProposalDecided(proposal_id=proposal.pk, sign_off_id=decisions[1][0], decision="approve"),
        events.ProposalDecided(proposal_id=proposal.pk, sign_off_id=decisions[2][0], decision="approve"),
        events.ProposalPublished(proposal_id=proposal.pk, term_id=term.pk),
        events.ProposalOpened(proposal_id=withdrawn.pk),
        events.ProposalWithdrawn(proposal_id=withdrawn.pk),
        events.ProposalOpened(proposal_id=deprecation.pk),
        events.ProposalOpened(proposal_id=stale.pk),
        events.ProposalDecided(proposal_id=deprecation.pk, sign_off_id=decisions[3][0], decision="approve"),
        events.ProposalDecided(proposal_id=deprecation.pk, sign_off_id=decisions[4][0], decision="approve"),
        events.ProposalOutOfDate(proposal_id=stale.pk),
        events.TermDeprecated(proposal_id=deprecation.pk, term_id=term.pk),
    ]
    assert not any(heard.inside)


def test_the_tick_raises_review_due_once_per_term_and_date(listen, make_term):
    from django.utils import timezone

    from glossary.services.review import review_due_announce

    heard = listen(Heard("after"))
    term = make_term("Churn", it_text="Cancelled.", marketing_text="Lost customers.", status=Term.Status.APPROVED)
    now = timezone.now()
    Term.objects.filter(pk=term.pk).update(review_by=timezone.localdate(now))

    assert (review_due_announce(now=now), review_due_announce(now=now)) == (1, 0)
    assert heard.events == [events.TermReviewDue(term_id=term.pk, review_by=timezone.localdate(now))]


def test_each_reactor_hears_a_proposal_opened_once(ada, it, marketing, ivan, maya, admin_user):
    webhook_endpoint_register(
        user=admin_user,
        url="https://hooks.example.com/in",
        events_wanted=["proposal.opened"],
        endpoint_format="standard",
    )
    watch_set(user=maya, delivery="immediate")
    proposal = services.proposal_create(author=ada, reason="Settle the word", entry=new_term_entry(it, marketing))

    queued = list(DBTaskResult.objects.values_list("task_path", "args_kwargs"))
    assert sorted(path for path, _ in queued if path.startswith("glossary.mail.tasks")) == [
        mail_tasks.mail_proposal_waiting.module_path,
        mail_tasks.mail_watch_notices.module_path,
    ]
    assert WatchNotice.objects.filter(proposal=proposal).count() == 1
    assert [d.event for d in WebhookDelivery.objects.all()] == ["proposal.opened"]


def test_a_change_that_rolls_back_records_no_notice_queues_no_mail_and_stores_no_delivery(
    ada, it, marketing, ivan, maya, admin_user
):
    webhook_endpoint_register(
        user=admin_user,
        url="https://hooks.example.com/in",
        events_wanted=["proposal.opened"],
        endpoint_format="standard",
    )
    watch_set(user=maya, delivery="immediate")
    with pytest.raises(RuntimeError), transaction.atomic():
        services.proposal_create(author=ada, reason="Settle the word", entry=new_term_entry(it, marketing))
        assert WatchNotice.objects.count() == 1  # recorded with the change...
        raise RuntimeError("something after it fails")
    assert not Proposal.objects.exists()
    assert not WatchNotice.objects.exists()  # ...and gone with it
    assert not DBTaskResult.objects.exists()
    assert not WebhookDelivery.objects.exists()


def test_a_failing_subscriber_stops_neither_the_others_nor_the_change_and_is_logged_with_the_request_id(
    listen, client, ada, it, marketing, caplog
):
    def broken(event):
        raise ValueError("a reactor with a bug")

    before = listen(Heard("before"))
    listen(broken)
    after = listen(Heard("after"))
    proposal = services.proposal_create(author=ada, reason="Settle the word", entry=new_term_entry(it, marketing))
    before.events.clear(), after.events.clear()
    caplog.clear()

    with caplog.at_level(logging.ERROR, logger="glossary.events"):
        response = login(client, ada).post(reverse("glossary:proposal_action", args=[proposal.pk, "withdraw"]))

    assert response.status_code == 302  # the person is told it worked: it did
    assert Proposal.objects.get(pk=proposal.pk).state == Proposal.State.WITHDRAWN
    assert before.types == after.types == ["ProposalWithdrawn"]
    [record] = caplog.records
    assert "broken" in record.getMessage() and "ProposalWithdrawn" in record.getMessage()
    assert record.exc_info[0] is ValueError
    assert response["X-Request-ID"] in record.getMessage()


def test_an_in_transaction_subscriber_that_fails_rolls_the_change_back(listen, ada, it, marketing):
    def broken(event):
        raise ValueError("cannot record")

    heard = listen(Heard("after"))
    listen(broken, in_transaction=True)
    with pytest.raises(ValueError):
        services.proposal_create(author=ada, reason="Settle the word", entry=new_term_entry(it, marketing))
    assert not Proposal.objects.exists()
    assert heard.events == []


@pytest.mark.slow  # loads the demo glossary: about 2 s
def test_the_demo_loader_raises_events_that_reach_nobody(listen, monkeypatch):
    raised = []
    real_raise = events.raise_event
    monkeypatch.setattr(events, "raise_event", lambda event: (raised.append(event), real_raise(event)))
    after, inside = listen(Heard("after")), listen(Heard("inside"), in_transaction=True)

    call_command("load_demo")

    assert {type(event) for event in raised} >= {
        events.ProposalOpened,
        events.ProposalDecided,
        events.ProposalPublished,
    }
    assert after.events == inside.events == []
    assert not DBTaskResult.objects.exists()
    assert not WatchNotice.objects.exists()
    assert not WebhookDelivery.objects.exists()
