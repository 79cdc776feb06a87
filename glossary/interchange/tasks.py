"""Work done by the task worker on the exports queue (`manage.py db_worker --queue-name exports`),
outside any web request."""

from collections.abc import Callable

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from glossary import queues
from glossary.interchange.options import ExportOptions
from glossary.interchange.pdf import PdfStep, glossary_pdf, page_count, throttled
from glossary.models import PdfExport


@task(queue_name=queues.EXPORTS)
def build_pdf_export(export_id: str) -> None:
    pdf_export_build(export_id=export_id)


def pdf_export_build(*, export_id: str, on_progress: Callable[[PdfStep], None] | None = None) -> None:
    """Build the export's PDF, recording on its row how far it got, for the progress page to read.

    Progress is written when a stage starts and, within one, at most every
    `GLOSSARY_PDF_PROGRESS_SECONDS`; `on_progress` hears each step once it is recorded.
    """
    exports = PdfExport.objects.filter(pk=export_id)
    export = exports.get()
    exports.update(state=PdfExport.State.RUNNING, started_at=timezone.now(), message="Starting")

    def record(step: PdfStep) -> None:
        if step.stage == PdfStep.READY:
            return  # recorded below, with the file
        exports.update(
            state=PdfExport.State.RUNNING,
            stage=step.stage,
            terms_done=step.done,
            terms_total=step.total,
            pages=step.pages,
            progress=step.percent,
            message=step.message[:200],
        )
        if on_progress is not None:
            on_progress(step)

    try:
        options = ExportOptions(**export.options)
        pdf = glossary_pdf(options, progress=throttled(record, seconds=settings.GLOSSARY_PDF_PROGRESS_SECONDS))
    except Exception as error:
        exports.update(
            state=PdfExport.State.FAILED,
            message=f"The PDF could not be made: {error}"[:200],
            finished_at=timezone.now(),
        )
        raise
    exports.update(
        state=PdfExport.State.READY,
        stage="",
        progress=100,
        pages=page_count(pdf),
        message="Ready",
        pdf=pdf,
        finished_at=timezone.now(),
    )
