"""The webhook tables get the webhooks app's names, rows and history kept; the models' content
types move with them (so the `manage_webhooks` permission, and every role and person holding it,
is the same row, now `webhooks.manage_webhooks`), and first tries still waiting on the webhooks
queue name the task where it now lives."""

from django.db import migrations

from accounts.roles import sync_role_groups

MODELS = ["webhookendpoint", "historicalwebhookendpoint", "webhookdelivery", "webhookattempt"]
TASK_PATHS = {"glossary.webhooks.tasks.deliver_webhook": "webhooks.tasks.deliver_webhook"}


def _move(apps, *, old_app: str, new_app: str, task_paths: dict[str, str]) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not ContentType.objects.filter(app_label=old_app, model=model).exists():
            continue
        # One made for the new app before this ran (a `migrate` stopped halfway) holds nothing of
        # the old one's: the old one, with its permission's holders, is kept.
        ContentType.objects.filter(app_label=new_app, model=model).delete()
        ContentType.objects.filter(app_label=old_app, model=model).update(app_label=new_app)
    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    for old_path, new_path in task_paths.items():
        DBTaskResult.objects.filter(task_path=old_path).update(task_path=new_path)


def forwards(apps, schema_editor):
    _move(apps, old_app="glossary", new_app="webhooks", task_paths=TASK_PATHS)
    # The roles name the permission by its new app (accounts.roles); the Glossary admin keeps it.
    sync_role_groups(apps)


def backwards(apps, schema_editor):
    _move(apps, old_app="webhooks", new_app="glossary", task_paths={new: old for old, new in TASK_PATHS.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0001_initial"),
        ("glossary", "0021_webhooks_move_to_their_app"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [
        migrations.AlterModelTable(name="webhookendpoint", table=None),
        migrations.AlterModelTable(name="historicalwebhookendpoint", table=None),
        migrations.AlterModelTable(name="webhookdelivery", table=None),
        migrations.AlterModelTable(name="webhookattempt", table=None),
        migrations.RenameIndex(
            model_name="webhookdelivery",
            new_name="webhooks_we_state_c48080_idx",
            old_name="glossary_we_state_fb7925_idx",
        ),
        migrations.RunPython(forwards, backwards),
    ]
