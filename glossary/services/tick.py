"""`manage.py glossary_tick`: everything the glossary does on a clock, in one idempotent run.

Each job takes the moment to act as (`now`) and sends only what no earlier run sent: notices are
claimed row by row and marked sent, reminders are unique per proposal revision, department and
period. Running the tick twice in a minute, or in two processes at once, sends nothing twice.
It also removes what is no longer worth keeping: notices, webhook deliveries and the task worker's
results that are done and old.

Another app's jobs (webhooks': retries and old deliveries) are added by its AppConfig.ready()
with `tick_jobs_add`, so the glossary names none of them.
"""

import datetime
from collections.abc import Callable

from django.utils import timezone

from glossary.services import review, watching
from glossary.services.task_results import task_results_prune

Job = tuple[str, Callable[[datetime.datetime], int]]


def _review_warnings(now: datetime.datetime) -> int:
    return watching.record_review_warnings(today=timezone.localdate(now), now=now)


# The jobs in the order they run: review warnings are recorded before the sends that mail them, and
# old records are removed last, after this run's sends have marked what they sent.
TICK_JOBS: list[Job] = [
    ("review-date warnings recorded", _review_warnings),
    ("immediate watch e-mails sent", lambda now: watching.send_immediate(now=now)),
    ("daily digests sent", lambda now: watching.send_digests(now=now)),
    ("approver reminders sent", lambda now: watching.send_approver_reminders(now=now)),
    ("review-due events raised", lambda now: review.review_due_announce(now=now)),
]
REMOVAL_JOBS: list[Job] = [
    ("old watch notices removed", lambda now: watching.watch_notices_prune(now=now)),
    ("old task results removed", lambda now: task_results_prune(now=now)),
]


def tick_jobs_add(*, sends: list[Job] = (), removals: list[Job] = ()) -> None:
    """Run these jobs too: `sends` after the glossary's own, `removals` after every send."""
    for jobs, added in ((TICK_JOBS, sends), (REMOVAL_JOBS, removals)):
        named = {name for name, _ in jobs}
        jobs.extend(job for job in added if job[0] not in named)


def glossary_tick(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Run every job once as of `now` (default: the clock); returns what each did, by name."""
    now = now or timezone.now()
    return {name: job(now) for name, job in [*TICK_JOBS, *REMOVAL_JOBS]}
