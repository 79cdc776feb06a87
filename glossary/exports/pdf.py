"""The glossary as a PDF to hand out: WeasyPrint renders a Django template.

Layout uses plain blocks and floats only (tables and flexbox are several times slower in
WeasyPrint), and the renderer may read nothing but the project's own static files.
"""

import re
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from accounts.models import Department
from glossary import caching
from glossary.entries import CONTENT, Entry, Kind, as_list
from glossary.exports.options import ExportOptions
from glossary.models import Term
from glossary.rendering import render_markdown
from glossary.selectors.terms import department_columns

Progress = Callable[[int, str], None]


class StaticFilesOnly(URLFetcher):
    """Refuses every URL outside the project's static folders: no network, no other files."""

    def __init__(self):
        super().__init__(allowed_protocols={"file"})
        self.roots = [Path(root).resolve() for root in settings.STATICFILES_DIRS]

    def fetch(self, url, headers=None):
        if url.startswith("file://"):
            path = Path(url.removeprefix("file://").split("?")[0]).resolve()
            if any(path.is_relative_to(root) for root in self.roots):
                return super().fetch(url, headers)
        raise ValueError(f"The PDF renderer may not fetch {url}")


def _stylesheet() -> str:
    return Path(finders.find("css/pdf.css")).read_text(encoding="utf-8")


_TERM_LINK = re.compile(r'href="/terms/([\w-]+)/"')


def _markdown_for_pdf(source: str, exported_slugs: set[str]) -> str:
    """Rendered Markdown whose links to exported terms jump within the PDF."""

    def link(match):
        slug = match[1]
        if slug in exported_slugs:
            return f'href="#term-{slug}"'
        return f'href="{settings.SITE_URL.rstrip("/")}/terms/{slug}/"'

    return _TERM_LINK.sub(link, render_markdown(source))


def _entry(term: Term, departments: list[Department], exported_slugs: set[str]) -> dict:
    """One term's part of the PDF: every declared field by its name, Markdown already rendered."""
    approvals = []
    if term.approval_id:
        approvals = [s for s in term.approval.sign_offs.all() if s.revision == term.approval.revision]
        approvals.sort(key=lambda s: (s.department.position, s.department.name))
    entry = Entry.from_term(term)
    data = {"term": term, "approvals": approvals, "approved": term.status == Term.Status.APPROVED}
    for content_field in CONTENT:
        value = getattr(entry, content_field.name)
        if content_field.kind == Kind.DEFINITIONS:
            value = [
                (department, _markdown_for_pdf(value[department.pk], exported_slugs) if department.pk in value else "")
                for department in departments
            ]
        elif content_field.kind == Kind.REFERENCES:
            # Terms in this PDF are linked inside it.
            value = [(other, other.slug in exported_slugs) for other in term.related_terms.all()]
        elif content_field.kind == Kind.MARKDOWN:
            value = _markdown_for_pdf(value, exported_slugs) if value else ""
        elif content_field.is_list:
            value = as_list(content_field, value)
        data[content_field.name] = value
    return data


def pdf_html(options: ExportOptions) -> tuple[str, int]:
    """The HTML the PDF is rendered from, and how many terms it holds."""
    terms = list(options.terms())
    departments = department_columns()
    slugs = {t.slug for t in terms}
    sections: dict[str, list[dict]] = {}
    for term in terms:
        sections.setdefault(term.initial, []).append(_entry(term, departments, slugs))
    title = f"{settings.GLOSSARY_ORGANISATION} glossary" if not options.term else (terms[0].name if terms else "Term")
    html = render_to_string(
        "glossary/pdf/glossary.html",
        {
            "title": title,
            "organisation": settings.GLOSSARY_ORGANISATION,
            "generated": timezone.localtime(),
            "sections": sorted(sections.items(), key=lambda item: (item[0] == "#", item[0])),
            "term_count": len(terms),
            "departments": departments,
            "options": options,
            "single": bool(options.term),
            "stylesheet": _stylesheet(),
        },
    )
    return html, len(terms)


def render_pdf(options: ExportOptions, *, progress: Progress | None = None) -> bytes:
    """Render the PDF now (no cache). `progress(percent, message)` hears how far it got."""
    report = progress or (lambda percent, message: None)
    report(5, "Collecting terms")
    html, count = pdf_html(options)
    report(20, f"Laying out {count} terms")
    document = HTML(string=html, base_url=str(settings.BASE_DIR / "static"), url_fetcher=StaticFilesOnly()).render(
        pdf_variant="pdf/ua-1"
    )
    report(90, f"Writing {len(document.pages)} pages")
    pdf = document.write_pdf(pdf_variant="pdf/ua-1")
    report(100, "Ready")
    return pdf


def glossary_pdf(options: ExportOptions, *, progress: Progress | None = None) -> bytes:
    """The PDF for `options`, from the cache while the glossary is unchanged, else rendered and cached."""
    return caching.pdf(options, lambda: render_pdf(options, progress=progress))
