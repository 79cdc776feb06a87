"""Writes of webhooks: endpoints (register, pause, resume, delete, re-key), events, old deliveries.

Firing an event only stores one delivery per subscribed endpoint and queues its first try for the
task worker after commit (webhooks.tasks); sending, retrying and pausing a failing endpoint are
webhooks.sending.

Finished deliveries (delivered or given up) are removed with their attempts by the tick once their
last try is GLOSSARY_KEEP_WEBHOOK_DELIVERIES_DAYS old; waiting ones are kept however old.
"""

from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from webhooks import payloads, signing
from webhooks.addresses import NOT_A_WEB_ADDRESS, WebhookUrlRefused, host_problem, webhook_url_parse
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from webhooks.selectors import endpoints_subscribed
from webhooks.tasks import deliver_webhook

State = WebhookDelivery.State

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
        # Django's validator judges the spelling only (a host name's labels, say); scheme, host and
        # port are taken from the one parse the delivery makes too.
        URLValidator(schemes=["http", "https"])(url)
        address = webhook_url_parse(url)
    except ValidationError:
        return NOT_A_WEB_ADDRESS
    except WebhookUrlRefused as refusal:
        return str(refusal)
    if address.scheme == "http" and not (settings.DEBUG or settings.GLOSSARY_WEBHOOKS_ALLOW_HTTP):
        return "Use an https:// address: events are only sent encrypted."
    return host_problem(address.host)


def _clean(*, url: str, events_wanted: list[str], endpoint_format: str) -> dict:
    errors = {}
    problem = webhook_url_problem(url)
    if problem:
        errors["url"] = problem
    unknown = [kind for kind in events_wanted if kind not in payloads.SUBSCRIBABLE]
    if not events_wanted or unknown:
        errors["events"] = "Choose at least one of the listed events."
    if endpoint_format not in WebhookEndpoint.Format.values:
        errors["format"] = "Choose one of the listed formats."
    if errors:
        raise ValidationError(errors)
    return {"url": url.strip(), "events": [kind for kind in payloads.SUBSCRIBABLE if kind in events_wanted]}


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
    deliveries = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                endpoint=endpoint,
                message_id=WebhookDelivery.new_message_id(),
                event=kind,
                payload=envelope,
                next_attempt_at=now,
            )
            for endpoint in targets
        ]
    )
    # bulk_create fills in primary keys on PostgreSQL and SQLite alike.
    for created in deliveries:
        transaction.on_commit(partial(deliver_webhook.enqueue, created.pk))
    return deliveries


def webhook_test_send(*, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """A `webhook.test` delivery for this endpoint alone, paused or not, queued like any other."""
    return webhook_event_fire(kind=payloads.TEST, data=payloads.test_data(), endpoints=[endpoint])[0]


def webhook_deliveries_prune(*, now: datetime, batch_size: int = PRUNE_BATCH) -> int:
    """Remove the delivered and given-up deliveries, with their attempts, whose last try was more
    than GLOSSARY_KEEP_WEBHOOK_DELIVERIES_DAYS before `now` (none if it is 0); returns how many.

    Pending ones stay however old: retrying, or waiting for a paused endpoint to resume. A finished
    delivery is never sent again and no event is fired from one, so removing it sends nothing anew
    (the glossary's `ReviewDueAnnouncement` keeps review-due events from being raised twice)."""
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
