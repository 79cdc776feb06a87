"""Shared by the webhook tests."""

import pytest

from tests.webhooks.receivers import ALL_EVENTS
from webhooks.models import WebhookEndpoint
from webhooks.services import webhook_endpoint_register


@pytest.fixture
def register(admin_user, settings):
    """Registers endpoints as an admin; plain http is allowed, for the receivers on 127.0.0.1."""
    settings.GLOSSARY_WEBHOOKS_ALLOW_HTTP = True

    def make(url, *, wanted=ALL_EVENTS, endpoint_format=WebhookEndpoint.Format.STANDARD):
        return webhook_endpoint_register(
            user=admin_user, url=url, events_wanted=wanted, endpoint_format=endpoint_format
        )

    return make
