"""Upgrading a database whose webhooks the glossary app held (up to glossary 0019) into the webhooks
app: every endpoint, version, delivery and attempt is kept, and so is who may manage webhooks.

The test database is migrated back to before the move, filled through the models as they were
then, and migrated forward again, as `manage.py migrate` does on an upgrade.
"""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts import roles
from accounts.models import User
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from webhooks.services import webhook_endpoint_register

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BEFORE_THE_MOVE = [("glossary", "0019_review_due_index"), ("webhooks", None)]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    if targets:  # the models as they were then
        return executor.loader.project_state([(app, name) for app, name in targets if name]).apps
    return None


@pytest.fixture
def at_the_release_before():
    """The database as the release before the move left it; migrated forward to the end afterwards,
    whatever the test did."""
    try:
        yield migrate(BEFORE_THE_MOVE)
    finally:
        migrate(None)


@pytest.mark.slow
def test_an_upgrade_keeps_every_endpoint_version_delivery_attempt_and_the_permission_to_manage_them(
    at_the_release_before,
):
    old = at_the_release_before
    Endpoint, Delivery, Attempt = (
        old.get_model("glossary", name) for name in ("WebhookEndpoint", "WebhookDelivery", "WebhookAttempt")
    )
    Permission = old.get_model("auth", "Permission")
    owner = old.get_model("accounts", "User").objects.create(username="olga", email="olga@example.com")
    owner.user_permissions.add(Permission.objects.get(content_type__app_label="glossary", codename="manage_webhooks"))
    endpoint = Endpoint.objects.create(
        url="https://hooks.example.com/in",
        events=["term.published"],
        format="slack",
        secret="whsec_c2VjcmV0",
        created_by=owner,
    )
    old.get_model("glossary", "HistoricalWebhookEndpoint").objects.create(
        id=endpoint.pk,
        url=endpoint.url,
        events=endpoint.events,
        format=endpoint.format,
        created_at=endpoint.created_at,
        history_date=endpoint.created_at,
        history_type="+",
        history_user=owner,
        created_by=owner,
    )
    delivery = Delivery.objects.create(
        endpoint=endpoint,
        message_id="msg_kept",
        event="term.published",
        payload={"type": "term.published"},
        state="failed",
        attempt_count=1,
        last_status_code=500,
    )
    attempt = Attempt.objects.create(
        delivery=delivery, attempted_at=delivery.created_at, status_code=500, error="Boom."
    )

    migrate(None)

    kept = WebhookEndpoint.objects.get(pk=endpoint.pk)
    assert (kept.url, kept.events, kept.format, kept.secret, kept.created_by.username) == (
        "https://hooks.example.com/in",
        ["term.published"],
        "slack",
        "whsec_c2VjcmV0",
        "olga",
    )
    assert [(v.history_type, v.history_user.username) for v in kept.history.all()] == [("+", "olga")]
    [kept_delivery] = kept.deliveries.all()
    assert (kept_delivery.pk, kept_delivery.message_id, kept_delivery.state) == (delivery.pk, "msg_kept", "failed")
    assert list(kept_delivery.attempts.values_list("pk", "status_code", "error")) == [(attempt.pk, 500, "Boom.")]
    # The permission is the same row under its new app: who held it still does, the admin role too.
    assert User.objects.get(username="olga").has_perm(roles.MANAGE_WEBHOOKS)
    assert (
        Group.objects.get(name=roles.GLOSSARY_ADMIN)
        .permissions.filter(content_type__app_label="webhooks", codename="manage_webhooks")
        .exists()
    )
    # The tables are the webhooks app's now, and new rows follow the old ones.
    tables = connection.introspection.table_names()
    assert not [t for t in tables if t.startswith("glossary_") and "webhook" in t]
    assert {WebhookEndpoint._meta.db_table, WebhookDelivery._meta.db_table, WebhookAttempt._meta.db_table} <= set(
        tables
    )
    new, _ = webhook_endpoint_register(
        user=kept.created_by,
        url="https://hooks.example.com/new",
        events_wanted=["term.published"],
        endpoint_format="standard",
    )
    assert new.pk > endpoint.pk
