"""Exports and webhook deliveries still waiting on the one queue of earlier releases move onto their
own queues, where this release's workers look for them (a task left on "default" would wait for ever)."""

from django.db import migrations

MOVES = {
    "glossary.exports.tasks.build_pdf_export": "exports",
    "glossary.webhooks.tasks.deliver_webhook": "webhooks",
}


def move_waiting_tasks(apps, schema_editor):
    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    for task_path, queue_name in MOVES.items():
        DBTaskResult.objects.filter(task_path=task_path, queue_name="default", status="READY").update(
            queue_name=queue_name
        )


class Migration(migrations.Migration):
    dependencies = [
        ("glossary", "0017_watch_notice_revised"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [
        migrations.RunPython(move_waiting_tasks, migrations.RunPython.noop),
    ]
