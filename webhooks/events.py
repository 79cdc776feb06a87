"""Which glossary event becomes which webhook event: the subscriber WebhooksConfig.ready() wires to
glossary.events. It runs after the change commits and only stores deliveries and queues them
(webhooks.services.webhook_event_fire), so no web request waits on a receiver; an event no
endpoint wants costs one query.
"""

from glossary import events
from glossary.models import Proposal, SignOff, Term
from webhooks import payloads
from webhooks.selectors import endpoints_subscribed
from webhooks.services import webhook_event_fire

# The glossary's events webhooks hear, and the kind each becomes.
KINDS = {
    events.ProposalOpened: payloads.PROPOSAL_OPENED,
    events.ProposalDecided: payloads.PROPOSAL_DECIDED,
    events.ProposalPublished: payloads.TERM_PUBLISHED,
    events.TermDeprecated: payloads.TERM_DEPRECATED,
    events.TermReviewDue: payloads.TERM_REVIEW_DUE,
}


def _proposal(pk: int) -> Proposal:
    return Proposal.objects.select_related("author", "term", "term__replaced_by").get(pk=pk)


def _data(event: events.Event) -> dict:
    match event:
        case events.ProposalOpened(proposal_id=pk):
            return payloads.proposal_opened(_proposal(pk))
        case events.ProposalDecided(proposal_id=pk, sign_off_id=sign_off_id):
            sign_off = SignOff.objects.select_related("approver", "department").get(pk=sign_off_id)
            return payloads.proposal_decided(_proposal(pk), sign_off)
        case events.ProposalPublished(proposal_id=pk):
            return payloads.term_published(_proposal(pk))
        case events.TermDeprecated(proposal_id=pk):
            return payloads.term_deprecated(_proposal(pk))
        case events.TermReviewDue(term_id=term_id, review_by=review_by):
            return payloads.term_review_due(Term.objects.get(pk=term_id), review_by)
    raise ValueError(f"Webhooks hear of no {type(event).__name__}.")


def deliveries_store(event: events.Event) -> int:
    """A delivery of the event for each endpoint that wants its kind; returns how many."""
    kind = KINDS[type(event)]
    if not endpoints_subscribed(kind).exists():
        return 0
    return len(webhook_event_fire(kind=kind, data=_data(event)))
