import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from glossary.services.tick import glossary_tick


class Command(BaseCommand):
    help = (
        "Send what is due: daily digests, approvers' reminders, review-date warnings. Safe to run "
        "often and twice at once (nothing is sent twice); `make run` runs it every five minutes."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--now", help="Act as at this moment (ISO 8601, e.g. 2026-03-10T07:05+00:00) instead of the clock; for tests and catching up."
        )

    def handle(self, *args, now=None, **options):
        moment = None
        if now:
            try:
                moment = datetime.datetime.fromisoformat(now)
            except ValueError:
                raise CommandError(f"--now {now!r} is not a moment: write it as 2026-03-10T07:05+00:00.") from None
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
        for name, count in glossary_tick(now=moment).items():
            self.stdout.write(f"{name}: {count}")
