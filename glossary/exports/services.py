"""Handing out PDFs: from the cache, rendered on the spot when small, or built by the worker."""

from dataclasses import asdict

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from glossary.exports.options import ExportOptions
from glossary.exports.pdf import CACHE_SECONDS, render_pdf
from glossary.exports.tasks import build_pdf_export
from glossary.models import PdfExport
from glossary.selectors.state import glossary_fingerprint

IN_PROGRESS = [PdfExport.State.QUEUED, PdfExport.State.RUNNING, PdfExport.State.READY]


def pdf_request(*, options: ExportOptions, user) -> bytes | PdfExport:
    """The PDF itself when it can be had now, else the background export that is building it.

    A second request for the same options and glossary state joins the export already under way.
    """
    key = options.cache_key(glossary_fingerprint())
    pdf = cache.get(key)
    if pdf is not None:
        return pdf
    if options.term or options.terms().count() <= settings.GLOSSARY_PDF_INLINE_LIMIT:
        pdf = render_pdf(options)
        cache.set(key, pdf, CACHE_SECONDS)
        return pdf
    with transaction.atomic():
        export = PdfExport.objects.filter(key=key, state__in=IN_PROGRESS).first()
        if export is None:
            export = PdfExport.objects.create(options=asdict(options), key=key, requested_by=user)
            transaction.on_commit(lambda: build_pdf_export.enqueue(str(export.pk)))
    return export
