"""The event kinds webhooks hear about, and what each one carries.

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

The functions below only build `data` from rows; which glossary event becomes which kind is
webhooks.events, and storing and sending is webhooks.services and webhooks.sending.
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


def proposal_opened(proposal: Proposal) -> dict:
    return {"proposal": proposal_data(proposal), "term": term_data(proposal.term) if proposal.term else None}


def proposal_decided(proposal: Proposal, sign_off: SignOff) -> dict:
    return {
        "proposal": proposal_data(proposal),
        "term": term_data(proposal.term) if proposal.term else None,
        "decision": {
            "decision": sign_off.decision,
            "label": sign_off.get_decision_display(),
            "department": sign_off.department.name,
            "approver": str(sign_off.approver),
            "comment": sign_off.comment,
        },
    }


def term_published(proposal: Proposal) -> dict:
    return {"term": term_data(proposal.term), "proposal": proposal_data(proposal)}


def term_deprecated(proposal: Proposal) -> dict:
    replacement = proposal.term.replaced_by
    return {
        **term_published(proposal),
        "replaced_by": {"name": replacement.name, "url": absolute(replacement.get_absolute_url())}
        if replacement
        else None,
    }


def term_review_due(term: Term, review_by: date) -> dict:
    """The term should be rechecked by `review_by`."""
    return {"term": term_data(term), "proposal": None, "review_by": review_by.isoformat()}


def test_data() -> dict:
    return {
        "term": None,
        "proposal": None,
        "message": f"A test event from the {settings.GLOSSARY_ORGANISATION} glossary: this endpoint is reached.",
    }
