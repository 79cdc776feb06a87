"""Webhooks become an app of their own, and take over the tables the glossary app made for them
(glossary 0015): only Django's record of which app holds the models moves here, not a row. The
tables keep their names until 0002 renames them, once the glossary no longer claims them (glossary
0021)."""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("glossary", "0019_review_due_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="WebhookDelivery",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("message_id", models.CharField(editable=False, max_length=40, unique=True)),
                        ("event", models.CharField(max_length=40)),
                        ("payload", models.JSONField()),
                        (
                            "state",
                            models.CharField(
                                choices=[
                                    ("pending", "Waiting to be sent"),
                                    ("succeeded", "Delivered"),
                                    ("failed", "Gave up"),
                                ],
                                default="pending",
                                max_length=10,
                            ),
                        ),
                        ("attempt_count", models.PositiveIntegerField(default=0)),
                        ("next_attempt_at", models.DateTimeField(blank=True, null=True)),
                        ("first_attempt_at", models.DateTimeField(blank=True, null=True)),
                        ("last_status_code", models.PositiveIntegerField(blank=True, null=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        "db_table": "glossary_webhookdelivery",
                        "ordering": ["-created_at", "-pk"],
                    },
                ),
                migrations.CreateModel(
                    name="HistoricalWebhookEndpoint",
                    fields=[
                        ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                        ("url", models.URLField(max_length=2000, verbose_name="URL")),
                        ("events", models.JSONField(default=list)),
                        (
                            "format",
                            models.CharField(
                                choices=[
                                    ("standard", "Standard Webhooks JSON"),
                                    ("slack", "Slack incoming webhook"),
                                    ("teams", "Microsoft Teams incoming webhook (Workflows)"),
                                ],
                                default="standard",
                                max_length=10,
                            ),
                        ),
                        ("created_at", models.DateTimeField(blank=True, editable=False)),
                        ("paused_at", models.DateTimeField(blank=True, null=True)),
                        ("paused_reason", models.CharField(blank=True, max_length=300)),
                        ("failing_since", models.DateTimeField(blank=True, null=True)),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        ("history_change_reason", models.TextField(null=True)),
                        (
                            "history_type",
                            models.CharField(
                                choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                            ),
                        ),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "history_user",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "glossary_historicalwebhookendpoint",
                        "verbose_name": "historical webhook endpoint",
                        "verbose_name_plural": "historical webhook endpoints",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="WebhookAttempt",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("attempted_at", models.DateTimeField()),
                        ("status_code", models.PositiveIntegerField(blank=True, null=True)),
                        ("succeeded", models.BooleanField(default=False)),
                        ("error", models.CharField(blank=True, max_length=300)),
                        ("response_excerpt", models.CharField(blank=True, max_length=500)),
                        ("response_bytes", models.PositiveIntegerField(default=0)),
                        ("response_truncated", models.BooleanField(default=False)),
                        ("duration_ms", models.PositiveIntegerField(default=0)),
                        (
                            "delivery",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="attempts",
                                to="webhooks.webhookdelivery",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "glossary_webhookattempt",
                        "ordering": ["-attempted_at", "-pk"],
                    },
                ),
                migrations.CreateModel(
                    name="WebhookEndpoint",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("url", models.URLField(max_length=2000, verbose_name="URL")),
                        ("events", models.JSONField(default=list)),
                        (
                            "format",
                            models.CharField(
                                choices=[
                                    ("standard", "Standard Webhooks JSON"),
                                    ("slack", "Slack incoming webhook"),
                                    ("teams", "Microsoft Teams incoming webhook (Workflows)"),
                                ],
                                default="standard",
                                max_length=10,
                            ),
                        ),
                        ("secret", models.CharField(editable=False, max_length=100)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("paused_at", models.DateTimeField(blank=True, null=True)),
                        ("paused_reason", models.CharField(blank=True, max_length=300)),
                        ("failing_since", models.DateTimeField(blank=True, null=True)),
                        (
                            "created_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "glossary_webhookendpoint",
                        "ordering": ["-created_at", "-pk"],
                        "permissions": [("manage_webhooks", "Can register, pause and delete webhooks")],
                    },
                ),
                migrations.AddField(
                    model_name="webhookdelivery",
                    name="endpoint",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="deliveries",
                        to="webhooks.webhookendpoint",
                    ),
                ),
                migrations.AddIndex(
                    model_name="webhookdelivery",
                    index=models.Index(fields=["state", "next_attempt_at"], name="glossary_we_state_fb7925_idx"),
                ),
            ],
        ),
    ]
