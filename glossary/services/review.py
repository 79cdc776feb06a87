"""Review dates: when a term is due for a fresh look, and an approver's word that it is still right.

A term's review period is the shortest `review_months` among the departments that define it, or
GLOSSARY_REVIEW_MONTHS when none of them set one: the department that wants the closest look
decides, so a term never waits longer than any of its departments asked. Publishing sets the date
to the publish date plus that period, unless the proposal chose a date of its own; confirming it
moves the date to the confirmation day plus the period, without a new version of the content.
"""

import calendar
import datetime
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Department
from glossary import events, workflow
from glossary.models import ReviewConfirmation, ReviewDueAnnouncement, Term
from glossary.models.terms import ReviewStatus
from glossary.selectors.review import terms_due_for_review


def add_months(day: datetime.date, months: int) -> datetime.date:
    """`day` so many calendar months later; the 31st becomes the month's last day when it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def review_months_for(department_ids: Iterable[int]) -> int:
    """The review period of a term these departments define: the shortest they set, else the glossary's."""
    periods = Department.objects.filter(pk__in=list(department_ids), review_months__isnull=False).values_list(
        "review_months", flat=True
    )
    return min(periods, default=settings.GLOSSARY_REVIEW_MONTHS)


def term_review_months(term: Term) -> int:
    return review_months_for(term.definitions.values_list("department_id", flat=True))


def latest_review_by(today: datetime.date) -> datetime.date:
    return add_months(today, 12 * settings.GLOSSARY_REVIEW_MAX_YEARS)


def review_date_problem(value, *, current: datetime.date | None, today: datetime.date) -> str | None:
    """Why a proposed review date cannot be taken, or None. A date left as the term has it is fine,
    even once it has passed: the proposal is about something else."""
    if value is None or value == current:
        return None
    if not isinstance(value, datetime.date):
        return f"“{str(value)[:40]}” is not a date: write it as YYYY-MM-DD, for example {today.replace(day=1).isoformat()}."
    if value < today:
        return f"The review date cannot be in the past (today is {today.isoformat()})."
    latest = latest_review_by(today)
    if value > latest:
        return f"At most {settings.GLOSSARY_REVIEW_MAX_YEARS} years ahead: choose {latest.isoformat()} or earlier."
    return None


def review_by_on_publish(
    *,
    proposed: datetime.date | None,
    unchanged: Iterable[datetime.date | None],
    department_ids: Iterable[int],
    today: datetime.date,
) -> datetime.date:
    """The review date a term gets when a proposal is published on `today`.

    The proposal's date is kept if its author chose one: a date that is none of the `unchanged`
    ones (the term's dates when the proposal was written and now) and has not passed. Otherwise
    the publish date plus the review period of the departments that define the term.
    """
    if proposed is not None and proposed >= today and proposed not in set(unchanged):
        return proposed
    return add_months(today, review_months_for(department_ids))


@transaction.atomic
def term_confirm_review(*, term: Term, user, today: datetime.date | None = None) -> ReviewConfirmation:
    """The user's department confirms the term still says what it means: recorded, with who and
    when, in the term's history, and its review date moved to `today` plus its review period.

    Only for a term that is due (overdue or due within the warning days); the term's content and
    version stay as they are.
    """
    term = Term.objects.select_for_update().get(pk=term.pk)
    refusal = workflow.review_confirm_refusal(term, user)
    if refusal:
        raise PermissionDenied(refusal)
    now = timezone.now()
    today = today or timezone.localdate(now)
    if term.review_status(today) not in (ReviewStatus.OVERDUE, ReviewStatus.DUE_SOON):
        raise ValidationError(
            f"“{term.name}” is not due for review yet"
            + (f" (review by {term.review_by.isoformat()})" if term.review_by else "")
            + f"; it can be confirmed from {settings.GLOSSARY_REVIEW_WARNING_DAYS} days before its review date."
        )
    confirmation = ReviewConfirmation(
        term=term,
        department=user.department,
        confirmed_by=user,
        confirmed_at=now,
        previous_review_by=term.review_by,
        review_by=add_months(today, term_review_months(term)),
    )
    confirmation.full_clean()
    confirmation._history_user = user
    confirmation._change_reason = f"Review confirmed by {user} ({user.department})"
    confirmation.save()
    # The date moves without a version: nothing a reader sees of the content changed, and the
    # confirmation's own row is what the history shows.
    term.review_by = confirmation.review_by
    term.skip_history_when_saving = True
    try:
        term.save(update_fields=["review_by"])
    finally:
        del term.skip_history_when_saving
    return confirmation


def review_due_announce(*, now: datetime.datetime) -> int:
    """Raise `TermReviewDue` for each term whose review date has come within the warning days or
    passed, once per term and date (`ReviewDueAnnouncement`, written with the event, so a tick
    running beside this one announces nothing twice); returns how many terms were announced."""
    announced = 0
    for term in terms_due_for_review(today=timezone.localdate(now)).only("pk", "review_by"):
        try:
            with transaction.atomic():
                ReviewDueAnnouncement.objects.create(term=term, review_by=term.review_by, announced_at=now)
                events.raise_event(events.TermReviewDue(term_id=term.pk, review_by=term.review_by))
        except IntegrityError:  # announced by an earlier tick, or by one running beside this
            continue
        announced += 1
    return announced
