"""Reads for the sign-off workflow: queues, a proposal's status, a term's approvals."""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts import roles
from accounts.models import Department
from glossary import workflow
from glossary.models import Comment, Proposal, SignOff, Term

State = Proposal.State


def _signed_by_department(department_id):
    return SignOff.objects.filter(proposal=OuterRef("pk"), revision=OuterRef("revision"), department_id=department_id)


def _awaiting_filter(user) -> Q | None:
    """Proposals waiting for the user's department (to use with signed_by_my_department)."""
    if not (user.is_authenticated and user.department_id and user.has_perm(roles.SIGN_OFF)):
        return None
    department_signs = Exists(workflow.signing_departments().filter(pk=user.department_id))
    return Q(department_signs) & Q(state=State.IN_REVIEW) & ~Q(author=user) & ~Q(signed_by_my_department=True)


def sign_off_queue(user) -> QuerySet[Proposal]:
    """Open proposals that wait for the user's department, oldest first; empty for non-approvers."""
    awaiting = _awaiting_filter(user)
    if awaiting is None:
        return Proposal.objects.none()
    return (
        Proposal.objects.annotate(signed_by_my_department=Exists(_signed_by_department(user.department_id)))
        .filter(awaiting)
        .select_related("author")  # what the queue shows; the term's row is wide and not shown
        .order_by("updated_at", "pk")
    )


def my_proposals(user) -> QuerySet[Proposal]:
    return Proposal.objects.filter(author=user).select_related("author").order_by("-updated_at", "-pk")


def navigation_counts(user) -> dict[str, int]:
    """The two badges in the navigation; `awaiting` counts proposals waiting for the user's
    department, for approvers only."""
    if not user.is_authenticated:
        return {}
    awaiting = _awaiting_filter(user)

    return Proposal.objects.annotate(
        signed_by_my_department=Exists(_signed_by_department(user.department_id))
    ).aggregate(
        mine=Count("pk", filter=Q(author=user, state__in=Proposal.OPEN_STATES)),
        awaiting=Count("pk", filter=awaiting) if awaiting is not None else Count("pk", filter=Q(pk=None)),
    )


def open_proposals_for(term_id: int) -> list[Proposal]:
    """Open proposals on the term, with their authors."""
    return list(Proposal.objects.filter(term_id=term_id, state__in=Proposal.OPEN_STATES).select_related("author"))


def proposal_for_page(pk) -> Proposal:
    """A proposal with everything its page shows about it loaded up front."""
    return get_object_or_404(
        Proposal.objects.select_related("author", "author__department", "term", "replaced_by").prefetch_related(
            Prefetch("sign_offs", queryset=SignOff.objects.select_related("approver", "department")),
            Prefetch("comments", queryset=Comment.objects.select_related("author")),
            "definitions",
            "related_terms",
        ),
        pk=pk,
    )


# How each decision reads: in a department's status ("Marketing: Changes requested by Marco Silva")
# and in the discussion ("Marco Silva (Marketing) requested changes to revision 2").
OUTCOMES = {
    SignOff.Decision.APPROVE: ("Approved", "approved revision"),
    SignOff.Decision.REQUEST_CHANGES: ("Changes requested", "requested changes to revision"),
    SignOff.Decision.REJECT: ("Rejected", "rejected revision"),
}


@dataclass(frozen=True)
class DepartmentStatus:
    """A signing department and its decision on the current revision (None while it is awaited)."""

    department: Department
    sign_off: SignOff | None

    @property
    def outcome(self) -> str:
        return OUTCOMES[self.sign_off.decision][0] if self.sign_off else ""


def department_status(proposal: Proposal, departments) -> list[DepartmentStatus]:
    """Each signing department with its sign-off on the current revision, or None while waiting."""
    sign_offs = {s.department_id: s for s in proposal.sign_offs.all() if s.revision == proposal.revision}
    return [DepartmentStatus(d, sign_offs.get(d.pk)) for d in departments if d.signs_off]


def proposal_thread(proposal: Proposal) -> list[dict]:
    """Comments and sign-offs of every revision, oldest first; each sign-off with its comment, so
    the author reads why each decision was made. `anchor` is the item's id on the page."""
    items = [
        {"kind": "comment", "anchor": f"comment-{c.pk}", "when": c.created_at, "who": c.author, "text": c.body}
        for c in proposal.comments.all()
    ]
    items += [
        {
            "kind": "sign_off",
            "anchor": f"sign-off-{s.pk}",
            "when": s.created_at,
            "who": s.approver,
            "department": s.department,
            "decision": s,
            "did": f"{OUTCOMES[s.decision][1]} {s.revision}",
            "revision": s.revision,
            "text": s.comment,
        }
        for s in proposal.sign_offs.all()
    ]
    return sorted(items, key=lambda item: item["when"])


def term_approvals(term: Term) -> list[SignOff]:
    """Who approved the term's current version for each department, and when."""
    if term.approval_id is None:
        return []
    return list(
        SignOff.objects.filter(
            proposal_id=term.approval_id, revision=term.approval.revision, decision=SignOff.Decision.APPROVE
        )
        .select_related("approver", "department")
        .order_by("department__position", "department__name")
    )


def approvals_by_term(terms) -> dict[int, list[SignOff]]:
    """term_approvals for many terms in one query: {term id: its current version's approvals}."""
    wanted = {term.approval_id: (term.pk, term.approval.revision) for term in terms if term.approval_id}
    found: dict[int, list[SignOff]] = {term.pk: [] for term in terms}
    sign_offs = (
        SignOff.objects.filter(proposal_id__in=wanted, decision=SignOff.Decision.APPROVE)
        .select_related("approver", "department")
        .order_by("department__position", "department__name")
    )
    for sign_off in sign_offs:
        term_id, revision = wanted[sign_off.proposal_id]
        if sign_off.revision == revision:
            found[term_id].append(sign_off)
    return found
