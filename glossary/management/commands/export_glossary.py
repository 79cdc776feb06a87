from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from glossary.interchange.files import CONTENT_TYPES, glossary_file
from glossary.management import add_filter_arguments, export_options


class Command(BaseCommand):
    help = (
        "Write the glossary as CSV, JSON or SKOS (.ttl, .rdf, .jsonld; the format follows the file name), "
        "filtered like the home page."
    )

    def add_arguments(self, parser):
        parser.add_argument("output", help="glossary.csv, glossary.json, glossary.ttl, glossary.rdf or glossary.jsonld")
        add_filter_arguments(parser)
        parser.add_argument("--history", action="store_true", help="JSON only: every version of every term")

    def handle(self, *args, **options):
        output = Path(options["output"])
        file_format = output.suffix.removeprefix(".")
        if file_format not in CONTENT_TYPES:
            raise CommandError(f"The output file must end in {', '.join('.' + f for f in CONTENT_TYPES)}.")
        file = glossary_file(options=export_options(options), file_format=file_format, history=options["history"])
        output.write_text(file.body, encoding="utf-8")
        self.stdout.write(f"Wrote {file.term_count} terms to {output}")
