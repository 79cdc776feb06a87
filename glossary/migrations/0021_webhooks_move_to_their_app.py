"""The webhook models now belong to the webhooks app (webhooks 0001 took them over): the glossary
forgets them without touching their tables or rows."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("glossary", "0020_scope_note"),
        ("webhooks", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveField(model_name="webhookattempt", name="delivery"),
                migrations.RemoveField(model_name="webhookdelivery", name="endpoint"),
                migrations.RemoveField(model_name="webhookendpoint", name="created_by"),
                migrations.DeleteModel(name="HistoricalWebhookEndpoint"),
                migrations.DeleteModel(name="WebhookAttempt"),
                migrations.DeleteModel(name="WebhookDelivery"),
                migrations.DeleteModel(name="WebhookEndpoint"),
            ],
        ),
    ]
