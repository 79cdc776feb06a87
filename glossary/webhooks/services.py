"""Writes of webhooks: endpoints (register, pause, resume, delete, re-key), events, deliveries.

Firing an event only stores one delivery per subscribed endpoint and queues its first try for the
task worker after commit. Sending happens in `webhook_delivery_attempt`, called by the worker's
task and by `webhook_deliveries_due` (`manage.py glossary_tick`) for retries.

Retries: after a failed try the delivery is due again after 30 s, 2 min, 10 min, 1 h, 3 h, then
every 6 h, the last try exactly 24 h after the first; then it is given up. An endpoint whose
every try failed for 24 hours in a row is paused (its events are kept, not sent; test events still
go) and every webhook admin is e-mailed; resuming it sends what waited.

A sender claims a delivery with one conditional UPDATE (due, still pending → due again only after
a lease), so two senders running at the same moment never send the same delivery twice.

Finished deliveries (delivered or given up) are removed with their attempts by the tick once their
last try is GLOSSARY_KEEP_WEBHOOK_DELIVERIES_DAYS old; waiting ones are kept however old.
"""

from datetime import datetime, timedelta
from functools import partial
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mass_mail
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from glossary.models import ReviewDueAnnouncement, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from glossary.selectors.review import terms_due_for_review
from glossary.webhooks import delivery, events, formats, signing
from glossary.webhooks.addresses import host_problem
from glossary.webhooks.events import absolute
from glossary.webhooks.selectors import endpoints_subscribed, webhook_admins

State = WebhookDelivery.State

RETRY_DELAYS = [
    timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10), timedelta(hours=1), timedelta(hours=3),
    timedelta(hours=6),
]
RETRY_WINDOW = timedelta(hours=24)
# An endpoint failing for this long without one success is paused.
PAUSE_AFTER = timedelta(hours=24)
# A claimed delivery is due again after this, should its sender die before recording the try.
CLAIM_LEASE = timedelta(minutes=5)
URL_LIMIT = 2000
# Old deliveries are removed this many at a time, each batch its own short transaction.
PRUNE_BATCH = 500


def webhook_url_problem(url: str) -> str | None:
    """Why `url` cannot be an endpoint, in words for the form, or None."""
    url = url.strip()
    if not url:
        return "Give the address the events are posted to."
    if len(url) > URL_LIMIT:
        return f"An address has at most {URL_LIMIT} characters."
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        return "Enter a full web address starting with https://, e.g. https://hooks.example.com/glossary."
    if url.lower().startswith("http://") and not (settings.DEBUG or settings.GLOSSARY_WEBHOOKS_ALLOW_HTTP):
        return "Use an https:// address: events are only sent encrypted."
    return host_problem(urlsplit(url).hostname or "")


def _clean(*, url: str, events_wanted: list[str], endpoint_format: str) -> dict:
    errors = {}
    problem = webhook_url_problem(url)
    if problem:
        errors["url"] = problem
    unknown = [kind for kind in events_wanted if kind not in events.SUBSCRIBABLE]
    if not events_wanted or unknown:
        errors["events"] = "Choose at least one of the listed events."
    if endpoint_format not in WebhookEndpoint.Format.values:
        errors["format"] = "Choose one of the listed formats."
    if errors:
        raise ValidationError(errors)
    return {"url": url.strip(), "events": [kind for kind in events.SUBSCRIBABLE if kind in events_wanted]}


@transaction.atomic
def webhook_endpoint_register(*, user, url: str, events_wanted: list[str], endpoint_format: str):
    """A new endpoint and its secret: the secret is returned to show once."""
    cleaned = _clean(url=url, events_wanted=events_wanted, endpoint_format=endpoint_format)
    secret = signing.new_secret()
    endpoint = WebhookEndpoint(
        url=cleaned["url"], events=cleaned["events"], format=endpoint_format, secret=secret, created_by=user
    )
    endpoint.full_clean()
    endpoint._history_user = user
    endpoint.save()
    return endpoint, secret


def _save(endpoint: WebhookEndpoint, *, user, reason: str, fields: list[str]) -> WebhookEndpoint:
    endpoint._history_user = user
    endpoint._change_reason = reason
    endpoint.save(update_fields=fields)
    return endpoint


@transaction.atomic
def webhook_endpoint_pause(*, endpoint: WebhookEndpoint, user, reason: str = "Paused by an admin") -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    if endpoint.is_paused:
        return endpoint
    endpoint.paused_at = timezone.now()
    endpoint.paused_reason = reason[:300]
    return _save(endpoint, user=user, reason=reason[:100], fields=["paused_at", "paused_reason"])


@transaction.atomic
def webhook_endpoint_resume(*, endpoint: WebhookEndpoint, user) -> WebhookEndpoint:
    """Deliveries again; what waited while paused is due at once (and gets the rest of its 24 h)."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    endpoint.paused_at = None
    endpoint.paused_reason = ""
    endpoint.failing_since = None
    return _save(endpoint, user=user, reason="Resumed", fields=["paused_at", "paused_reason", "failing_since"])


@transaction.atomic
def webhook_endpoint_delete(*, endpoint: WebhookEndpoint, user) -> None:
    endpoint._history_user = user
    endpoint.delete()


@transaction.atomic
def webhook_secret_regenerate(*, endpoint: WebhookEndpoint, user) -> str:
    """A new secret, returned to show once; the old one signs nothing from now on."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    endpoint.secret = signing.new_secret()
    _save(endpoint, user=user, reason="New secret", fields=["secret"])
    return endpoint.secret


@transaction.atomic
def webhook_event_fire(*, kind: str, data: dict, endpoints=None, now: datetime | None = None) -> list[WebhookDelivery]:
    """Store a delivery of event `kind` for each subscribed endpoint (or the given ones) and queue
    each first try for after commit. Anyone may call it: it never touches the network."""
    now = now or timezone.now()
    targets = list(endpoints if endpoints is not None else endpoints_subscribed(kind))
    envelope = {"type": kind, "timestamp": now.isoformat(), "data": data}
    deliveries = WebhookDelivery.objects.bulk_create([
        WebhookDelivery(
            endpoint=endpoint, message_id=WebhookDelivery.new_message_id(), event=kind, payload=envelope,
            next_attempt_at=now,
        )
        for endpoint in targets
    ])
    # bulk_create fills in primary keys on PostgreSQL and SQLite alike.
    for created in deliveries:
        transaction.on_commit(partial(_enqueue, created.pk))
    return deliveries


def _enqueue(delivery_id: int) -> None:
    from glossary.webhooks.tasks import deliver_webhook

    deliver_webhook.enqueue(delivery_id)


def webhook_test_send(*, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """A `webhook.test` delivery for this endpoint alone, paused or not, queued like any other."""
    return webhook_event_fire(kind=events.TEST, data=events.test_data(), endpoints=[endpoint])[0]


def _waits_for_resume(delivery_id: int) -> bool:
    # A paused endpoint's deliveries wait; its test events go anyway, so an admin can check it.
    return WebhookDelivery.objects.filter(
        pk=delivery_id, endpoint__paused_at__isnull=False, event__in=list(events.SUBSCRIBABLE)
    ).exists()


def _claim(delivery_id: int, now: datetime) -> bool:
    """Take the delivery if it is still due. One UPDATE on the delivery's own row and nothing
    joined: PostgreSQL then re-checks the condition on the row another sender just changed, so
    of two senders at once exactly one gets it."""
    if _waits_for_resume(delivery_id):
        return False
    due = WebhookDelivery.objects.filter(pk=delivery_id, state=State.PENDING, next_attempt_at__lte=now)
    return due.update(next_attempt_at=now + CLAIM_LEASE) == 1


def webhook_delivery_attempt(*, delivery_id: int, now: datetime) -> WebhookAttempt | None:
    """Try the delivery once if it is due and nobody else is trying it; record what happened."""
    if not _claim(delivery_id, now):
        return None
    delivery_row = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery_row is None:
        return None  # its endpoint was deleted meanwhile
    endpoint = delivery_row.endpoint
    try:
        body = formats.body(endpoint.format, delivery_row.payload)
    except (KeyError, TypeError, AttributeError) as problem:
        # A payload some caller shaped wrongly fails like an unreachable receiver, not the whole tick.
        outcome = delivery.Outcome(error=f"The message could not be made from the event: {problem!r}")
    else:
        headers = signing.signed_headers(
            secret=endpoint.secret, message_id=delivery_row.message_id, timestamp=int(now.timestamp()), body=body
        )
        outcome = delivery.post(endpoint.url, body=body, headers=headers)
    return _record(delivery_row, outcome, now=now)


@transaction.atomic
def _record(delivery_row: WebhookDelivery, outcome: delivery.Outcome, *, now: datetime) -> WebhookAttempt | None:
    if not WebhookDelivery.objects.select_for_update().filter(pk=delivery_row.pk).exists():
        return None  # deleted with its endpoint while it was being sent
    attempt = WebhookAttempt.objects.create(
        delivery=delivery_row,
        attempted_at=now,
        status_code=outcome.status_code,
        succeeded=outcome.succeeded,
        error=outcome.error or ("" if outcome.succeeded else f"The receiver answered {outcome.status_code}."),
        response_excerpt=outcome.excerpt,
        response_bytes=outcome.bytes_read,
        response_truncated=outcome.truncated,
        duration_ms=outcome.duration_ms,
    )
    first = delivery_row.first_attempt_at or now
    delivery_row.first_attempt_at = first
    delivery_row.attempt_count += 1
    delivery_row.last_status_code = outcome.status_code
    if outcome.succeeded:
        delivery_row.state = State.SUCCEEDED
        delivery_row.next_attempt_at = None
    else:
        delivery_row.next_attempt_at = next_attempt_at(attempt_count=delivery_row.attempt_count, first=first, now=now)
        if delivery_row.next_attempt_at is None:
            delivery_row.state = State.FAILED
    delivery_row.save(update_fields=["first_attempt_at", "attempt_count", "last_status_code", "state", "next_attempt_at"])
    if delivery_row.event != events.TEST:
        _endpoint_after_attempt(delivery_row.endpoint_id, succeeded=outcome.succeeded, now=now)
    return attempt


def next_attempt_at(*, attempt_count: int, first: datetime, now: datetime) -> datetime | None:
    """When to try again after `attempt_count` failed tries, or None once 24 h since the first are over."""
    give_up_at = first + RETRY_WINDOW
    if now >= give_up_at:
        return None
    delay = RETRY_DELAYS[min(attempt_count, len(RETRY_DELAYS)) - 1]
    return min(now + delay, give_up_at)


def _endpoint_after_attempt(endpoint_id: int, *, succeeded: bool, now: datetime) -> None:
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint_id)
    # Bookkeeping, not a change anybody made: written without a version in the history.
    if succeeded:
        if endpoint.failing_since is not None:
            WebhookEndpoint.objects.filter(pk=endpoint_id).update(failing_since=None)
        return
    if endpoint.failing_since is None:
        endpoint.failing_since = now
        WebhookEndpoint.objects.filter(pk=endpoint_id).update(failing_since=now)
    if endpoint.is_paused or now - endpoint.failing_since < PAUSE_AFTER:
        return
    hours = int(PAUSE_AFTER.total_seconds() // 3600)
    endpoint.paused_at = now
    endpoint.paused_reason = f"Paused automatically: every delivery failed for {hours} hours."
    _save(endpoint, user=None, reason="Paused after failing", fields=["paused_at", "paused_reason"])
    transaction.on_commit(partial(_tell_admins_paused, endpoint.pk))


def _tell_admins_paused(endpoint_id: int) -> int:
    endpoint = WebhookEndpoint.objects.get(pk=endpoint_id)
    addresses = sorted({user.email for user in webhook_admins() if user.email})
    if not addresses:
        return 0
    body = (
        f"The webhook endpoint {endpoint.url} was paused: {endpoint.paused_reason}\n\n"
        f"Events for it are kept, not sent. Check the receiver, then resume it:\n"
        f"{absolute(endpoint.get_absolute_url())}\n"
    )
    subject = "[Common Ground] A webhook endpoint was paused"
    return send_mass_mail([(subject, body, settings.DEFAULT_FROM_EMAIL, [a]) for a in addresses], fail_silently=False)


def webhook_deliveries_due(now: datetime) -> int:
    """Try every delivery due at `now` once; returns how many were tried.

    Safe to run twice at once or twice in a row: each delivery is claimed before it is sent."""
    due = (
        WebhookDelivery.objects.filter(state=State.PENDING, next_attempt_at__lte=now)
        .exclude(endpoint__paused_at__isnull=False, event__in=list(events.SUBSCRIBABLE))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)
    )
    tried = 0
    for pk in list(due):
        # Each try is stamped with the time it is made: a long run must not date its last tries early.
        if webhook_delivery_attempt(delivery_id=pk, now=max(now, timezone.now())) is not None:
            tried += 1
    return tried


def webhook_review_due_announce(*, now: datetime) -> int:
    """Tell webhooks of each term whose review date has come within the warning days or passed, once
    per term and date (`ReviewDueAnnouncement`); returns how many terms were announced."""
    announced = 0
    for term in terms_due_for_review(today=timezone.localdate(now)).only("pk", "review_by"):
        try:
            with transaction.atomic():
                ReviewDueAnnouncement.objects.create(term=term, review_by=term.review_by, announced_at=now)
        except IntegrityError:  # announced by an earlier tick, or by one running beside this
            continue
        events.term_review_due(term.pk, term.review_by)
        announced += 1
    return announced


def webhook_deliveries_prune(*, now: datetime, batch_size: int = PRUNE_BATCH) -> int:
    """Remove the delivered and given-up deliveries, with their attempts, whose last try was more
    than GLOSSARY_KEEP_WEBHOOK_DELIVERIES_DAYS before `now` (none if it is 0); returns how many.

    Pending ones stay however old: retrying, or waiting for a paused endpoint to resume. A finished
    delivery is never sent again and no event is fired from one, so removing it sends nothing anew;
    `ReviewDueAnnouncement`, which keeps review-due events from firing twice, is left alone."""
    days = settings.GLOSSARY_KEEP_WEBHOOK_DELIVERIES_DAYS
    if days <= 0:
        return 0
    cutoff = now - timedelta(days=days)
    # Aged by the last try, not by when the event happened: one that waited weeks for a paused
    # endpoint and was delivered yesterday is still shown on the endpoint's page.
    tried_since = WebhookAttempt.objects.filter(delivery=OuterRef("pk"), attempted_at__gte=cutoff)
    # A finished delivery never becomes pending again, so a row that matches here still matches when deleted.
    old = WebhookDelivery.objects.filter(state__in=[State.SUCCEEDED, State.FAILED], created_at__lt=cutoff).exclude(
        Exists(tried_since)
    )
    removed = 0
    while True:
        ids = list(old.order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            return removed
        with transaction.atomic():
            removed += old.filter(pk__in=ids).delete()[1].get(WebhookDelivery._meta.label, 0)
