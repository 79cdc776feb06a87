"""Reads for the webhook pages and senders."""

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q, QuerySet

from accounts import roles
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

RECENT_DELIVERIES = 50


def can_manage_webhooks(user) -> bool:
    return bool(user.is_authenticated and user.has_perm(roles.MANAGE_WEBHOOKS))


def endpoints_subscribed(kind: str) -> QuerySet[WebhookEndpoint]:
    """Endpoints that want `kind`, paused or not: a paused one keeps its events until resumed."""
    # `events` is a short JSON list of names; its text holds each name in quotes (SQLite and PostgreSQL).
    return WebhookEndpoint.objects.filter(events__icontains=f'"{kind}"')


def webhook_endpoint_list() -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.annotate(
        pending_count=Count("deliveries", filter=Q(deliveries__state=WebhookDelivery.State.PENDING)),
        failed_count=Count("deliveries", filter=Q(deliveries__state=WebhookDelivery.State.FAILED)),
    )


def webhook_recent_deliveries(endpoint: WebhookEndpoint, *, limit: int = RECENT_DELIVERIES) -> list[WebhookDelivery]:
    """The endpoint's latest deliveries, newest first, each with its attempts (newest first)."""
    attempts = Prefetch("attempts", queryset=WebhookAttempt.objects.order_by("-attempted_at", "-pk"))
    return list(endpoint.deliveries.order_by("-created_at", "-pk").prefetch_related(attempts)[:limit])


def webhook_admins():
    """Active users who may manage webhooks (directly, through a role, or as superusers)."""
    app_label, codename = roles.MANAGE_WEBHOOKS.split(".")
    holds = (
        Q(groups__permissions__codename=codename, groups__permissions__content_type__app_label=app_label)
        | Q(user_permissions__codename=codename, user_permissions__content_type__app_label=app_label)
        | Q(is_superuser=True)
    )
    return get_user_model().objects.filter(holds, is_active=True).distinct()
