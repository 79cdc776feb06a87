from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from glossary.exports.pdf import render_pdf
from glossary.forms import ExportForm


class Command(BaseCommand):
    help = "Write the glossary as a PDF: approved terms by default, filtered like the home page."

    def add_arguments(self, parser):
        parser.add_argument("output", help="Where to write the PDF, e.g. glossary.pdf")
        parser.add_argument("--status", default="", help="draft, in_review, approved or deprecated")
        parser.add_argument("--tag", default="", help="a tag's slug, e.g. customer-experience")
        parser.add_argument("--letter", default="", help="A–Z or #")
        parser.add_argument("--include-in-review", action="store_true", help="also terms not yet approved, marked so")

    def handle(self, *args, **options):
        form = ExportForm(
            {
                "status": options["status"],
                "tag": options["tag"],
                "letter": options["letter"].upper(),
                "include_in_review": options["include_in_review"],
            }
        )
        if not form.is_valid():
            raise CommandError("; ".join(f"--{f.replace('_', '-')}: {' '.join(m)}" for f, m in form.errors.items()))

        def progress(percent, message):
            self.stderr.write(f"[{percent:3d}%] {message}")

        pdf = render_pdf(form.options(), progress=progress)
        Path(options["output"]).write_bytes(pdf)
        self.stdout.write(f"Wrote {options['output']} ({len(pdf) // 1024} KiB)")
