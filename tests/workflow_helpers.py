"""Short ways to drive the workflow in tests, through the real services."""

from glossary.entries import Entry
from glossary.services import proposals as services
from glossary.workflow import Action


def new_term_entry(it, marketing, name="Omnichannel", it_text="Integrated systems.", marketing_text="One experience.", **fields):
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
