"""The task worker's records of finished tasks, removed when old (`manage.py glossary_tick`).

Every workflow change queues its e-mails as tasks and every export and webhook delivery is one, so
the table of results grows with use; a finished result is kept a while for the admin's *Task
results* page (a failed one holds its traceback), then removed.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django_tasks_db.models import DBTaskResult

PRUNE_BATCH = 500


def task_results_prune(*, now: datetime.datetime, batch_size: int = PRUNE_BATCH) -> int:
    """Remove the tasks that finished (succeeded or failed) more than GLOSSARY_KEEP_TASK_RESULTS_DAYS
    before `now` (none if it is 0); returns how many. Tasks waiting or running always stay."""
    days = settings.GLOSSARY_KEEP_TASK_RESULTS_DAYS
    if days <= 0:
        return 0
    # A finished task never runs again, so a row that matches here still matches when deleted.
    old = DBTaskResult.objects.finished().filter(finished_at__lt=now - datetime.timedelta(days=days))
    removed = 0
    while True:
        ids = list(old.order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            return removed
        with transaction.atomic():
            removed += DBTaskResult.objects.filter(pk__in=ids).delete()[0]
