import datetime
import logging
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils import timezone

from glossary.services.tick import glossary_tick

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Send what is due (daily digests, approvers' reminders, review-date warnings, webhook retries) "
        "and remove old sent notices and finished webhook deliveries. Safe to run "
        "often and in two places at once (nothing is sent twice). Production runs it from cron or a "
        "systemd timer; `make run` runs it with --every 300."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--now",
            help="Act as at this moment (ISO 8601, e.g. 2026-03-10T07:05+00:00) instead of the clock; for tests and catching up.",
        )
        parser.add_argument(
            "--every",
            type=int,
            metavar="SECONDS",
            help="Keep running, once every so many seconds, until stopped (development: `make run`).",
        )

    def handle(self, *args, now=None, every=None, **options):
        moment = self.moment(now)
        if every is None:
            self.report(glossary_tick(now=moment), quiet=False)
            return
        if every < 1 or moment is not None:
            raise CommandError("--every takes a number of seconds of at least 1, and no --now.")
        while True:
            close_old_connections()
            try:
                self.report(glossary_tick(), quiet=True)
            except Exception:  # a failing run (the mail server away) must not end the loop
                logger.exception("glossary_tick failed; trying again in %s seconds", every)
            time.sleep(every)

    def moment(self, now: str | None) -> datetime.datetime | None:
        if not now:
            return None
        try:
            moment = datetime.datetime.fromisoformat(now)
        except ValueError:
            raise CommandError(f"--now {now!r} is not a moment: write it as 2026-03-10T07:05+00:00.") from None
        return timezone.make_aware(moment) if timezone.is_naive(moment) else moment

    def report(self, done: dict[str, int], *, quiet: bool) -> None:
        for name, count in done.items():
            if count or not quiet:
                self.stdout.write(f"{name}: {count}")
