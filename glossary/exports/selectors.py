"""Reads for exports: which terms go out, with everything they show, and each term's versions for
the JSON history."""

from django.db.models import Prefetch, QuerySet

from accounts.models import Department
from glossary.models import Definition, SignOff, Tag, Term
from glossary.selectors.terms import TermVersion, term_search, term_versions

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
) -> QuerySet[Term]:
    """Terms for a PDF or file export, in A–Z order, with everything an export shows prefetched.

    The home page's filters narrow it as they narrow the list: a tag, a letter, a department whose
    definition is missing, search words (the matches, then in A–Z order like the rest).

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
    if missing_department is not None:
        terms = terms.exclude(definitions__department=missing_department)
    if query:
        terms = term_search(terms, query)
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
