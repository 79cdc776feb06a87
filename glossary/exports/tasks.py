"""Work done by the task worker (`manage.py db_worker`), outside any web request."""

from django.utils import timezone
from django_tasks import task

from glossary.exports.options import ExportOptions
from glossary.exports.pdf import glossary_pdf
from glossary.models import PdfExport


@task()
def build_pdf_export(export_id: str) -> None:
    exports = PdfExport.objects.filter(pk=export_id)
    export = exports.get()
    options = ExportOptions(**export.options)

    def progress(percent: int, message: str) -> None:
        exports.update(state=PdfExport.State.RUNNING, progress=percent, message=message[:200])

    try:
        pdf = glossary_pdf(options, progress=progress)
    except Exception as error:
        exports.update(state=PdfExport.State.FAILED, message=f"The PDF could not be made: {error}"[:200], finished_at=timezone.now())
        raise
    exports.update(state=PdfExport.State.READY, progress=100, message="Ready", pdf=pdf, finished_at=timezone.now())
