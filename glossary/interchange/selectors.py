"""Reads for exports: which terms go out, with everything they show, each term's versions for the
JSON history, and how far a background PDF export has got."""

from datetime import datetime, timedelta

from django.db.models import Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.models import Department
from glossary.models import Definition, PdfExport, SignOff, Tag, Term
from glossary.selectors.terms import TermVersion, home_page_filters, term_versions

EXPORTABLE_BY_DEFAULT = [Term.Status.APPROVED]
NOT_YET_APPROVED = [Term.Status.IN_REVIEW, Term.Status.DRAFT]


def export_terms(
    *,
    status: str = "",
    tag: Tag | None = None,
    letter: str = "",
    include_in_review: bool = False,
    slug: str = "",
    missing_department: Department | None = None,
    query: str = "",
    with_deprecated: bool = False,
) -> QuerySet[Term]:
    """Terms for a PDF or file export, in A–Z order, with everything an export shows prefetched.

    The home page's filters narrow it as they narrow the list: a tag, a letter, a department whose
    definition is missing, search words (the matches, then in A–Z order like the rest).

    Approved terms only (and deprecated ones `with_deprecated`) unless a status is asked for, terms
    in review are included explicitly, or one term is asked for by its slug (whatever its status).
    """
    terms = Term.objects.all()
    default = EXPORTABLE_BY_DEFAULT + ([Term.Status.DEPRECATED] if with_deprecated else [])
    if slug:
        terms = terms.filter(slug=slug)
    elif status:
        terms = terms.filter(status=status)
    elif include_in_review:
        terms = terms.filter(status__in=default + NOT_YET_APPROVED)
    else:
        terms = terms.filter(status__in=default)
    terms = home_page_filters(terms, query=query, missing_department=missing_department, tag=tag, letter=letter)
    return (
        terms.order_by("name_key")
        .select_related("approval", "replaced_by")
        .prefetch_related(
            Prefetch("definitions", queryset=Definition.objects.select_related("department")),
            "tags",
            Prefetch("related_terms", queryset=Term.objects.order_by("name_key")),
            Prefetch(
                "approval__sign_offs",
                queryset=SignOff.objects.filter(decision=SignOff.Decision.APPROVE).select_related(
                    "approver", "department"
                ),
            ),
        )
    )


def export_history(terms) -> dict[int, list[TermVersion]]:
    """Each term's versions, oldest first, for the JSON export."""
    return {term.pk: list(reversed(term_versions(term))) for term in terms}


def pdf_export_place_in_queue(export: PdfExport) -> int | None:
    """Where a waiting export stands among the exports waiting for the worker: 1 when it is next,
    None when it is not waiting or its task cannot be found (another task backend, or not yet
    enqueued). Only exports count: anything else on its queue is not what the person waits for."""
    if export.state != PdfExport.State.QUEUED or export.task_id is None:
        return None
    task = DBTaskResult.objects.ready().filter(pk=export.task_id).first()
    if task is None:
        return None
    waiting = DBTaskResult.objects.ready().filter(
        task_path=task.task_path, queue_name=task.queue_name, backend_name=task.backend_name
    )
    # The worker takes the highest priority first, then the oldest.
    ahead = waiting.filter(Q(priority__gt=task.priority) | Q(priority=task.priority, enqueued_at__lt=task.enqueued_at))
    return ahead.count() + 1


# A worker takes the next export within a second or two; one that waits this long with nothing
# ahead of it most likely waits for a worker that is not running.
WORKER_SILENCE = timedelta(minutes=2)


def pdf_export_status(export: PdfExport, *, now: datetime | None = None) -> dict:
    """What the progress page and its status poll say about an export, in one place."""
    place = pdf_export_place_in_queue(export)
    if export.state == PdfExport.State.QUEUED:
        if place is None:
            message = "Waiting for the worker to start on it"
        elif place == 1:
            message = "Waiting for the worker: yours is next in the queue"
        else:
            message = (
                f"Waiting for the worker: {place - 1} {'export is' if place == 2 else 'exports are'} ahead of yours"
            )
        if place in (None, 1) and (now or timezone.now()) - export.created_at > WORKER_SILENCE:
            message += (
                ". Nothing has started it for over two minutes, so the background worker may not be"
                " running: if this page does not move on, tell your administrator."
            )
    else:
        message = export.message or export.get_state_display()
    return {
        "state": export.state,
        "stage": export.stage,
        "progress": export.progress,
        "terms_done": export.terms_done,
        "terms_total": export.terms_total,
        "pages": export.pages,
        "place_in_queue": place,
        "message": message,
        "download_url": reverse("glossary:pdf_export_download", args=[export.pk])
        if export.state == PdfExport.State.READY
        else None,
    }
