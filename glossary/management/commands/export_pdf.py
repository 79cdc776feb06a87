from pathlib import Path

from django.core.management.base import BaseCommand

from glossary.interchange.pdf import render_pdf, throttled
from glossary.management import add_filter_arguments, export_options


class Command(BaseCommand):
    help = "Write the glossary as a PDF: approved terms by default, filtered like the home page."

    def add_arguments(self, parser):
        parser.add_argument("output", help="Where to write the PDF, e.g. glossary.pdf")
        add_filter_arguments(parser)

    def handle(self, *args, **options):
        export = export_options(options)

        def progress(step):
            self.stderr.write(f"[{step.percent:3d}%] {step.message}")

        pdf = render_pdf(export, progress=throttled(progress, seconds=0.5))
        Path(options["output"]).write_bytes(pdf)
        self.stdout.write(f"Wrote {options['output']} ({len(pdf) // 1024} KiB)")
