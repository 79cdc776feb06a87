"""The events webhooks hear about, and what each one carries.

Every body is an envelope `{"type": <kind>, "timestamp": <ISO 8601>, "data": {...}}`. `data` holds
`term` (the published entry, or null while a new term is only proposed) and `proposal` (or null),
each with its name, its page's `url` and `definitions`: every department's first line, in order.
Then, per kind:

- proposal.opened   proposal (kind, author, reason); term if it changes an existing one
- proposal.decided  proposal; `decision`: {decision: approve|request_changes|reject, department,
                    approver, comment}
- term.published    term (with `version`) and the proposal that published it
- term.deprecated   the same, and `replaced_by` (a term: name and url) or null
- term.review_due   term and `review_by` (an ISO date)
- webhook.test      `message` only: sent by *Send test event*

The functions below run after the workflow's transaction commits (glossary.services.proposals);
they only store deliveries and queue them, so no web request waits on a receiver.
"""

from datetime import date

from django.conf import settings

from glossary.models import Proposal, SignOff, Term
from glossary.rendering import first_line

PROPOSAL_OPENED = "proposal.opened"
PROPOSAL_DECIDED = "proposal.decided"
TERM_PUBLISHED = "term.published"
TERM_DEPRECATED = "term.deprecated"
TERM_REVIEW_DUE = "term.review_due"
TEST = "webhook.test"

# What an admin can subscribe to, in the order the form lists them.
SUBSCRIBABLE = {
    PROPOSAL_OPENED: "Proposal opened",
    PROPOSAL_DECIDED: "Decision: approved, changes requested or rejected",
    TERM_PUBLISHED: "Term published",
    TERM_DEPRECATED: "Term deprecated",
    TERM_REVIEW_DUE: "Term due for review",
}


def absolute(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def _definitions(definitions) -> list[dict]:
    ordered = sorted(definitions, key=lambda d: (d.department.position, d.department.name))
    return [{"department": d.department.name, "text": first_line(d.text)} for d in ordered if d.text.strip()]


def term_data(term: Term) -> dict:
    definitions = term.definitions.select_related("department")
    return {
        "id": term.pk,
        "name": term.name,
        "slug": term.slug,
        "url": absolute(term.get_absolute_url()),
        "status": term.status,
        "version": term.version,
        "definitions": _definitions(definitions),
    }


def proposal_data(proposal: Proposal) -> dict:
    return {
        "id": proposal.pk,
        "url": absolute(proposal.get_absolute_url()),
        "kind": proposal.kind,
        "state": proposal.state,
        "name": proposal.name,
        "author": str(proposal.author),
        "reason": proposal.reason,
        "revision": proposal.revision,
        "definitions": _definitions(proposal.definitions.select_related("department")),
    }


def _fire(kind: str, data: dict) -> int:
    from glossary.webhooks.services import webhook_event_fire

    return len(webhook_event_fire(kind=kind, data=data))


def _subscribed(kind: str) -> bool:
    from glossary.webhooks.selectors import endpoints_subscribed

    return endpoints_subscribed(kind).exists()


def proposal_opened(proposal_id: int) -> int:
    if not _subscribed(PROPOSAL_OPENED):
        return 0
    proposal = Proposal.objects.select_related("author", "term").get(pk=proposal_id)
    return _fire(PROPOSAL_OPENED, {
        "proposal": proposal_data(proposal),
        "term": term_data(proposal.term) if proposal.term else None,
    })


def proposal_decided(proposal_id: int, sign_off_id: int) -> int:
    if not _subscribed(PROPOSAL_DECIDED):
        return 0
    proposal = Proposal.objects.select_related("author", "term").get(pk=proposal_id)
    sign_off = SignOff.objects.select_related("approver", "department").get(pk=sign_off_id)
    return _fire(PROPOSAL_DECIDED, {
        "proposal": proposal_data(proposal),
        "term": term_data(proposal.term) if proposal.term else None,
        "decision": {
            "decision": sign_off.decision,
            "label": sign_off.get_decision_display(),
            "department": sign_off.department.name,
            "approver": str(sign_off.approver),
            "comment": sign_off.comment,
        },
    })


def proposal_published(proposal_id: int) -> int:
    """A published proposal is `term.deprecated` when it deprecated its term, else `term.published`."""
    proposal = Proposal.objects.select_related("author", "term", "term__replaced_by").get(pk=proposal_id)
    term = proposal.term
    kind = TERM_DEPRECATED if term.status == Term.Status.DEPRECATED else TERM_PUBLISHED
    if not _subscribed(kind):
        return 0
    data = {"term": term_data(term), "proposal": proposal_data(proposal)}
    if kind == TERM_DEPRECATED:
        replacement = term.replaced_by
        data["replaced_by"] = (
            {"name": replacement.name, "url": absolute(replacement.get_absolute_url())} if replacement else None
        )
    return _fire(kind, data)


def term_review_due(term_id: int, review_by: date) -> int:
    """For the review-date reminders: the term should be rechecked by `review_by`."""
    if not _subscribed(TERM_REVIEW_DUE):
        return 0
    term = Term.objects.get(pk=term_id)
    return _fire(TERM_REVIEW_DUE, {"term": term_data(term), "proposal": None, "review_by": review_by.isoformat()})


def test_data() -> dict:
    return {
        "term": None,
        "proposal": None,
        "message": f"A test event from the {settings.GLOSSARY_ORGANISATION} glossary: this endpoint is reached.",
    }

