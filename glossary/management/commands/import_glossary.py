from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Department, User
from glossary.interchange.imports import glossary_import
from glossary.interchange.options import ImportOptions


class Command(BaseCommand):
    help = "Propose every new or changed term in a CSV, JSON or SKOS (.ttl, .rdf, .jsonld) file for sign-off. All or nothing."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--user", required=True, help="the glossary admin the proposals are from")
        parser.add_argument("--dry-run", action="store_true", help="only check the file and report")
        parser.add_argument(
            "--plain-definition",
            default="",
            metavar="DEPARTMENT",
            help="the slug of the department whose definition a SKOS skos:definition that names no department is "
            "(default: the common ground)",
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"No user called {options['user']}")
        plain_definition = options["plain_definition"]
        if plain_definition and not Department.objects.filter(slug=plain_definition, is_active=True).exists():
            raise CommandError(f"No department with the slug {plain_definition}")
        try:
            report = glossary_import(
                filename=path.name,
                data=path.read_bytes(),
                user=user,
                dry_run=options["dry_run"],
                options=ImportOptions(plain_definition=plain_definition),
            )
        except PermissionDenied as error:
            raise CommandError(str(error)) from None
        if not report.ok:
            lines = report.file_errors + [f"row {row.number}: {'; '.join(row.errors)}" for row in report.row_errors]
            raise CommandError("Nothing imported.\n" + "\n".join(lines))
        for change in report.changes:
            target = f"proposal #{change.proposal.pk}" if change.proposal else change.action
            self.stdout.write(f"row {change.row}: {change.name} — {target}")
            for note in change.notes:
                self.stdout.write(f"  {note}")
        prefix = "Dry run, nothing written: " if report.dry_run else "Imported: "
        self.stdout.write(prefix + report.summary)
