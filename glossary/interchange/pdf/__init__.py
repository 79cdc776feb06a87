"""The glossary as a PDF to hand out, laid out by Typst.

`document.document_data` gathers what the PDF says as plain data (Markdown as a tree, every string
made printable), `typesetting.typeset` hands that data to the Typst layout `glossary.typ`, and the
finished file is cached per glossary state (`glossary.caching`).
"""

import pypdfium2

from glossary import caching
from glossary.interchange.options import ExportOptions
from glossary.interchange.pdf.document import document_data
from glossary.interchange.pdf.progress import PdfStep, Progress, throttled
from glossary.interchange.pdf.typesetting import typeset

__all__ = ["PdfStep", "Progress", "glossary_pdf", "page_count", "render_pdf", "throttled"]


def render_pdf(options: ExportOptions, *, progress: Progress | None = None) -> bytes:
    """Render the PDF now (no cache). `progress(step)` hears how far it got (`PdfStep`): after
    each term prepared, when layout starts, and when it is ready."""
    report = progress or (lambda step: None)
    document = document_data(options, on_term=lambda done, total: report(PdfStep(PdfStep.TERMS, done, total)))
    count = sum(len(section["terms"]) for section in document["sections"])
    report(PdfStep(PdfStep.LAYOUT, count, count))
    pdf = typeset(document)
    report(PdfStep(PdfStep.READY, count, count, page_count(pdf)))
    return pdf


def page_count(pdf: bytes) -> int:
    # pdfium reads only the page tree; pypdf would parse the whole file (a fifth of a second at 1,000 terms).
    return len(pypdfium2.PdfDocument(pdf))


def glossary_pdf(options: ExportOptions, *, progress: Progress | None = None) -> bytes:
    """The PDF for `options`, from the cache while the glossary is unchanged, else rendered and cached."""
    return caching.pdf(options, lambda: render_pdf(options, progress=progress))
