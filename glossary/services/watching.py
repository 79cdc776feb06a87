"""Writes of watching: watch and unwatch, record what watchers should hear, mail it once.

Recording happens inside the transaction of the change itself (a proposal opened, a publish):
`watch_notices_record` hears the workflow's events in transaction (glossary.events), so a change
that rolls back tells nobody and one that commits loses no notice. Immediate notices are mailed by
the task worker on the mail queue once the change commits (glossary.mail.tasks), daily ones and
any immediate one whose mail failed by `glossary_tick` (glossary.services.tick). Every send first
*claims* its notices with one UPDATE of unclaimed rows, so two processes never mail the same one.
Sent notices are kept GLOSSARY_KEEP_NOTICES_DAYS for the admin, then removed by the tick.
"""

import datetime
import logging
import secrets
from collections import defaultdict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import User
from glossary import events, workflow
from glossary.mail import watching as watch_mail
from glossary.models import ApproverReminder, Proposal, Tag, Term, Watch, WatchNotice
from glossary.models.terms import ReviewStatus
from glossary.selectors.departments import approvers_of
from glossary.selectors.review import terms_due_for_review
from glossary.selectors.watching import unsubscribe_link_watches, watchers_of

logger = logging.getLogger(__name__)

Kind = WatchNotice.Kind
Delivery = Watch.Delivery
# A claim older than this belongs to a process that died before sending; its notices are taken again.
CLAIM_TIMEOUT = datetime.timedelta(minutes=15)
# Old notices are removed this many at a time, each batch its own short transaction.
PRUNE_BATCH = 500
REVIEW_WARNINGS = (Kind.REVIEW_DUE, Kind.REVIEW_OVERDUE)


# --- watching -----------------------------------------------------------------------------------


@transaction.atomic
def watch_set(*, user, delivery: str, term: Term | None = None, tag: Tag | None = None) -> Watch:
    """Watch the term, the tag, or (with neither) the whole glossary, or change how an existing watch
    delivers. Anyone signed in may watch anything they can read."""
    if not user.is_authenticated:
        raise ValidationError("Log in to watch.")
    if delivery not in Delivery.values:
        choices = " or ".join(f"“{label}”" for label in Delivery.labels)
        raise ValidationError({"delivery": f"Choose how to hear about changes: {choices}."})
    if term is not None and tag is not None:
        raise ValidationError("A watch is of a term or of a tag, not both.")
    target = Watch.Target.TERM if term else Watch.Target.TAG if tag else Watch.Target.GLOSSARY
    # One person's watches one change at a time, so a double click makes one watch, not an error.
    list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk"))
    watch, _ = Watch.objects.get_or_create(
        user=user, target=target, term=term, tag=tag, defaults={"delivery": delivery}
    )
    if watch.delivery != delivery:
        watch.delivery = delivery
        watch.save(update_fields=["delivery"])
    return watch


def watch_remove(*, user, watch_id: int) -> Watch:
    """Stop one of the user's own watches; Watch.DoesNotExist for anyone else's."""
    watch = Watch.objects.select_related("term", "tag").get(pk=watch_id, user=user)
    watch.delete()
    return watch


@transaction.atomic
def unsubscribe(*, token: str) -> list[Watch]:
    """Remove the watches a mail's signed unsubscribe link names; no login needed, the signature is
    the proof. Raises BadUnsubscribeLink for a link this site did not make."""
    watches = unsubscribe_link_watches(token)
    Watch.objects.filter(pk__in=[w.pk for w in watches]).delete()
    return watches


# --- recording what watchers hear ----------------------------------------------------------------


def one_line(text: str, limit: int) -> str:
    """A reason as a headline: one line (it becomes a mail's subject, where a line break is refused), cut at `limit`."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _record(
    *, kind, event_key: str, headline: str, link: str, term_id, tag_ids, proposal=None, now, skip_user_id=None
) -> None:
    watchers = watchers_of(term_id=term_id, tag_ids=tag_ids)
    notices = [
        WatchNotice(
            user_id=user_id,
            watch=watch,
            kind=kind,
            event_key=event_key,
            term_id=term_id,
            proposal=proposal,
            headline=one_line(headline, 400),
            link=link,
            delivery=watch.delivery,
            created_at=now,
        )
        for user_id, watch in watchers.items()
        if user_id != skip_user_id
    ]
    # A change already recorded for someone (a retried publish, a second tick) is not recorded twice.
    WatchNotice.objects.bulk_create(notices, ignore_conflicts=True)


def _tag_ids_of_proposal(proposal: Proposal) -> list[int]:
    return list(Tag.objects.filter(name__in=proposal.tag_list).values_list("pk", flat=True))


def _proposal_watchers_tags(proposal: Proposal) -> set[int]:
    """The tags whose watchers hear of a proposal: those it gives the term, and the term's own."""
    tag_ids = set(_tag_ids_of_proposal(proposal))
    if proposal.term_id:
        tag_ids |= set(proposal.term.tags.values_list("pk", flat=True))
    return tag_ids


def _proposal_subject(proposal: Proposal) -> str:
    if proposal.term_id is None:
        return f"a new term “{proposal.name}”"
    return f"{proposal.get_kind_display().lower()} of “{proposal.name}”"


def notice_key(event: events.Event) -> str:
    """The change an event's notices are recorded under (`WatchNotice.event_key`), for `send_immediate`."""
    match event:
        case events.ProposalOpened(proposal_id=pk):
            return f"proposed:{pk}"
        case events.ProposalRevised(proposal_id=pk, revision=revision):
            return f"revised:{pk}:{revision}"
        case events.ProposalPublished(proposal_id=pk):
            return f"published:{pk}"
        case events.TermDeprecated(proposal_id=pk):
            return f"deprecated:{pk}"
    raise ValueError(f"Watchers hear of no {type(event).__name__}.")


def watch_notices_record(event: events.Event) -> str:
    """The subscriber, in the change's transaction: record what watchers hear of a proposal opened or
    revised, or of a term published or deprecated. Returns the change's key."""
    proposal = Proposal.objects.select_related("author", "term").get(pk=event.proposal_id)
    now = timezone.now()
    if isinstance(event, events.ProposalOpened):
        return record_proposal_opened(proposal, now=now)
    if isinstance(event, events.ProposalRevised):
        return record_proposal_revised(proposal, now=now)
    return record_published(proposal, now=now)


def record_proposal_opened(proposal: Proposal, *, now: datetime.datetime) -> str:
    """Watchers of the term (or, for a new term, of its tags) and of the glossary hear of a new
    proposal; its author does not. Returns the change's key for `send_immediate`."""
    key = notice_key(events.ProposalOpened(proposal_id=proposal.pk))
    _record(
        kind=Kind.PROPOSED,
        event_key=key,
        headline=f"{proposal.author} proposed {_proposal_subject(proposal)}: {proposal.reason}",
        link=proposal.get_absolute_url(),
        term_id=proposal.term_id,
        tag_ids=_proposal_watchers_tags(proposal),
        proposal=proposal,
        now=now,
        skip_user_id=proposal.author_id,
    )
    return key


def record_proposal_revised(proposal: Proposal, *, now: datetime.datetime) -> str:
    """The same watchers hear of each new revision: what they may have read, commented on or signed
    off has changed, and every sign-off so far no longer counts."""
    key = notice_key(events.ProposalRevised(proposal_id=proposal.pk, revision=proposal.revision))
    _record(
        kind=Kind.REVISED,
        event_key=key,
        headline=f"The proposal for “{proposal.name}” changed (revision {proposal.revision}), its sign-offs start again: {proposal.reason}",
        link=proposal.get_absolute_url(),
        term_id=proposal.term_id,
        tag_ids=_proposal_watchers_tags(proposal),
        proposal=proposal,
        now=now,
        skip_user_id=proposal.author_id,
    )
    return key


def record_published(proposal: Proposal, *, now: datetime.datetime) -> str:
    """Watchers hear that the proposal is now the term's official entry, or that the term is deprecated."""
    term = proposal.term
    deprecated = term.status == Term.Status.DEPRECATED
    published = events.TermDeprecated if deprecated else events.ProposalPublished
    key = notice_key(published(proposal_id=proposal.pk, term_id=term.pk))
    if deprecated:
        instead = f"; use “{term.replaced_by}” instead" if term.replaced_by_id else ""
        headline = f"“{term.name}” is deprecated{instead}"
    else:
        headline = f"“{term.name}” {'is a new term' if proposal.kind == Proposal.Kind.NEW_TERM else 'changed'}: {proposal.reason}"
    _record(
        kind=Kind.DEPRECATED if deprecated else Kind.PUBLISHED,
        event_key=key,
        headline=headline,
        link=term.get_absolute_url(),
        term_id=term.pk,
        tag_ids=term.tags.values_list("pk", flat=True),
        proposal=proposal,
        now=now,
    )
    return key


def review_warning_key(kind: str, term_id: int, review_by: datetime.date) -> str:
    """The change a review warning tells of: this kind of warning for this term and review date."""
    return f"{kind}:{term_id}:{review_by.isoformat()}"


def record_review_warnings(*, today: datetime.date, now: datetime.datetime) -> int:
    """Watchers of a term whose review date comes within the warning days, or has passed, hear of it:
    once when it becomes due, once when it becomes overdue, and again only for a new review date."""
    if not Watch.objects.exists():
        return 0
    warnings = WatchNotice.objects.filter(kind__in=[Kind.REVIEW_DUE, Kind.REVIEW_OVERDUE])
    before = warnings.count()
    for term in terms_due_for_review(today=today).prefetch_related("tags"):
        status = term.review_status(today)
        if status == ReviewStatus.OVERDUE:
            kind, headline = (
                Kind.REVIEW_OVERDUE,
                f"“{term.name}” is overdue for review (review by {term.review_by:%-d %B %Y})",
            )
        else:
            kind, headline = Kind.REVIEW_DUE, f"“{term.name}” is due for review by {term.review_by:%-d %B %Y}"
        _record(
            kind=kind,
            event_key=review_warning_key(kind, term.pk, term.review_by),
            headline=headline,
            link=term.get_absolute_url(),
            term_id=term.pk,
            tag_ids=[t.pk for t in term.tags.all()],
            now=now,
        )
    return warnings.count() - before


# --- sending ---------------------------------------------------------------------------------------


def _claim(pending: QuerySet[WatchNotice], *, now: datetime.datetime) -> list[WatchNotice]:
    """Take the pending notices for this process: one UPDATE sets a claim only on rows nobody holds,
    so of two processes each notice goes to exactly one (on PostgreSQL the second re-reads the row
    after the first commits, and finds it taken)."""
    claim = secrets.token_hex(16)
    unclaimed = Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_TIMEOUT)
    ids = list(pending.filter(unclaimed, sent_at__isnull=True).values_list("pk", flat=True))
    if not ids:
        return []
    WatchNotice.objects.filter(unclaimed, pk__in=ids, sent_at__isnull=True).update(claimed_at=now, claim=claim)
    return list(
        WatchNotice.objects.filter(claim=claim, sent_at__isnull=True).select_related(
            "user", "watch__term", "watch__tag"
        )
    )


def _deliver(batches: list[tuple[list[WatchNotice], object]], *, now: datetime.datetime) -> int:
    """Send each mail and mark its notices sent; a mail that fails is released for the next tick."""
    sent = 0
    connection = get_connection()
    try:
        connection.open()
    except Exception:  # the mail server is away: everything waits for the next tick
        logger.exception("Could not reach the mail server for watch e-mails")
        connection = None
    for notices, message in batches:
        ids = [n.pk for n in notices]
        try:
            if connection is None:
                raise ConnectionError("no mail server")
            connection.send_messages([message])
        except Exception:  # one failing mail must not stop the others, nor the change that caused it
            if connection is not None:
                logger.exception("Could not send a watch e-mail to user %s", notices[0].user_id)
            WatchNotice.objects.filter(pk__in=ids).update(claimed_at=None, claim="")
            continue
        WatchNotice.objects.filter(pk__in=ids).update(sent_at=now)
        sent += 1
    if connection is not None:
        connection.close()
    return sent


def send_immediate(*, now: datetime.datetime, event_key: str | None = None) -> int:
    """Mail each pending immediate notice (of one change, or all); returns the number of mails."""
    pending = WatchNotice.objects.filter(delivery=Delivery.IMMEDIATE)
    if event_key is not None:
        pending = pending.filter(event_key=event_key)
    return _deliver([([n], watch_mail.notice_message(n)) for n in _claim(pending, now=now)], now=now)


def digest_moment(now: datetime.datetime) -> datetime.datetime:
    """The latest GLOSSARY_DIGEST_HOUR o'clock (local time) at or before `now`: a digest holds what
    happened before it, so a second tick the same day finds nothing left to send."""
    local = timezone.localtime(now)
    moment = local.replace(hour=settings.GLOSSARY_DIGEST_HOUR, minute=0, second=0, microsecond=0)
    return moment if moment <= local else moment - datetime.timedelta(days=1)


def send_digests(*, now: datetime.datetime) -> int:
    """One mail per person with the daily notices recorded before the latest digest hour; each
    notice is in exactly one digest. Returns the number of mails."""
    pending = WatchNotice.objects.filter(delivery=Delivery.DAILY, created_at__lt=digest_moment(now))
    by_user: dict[int, list[WatchNotice]] = defaultdict(list)
    for notice in _claim(pending, now=now):
        by_user[notice.user_id].append(notice)
    batches = []
    for notices in by_user.values():
        notices.sort(key=lambda n: (n.created_at, n.pk))
        batches.append((notices, watch_mail.digest_message(notices[0].user, notices)))
    return _deliver(batches, now=now)


# --- approvers' reminders -----------------------------------------------------------------------


def _revision_started(proposal: Proposal) -> datetime.datetime:
    first = (
        proposal.history.filter(revision=proposal.revision)
        .order_by("history_date")
        .values_list("history_date", flat=True)
        .first()
    )
    return first or proposal.created_at


def send_approver_reminders(*, now: datetime.datetime) -> int:
    """Remind a department's approvers of each proposal revision that has waited on them for
    GLOSSARY_REMINDER_DAYS, and again after each further as many days. The reminder's row is
    written before the mail (its unique key is the claim), so no period is reminded twice."""
    days = settings.GLOSSARY_REMINDER_DAYS
    if days <= 0:
        return 0
    sent = 0
    for proposal in Proposal.objects.filter(state=Proposal.State.IN_REVIEW).select_related("author"):
        waited = now - _revision_started(proposal)
        period = waited // datetime.timedelta(days=days)
        if period < 1:
            continue
        for department in workflow.awaiting_departments(proposal):
            try:
                with transaction.atomic():
                    reminder = ApproverReminder.objects.create(
                        proposal=proposal,
                        revision=proposal.revision,
                        department=department,
                        period=period,
                        created_at=now,
                    )
            except IntegrityError:
                continue  # reminded already for this period (by this tick's twin or an earlier one)
            recipients = [u for u in approvers_of([department]) if u.pk != proposal.author_id and u.email]
            messages = [watch_mail.reminder_message(proposal, department, waited.days, u.email) for u in recipients]
            try:
                with get_connection() as connection:
                    connection.send_messages(messages)
            except Exception:
                logger.exception("Could not send the reminder for proposal %s", proposal.pk)
                reminder.delete()  # tried again at the next tick
                continue
            reminder.recipients = len(messages)
            reminder.save(update_fields=["recipients"])
            sent += len(messages)
    return sent


# --- keeping the table small ------------------------------------------------------------------------


def _could_be_recorded_again(kind: str, event_key: str, term_id: int | None, review_by: datetime.date | None) -> bool:
    """Whether a notice's change could be recorded again were the notice gone. A proposal is opened
    once, reaches each revision once (the number only grows) and is published once, so its keys
    never come back; a review warning is recorded at every tick while
    its term has that review date (only the existing notice stops it), so it stays while the date does."""
    return (
        kind in REVIEW_WARNINGS and review_by is not None and event_key == review_warning_key(kind, term_id, review_by)
    )


def watch_notices_prune(*, now: datetime.datetime, batch_size: int = PRUNE_BATCH) -> int:
    """Remove the notices mailed more than GLOSSARY_KEEP_NOTICES_DAYS before `now` (none if it is 0);
    returns how many. Unsent ones stay, claimed or not: they are still to be mailed (none is stuck
    for good: a later tick mails it, or it goes with its watch). A review warning stays while its
    term keeps that review date, so nobody is warned of it twice."""
    days = settings.GLOSSARY_KEEP_NOTICES_DAYS
    if days <= 0:
        return 0
    # sent_at only ever goes from empty to set, so a row that matches here still matches when deleted.
    old = WatchNotice.objects.filter(sent_at__lt=now - datetime.timedelta(days=days))
    removed, after = 0, 0
    while True:
        rows = list(
            old.filter(pk__gt=after)
            .order_by("pk")
            .values_list("pk", "kind", "event_key", "term_id", "term__review_by")[:batch_size]
        )
        if not rows:
            return removed
        after = rows[-1][0]
        ids = [pk for pk, *change in rows if not _could_be_recorded_again(*change)]
        with transaction.atomic():
            removed += old.filter(pk__in=ids).delete()[0]
