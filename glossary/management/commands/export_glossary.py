from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from glossary.exports import files
from glossary.exports.selectors import export_history
from glossary.forms import ExportForm
from glossary.selectors.terms import department_columns


class Command(BaseCommand):
    help = "Write the glossary as CSV or JSON (the format follows the file name), filtered like the home page."

    def add_arguments(self, parser):
        parser.add_argument("output", help="glossary.csv or glossary.json")
        parser.add_argument("--status", default="")
        parser.add_argument("--tag", default="")
        parser.add_argument("--letter", default="")
        parser.add_argument("--include-in-review", action="store_true")
        parser.add_argument("--history", action="store_true", help="JSON only: every version of every term")

    def handle(self, *args, **options):
        output = Path(options["output"])
        if output.suffix not in (".csv", ".json"):
            raise CommandError("The output file must end in .csv or .json.")
        form = ExportForm({k: options[k] for k in ("status", "tag", "letter", "include_in_review")})
        if not form.is_valid():
            raise CommandError("; ".join(f"--{f.replace('_', '-')}: {' '.join(m)}" for f, m in form.errors.items()))
        terms = list(form.options().terms())
        departments = department_columns()
        if output.suffix == ".csv":
            body = files.export_csv(terms, departments)
        else:
            history = export_history(terms) if options["history"] else None
            body = files.export_json(terms, departments, organisation=settings.GLOSSARY_ORGANISATION, history=history)
        output.write_text(body, encoding="utf-8")
        self.stdout.write(f"Wrote {len(terms)} terms to {output}")
