"""Webhooks in the Django admin: to look up what was sent where, never to change it.

Registering, pausing and deleting an endpoint happen on the webhooks pages, which check the
address, show the secret once and record the reason; the admin only reads. The secret is
never shown here.
"""

from django.contrib import admin
from django.utils.html import format_html

from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


class ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["url", "format", "is_paused", "created_at", "failing_since", "page"]
    list_filter = ["format"]
    search_fields = ["url"]
    exclude = ["secret"]

    @admin.display(boolean=True, description="paused")
    def is_paused(self, endpoint):
        return endpoint.is_paused

    @admin.display(description="webhooks page")
    def page(self, endpoint):
        return format_html('<a href="{}">manage</a>', endpoint.get_absolute_url())


class WebhookAttemptInline(ReadOnly, admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    fields = ["attempted_at", "status_code", "succeeded", "error", "duration_ms", "response_bytes"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["message_id", "event", "endpoint", "state", "attempt_count", "created_at"]
    list_filter = ["state", "event"]
    search_fields = ["message_id", "endpoint__url"]
    list_select_related = ["endpoint"]
    inlines = [WebhookAttemptInline]
