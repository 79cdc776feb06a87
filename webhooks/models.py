"""Webhooks: addresses outside Common Ground that hear about the workflow's events.

An endpoint is registered by a glossary admin; each event it subscribed to becomes one delivery,
tried (and retried) by the task worker and `manage.py glossary_tick`, never inside a web request.
Every try is kept as an attempt, for the endpoint's page.
"""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords


class WebhookEndpoint(models.Model):
    class Format(models.TextChoices):
        STANDARD = "standard", "Standard Webhooks JSON"
        SLACK = "slack", "Slack incoming webhook"
        TEAMS = "teams", "Microsoft Teams incoming webhook (Workflows)"

    url = models.URLField("URL", max_length=2000)
    # The event kinds (webhooks.payloads) this endpoint hears about.
    events = models.JSONField(default=list)
    format = models.CharField(max_length=10, choices=Format.choices, default=Format.STANDARD)
    # "whsec_" and the base64 of the signing key. Kept to sign with; shown to the admin once.
    secret = models.CharField(max_length=100, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Paused endpoints get no deliveries: set by an admin or when every try failed for a day.
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_reason = models.CharField(max_length=300, blank=True)
    # When its current run of failed attempts began; cleared by any success.
    failing_since = models.DateTimeField(null=True, blank=True)

    # The secret stays out of the history: old versions must not hand out old keys.
    history = HistoricalRecords(excluded_fields=["secret"])

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [("manage_webhooks", "Can register, pause and delete webhooks")]

    def __str__(self):
        return self.url

    def get_absolute_url(self):
        return reverse("webhooks:detail", kwargs={"pk": self.pk})

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None


class WebhookDelivery(models.Model):
    """One event for one endpoint: the same message, with the same `webhook-id`, on every try."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SUCCEEDED = "succeeded", "Delivered"
        FAILED = "failed", "Gave up"

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    message_id = models.CharField(max_length=40, unique=True, editable=False)
    event = models.CharField(max_length=40)
    payload = models.JSONField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempt_count = models.PositiveIntegerField(default=0)
    # When it is next due; a sender claims it by moving this on (webhooks.sending).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    first_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self):
        return f"{self.event} to {self.endpoint_id} ({self.get_state_display()})"

    @staticmethod
    def new_message_id() -> str:
        return f"msg_{uuid.uuid4().hex}"


class WebhookAttempt(models.Model):
    """One HTTP request of a delivery, and what came back."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempts")
    attempted_at = models.DateTimeField()
    status_code = models.PositiveIntegerField(null=True, blank=True)
    succeeded = models.BooleanField(default=False)
    # Why it failed, in words (a timeout, a refused connection, a redirect), or empty.
    error = models.CharField(max_length=300, blank=True)
    # The start of what the receiver answered, and how much of it was read (capped).
    response_excerpt = models.CharField(max_length=500, blank=True)
    response_bytes = models.PositiveIntegerField(default=0)
    response_truncated = models.BooleanField(default=False)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-attempted_at", "-pk"]

    def __str__(self):
        return f"Attempt at {self.attempted_at:%Y-%m-%d %H:%M:%S}: {self.status_code or self.error}"
