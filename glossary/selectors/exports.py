"""Reads for exports: which terms go out, and a fingerprint of the glossary's state for caching."""

from django.db.models import Prefetch, QuerySet

from accounts.models import Department
from glossary.models import Definition, SignOff, Tag, Term
from glossary.selectors.terms import term_versions

EXPORTABLE_BY_DEFAULT = [Term.Status.APPROVED]
NOT_YET_APPROVED = [Term.Status.IN_REVIEW, Term.Status.DRAFT]


def export_terms(
    *, status: str = "", tag: Tag | None = None, letter: str = "", include_in_review: bool = False, slug: str = ""
) -> QuerySet[Term]:
    """Terms for a PDF or file export, in A–Z order, with everything an export shows prefetched.

    Approved terms only unless a status is asked for, terms in review are included explicitly, or
    one term is asked for by its slug (whatever its status).
    """
    terms = Term.objects.all()
    if slug:
        terms = terms.filter(slug=slug)
    elif status:
        terms = terms.filter(status=status)
    elif include_in_review:
        terms = terms.filter(status__in=EXPORTABLE_BY_DEFAULT + NOT_YET_APPROVED)
    else:
        terms = terms.filter(status__in=EXPORTABLE_BY_DEFAULT)
    if tag is not None:
        terms = terms.filter(tags=tag)
    if letter:
        terms = terms.filter(initial=letter)
    return terms.order_by("name_key").select_related("approval").prefetch_related(
        Prefetch("definitions", queryset=Definition.objects.select_related("department")),
        "tags",
        Prefetch("related_terms", queryset=Term.objects.order_by("name_key")),
        Prefetch(
            "approval__sign_offs",
            queryset=SignOff.objects.filter(decision=SignOff.Decision.APPROVE).select_related("approver", "department"),
        ),
    )


def export_history(terms) -> dict[int, list[dict]]:
    """Each term's versions, oldest first, as plain data for the JSON export."""
    slugs = dict(Department.objects.values_list("pk", "slug"))
    return {
        term.pk: [
            {
                "version": version.number,
                "date": version.date.isoformat(),
                "user": str(version.user) if version.user else None,
                "reason": version.reason,
                "name": version.entry.name,
                "common_ground": version.entry.summary,
                "definitions": {slugs[pk]: body for pk, body in version.entry.definitions.items()},
                "status": version.entry.status,
            }
            for version in reversed(term_versions(term))
        ]
        for term in terms
    }
