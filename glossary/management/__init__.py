"""What the export commands share: the home page's filters, as command-line options."""

from django.core.management.base import CommandError

from glossary.forms.interchange import ExportForm
from glossary.interchange.options import ExportOptions


def add_filter_arguments(parser) -> None:
    parser.add_argument("--status", default="", help="draft, in_review, approved or deprecated")
    parser.add_argument("--tag", default="", help="a tag's slug, e.g. customer-experience")
    parser.add_argument("--letter", default="", help="A–Z or #")
    parser.add_argument("--missing", default="", help="a department's slug: only terms without its definition")
    parser.add_argument("--search", default="", help="search words, as in the home page's search box")
    parser.add_argument("--include-in-review", action="store_true", help="also terms not yet approved, marked so")
    parser.add_argument(
        "--state",
        action="store_true",
        help="PDF only: add a page on the state of our common language (the dashboard's figures)",
    )


def export_options(options: dict) -> ExportOptions:
    """The filters given on the command line, checked by the export page's own form."""
    form = ExportForm(
        {
            "status": options["status"],
            "tag": options["tag"],
            "letter": options["letter"].upper(),
            "missing": options["missing"],
            "q": options["search"],
            "include_in_review": options["include_in_review"],
            "state": options.get("state", False),
        }
    )
    if not form.is_valid():
        names = {"q": "search"}
        raise CommandError(
            "; ".join(f"--{names.get(f, f).replace('_', '-')}: {' '.join(m)}" for f, m in form.errors.items())
        )
    return form.options()
