"""Short ways to drive the workflow in tests, through the real services."""

from django.urls import reverse

from glossary.entries import Entry
from glossary.services import proposals as services
from glossary.workflow import Action


def login(client, user):
    """Log `client` in as `user` without a password; returns the client."""
    client.force_login(user)
    return client


def log_in_through_the_form(client, username, password, **extra):
    """POST the log-in form, as a browser does: passwords are checked and failures counted."""
    return client.post(reverse("login"), {"username": username, "password": password, **extra})


def new_term_entry(it, marketing, name="Omnichannel", it_text="Integrated systems.", marketing_text="One experience.", **fields):
    definitions = {}
    if it_text:
        definitions[it.pk] = it_text
    if marketing_text:
        definitions[marketing.pk] = marketing_text
    return Entry(name=name, definitions=definitions, **fields)


def approve(proposal, user, comment=""):
    proposal.refresh_from_db()
    return services.proposal_sign_off(
        proposal=proposal, user=user, action=Action.APPROVE, comment=comment, seen_revision=proposal.revision
    )


def decide(proposal, user, action, comment):
    proposal.refresh_from_db()
    return services.proposal_sign_off(
        proposal=proposal, user=user, action=action, comment=comment, seen_revision=proposal.revision
    )
