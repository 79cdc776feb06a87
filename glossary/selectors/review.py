"""Reads about review dates: which terms are due for a fresh look."""

import datetime

from django.conf import settings
from django.db.models import QuerySet

from accounts.models import Department
from glossary.models import ReviewConfirmation, Tag, Term


def terms_due_for_review(
    *,
    today: datetime.date,
    department: Department | None = None,
    tag: Tag | None = None,
    overdue_only: bool = False,
) -> QuerySet[Term]:
    """Terms in use whose review date has passed or comes within GLOSSARY_REVIEW_WARNING_DAYS of
    `today`, the most overdue first; narrowed to those `department` defines, or that carry `tag`."""
    last_day = (
        today - datetime.timedelta(days=1)
        if overdue_only
        else today + datetime.timedelta(days=settings.GLOSSARY_REVIEW_WARNING_DAYS)
    )
    terms = Term.objects.exclude(status=Term.Status.DEPRECATED).filter(review_by__lte=last_day)
    if department is not None:
        terms = terms.filter(definitions__department=department)
    if tag is not None:
        terms = terms.filter(tags=tag)
    return (
        terms.defer("search_document", "search_vector")
        .prefetch_related("definitions__department")
        .order_by("review_by", "name_key")
    )


def review_confirmations(term: Term) -> list[ReviewConfirmation]:
    """Who confirmed the term still accurate, and when, newest first."""
    return list(term.review_confirmations.select_related("confirmed_by", "department"))
