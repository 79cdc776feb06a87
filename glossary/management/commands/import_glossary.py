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
            "--drop-unknown",
            action="store_true",
            help="leave out what the glossary cannot keep (listed by property) instead of refusing its concepts",
        )
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
                options=ImportOptions(plain_definition=plain_definition, drop_unkept=options["drop_unknown"]),
            )
        except PermissionDenied as error:
            raise CommandError(str(error)) from None
        unkept = [f"  {p.name}: {p.statements} statements in {p.concepts} concepts" for p in report.unkept]
        if unkept:
            heading = (
                "Left out:" if report.unkept_left_out else "Not kept by the glossary (--drop-unknown leaves it out):"
            )
            self.stdout.write("\n".join([heading, *unkept]))
        if not report.ok:
            lines = report.file_errors + [
                f"{len(group.rows)} row{'s' if len(group.rows) != 1 else ''}: {group.message} ("
                + ", ".join(
                    f"row {number} {name}".strip() + (f": {particulars}" if particulars else "")
                    for number, name, particulars in group.examples
                )
                + (f" and {group.more} more" if group.more else "")
                + ")"
                for group in report.error_groups
            ]
            raise CommandError("Nothing imported.\n" + "\n".join(lines))
        for change in report.changes:
            target = f"proposal #{change.proposal.pk}" if change.proposal else change.action
            self.stdout.write(f"row {change.row}: {change.name} — {target}")
            for note in change.notes:
                self.stdout.write(f"  {note}")
        prefix = "Dry run, nothing written: " if report.dry_run else "Imported: "
        self.stdout.write(prefix + report.summary)
