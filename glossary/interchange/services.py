"""Handing out PDFs: from the cache, rendered on the spot when small, or built by the worker."""

from dataclasses import asdict

from django.conf import settings
from django.db import transaction

from glossary import caching
from glossary.interchange.options import ExportOptions
from glossary.interchange.pdf import glossary_pdf
from glossary.interchange.tasks import build_pdf_export
from glossary.models import PdfExport

IN_PROGRESS = [PdfExport.State.QUEUED, PdfExport.State.RUNNING, PdfExport.State.READY]


def pdf_request(*, options: ExportOptions, user) -> bytes | PdfExport:
    """The PDF itself when it can be had now, else the background export that is building it.

    A second request for the same options and glossary state joins the export already under way.
    """
    pdf = caching.cached_pdf(options)
    if pdf is not None:
        return pdf
    if options.term or options.terms().count() <= settings.GLOSSARY_PDF_INLINE_LIMIT:
        return glossary_pdf(options)
    key = caching.pdf_key(options)
    with transaction.atomic():
        export = PdfExport.objects.filter(key=key, state__in=IN_PROGRESS).first()
        if export is None:
            export = PdfExport.objects.create(options=asdict(options), key=key, requested_by=user)
            transaction.on_commit(lambda: _enqueue(export))
    return export


def _enqueue(export: PdfExport) -> None:
    """Hand the export to the worker, and keep its task's id for its place in the queue."""
    result = build_pdf_export.enqueue(str(export.pk))
    PdfExport.objects.filter(pk=export.pk, task_id=None).update(task_id=result.id)
