"""Sending webhooks: one try of a delivery, the retries, and pausing an endpoint that keeps failing.

`webhook_delivery_attempt` is called by the task worker (webhooks.tasks, the first try) and by
`webhook_deliveries_due` (`manage.py glossary_tick`, the retries).

Retries: after a failed try the delivery is due again after 30 s, 2 min, 10 min, 1 h, 3 h, then
every 6 h, the last try exactly 24 h after the first; then it is given up. An endpoint whose
every try failed for 24 hours in a row is paused (its events are kept, not sent; test events still
go) and every webhook admin is e-mailed; resuming it sends what waited.

A sender claims a delivery with one conditional UPDATE (due, still pending → due again only after
a lease), so two senders running at the same moment never send the same delivery twice.
"""

from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone

from webhooks import delivery, formats, payloads, signing
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from webhooks.selectors import webhook_admins

State = WebhookDelivery.State

RETRY_DELAYS = [
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(hours=1),
    timedelta(hours=3),
    timedelta(hours=6),
]
RETRY_WINDOW = timedelta(hours=24)
# An endpoint failing for this long without one success is paused.
PAUSE_AFTER = timedelta(hours=24)
# A claimed delivery is due again after this, should its sender die before recording the try.
CLAIM_LEASE = timedelta(minutes=5)


def _waits_for_resume(delivery_id: int) -> bool:
    # A paused endpoint's deliveries wait; its test events go anyway, so an admin can check it.
    return WebhookDelivery.objects.filter(
        pk=delivery_id, endpoint__paused_at__isnull=False, event__in=list(payloads.SUBSCRIBABLE)
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
    delivery_row.save(
        update_fields=["first_attempt_at", "attempt_count", "last_status_code", "state", "next_attempt_at"]
    )
    if delivery_row.event != payloads.TEST:
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
    endpoint._history_user = None
    endpoint._change_reason = "Paused after failing"
    endpoint.save(update_fields=["paused_at", "paused_reason"])
    transaction.on_commit(partial(_tell_admins_paused, endpoint.pk))


def _tell_admins_paused(endpoint_id: int) -> int:
    endpoint = WebhookEndpoint.objects.get(pk=endpoint_id)
    addresses = sorted({user.email for user in webhook_admins() if user.email})
    if not addresses:
        return 0
    body = (
        f"The webhook endpoint {endpoint.url} was paused: {endpoint.paused_reason}\n\n"
        f"Events for it are kept, not sent. Check the receiver, then resume it:\n"
        f"{payloads.absolute(endpoint.get_absolute_url())}\n"
    )
    subject = "[Common Ground] A webhook endpoint was paused"
    return send_mass_mail([(subject, body, settings.DEFAULT_FROM_EMAIL, [a]) for a in addresses], fail_silently=False)


def webhook_deliveries_due(now: datetime) -> int:
    """Try every delivery due at `now` once; returns how many were tried.

    Safe to run twice at once or twice in a row: each delivery is claimed before it is sent."""
    due = (
        WebhookDelivery.objects.filter(state=State.PENDING, next_attempt_at__lte=now)
        .exclude(endpoint__paused_at__isnull=False, event__in=list(payloads.SUBSCRIBABLE))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)
    )
    tried = 0
    for pk in list(due):
        # Each try is stamped with the time it is made: a long run must not date its last tries early.
        if webhook_delivery_attempt(delivery_id=pk, now=max(now, timezone.now())) is not None:
            tried += 1
    return tried
