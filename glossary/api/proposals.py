"""Proposing and signing off through the API: the pages' workflow, through the same services.

Every call goes through glossary.services.proposals, which asks glossary.workflow before it
changes anything, so the API can do exactly what the pages can, for the same people; the answers
only differ in shape: 403 where the workflow refuses, 409 where the proposal or term moved on since
the caller read it, 422 for content that could not be published.
"""

from dataclasses import replace
from typing import Literal

from django.urls import reverse
from ninja import Query, Router, Schema, Status
from pydantic import Field

from glossary import workflow
from glossary.api import schemas
from glossary.api.auth import SIGNED_IN, WRITE
from glossary.api.content import content_data, entry_from_input, term_address, term_reference
from glossary.api.errors import Conflict, invalid
from glossary.api.paging import page_of
from glossary.entries import Entry
from glossary.models import Proposal, Term
from glossary.selectors import proposals as selectors
from glossary.selectors.terms import department_columns, term_version
from glossary.services import proposals as services

router = Router(tags=["Proposals"], auth=SIGNED_IN)

Kind = Proposal.Kind


class ProposalListQuery(Schema):
    list: Literal["mine", "awaiting-me"] = Field(
        "mine", description="mine, or awaiting-me (your department's sign-off)."
    )
    state: schemas.ProposalState = Field(None, description="Only those in this state: out_of_date ones to rebase, say.")
    page: schemas.PageNumber = 1
    page_size: schemas.integer_in_address(most=100) = 25


@router.get("/proposals", response=schemas.ProposalPage, summary="My proposals, or those awaiting my sign-off")
def proposal_list(request, query: Query[ProposalListQuery]):
    found = selectors.my_proposals(request.user) if query.list == "mine" else selectors.sign_off_queue(request.user)
    if query.state:
        found = found.filter(state=query.state.value)

    def proposals_data(proposals: list[Proposal]) -> list[dict]:
        return [
            {
                "id": p.pk,
                "kind": p.kind,
                "state": p.state,
                "revision": p.revision,
                "name": p.name,
                "author": str(p.author),
                "updated_at": p.updated_at,
                "url": request.build_absolute_uri(reverse("api-1:proposal_detail", kwargs={"proposal_id": p.pk})),
            }
            for p in proposals
        ]

    return page_of(request, found, query.page, query.page_size, proposals_data)


@router.get(
    "/proposals/{proposal_id}", response=schemas.Proposal, summary="One proposal, with its sign-offs and discussion"
)
def proposal_detail(request, proposal_id: schemas.IdInAddress):
    return proposal_data(request, _proposal(proposal_id))


@router.post(
    "/proposals",
    response={201: schemas.Proposal},
    auth=WRITE,
    summary="Propose a new term, a change, a deprecation or a restore",
)
def proposal_create(request, body: schemas.NewProposal):
    kind = Kind(body.kind)
    term = None
    if kind != Kind.NEW_TERM:
        if not body.term:
            raise invalid(("body", "term"), "Say which term (its slug).")
        term = Term.objects.filter(slug=body.term).first()
        if term is None:
            raise invalid(("body", "term"), f"No term has the slug {body.term!r}.")
        if body.base_version is not None and body.base_version != term.version:
            raise Conflict(
                f"{term.name} is at version {term.version}; you read version {body.base_version}. Read it again.",
                current_version=term.version,
            )
    entry = _proposed_entry(kind, body, term)
    replaced_by = None
    if body.replaced_by:
        replaced_by = Term.objects.filter(slug=body.replaced_by).first()
        if replaced_by is None:
            raise invalid(("body", "replaced_by"), f"No term has the slug {body.replaced_by!r}.")
    proposal = services.proposal_create(
        author=request.user, reason=body.reason, entry=entry, term=term, kind=kind, replaced_by=replaced_by
    )
    return Status(201, proposal_data(request, _proposal(proposal.pk)))


def _proposed_entry(kind, body: schemas.NewProposal, term: Term | None) -> Entry:
    # Which fields each kind takes, and needs, its body's schema has already checked.
    if kind == Kind.NEW_TERM:
        return entry_from_input(body.content, Entry())
    current = Entry.from_term(term)
    if kind == Kind.CHANGE:
        return entry_from_input(body.content, current)
    if kind == Kind.DEPRECATE:
        return replace(current, status=Term.Status.DEPRECATED)
    version = term_version(term, body.restore_version)
    if version is None:
        raise invalid(("body", "restore_version"), f"{term.name} has no version {body.restore_version}.")
    # A restore brings back content; when to review it next is today's question, not the old version's.
    return replace(version.entry, review_by=term.review_by)


@router.put(
    "/proposals/{proposal_id}", response=schemas.Proposal, auth=WRITE, summary="Revise your proposal (a new revision)"
)
def proposal_update(request, proposal_id: schemas.IdInAddress, body: schemas.ProposalRevision):
    proposal = _proposal(proposal_id)
    entry = entry_from_input(body.content, Entry.from_proposal(proposal))
    services.proposal_update(
        proposal=proposal, user=request.user, reason=body.reason, entry=entry, seen_revision=body.revision
    )
    return proposal_data(request, _proposal(proposal_id))


@router.post(
    "/proposals/{proposal_id}/withdraw", response=schemas.Proposal, auth=WRITE, summary="Withdraw your proposal"
)
def proposal_withdraw(request, proposal_id: schemas.IdInAddress):
    services.proposal_withdraw(proposal=_proposal(proposal_id), user=request.user)
    return proposal_data(request, _proposal(proposal_id))


@router.post(
    "/proposals/{proposal_id}/rebase",
    response=schemas.Proposal,
    auth=WRITE,
    summary="Update an out-of-date proposal onto the current version",
)
def proposal_rebase(request, proposal_id: schemas.IdInAddress):
    services.proposal_rebase(proposal=_proposal(proposal_id), user=request.user)
    return proposal_data(request, _proposal(proposal_id))


@router.post(
    "/proposals/{proposal_id}/comments", response={201: schemas.Proposal}, auth=WRITE, summary="Add to the discussion"
)
def proposal_comment(request, proposal_id: schemas.IdInAddress, body: schemas.NewComment):
    services.proposal_comment(proposal=_proposal(proposal_id), user=request.user, body=body.body)
    return Status(201, proposal_data(request, _proposal(proposal_id)))


def _decision_operation(path: str, service, summary: str, body_schema):
    @router.post(
        f"/proposals/{{proposal_id}}/{path}",
        response=schemas.Proposal,
        auth=WRITE,
        summary=summary,
        operation_id=f"proposal_{path}",
    )
    def decide(request, proposal_id: schemas.IdInAddress, body: body_schema):
        service(proposal=_proposal(proposal_id), user=request.user, comment=body.comment, seen_revision=body.revision)
        return proposal_data(request, _proposal(proposal_id))

    return decide


approve = _decision_operation("approve", services.proposal_approve, "Approve for your department", schemas.Decision)
request_changes = _decision_operation(
    "request_changes",
    services.proposal_request_changes,
    "Send back to the author for your department",
    schemas.DecisionWithComment,
)
reject = _decision_operation(
    "reject", services.proposal_reject, "Reject for your department", schemas.DecisionWithComment
)


def _proposal(proposal_id: schemas.IdInAddress) -> Proposal:
    return selectors.proposal_for_page(proposal_id)


def proposal_data(request, proposal: Proposal) -> dict:
    departments = department_columns()
    related = dict(Term.objects.filter(pk__in=[t.pk for t in proposal.related_terms.all()]).values_list("pk", "slug"))
    term = proposal.term
    return {
        "id": proposal.pk,
        "kind": proposal.kind,
        "state": proposal.state,
        "revision": proposal.revision,
        "term": {"slug": term.slug, "name": term.name, "url": term_address(request, term.slug)} if term else None,
        "base_version": proposal.base_version,
        "author": str(proposal.author),
        "reason": proposal.reason,
        "created_at": proposal.created_at,
        "url": request.build_absolute_uri(proposal.get_absolute_url()),
        "content": content_data(request, Entry.from_proposal(proposal), departments, related),
        "replaced_by": term_reference(request, proposal.replaced_by),
        "awaiting": [
            s.department.slug for s in selectors.department_status(proposal, departments) if s.sign_off is None
        ]
        if proposal.is_open
        else [],
        "sign_offs": [
            {
                "department": s.department.slug,
                "decision": s.decision,
                "approver": str(s.approver),
                "revision": s.revision,
                "comment": s.comment,
                "signed_at": s.created_at,
            }
            for s in sorted(proposal.sign_offs.all(), key=lambda s: s.created_at)
        ],
        "comments": [
            {"author": str(c.author), "body": c.body, "written_at": c.created_at}
            for c in sorted(proposal.comments.all(), key=lambda c: c.created_at)
        ],
        "your_actions": [str(action) for action in workflow.allowed_actions(proposal, request.user)],
    }
