"""Short ways to drive the workflow in tests, through the real services."""

import datetime
import json
from dataclasses import replace
from unittest import mock

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts import roles
from accounts.models import User
from accounts.services import api_token_create
from glossary import queues
from glossary.entries import Entry
from glossary.models import Comment, Definition, Proposal, SignOff, Term
from glossary.services import proposals as services
from glossary.workflow import Action


def person(username, *, department=None, role=roles.CONTRIBUTOR, **extra):
    """A user with a role (a contributor unless told), as every test makes them."""
    user = User.objects.create_user(username=username, password="pw-for-tests-only", department=department, **extra)
    user.groups.add(Group.objects.get(name=role))
    return user


def login(client, user):
    """Log `client` in as `user` without a password; returns the client."""
    client.force_login(user)
    return client


def log_in_through_the_form(client, username, password, **extra):
    """POST the log-in form, as a browser does: passwords are checked and failures counted."""
    return client.post(reverse("login"), {"username": username, "password": password, **extra})


# The task worker commits and reconnects as in production, so a test that runs it is outside a test
# transaction (and restores the migrations' departments and roles after).
outside_a_transaction = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def send_queued_mail():
    """Run the mail queue's worker (`db_worker --queue-name mail`) until the queue is empty: the
    e-mail a change causes is sent by it, not by the change's request. For `outside_a_transaction` tests."""
    assert not connection.in_atomic_block, "the mail worker needs a test marked outside_a_transaction"
    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", queues.MAIL)


def new_term_entry(
    it, marketing, name="Omnichannel", it_text="Integrated systems.", marketing_text="One experience.", **fields
):
    definitions = {}
    if it_text:
        definitions[it.pk] = it_text
    if marketing_text:
        definitions[marketing.pk] = marketing_text
    return Entry(name=name, definitions=definitions, **fields)


SIGN_OFF_SERVICES = {
    Action.APPROVE: services.proposal_approve,
    Action.REQUEST_CHANGES: services.proposal_request_changes,
    Action.REJECT: services.proposal_reject,
}


def approve(proposal, user, comment=""):
    proposal.refresh_from_db()
    return services.proposal_approve(proposal=proposal, user=user, comment=comment, seen_revision=proposal.revision)


def decide(proposal, user, action, comment):
    """Sign off the revision the proposal is at, with the service named after `action`."""
    proposal.refresh_from_db()
    return SIGN_OFF_SERVICES[action](proposal=proposal, user=user, comment=comment, seen_revision=proposal.revision)


def snapshot():
    """Every term's name and version, and how many versions, proposals, sign-offs and comments there
    are: what a refused request must leave as it was."""
    return (
        list(Term.objects.order_by("pk").values_list("pk", "name", "version")),
        Term.history.count(),
        Proposal.objects.count(),
        SignOff.objects.count(),
        Comment.objects.count(),
    )


def demo_snapshot():
    """Term names and change times, term and definition versions, and users with their password
    hashes: what loading the demo a second time must leave as it was."""
    return (
        sorted(Term.objects.values_list("name", "updated_at")),
        Term.history.count(),
        Definition.history.count(),
        sorted(User.objects.values_list("username", "password")),
    )


def frozen(day: datetime.date):
    """The clock stopped at noon UTC on `day`."""
    moment = datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)
    return mock.patch("django.utils.timezone.now", return_value=moment)


def set_review_by(term, day, user):
    """Give the term a review date directly (as an older glossary would have it), without a proposal.

    That writes no history, so the cached pages cannot know: they are emptied too."""
    Term.objects.filter(pk=term.pk).update(review_by=day)
    cache.clear()
    term.refresh_from_db()
    return term


def proposal_form_data(it, marketing, **overrides):
    return {
        "name": "Omnichannel",
        f"definition_{it.slug}": "Integrated systems.",
        f"definition_{marketing.slug}": "One experience.",
        "reason": "Settle the word",
        **overrides,
    }


def api_call(user, body):
    _, secret = api_token_create(user=user, name="Script")
    return Client().post(
        "/api/v1/proposals",
        data=json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )


def mails_to(mailoutbox, user):
    return [m for m in mailoutbox if m.to == [user.email]]


def propose_change(author, term, reason="Say it better", **changes):
    entry = replace(Entry.from_term(term), **changes)
    return services.proposal_create(author=author, reason=reason, entry=entry, term=term)


def term_form(term, it, marketing, **overrides):
    data = {
        "name": term.name,
        "abbreviation": term.abbreviation,
        "synonyms": term.synonyms,
        "summary": term.summary,
        "examples": term.examples,
        "status": term.status,
        "change_reason": "Fix the IT wording",
        "definitions-TOTAL_FORMS": "2",
        "definitions-INITIAL_FORMS": "1",
        "definitions-MIN_NUM_FORMS": "0",
        "definitions-MAX_NUM_FORMS": "1000",
        "definitions-0-id": str(term.definitions.get(department=it).pk),
        "definitions-0-term": str(term.pk),
        "definitions-0-department": str(it.pk),
        "definitions-0-text": "Software we build and run ourselves.",
        "definitions-1-term": str(term.pk),
        "definitions-1-department": str(marketing.pk),
        "definitions-1-text": "A SaaS tool we subscribe to.",
    }
    data.update(overrides)
    return data
