"""Reads for exports: which terms go out, with everything they show, and each term's versions for
the JSON history."""

from django.db.models import Prefetch, QuerySet

from glossary.models import Definition, SignOff, Tag, Term
from glossary.selectors.terms import TermVersion, term_versions

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


def export_history(terms) -> dict[int, list[TermVersion]]:
    """Each term's versions, oldest first, for the JSON export."""
    return {term.pk: list(reversed(term_versions(term))) for term in terms}
