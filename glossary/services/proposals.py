"""Writes of the sign-off workflow: propose, edit, withdraw, sign off, publish, update, comment.

Each function takes the proposal from `proposal_for_update` (its term and it locked with
select_for_update, once glossary.workflow lets the user act) and moves the state in one
transaction, and raises an event for what happened (glossary.events): whoever sends mail, records
watch notices or calls webhooks subscribes to those, and none of them hears of a change that rolls back.
"""

from dataclasses import replace

from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Department
from glossary import events, text, workflow
from glossary.entries import COLUMNS, PROPOSAL_ATTRIBUTE, Entry, merge
from glossary.models import Comment, Definition, Proposal, ProposedDefinition, SignOff, Tag, Term
from glossary.models.fields import max_length
from glossary.selectors.terms import term_version
from glossary.services import review
from glossary.services.terms import save_with_history, tag_problems, tags_from_names, term_save
from glossary.workflow import Action

State = Proposal.State


class WorkflowConflict(Exception):
    """The proposal moved on since the user looked at it; they must look again before acting."""


def proposal_for_update(*, proposal: Proposal, user, action: Action) -> Proposal:
    """The proposal, locked for the caller's transaction, once the workflow lets `user` take `action` on it.

    Locks the proposal's term, then the proposal: one lock order everywhere, so no deadlocks.
    Publishing holds the term while it marks the term's other proposals out of date; taking the
    term first means nobody can hold one of those proposals while waiting for the term. The rule is
    checked on the locked row, so a decision someone else committed meanwhile is taken into account.
    """
    if proposal.term_id:
        list(Term.objects.select_for_update().filter(pk=proposal.term_id).values_list("pk"))
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    workflow.require(action, locked, user)
    return locked


def validate_entry(*, entry: Entry, term: Term | None, today=None, undefined_allowed: bool = False) -> None:
    """Refuse, field by field, an entry that could not be published as it stands.

    The checks are the term's own (its declared limits, counted after the normalisation saving
    applies) plus those of its tags and definitions, so a change every department approved never
    fails for a reason nobody was told about. `undefined_allowed`: a new term imported with labels
    alone may come in without any definition, as a proposal that needs one before anyone signs it.
    """
    texts = {
        **entry.columns(),
        "tags": "".join(entry.tags),
        "definitions": "".join(entry.definitions.values()),
    }
    # PostgreSQL refuses NUL in any text, even in a query, so nothing below may see one.
    with_nul = [field for field, value in texts.items() if isinstance(value, str) and "\x00" in value]
    if with_nul:
        raise ValidationError(dict.fromkeys(with_nul, "Null characters are not allowed."))
    errors: dict[str, list[str]] = {}
    columns = {**entry.columns(), "status": entry.status or Term.Status.APPROVED}
    # The review date has rules of its own, relative to today and to the term's date (below).
    review_by = columns.pop("review_by")
    candidate = Term(pk=getattr(term, "pk", None), **columns)
    try:
        candidate.full_clean(
            exclude=["name_key", "initial", "slug", "search_document", "review_by"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as error:
        errors.update(error.message_dict)
    problem = review.review_date_problem(
        review_by, current=getattr(term, "review_by", None), today=today or timezone.localdate()
    )
    if problem:
        errors["review_by"] = [problem]
    name_limit = max_length(Term, "name")
    too_long = [synonym for synonym in candidate.synonym_list if len(synonym) > name_limit]
    if too_long:
        errors.setdefault("synonyms", []).append(
            f"Each synonym is a name of at most {name_limit} characters; “{too_long[0][:40]}…” is longer."
        )
    # One meaning every department agrees on is the product's goal, not a gap: the common ground
    # alone defines a term (every signing department still signs it off).
    undefined = not entry.summary.strip() and not any(body.strip() for body in entry.definitions.values())
    if undefined and not undefined_allowed:
        errors["definitions"] = ["Give the common ground or at least one department's definition."]
    for department_id, body in entry.definitions.items():
        if not body.strip():
            continue  # no definition from this department (yet)
        definition = Definition(text=body)
        definition.normalise()
        try:
            definition.clean_fields(exclude=["term", "department"])
        except ValidationError as error:
            name = Department.objects.filter(pk=department_id).values_list("name", flat=True).first()
            errors.setdefault("definitions", []).extend(f"{name}'s definition: {m}" for m in error.messages)
    tag_errors = tag_problems(entry.tags)
    if tag_errors:
        errors["tags"] = tag_errors
    if errors:
        raise ValidationError(errors)


def _validate(*, entry: Entry, reason: str, term: Term | None, undefined_allowed: bool = False) -> None:
    errors = {}
    try:
        validate_entry(entry=entry, term=term, undefined_allowed=undefined_allowed)
    except ValidationError as error:
        errors = error.message_dict
    if not reason.strip():
        errors["reason"] = ["Say why: reviewers read the reason first."]
    else:
        try:
            Proposal._meta.get_field("reason").clean(reason.strip(), None)
        except ValidationError as error:
            errors["reason"] = error.messages
    if errors:
        raise ValidationError(errors)


def _write_content(proposal: Proposal, entry: Entry, *, user, reason: str) -> None:
    for name, value in entry.columns().items():
        if name != "status" or value:  # an edit without a status keeps the one the kind set
            setattr(proposal, PROPOSAL_ATTRIBUTE.get(name, name), value)
    proposal.tag_names = "\n".join(entry.tags)
    save_with_history(proposal, user=user, reason=reason)
    proposal.related_terms.set(list(entry.related_terms))
    existing = {d.department_id: d for d in proposal.definitions.all()}
    for department_id, body in entry.definitions.items():
        body = body.strip()
        current = existing.pop(department_id, None)
        if current and current.text == body:
            continue
        if not body:
            if current:
                save_with_history(current, user=user, reason=reason, delete=True)
            continue
        definition = current or ProposedDefinition(proposal=proposal, department_id=department_id)
        definition.text = body
        save_with_history(definition, user=user, reason=reason)
    for leftover in existing.values():
        save_with_history(leftover, user=user, reason=reason, delete=True)


def _as_published(entry: Entry, *, term: Term) -> Entry:
    """`entry` as publishing it onto `term` would store it: text normalised as saving normalises it,
    definitions trimmed (an empty one is none), tags as the existing tags they name (whatever their
    case), no link from the term to itself, and no review date taken to mean the term's own (either
    way publishing sets the next one)."""
    record = Term(**entry.columns())
    record.normalise()
    current_tags = {tag.name for tag in term.tags.all()}
    tags = []
    for name in text.split_lines("\n".join(entry.tags)):
        if name not in current_tags:  # publishing takes the existing tag of this name in any case
            name = Tag.objects.filter(name__iexact=name).values_list("name", flat=True).first() or name
        tags.append(name)
    definitions = {pk: text.normalise_newlines(body.strip()) for pk, body in entry.definitions.items()}
    columns = {name: getattr(record, name) for name in COLUMNS}
    if columns["review_by"] is None:
        columns["review_by"] = term.review_by
    return replace(
        entry,
        **columns,
        definitions={pk: body for pk, body in definitions.items() if body},
        tags=tuple(sorted(tags)),
        related_terms={pk: name for pk, name in entry.related_terms.items() if pk != term.pk},
    )


def entry_changes_term(*, entry: Entry, term: Term) -> bool:
    """Whether publishing `entry` (with the status its proposal sets) would change what `term` says,
    compared as saving would store it: a difference of spacing, line ends or a tag's case is none."""
    proposed, current = _as_published(entry, term=term), Entry.from_term(term)
    # Related terms by which terms they are; the names an entry carries may be older than the terms'.
    return replace(proposed, related_terms={}) != replace(current, related_terms={}) or set(
        proposed.related_terms
    ) != set(current.related_terms)


def _signed_off_as_it_stands(term: Term) -> bool:
    """Every signing department approved the term's current version, and no admin edited it since.
    Otherwise a proposal of the term as it stands is worth making: it is how approvals are renewed."""
    if term.approval_id is None or term.needs_reapproval:
        return False
    approving = SignOff.objects.filter(
        proposal_id=term.approval_id, revision=F("proposal__revision"), decision=SignOff.Decision.APPROVE
    ).values("department_id")
    return not workflow.signing_departments().exclude(pk__in=approving).exists()


def _refuse_nothing(*, entry: Entry, term: Term | None, kind, revising: bool = False) -> None:
    """A change, a restore or a revision of one that would publish the term exactly as it stands
    (already signed off) is refused with a message; a deprecation always changes something."""
    if term is None or kind == Proposal.Kind.DEPRECATE or entry_changes_term(entry=entry, term=term):
        return
    if not _signed_off_as_it_stands(term):
        return
    if revising:
        message = (
            "With this revision the proposal would change nothing: the term already says exactly this. "
            "Change a field, or withdraw the proposal."
        )
    elif kind == Proposal.Kind.RESTORE:
        message = "This version says what the term says now: restoring it would change nothing."
    else:
        message = (
            "This changes nothing: the term already says exactly this, and every department has signed it "
            "off. Change a field first."
        )
    raise ValidationError({NON_FIELD_ERRORS: message})


def _check_replacement(replaced_by: Term | None, *, term: Term | None, kind) -> None:
    if replaced_by is None:
        return
    if kind != Proposal.Kind.DEPRECATE:
        raise ValidationError({"replaced_by": "Only a deprecation names a term to use instead."})
    if term is not None and replaced_by.pk == term.pk:
        raise ValidationError({"replaced_by": "A term cannot replace itself; name the term people should use."})
    if replaced_by.status == Term.Status.DEPRECATED:
        raise ValidationError({"replaced_by": f"“{replaced_by.name}” is deprecated too; name a term people can use."})


def _refuse_duplicate(*, author, entry: Entry, term: Term | None) -> None:
    """A second copy of an open proposal could never publish as well: say where the first one is.

    A new term can be proposed once at a time (the second would find its name taken); a change is
    refused when the same author already has exactly this change open (a double click, a stale tab).
    """
    open_proposals = Proposal.objects.filter(state__in=Proposal.OPEN_STATES)
    if term is None:
        key = text.name_key(entry.name)
        for pk, name in open_proposals.filter(term=None).values_list("pk", "name"):
            if text.name_key(name) == key:
                raise ValidationError(
                    {
                        "name": f"“{name}” is already proposed as a new term (proposal #{pk}); join its discussion instead."
                    }
                )
        return
    # An empty definition box is no definition, as in a stored proposal.
    entry = replace(entry, definitions={pk: body for pk, body in entry.definitions.items() if body.strip()})
    for proposal in open_proposals.filter(term=term, author=author).prefetch_related("related_terms", "definitions"):
        if Entry.from_proposal(proposal) == entry:
            raise ValidationError(
                {NON_FIELD_ERRORS: f"You already proposed exactly this (proposal #{proposal.pk}); it is still open."}
            )


@transaction.atomic
def proposal_create(
    *,
    author,
    reason: str,
    entry: Entry,
    term: Term | None = None,
    kind=None,
    imported: bool = False,
    related_names: list[str] = (),
    replaced_by: Term | None = None,
) -> Proposal:
    """Open a proposal: a new term (no `term`) or a new version of `term`.

    `imported` proposals come from a glossary admin's file import; they need every department's
    sign-off like any other. `related_names` are related terms that do not exist yet. A deprecation
    may name the term that `replaced_by` it, for people to use instead.
    """
    allowed = workflow.can_import(author) if imported else workflow.can_propose(author)
    if not allowed:
        raise PermissionDenied("Only members of a department with the contributor role can propose.")
    # One author's submissions one at a time, so a double click cannot slip two copies past the check.
    list(get_user_model().objects.select_for_update().filter(pk=author.pk).values_list("pk"))
    # Many published thesauri are labels and a hierarchy: their concepts come in needing a definition.
    _validate(entry=entry, reason=reason, term=term, undefined_allowed=imported and term is None)
    if kind is None:
        kind = Proposal.Kind.CHANGE if term else Proposal.Kind.NEW_TERM
    _check_replacement(replaced_by, term=term, kind=kind)
    if kind != Proposal.Kind.DEPRECATE:
        entry = replace(entry, status=Term.Status.APPROVED)
    if not imported:  # the import leaves out its unchanged rows itself, and says so in its report
        _refuse_nothing(entry=entry, term=term, kind=kind)
    _refuse_duplicate(author=author, entry=entry, term=term)
    proposal = Proposal(
        kind=kind,
        term=term,
        author=author,
        reason=reason.strip(),
        base_version=term.version if term else None,
        related_names="\n".join(related_names),
        replaced_by=replaced_by,
    )
    _write_content(proposal, entry, user=author, reason="Proposed")
    events.raise_event(events.ProposalOpened(proposal_id=proposal.pk))
    return proposal


@transaction.atomic
def proposal_update(*, proposal: Proposal, user, reason: str, entry: Entry, seen_revision: int) -> Proposal:
    """The author's edit: a new revision, so every sign-off given so far no longer counts."""
    proposal = proposal_for_update(proposal=proposal, user=user, action=Action.EDIT)
    if seen_revision != proposal.revision:
        raise WorkflowConflict("The proposal changed since you opened it.")
    # A new term still waiting for its definition may be revised without one; none may lose it.
    _validate(
        entry=entry,
        reason=reason,
        term=proposal.term,
        undefined_allowed=proposal.term is None and proposal.needs_definition,
    )
    if proposal.kind != Proposal.Kind.DEPRECATE:
        entry = replace(entry, status=Term.Status.APPROVED)
    _refuse_nothing(entry=entry, term=proposal.term, kind=proposal.kind, revising=True)
    proposal.reason = reason.strip()
    proposal.revision += 1
    proposal.state = workflow.next_state(Action.EDIT, proposal)
    _write_content(proposal, entry, user=user, reason=f"Revision {proposal.revision}")
    events.raise_event(events.ProposalRevised(proposal_id=proposal.pk, revision=proposal.revision))
    return proposal


@transaction.atomic
def proposal_withdraw(*, proposal: Proposal, user) -> Proposal:
    proposal = proposal_for_update(proposal=proposal, user=user, action=Action.WITHDRAW)
    proposal.state = workflow.next_state(Action.WITHDRAW, proposal)
    proposal.closed_at = timezone.now()
    save_with_history(proposal, user=user, reason="Withdrawn")
    events.raise_event(events.ProposalWithdrawn(proposal_id=proposal.pk))
    return proposal


@transaction.atomic
def proposal_comment(*, proposal: Proposal, user, body: str) -> Comment:
    proposal = proposal_for_update(proposal=proposal, user=user, action=Action.COMMENT)
    problem = workflow.comment_refusal(Action.COMMENT, body)
    if problem:
        raise ValidationError({"body": problem})
    comment = Comment(proposal=proposal, author=user, body=body.strip())
    comment.clean_fields()
    save_with_history(comment, user=user, reason="Comment")
    return comment


@transaction.atomic
def proposal_approve(*, proposal: Proposal, user, comment: str, seen_revision: int) -> Proposal:
    """Approve the revision for the user's department; the last department's approval publishes it."""
    proposal, sign_off = _sign_off(
        proposal=proposal,
        user=user,
        action=Action.APPROVE,
        comment=comment,
        seen_revision=seen_revision,
    )
    if not workflow.awaiting_departments(proposal):
        return _publish(proposal)
    return proposal


@transaction.atomic
def proposal_request_changes(*, proposal: Proposal, user, comment: str, seen_revision: int) -> Proposal:
    """Send the revision back to its author for the user's department, saying what needs to change."""
    proposal, sign_off = _sign_off(
        proposal=proposal,
        user=user,
        action=Action.REQUEST_CHANGES,
        comment=comment,
        seen_revision=seen_revision,
    )
    return proposal


@transaction.atomic
def proposal_reject(*, proposal: Proposal, user, comment: str, seen_revision: int) -> Proposal:
    """Reject the proposal for the user's department, saying why; the term stays as it is."""
    proposal, sign_off = _sign_off(
        proposal=proposal,
        user=user,
        action=Action.REJECT,
        comment=comment,
        seen_revision=seen_revision,
    )
    return proposal


def _sign_off(
    *, proposal: Proposal, user, action: Action, comment: str, seen_revision: int
) -> tuple[Proposal, SignOff]:
    """Record the user's department's decision on the revision they saw and move the proposal's state.

    Runs in the caller's transaction; the caller does what follows from the decision. Whether the
    decision needs a comment is the workflow's rule (`comment_refusal`), the same the page's form checks.
    """
    proposal = proposal_for_update(proposal=proposal, user=user, action=action)
    if seen_revision != proposal.revision:
        raise WorkflowConflict("The author changed the proposal since you opened it; review the new revision.")
    problem = workflow.comment_refusal(action, comment)
    if problem:
        raise ValidationError({"comment": problem})
    sign_off = SignOff(
        proposal=proposal,
        revision=proposal.revision,
        department=user.department,
        approver=user,
        decision=workflow.DECISIONS[action],
        comment=comment.strip(),
    )
    sign_off.clean_fields()
    try:
        with transaction.atomic():
            save_with_history(sign_off, user=user, reason=sign_off.get_decision_display())
    except IntegrityError:
        # Another approver of the same department got there first (the unique constraint decides).
        raise WorkflowConflict(f"{user.department} has already signed off this revision.") from None
    proposal.state = workflow.next_state(action, proposal)
    if not proposal.is_open:
        proposal.closed_at = timezone.now()
    save_with_history(proposal, user=user, reason=sign_off.get_decision_display())
    events.raise_event(
        events.ProposalDecided(proposal_id=proposal.pk, sign_off_id=sign_off.pk, decision=sign_off.decision)
    )
    return proposal, sign_off


def _existing_terms_named(names: str) -> list[Term]:
    keys = [text.name_key(name) for name in text.split_lines(names)]
    return list(Term.objects.filter(name_key__in=keys)) if keys else []


def _publish(proposal: Proposal) -> Proposal:
    """Write the proposal onto its term, inside the caller's transaction, or mark it out of date."""
    term = Term.objects.select_for_update().get(pk=proposal.term_id) if proposal.term_id else Term()
    if term.pk and term.version != proposal.base_version:
        proposal.state = State.OUT_OF_DATE
        save_with_history(proposal, user=None, reason="Out of date: the term changed after it was proposed")
        events.raise_event(events.ProposalOutOfDate(proposal_id=proposal.pk))
        return proposal

    entry = Entry.from_proposal(proposal)
    approvals = proposal.sign_offs.filter(revision=proposal.revision, decision=SignOff.Decision.APPROVE)
    signed = ", ".join(f"{s.approver} ({s.department})" for s in approvals.select_related("approver", "department"))
    # Every department defined before or after: one missing from the proposal loses its definition.
    department_ids = set(entry.definitions)
    if term.pk:
        department_ids |= set(term.definitions.values_list("department_id", flat=True))
    departments = Department.objects.in_bulk(department_ids)
    columns = entry.columns()
    if columns["review_by"] is not None and columns["review_by"] != term.review_by:
        base = term_version(term, proposal.base_version) if term.pk and proposal.base_version else None
        unchanged = [term.review_by, base.entry.review_by if base else None]
    else:
        unchanged = [term.review_by]
    columns["review_by"] = review.review_by_on_publish(
        proposed=columns["review_by"],
        unchanged=unchanged,
        department_ids=[pk for pk, body in entry.definitions.items() if body.strip()],
        today=timezone.localdate(),
    )
    term.approval = proposal
    term.needs_reapproval = False
    # Only a deprecated term points onward; a later change that brings it back clears the pointer.
    term.replaced_by = proposal.replaced_by if entry.status == Term.Status.DEPRECATED else None
    try:
        with transaction.atomic():
            term_save(
                term=term,
                user=proposal.author,
                reason=f"Proposal #{proposal.pk} by {proposal.author}, approved by {signed}: {proposal.reason}",
                fields=columns,
                definitions={d: entry.definitions.get(pk, "") for pk, d in departments.items()},
                tags=tags_from_names(entry.tags, user=proposal.author),
                related_terms=list(proposal.related_terms.all()) + _existing_terms_named(proposal.related_names),
            )
    except ValidationError as error:
        # Checked when proposed, so only a change since then gets here (another term took the name).
        return _send_back(proposal, " ".join(error.messages))
    except IntegrityError:
        return _send_back(proposal, "Another change took a name or tag this proposal uses at the same moment.")

    proposal.term = term
    proposal.state = State.PUBLISHED
    proposal.closed_at = timezone.now()
    save_with_history(proposal, user=proposal.author, reason="Published")
    # Proposals written against the version just replaced can no longer publish as they are.
    for other in (
        Proposal.objects.select_for_update()
        .filter(term=term, state__in=[State.IN_REVIEW, State.CHANGES_REQUESTED])
        .exclude(pk=proposal.pk)
    ):
        other.state = State.OUT_OF_DATE
        save_with_history(other, user=None, reason=f"Out of date: proposal #{proposal.pk} was published")
        events.raise_event(events.ProposalOutOfDate(proposal_id=other.pk))
    published = events.TermDeprecated if term.status == Term.Status.DEPRECATED else events.ProposalPublished
    events.raise_event(published(proposal_id=proposal.pk, term_id=term.pk))
    return proposal


def _send_back(proposal: Proposal, why: str) -> Proposal:
    """Publishing failed: the proposal goes back to its author with the reason, the term unchanged."""
    proposal.state = State.CHANGES_REQUESTED
    save_with_history(proposal, user=None, reason=f"Not published: {why}")
    note = f"Could not publish: {why} Edit the proposal and resubmit."
    save_with_history(Comment(proposal=proposal, author=proposal.author, body=note), user=None, reason="Note")
    return proposal


@transaction.atomic
def proposal_rebase(*, proposal: Proposal, user) -> Proposal:
    """Move an out-of-date proposal onto the term's current version and send it back to review.

    The author's own changes are kept; everything they did not touch takes the term's new content.
    """
    proposal = proposal_for_update(proposal=proposal, user=user, action=Action.REBASE)
    term = Term.objects.select_for_update().get(pk=proposal.term_id)
    base = term_version(term, proposal.base_version)
    current = Entry.from_term(term)
    merged = merge(base.entry if base else current, Entry.from_proposal(proposal), current)
    proposal.base_version = term.version
    proposal.revision += 1
    proposal.state = workflow.next_state(Action.REBASE, proposal)
    _write_content(proposal, merged, user=user, reason=f"Updated onto version {term.version}")
    events.raise_event(events.ProposalRevised(proposal_id=proposal.pk, revision=proposal.revision))
    return proposal
