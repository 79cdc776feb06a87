from django.core.management.base import BaseCommand

from accounts.demo import DEMO_PASSWORD, create_demo_users
from glossary.demo import load_demo_glossary


class Command(BaseCommand):
    help = "Create the demo accounts and, if the glossary is empty, the demo glossary. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--address", default="127.0.0.1:8000", help="Where the site is served, for the log-in link."
        )

    def handle(self, *args, **options):
        accounts = create_demo_users()
        new_accounts = sum(1 for _, created in accounts if created)
        published, still_open = load_demo_glossary()
        self.stdout.write(f"Demo accounts: {new_accounts} created, {len(accounts) - new_accounts} already there.")
        if published:
            self.stdout.write(
                f"Demo glossary: {published} terms proposed and signed off by both departments; "
                f"{still_open} proposals still open."
            )
        else:
            self.stdout.write("Demo glossary: the glossary already has terms; nothing loaded.")
        self.stdout.write(
            f"\nLog in at http://{options['address']}/accounts/login/ (password for all: {DEMO_PASSWORD})"
        )
        for user, _ in accounts:
            role = ", ".join(user.groups.values_list("name", flat=True))
            department = f" ({user.department})" if user.department else ""
            self.stdout.write(f"  {user.username:<8} {user.get_full_name():<16} {role}{department}")
