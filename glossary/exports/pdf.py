"""The glossary as a PDF to hand out: WeasyPrint renders a Django template.

Layout uses plain blocks and floats only (tables and flexbox are several times slower in
WeasyPrint), and the renderer may read nothing but the project's own static files.
"""

import logging
import re
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
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


@dataclass(frozen=True)
class PdfStep:
    """How far a PDF has got, in the stages a render really has.

    `terms`: each term's part of the document is prepared (Markdown, links, sign-offs), counted
    term by term; `layout`: WeasyPrint lays the whole document out in one go, announcing each page
    it starts, so pages are counted but their total is not known until it is done; `writing`: the
    laid-out pages are written as PDF; `ready`.
    """

    stage: str
    done: int = 0  # terms prepared
    total: int = 0  # terms in the PDF
    pages: int = 0  # pages laid out so far

    TERMS = "terms"
    LAYOUT = "layout"
    WRITING = "writing"
    READY = "ready"

    @property
    def percent(self) -> int:
        """The share of the work done, from what is counted: terms while they are prepared, then
        where each later stage starts. Layout has no total to count against, so the bar stands at
        its start while the page counts the pages."""
        if self.stage == self.TERMS:
            return STAGE_STARTS[self.LAYOUT] * self.done // self.total if self.total else 0
        return STAGE_STARTS[self.stage]

    @property
    def message(self) -> str:
        if self.stage == self.TERMS:
            return f"Prepared {self.done} of {self.total} terms"
        if self.stage == self.LAYOUT:
            laid_out = f": {self.pages} so far" if self.pages else ""
            return f"Laying out pages for {self.total} terms{laid_out}…"
        if self.stage == self.WRITING:
            return f"Writing {self.pages} pages…"
        return "Ready"


# Where each stage starts, in percent of a render's time: preparing the terms is about 1 % of it,
# layout about 70 % and writing the file the rest (`bench/pdf_export.py --stages`, 100 and 300 terms).
STAGE_STARTS = {PdfStep.LAYOUT: 2, PdfStep.WRITING: 70, PdfStep.READY: 100}

Progress = Callable[[PdfStep], None]


def throttled(report: Progress, *, seconds: float) -> Progress:
    """`report`, told of every new stage and of the last term, but of the counts in between at most
    once every `seconds`: each report may be a database write."""
    last = {"stage": None, "at": 0.0}

    def step(progress: PdfStep) -> None:
        now = time.monotonic()
        new_stage = progress.stage != last["stage"]
        last_term = progress.stage == PdfStep.TERMS and progress.done == progress.total
        if new_stage or last_term or now - last["at"] >= seconds:
            last.update(stage=progress.stage, at=now)
            report(progress)

    return step


# WeasyPrint announces each page it starts laying out on this logger, at level INFO. Let those
# records through to the handler `_pages_laid_out` adds, and to no other.
_WEASYPRINT_PROGRESS = logging.getLogger("weasyprint.progress")
_WEASYPRINT_PROGRESS.setLevel(logging.INFO)
_WEASYPRINT_PROGRESS.propagate = False
_NEW_PAGE = "Step 5 - Creating layout - Page %d"


class _PageCounter(logging.Handler):
    """Counts the pages WeasyPrint lays out in this thread (a later pass over the same pages, for
    "Page n of m", does not count them again)."""

    def __init__(self, on_page: Callable[[int], None]):
        super().__init__(logging.INFO)
        self.thread = threading.get_ident()
        self.on_page = on_page
        self.pages = 0

    def emit(self, record):
        if record.thread == self.thread and record.msg == _NEW_PAGE and record.args[0] > self.pages:
            self.pages = record.args[0]
            self.on_page(self.pages)


@contextmanager
def _pages_laid_out(on_page: Callable[[int], None]):
    counter = _PageCounter(on_page)
    _WEASYPRINT_PROGRESS.addHandler(counter)
    try:
        yield
    finally:
        _WEASYPRINT_PROGRESS.removeHandler(counter)


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


def pdf_html(options: ExportOptions, *, progress: Progress | None = None) -> tuple[str, int]:
    """The HTML the PDF is rendered from, and how many terms it holds. `progress` hears of each
    term prepared."""
    report = progress or (lambda step: None)
    terms = list(options.terms())
    departments = department_columns()
    slugs = {t.slug for t in terms}
    sections: dict[str, list[dict]] = {}
    report(PdfStep(PdfStep.TERMS, 0, len(terms)))
    for done, term in enumerate(terms, start=1):
        sections.setdefault(term.initial, []).append(_entry(term, departments, slugs))
        report(PdfStep(PdfStep.TERMS, done, len(terms)))
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
    """Render the PDF now (no cache). `progress(step)` hears how far it got (`PdfStep`): after
    each term prepared, each page laid out, and at each later stage."""
    report = progress or (lambda step: None)
    html, count = pdf_html(options, progress=report)
    report(PdfStep(PdfStep.LAYOUT, count, count))
    with _pages_laid_out(lambda pages: report(PdfStep(PdfStep.LAYOUT, count, count, pages))):
        document = HTML(string=html, base_url=str(settings.BASE_DIR / "static"), url_fetcher=StaticFilesOnly()).render(
            pdf_variant="pdf/ua-1"
        )
    report(PdfStep(PdfStep.WRITING, count, count, len(document.pages)))
    pdf = document.write_pdf(pdf_variant="pdf/ua-1")
    report(PdfStep(PdfStep.READY, count, count, len(document.pages)))
    return pdf


def glossary_pdf(options: ExportOptions, *, progress: Progress | None = None) -> bytes:
    """The PDF for `options`, from the cache while the glossary is unchanged, else rendered and cached."""
    return caching.pdf(options, lambda: render_pdf(options, progress=progress))
