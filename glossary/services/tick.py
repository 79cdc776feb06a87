"""`manage.py glossary_tick`: everything the glossary does on a clock, in one idempotent run.

Each job takes the moment to act as (`now`) and sends only what no earlier run sent: notices are
claimed row by row and marked sent, reminders are unique per proposal revision, department and
period. Running the tick twice in a minute, or in two processes at once, sends nothing twice.
It also removes what is no longer worth keeping: notices and webhook deliveries that are done and old.
"""

import datetime
from collections.abc import Callable

from django.utils import timezone

from glossary.services import watching
from glossary.webhooks.services import webhook_deliveries_due, webhook_deliveries_prune, webhook_review_due_announce


def _review_warnings(now: datetime.datetime) -> int:
    return watching.record_review_warnings(today=timezone.localdate(now), now=now)


# The jobs in the order they run: review warnings are recorded before the sends that mail them, and
# old records are removed last, after this run's sends have marked what they sent.
TICK_JOBS: list[tuple[str, Callable[[datetime.datetime], int]]] = [
    ("review-date warnings recorded", _review_warnings),
    ("immediate watch e-mails sent", lambda now: watching.send_immediate(now=now)),
    ("daily digests sent", lambda now: watching.send_digests(now=now)),
    ("approver reminders sent", lambda now: watching.send_approver_reminders(now=now)),
    ("webhook review-due events fired", lambda now: webhook_review_due_announce(now=now)),
    ("webhook deliveries tried", webhook_deliveries_due),
    ("old watch notices removed", lambda now: watching.watch_notices_prune(now=now)),
    ("old webhook deliveries removed", lambda now: webhook_deliveries_prune(now=now)),
]


def glossary_tick(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Run every job once as of `now` (default: the clock); returns what each did, by name."""
    now = now or timezone.now()
    return {name: job(now) for name, job in TICK_JOBS}
