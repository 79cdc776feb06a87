"""Reads from the glossary: listings, search and version history."""

import difflib
from dataclasses import dataclass
from datetime import datetime

from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramSimilarity
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Case, F, IntegerField, Max, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Greatest

from accounts.models import Department
from glossary import text
from glossary.entries import Entry
from glossary.models import Definition, Tag, Term

SEARCH_CONFIG = "english"
# Names this similar (pg_trgm's 0..1 scale) to the query count as a typo of it.
TYPO_SIMILARITY = 0.3


def department_columns() -> list[Department]:
    return list(Department.objects.filter(is_active=True))


def tag_choices() -> list[Tag]:
    return list(Tag.objects.all())


def term_list(
    *,
    query: str = "",
    status: str = "",
    missing_department: Department | None = None,
    tag: Tag | None = None,
    letter: str = "",
    updated_since: datetime | None = None,
) -> QuerySet[Term]:
    """Terms matching the home page's filters, with what the list shows prefetched."""
    terms = Term.objects.defer(*_SEARCH_FIELDS)
    if updated_since is not None:
        terms = terms.filter(updated_at__gte=updated_since)
    if status:
        terms = terms.filter(status=status)
    terms = home_page_filters(terms, query=query, missing_department=missing_department, tag=tag, letter=letter)
    return terms.prefetch_related(_LISTED_DEFINITIONS)


def home_page_filters(
    terms: QuerySet[Term],
    *,
    query: str = "",
    missing_department: Department | None = None,
    tag: Tag | None = None,
    letter: str = "",
) -> QuerySet[Term]:
    """`terms` narrowed as the home page narrows its list (the list and every export share it)."""
    if missing_department is not None:
        terms = terms.exclude(definitions__department=missing_department)
    if tag is not None:
        terms = terms.filter(tags=tag)
    if letter:
        terms = terms.filter(initial=letter)
    if query:
        terms = term_search(terms, query)
    return terms


# Only search reads these, in the database; a list page need not carry them to Python.
_SEARCH_FIELDS = ("search_document", "search_vector")
_LISTED_DEFINITIONS = Prefetch("definitions", queryset=Definition.objects.select_related("department"))


def term_id_page(page_number: int, page_size: int, **filters) -> Page:
    """One page of the ids of term_list(**filters), in order, with the number of matches."""
    ids = term_list(**filters).values_list("pk", flat=True)
    if filters.get("query"):
        # Ranking a search visits every match anyway: read the ranked ids once, for the count and
        # the page alike, rather than searching twice (COUNT, then the page).
        ids = list(ids)
    return Paginator(ids, page_size).get_page(page_number)


def terms_for_cards(ids) -> dict[int, Term]:
    """Terms by id with what a term's card in the list shows."""
    return (
        Term.objects.defer(*_SEARCH_FIELDS)
        .select_related("replaced_by")
        .prefetch_related(_LISTED_DEFINITIONS)
        .in_bulk(ids)
    )


def terms_in_full(ids) -> dict[int, Term]:
    """Terms by id with everything a term holds: definitions, tags, related terms, approval."""
    return (
        Term.objects.defer(*_SEARCH_FIELDS)
        .select_related("approval", "replaced_by")
        .prefetch_related(_LISTED_DEFINITIONS, "tags", "related_terms")
        .in_bulk(ids)
    )


def glossary_last_modified() -> datetime | None:
    """When the glossary last changed: its newest term version (definitions, tags and approvals
    are saved as one)."""
    return Term.history.aggregate(newest=Max("history_date"))["newest"]


def term_search(terms: QuerySet[Term], query: str) -> QuerySet[Term]:
    """Terms whose name, abbreviation, synonyms or text match `query`, best match first."""
    query = text.normalise_name(query)
    if not query:
        return terms
    if connection.vendor == "postgresql":
        return _search_postgres(terms, query)
    return _search_simple(terms, query)


def _search_postgres(terms: QuerySet[Term], query: str) -> QuerySet[Term]:
    # search_vector is kept by glossary.services.terms and GIN-indexed (migration 0005).
    search_query = SearchQuery(query, config=SEARCH_CONFIG, search_type="websearch")
    return (
        terms.annotate(
            rank=SearchRank(F("search_vector"), search_query),
            similarity=Greatest(TrigramSimilarity("name", query), TrigramSimilarity("abbreviation", query)),
            exact=_exact_name_match(query),
        )
        .filter(
            Q(search_vector=search_query) | Q(name__trigram_similar=query) | Q(synonyms__trigram_word_similar=query)
        )
        .order_by("-exact", -(F("rank") + F("similarity")), "name_key")
    )


def _search_simple(terms: QuerySet[Term], query: str) -> QuerySet[Term]:
    """SQLite: every word must appear; spacing and hyphens are ignored; typos fall back to difflib."""
    words = query.casefold().split()
    match = Q()
    for word in words:
        match &= Q(search_document__contains=word)
    squashed = text.compact(query)
    if squashed:
        match |= Q(search_document__contains=squashed)
    found = terms.filter(match)
    if not found.exists():
        names = dict(terms.values_list("name_key", "pk"))
        close = difflib.get_close_matches(query.casefold(), names, n=10, cutoff=0.75)
        found = terms.filter(pk__in=[names[n] for n in close])
    in_name = Q()
    for word in words:
        in_name &= Q(name_key__contains=word)
    return found.annotate(
        exact=_exact_name_match(query), in_name=Case(When(in_name, then=Value(1)), default=Value(0))
    ).order_by("-exact", "-in_name", "name_key")


def _exact_name_match(query: str):
    key = text.name_key(query)
    return Case(
        When(Q(name_key=key) | Q(abbreviation__iexact=query), then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )


def letters_in_use() -> set[str]:
    return set(Term.objects.order_by().values_list("initial", flat=True).distinct())


@dataclass
class LastChange:
    who: str
    when: datetime
    why: str


_LAST_CHANGE_FIELDS = {
    "last_change_date": "history_date",
    "last_change_reason": "history_change_reason",
    "last_change_first_name": "history_user__first_name",
    "last_change_last_name": "history_user__last_name",
    "last_change_username": "history_user__username",
}


def with_last_change(terms: QuerySet[Term]) -> QuerySet[Term]:
    """Terms carrying who changed them last, when and why, read in the same query as the term."""
    newest = Term.history.filter(id=OuterRef("pk")).order_by("-history_date", "-history_id")
    return terms.annotate(**{name: Subquery(newest.values(path)[:1]) for name, path in _LAST_CHANGE_FIELDS.items()})


def term_for_page(slug: str) -> Term | None:
    """The term with everything its page shows: last change, approval, tags, links, definitions."""
    return (
        with_last_change(Term.objects.select_related("approval", "replaced_by"))
        .prefetch_related("tags", "related_terms", "definitions")
        .filter(slug=slug)
        .first()
    )


def term_history_for_page(slug: str) -> tuple[Term, list["TermVersion"], list[Department]] | None:
    """The term, all its versions newest first, and the department columns to compare them in."""
    term = Term.objects.filter(slug=slug).first()
    if term is None:
        return None
    return term, term_versions(term), department_columns()


def term_last_change(term: Term) -> LastChange | None:
    """Who changed the term last, when and why (from with_last_change, else one query)."""
    if not hasattr(term, "last_change_date"):
        term = with_last_change(Term.objects.filter(pk=term.pk)).first()
    if term is None or term.last_change_date is None:
        return None
    full_name = f"{term.last_change_first_name or ''} {term.last_change_last_name or ''}".strip()
    return LastChange(
        who=full_name or term.last_change_username or "the system",
        when=term.last_change_date,
        why=term.last_change_reason or "",
    )


@dataclass
class TermVersion:
    """A term as it stood after one change."""

    history_id: int
    number: int
    date: datetime
    user: object
    reason: str
    entry: Entry


def term_versions(term: Term) -> list[TermVersion]:
    """Every version of the term, newest first, each complete.

    Costs a fixed handful of queries however many versions there are: the term's records, their
    tag and relation rows, and the definitions' records, joined up here in Python.
    """
    records = list(term.history.select_related("history_user").order_by("history_date", "history_id"))
    if not records:
        return []
    history_model = type(records[0])
    tags = _m2m_rows(history_model, "tags", "tag", records)
    related = _m2m_rows(history_model, "related_terms", "to_term", records)
    definition_records = list(Definition.history.filter(term_id=term.pk).order_by("history_date", "history_id"))

    versions, current, position = [], {}, 0
    for number, record in enumerate(records, start=1):
        # Definitions saved in the same change carry the same timestamp, so `<=` includes them.
        while position < len(definition_records) and definition_records[position].history_date <= record.history_date:
            d = definition_records[position]
            if d.history_type == "-":
                current.pop(d.department_id, None)
            else:
                current[d.department_id] = d.text
            position += 1
        entry = Entry.from_record(
            record,
            tags=[str(tag) for tag in tags.get(record.history_id, {}).values()],
            related_terms={pk: str(other) for pk, other in related.get(record.history_id, {}).items()},
            definitions=current,
        )
        versions.append(
            TermVersion(
                history_id=record.history_id,
                number=record.version or number,
                date=record.history_date,
                user=record.history_user,
                reason=record.history_change_reason or "",
                entry=entry,
            )
        )
    versions.reverse()
    return versions


def term_version(term: Term, number: int) -> TermVersion | None:
    return next((v for v in term_versions(term) if v.number == number), None)


def _m2m_rows(history_model, attr: str, target: str, records) -> dict[int, dict[int, object]]:
    """For each historical record, the related objects its m2m rows pointed at, by primary key."""
    m2m_model = getattr(history_model, attr).model
    rows = m2m_model.objects.filter(history__in=[r.history_id for r in records]).select_related(target)
    found: dict[int, dict[int, object]] = {}
    for row in rows:
        found.setdefault(row.history_id, {})[getattr(row, f"{target}_id")] = getattr(row, target)
    return found
