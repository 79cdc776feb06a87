"""Who may do what to a proposal, and which state it moves to: the one place that decides.

Views and templates ask `allowed_actions`; services call `require` before every transition, so a
forged request for an action a page did not offer is refused here, with PermissionDenied.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import models

from accounts import roles
from accounts.models import Department
from glossary.models import Proposal, SignOff, Term

State = Proposal.State


class Action(models.TextChoices):
    EDIT = "edit", "Edit proposal"
    WITHDRAW = "withdraw", "Withdraw"
    REBASE = "rebase", "Update onto the current version"
    APPROVE = "approve", "Approve"
    REQUEST_CHANGES = "request_changes", "Request changes"
    REJECT = "reject", "Reject"
    COMMENT = "comment", "Comment"


@dataclass(frozen=True)
class Transition:
    from_states: frozenset
    to_state: str | None  # None: the state does not change (approve decides in services)


TRANSITIONS = {
    Action.EDIT: Transition(frozenset({State.IN_REVIEW, State.CHANGES_REQUESTED}), State.IN_REVIEW),
    Action.WITHDRAW: Transition(frozenset(Proposal.OPEN_STATES), State.WITHDRAWN),
    Action.REBASE: Transition(frozenset({State.OUT_OF_DATE}), State.IN_REVIEW),
    Action.APPROVE: Transition(frozenset({State.IN_REVIEW}), None),
    Action.REQUEST_CHANGES: Transition(frozenset({State.IN_REVIEW}), State.CHANGES_REQUESTED),
    Action.REJECT: Transition(frozenset({State.IN_REVIEW}), State.REJECTED),
    Action.COMMENT: Transition(frozenset(Proposal.OPEN_STATES), None),
}

SIGN_OFF_ACTIONS = {Action.APPROVE, Action.REQUEST_CHANGES, Action.REJECT}
AUTHOR_ACTIONS = {Action.EDIT, Action.WITHDRAW, Action.REBASE}
DECISIONS = {
    Action.APPROVE: SignOff.Decision.APPROVE,
    Action.REQUEST_CHANGES: SignOff.Decision.REQUEST_CHANGES,
    Action.REJECT: SignOff.Decision.REJECT,
}
# The actions the proposal page's one form sends, with what was written in its comment box.
DECISION_ACTIONS = {*SIGN_OFF_ACTIONS, Action.COMMENT}
# The author must learn why a proposal was sent back or turned down, so those decisions need a
# comment (an approval may go without one); a comment on its own is nothing without its text.
COMMENT_REQUIRED = {
    Action.REQUEST_CHANGES: "Say what needs to change: the author reads this.",
    Action.REJECT: "Say why you reject it: the author reads this.",
    Action.COMMENT: "Write a comment first.",
}


def signing_departments():
    """The departments whose approval makes a change official: data, not code."""
    return Department.objects.filter(is_active=True, signs_off=True)


def can_propose(user) -> bool:
    return bool(user.is_authenticated and user.department_id and user.has_perm(roles.PROPOSE))


def can_import(user) -> bool:
    """Imports propose many terms at once; only glossary admins may run them."""
    return bool(user.is_authenticated and user.has_perm(roles.IMPORT))


def _department_refusal(proposal: Proposal, user) -> str | None:
    """Whether the user's department may still sign this revision (the same for all sign-off actions)."""
    department = user.department  # loaded with the user
    if not (department.is_active and department.signs_off):
        return f"{department} does not sign off changes."
    # Read through .all() so a page that prefetched the sign-offs asks the database nothing more.
    already = any(
        s.revision == proposal.revision and s.department_id == user.department_id for s in proposal.sign_offs.all()
    )
    if already:
        return f"{user.department} has already signed off this revision."
    return None


def refusal(action: Action, proposal: Proposal, user, department_refusal=_department_refusal) -> str | None:
    """Why `user` may not take `action` on `proposal` now, or None if they may."""
    if not user.is_authenticated:
        return "Log in first."
    if proposal.state not in TRANSITIONS[action].from_states:
        return f"A proposal that is {proposal.get_state_display().lower()} cannot take “{action.label}”."
    if action in AUTHOR_ACTIONS:
        return None if proposal.author_id == user.pk else "Only the author can do this."
    if action == Action.COMMENT:
        may_comment = user.has_perm(roles.PROPOSE) or user.has_perm(roles.SIGN_OFF)
        return None if may_comment else "Readers cannot comment."
    # Sign-off actions.
    if proposal.author_id == user.pk:
        return "Nobody signs off their own proposal."
    if not user.has_perm(roles.SIGN_OFF) or not user.department_id:
        return "Only a department approver can sign off."
    if action == Action.APPROVE and proposal.needs_definition:
        return f"“{proposal.name}” needs a definition: its author writes one in before anyone approves it."
    return department_refusal(proposal, user)


def allowed_actions(proposal: Proposal, user) -> list[Action]:
    answers = {}

    def once(proposal, user):  # three sign-off actions, one look at the database
        if "department" not in answers:
            answers["department"] = _department_refusal(proposal, user)
        return answers["department"]

    return [action for action in Action if refusal(action, proposal, user, once) is None]


def decision_note(proposal: Proposal, user) -> str | None:
    """Why an approver is offered no decision on an open proposal, for the page to say; None when
    they are offered one, or for everyone else (people who never decide need no reason)."""
    if not (proposal.is_open and user.is_authenticated and user.department_id and user.has_perm(roles.SIGN_OFF)):
        return None
    if proposal.state != State.IN_REVIEW:
        return f"Decisions wait until the proposal is back in review; it is {proposal.get_state_display().lower()}."
    return refusal(Action.APPROVE, proposal, user)


def require(action: Action, proposal: Proposal, user) -> None:
    reason = refusal(action, proposal, user)
    if reason is not None:
        raise PermissionDenied(reason)


def comment_refusal(action: Action, comment: str) -> str | None:
    """Why `comment` cannot go with `action` (it is needed and empty), or None if it can."""
    if action in COMMENT_REQUIRED and not comment.strip():
        return COMMENT_REQUIRED[action]
    return None


def next_state(action: Action, proposal: Proposal) -> str:
    return TRANSITIONS[action].to_state or proposal.state


def awaiting_departments(proposal: Proposal) -> list[Department]:
    """Signing departments that have not yet approved the proposal's current revision."""
    approved = set(
        proposal.sign_offs.filter(revision=proposal.revision, decision=SignOff.Decision.APPROVE).values_list(
            "department_id", flat=True
        )
    )
    return [d for d in signing_departments() if d.pk not in approved]


def review_confirm_refusal(term: Term, user) -> str | None:
    """Why `user` may not confirm that `term` is still accurate, or None if they may.

    A department vouches for its own words: only an approver of a department with a definition on
    the term confirms it (a signing department without one has nothing of its own to recheck). A
    term defined by its common ground alone is every signing department's: any of their approvers
    confirms it.
    """
    if not user.is_authenticated:
        return "Log in first."
    if not user.has_perm(roles.SIGN_OFF) or not user.department_id:
        return "Only a department approver can confirm a term's review."
    if term.status == Term.Status.DEPRECATED:
        return "A deprecated term is not reviewed any more."
    # Through .all(), so a list that prefetched the definitions asks nothing more per term.
    definitions = term.definitions.all()
    if not definitions:
        if any(d.pk == user.department_id for d in signing_departments()):
            return None
        return f"Only a signing department's approver confirms “{term.name}”, which only its common ground defines."
    if not any(d.department_id == user.department_id for d in definitions):
        return f"{user.department} has no definition of “{term.name}”: its approvers confirm only what it defines."
    return None
