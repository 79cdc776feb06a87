from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.identity import oidc_identity_link
from accounts.models import User


class Command(BaseCommand):
    help = (
        "Link an existing account to a person at the identity provider (their `sub`), so that "
        "their log-in through the provider uses this account instead of creating a new one."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "subject", help="The person's `sub` at the provider (Entra ID: their object ID's `sub` in the ID token)."
        )
        parser.add_argument("--issuer", default="", help="Default: OIDC_ISSUER.")

    def handle(self, *args, username, subject, issuer, **options):
        issuer = (issuer or settings.OIDC_ISSUER).rstrip("/")
        if not issuer:
            raise CommandError("No issuer: set OIDC_ISSUER or pass --issuer.")
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        try:
            oidc_identity_link(user=user, issuer=issuer, subject=subject)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(f"{username} is now {subject} at {issuer}.")
