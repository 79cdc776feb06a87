"""The exports and imports live in glossary.interchange (formerly glossary.exports), the mail queue's
tasks in glossary.mail.tasks (formerly glossary.mail_tasks): a PDF export or mail still waiting for
the worker names its task where it now lives, or the worker could not find it."""

from django.db import migrations

MAIL_TASK_NAMES = [
    "mail_proposal_waiting",
    "mail_proposal_decided",
    "mail_proposal_published",
    "mail_proposal_out_of_date",
    "mail_watch_notices",
]
TASK_PATHS = {
    "glossary.exports.tasks.build_pdf_export": "glossary.interchange.tasks.build_pdf_export",
    **{f"glossary.mail_tasks.{name}": f"glossary.mail.tasks.{name}" for name in MAIL_TASK_NAMES},
}


def _rename(apps, task_paths: dict[str, str]) -> None:
    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    for old_path, new_path in task_paths.items():
        DBTaskResult.objects.filter(task_path=old_path).update(task_path=new_path)


def forwards(apps, schema_editor):
    _rename(apps, TASK_PATHS)


def backwards(apps, schema_editor):
    _rename(apps, {new: old for old, new in TASK_PATHS.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("glossary", "0021_webhooks_move_to_their_app"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
