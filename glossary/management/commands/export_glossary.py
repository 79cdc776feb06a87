from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from glossary.exports.files import CONTENT_TYPES, glossary_file
from glossary.forms import ExportForm


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
        file_format = output.suffix.removeprefix(".")
        if file_format not in CONTENT_TYPES:
            raise CommandError("The output file must end in .csv or .json.")
        form = ExportForm({k: options[k] for k in ("status", "tag", "letter", "include_in_review")})
        if not form.is_valid():
            raise CommandError("; ".join(f"--{f.replace('_', '-')}: {' '.join(m)}" for f, m in form.errors.items()))
        file = glossary_file(options=form.options(), file_format=file_format, history=options["history"])
        output.write_text(file.body, encoding="utf-8")
        self.stdout.write(f"Wrote {file.term_count} terms to {output}")
