"""Reading the glossary: terms, their versions and the differences between them, departments, tags.

Answers carry an ETag made from the glossary's state (glossary.caching), so a client that sends it
back in If-None-Match gets 304 Not Modified for one small query while nothing has changed.
"""

import hashlib
import re
from datetime import datetime
from typing import Literal

from django.conf import settings
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.utils.http import content_disposition_header
from django.views.decorators.http import condition
from ninja import Query, Router, Schema
from ninja.decorators import decorate_view
from pydantic import Field

from accounts.models import Department
from glossary import caching
from glossary.api import schemas
from glossary.api.auth import may_read
from glossary.api.content import content_data, term_reference
from glossary.api.errors import invalid
from glossary.api.openapi import answers_not_modified
from glossary.api.paging import page_of
from glossary.entries import Entry, diff_entries
from glossary.forms.terms import LETTERS
from glossary.interchange.files import glossary_file
from glossary.interchange.options import ExportOptions
from glossary.models import Tag, Term
from glossary.selectors import proposals as proposal_selectors
from glossary.selectors import terms as selectors

router = Router(tags=["Terms"])

MAX_PAGE_SIZE = 100
# What Term.slug holds (a SlugField, within its length).
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,140}")
STATUS_LABELS = dict(Term.Status.choices)


def _etag(request, *args, **kwargs) -> str | None:
    """The same answer for the same address while the glossary's state holds.

    Django's `condition` answers 304 before the API checks who is calling: without read access
    there is no ETag, so the call goes on to be refused."""
    if not may_read(request):
        return None
    identity = f"{caching.glossary_state()} {request.get_full_path()}"
    return hashlib.sha256(identity.encode()).hexdigest()[:32]


def _last_modified(request, *args, **kwargs) -> datetime | None:
    return caching.last_change(selectors.glossary_last_modified) if may_read(request) else None


_revalidate = decorate_view(condition(etag_func=_etag, last_modified_func=_last_modified))


def revalidated(view):
    return _revalidate(answers_not_modified(view))


# A filter left out is None; the schema shows no null, which a query cannot say.
class TermFilters(Schema):
    q: str = Field(
        "",
        max_length=200,
        description="Search words, ranked as on the site.",
        json_schema_extra={"pattern": schemas.NO_NUL},
    )
    status: schemas.TermStatus = None
    letter: Literal[tuple(LETTERS)] = Field(None, description="First letter of the name; # for others.")
    tag: schemas.TagInAddress = Field(None, description="A tag's slug.")
    missing: schemas.DepartmentInAddress = Field(None, description="A department's slug: terms it has not defined.")
    updated_since: schemas.DatetimeInAddress = Field(
        None, description="Terms changed at or after this time: an ISO 8601 date, or date and time."
    )
    page: schemas.PageNumber = 1
    page_size: schemas.integer_in_address(most=MAX_PAGE_SIZE) = settings.GLOSSARY_PAGE_SIZE

    def selector_filters(self) -> dict:
        """As keyword arguments for selectors.term_list; an unknown tag or department is invalid input."""
        if "\x00" in self.q:
            raise invalid(("query", "q"), "Search text cannot contain NUL characters.")
        return {
            "query": self.q.strip(),
            "status": self.status.value if self.status else "",
            "letter": self.letter or "",
            "tag": by_slug(Tag, self.tag, "tag", "No tag has this slug."),
            "missing_department": by_slug(Department, self.missing, "missing", "No department has this slug."),
            "updated_since": self.updated_since,
        }


def by_slug(model, slug: str | None, field: str, message: str, *, where: str = "query"):
    """The term, tag or department a query (or, with where="body", a body) names by its slug, None
    when it names none; anything that is not one of the glossary's slugs is invalid input (and never
    reaches the database: PostgreSQL refuses NUL in text)."""
    if not slug:
        return None
    found = model.objects.filter(slug=slug).first() if SLUG.fullmatch(slug) else None
    if found is None:
        raise invalid((where, field), message)
    return found


@router.get("/terms", response=schemas.TermPage, summary="List and search terms")
@revalidated
def term_list(request, filters: Query[TermFilters]):
    ids = selectors.term_list(**filters.selector_filters()).values_list("pk", flat=True)
    if filters.q.strip():
        ids = list(ids)  # ranked once, for the count and the page alike (as the home page does)

    def terms_data(page_ids: list[int]) -> list[dict]:
        found = terms_by_id(request, page_ids)
        return [found[pk] for pk in page_ids]

    return page_of(request, ids, filters.page, filters.page_size, terms_data)


@router.get("/terms/{slug}", response=schemas.Term, summary="One term, with every department's definition")
@revalidated
def term_detail(request, slug: schemas.TermSlugInAddress):
    pk = Term.objects.filter(slug=_checked(slug)).values_list("pk", flat=True).first()
    if pk is None:
        raise Http404(f"No term has the address {slug!r}.")
    return terms_by_id(request, [pk])[pk]


def terms_by_id(request, ids: list[int]) -> dict[int, dict]:
    """The terms as the API answers them, each prepared once per glossary state (glossary.caching)."""

    def prepare(missing: list[int]) -> dict[int, dict]:
        terms = selectors.terms_in_full(missing)
        approvals = proposal_selectors.approvals_by_term(list(terms.values()))
        departments = selectors.department_columns()
        return {pk: term_data(request, term, departments, approvals[pk]) for pk, term in terms.items()}

    return caching.api_terms(request.build_absolute_uri("/"), ids, prepare)


@router.get("/terms/{slug}/versions", response=list[schemas.Version], summary="A term's versions, newest first")
@revalidated
def term_versions(request, slug: schemas.TermSlugInAddress):
    return [_version_data(version) for version in selectors.term_versions(_term(slug))]


@router.get("/terms/{slug}/versions/{number}", response=schemas.TermVersion, summary="A term as one version left it")
@revalidated
def term_version(request, slug: schemas.TermSlugInAddress, number: schemas.VersionInAddress):
    version = _version(_term(slug), number)
    related = dict(Term.objects.filter(pk__in=version.entry.related_terms).values_list("pk", "slug"))
    content = content_data(request, version.entry, selectors.department_columns(), related)
    return {**_version_data(version), "content": content}


class DiffQuery(Schema):
    from_version: schemas.VersionInAddress = Field(alias="from", description="The older version's number.")
    to_version: schemas.VersionInAddress = Field(
        None, alias="to", description="The newer one's; the current version if left out."
    )


@router.get("/terms/{slug}/diff", response=schemas.VersionDiff, summary="What changed between two versions")
@revalidated
def term_diff(request, slug: schemas.TermSlugInAddress, versions: Query[DiffQuery]):
    term = _term(slug)
    to_number = versions.to_version or term.version
    old, new = _version(term, versions.from_version), _version(term, to_number)
    changes = diff_entries(old.entry, new.entry, selectors.department_columns(), STATUS_LABELS)
    return {
        "from_version": old.number,
        "to_version": new.number,
        "fields": [
            {
                "field": c["label"],
                "changed": c["changed"],
                "old": c["old"],
                "new": c["new"],
                "html": c["diff"],
                "rendered_html": c["rendered"],
            }
            for c in changes
        ],
    }


# What each format of the SKOS call is served as.
SKOS_TYPES = {"ttl": "text/turtle", "rdf": "application/rdf+xml", "jsonld": "application/ld+json"}


class SkosQuery(Schema):
    format: Literal[tuple(SKOS_TYPES)] = Field("ttl", description="Turtle, RDF/XML or JSON-LD.")
    status: schemas.TermStatus = Field(None, description="Approved terms (and deprecated ones) if left out.")
    tag: schemas.TagInAddress = Field(None, description="A tag's slug.")
    letter: Literal[tuple(LETTERS)] = None


@router.get(
    "/skos",
    summary="The glossary in SKOS",
    description=(
        "The same file as the site's SKOS export (each term a skos:Concept at its page's address), "
        "as text/turtle, application/rdf+xml or application/ld+json."
    ),
    openapi_extra={
        "responses": {
            200: {
                "description": "The file, in the format asked for.",
                "content": {
                    media_type: {"schema": {"type": "object"} if fmt == "jsonld" else {"type": "string"}}
                    for fmt, media_type in SKOS_TYPES.items()
                },
            }
        }
    },
)
@revalidated
def skos(request, query: Query[SkosQuery]):
    by_slug(Tag, query.tag, "tag", "No tag has this slug.")
    options = ExportOptions(
        status=query.status.value if query.status else "", tag=query.tag or "", letter=query.letter or ""
    )
    file = glossary_file(options=options, file_format=query.format)
    response = HttpResponse(file.body, content_type=file.content_type)
    response["Content-Disposition"] = content_disposition_header(False, file.filename)
    return response


@router.get("/departments", response=list[schemas.Department], tags=["Departments and tags"])
@revalidated
def department_list(request):
    return selectors.department_columns()


@router.get("/tags", response=list[schemas.Tag], tags=["Departments and tags"])
@revalidated
def tag_list(request):
    tags = Tag.objects.annotate(term_count=Count("terms")).order_by("name")
    return [{"slug": tag.slug, "name": tag.name, "terms": tag.term_count} for tag in tags]


def _checked(slug: str) -> str:
    if not SLUG.fullmatch(slug):  # never a term's address, and PostgreSQL refuses some (NUL) in a query
        raise Http404(f"No term has the address {slug[:100]!r}.")
    return slug


def _term(slug: str) -> Term:
    found = Term.objects.filter(slug=_checked(slug)).first()
    if found is None:
        raise Http404(f"No term has the address {slug!r}.")
    return found


def _version(term: Term, number: int):
    version = selectors.term_version(term, number)
    if version is None:
        raise Http404(f"{term.name} has no version {number}; its current version is {term.version}.")
    return version


def _version_data(version) -> dict:
    user = version.user
    return {
        "number": version.number,
        "changed_at": version.date,
        "changed_by": (user.get_full_name() or user.get_username()) if user else "the system",
        "reason": version.reason,
    }


def term_data(request, term: Term, departments, approvals) -> dict:
    related = {other.pk: other.slug for other in term.related_terms.all()}
    return {
        **content_data(request, Entry.from_term(term), departments, related),
        "slug": term.slug,
        "url": request.build_absolute_uri(term.get_absolute_url()),
        "version": term.version,
        "updated_at": term.updated_at,
        "needs_reapproval": term.needs_reapproval,
        "review_overdue": term.review_overdue,
        "replaced_by": term_reference(request, term.replaced_by),
        "approved_by": [
            {
                "department": sign_off.department.slug,
                "approver": sign_off.approver.get_full_name() or sign_off.approver.get_username(),
                "approved_at": sign_off.created_at,
            }
            for sign_off in approvals
        ],
    }
