"""The dashboard's figures: how much of the vocabulary both sides agree on, who a decision waits
on, and where the departments still talk past each other.

Everything is read from what the workflow stores (terms, definitions, proposals, sign-offs and
their history), never from counters. Each selector whose figures depend on the clock (the months,
ages, the last 90 days) takes the moment it describes (`now`), so tests can fix it; the others
describe what is stored. Each asks the database a fixed number of queries however large the
glossary is.
The figures are plain data (dataclasses of numbers, names and addresses), for the page, its CSV
files, the API and the PDF alike.
"""

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Department
from glossary import caching, similarity
from glossary.models import Definition, Proposal, ProposedDefinition, SignOff, Tag, Term

State = Proposal.State
Decision = SignOff.Decision

# How far back the decision figures look.
DECISION_WINDOW = timedelta(days=90)
# How many months the agreement chart shows, this one included.
MONTHS = 12
# How many rows the ranked lists show.
TOP = 10
# Open proposals by how long ago they were submitted: (label, up to this many days old).
AGE_BUCKETS = [("Under a week", 7), ("1 to 4 weeks", 28), ("1 to 3 months", 91), ("Over 3 months", None)]
# Open proposals that wait on their author rather than on a department.
WAITING_ON_AUTHOR = (State.CHANGES_REQUESTED, State.OUT_OF_DATE)
# A new term imported with labels alone waits for its definition, on nobody's sign-off (nobody may
# approve it until then): Proposal.needs_definition, as a query.
# On proposals annotated with _definition_written().
NEEDS_DEFINITION = Q(term__isnull=True, summary="", definition_written=False)


def _definition_written():
    return Exists(ProposedDefinition.objects.filter(proposal=OuterRef("pk")).exclude(text=""))


NEEDS_DEFINITION_LABEL = "A definition, to be written in (imported with labels alone)"


def _share(count: int, total: int) -> float:
    return round(count / total, 4) if total else 0.0


# Agreement.


@dataclass(frozen=True)
class AgreementCounts:
    """Terms in each condition at one moment. The conditions overlap: a term can be agreed and
    have a change in review."""

    total: int
    agreed: int  # not deprecated; its current version approved by every signing department
    missing_definition: int  # not deprecated; some active department has not defined it
    in_review: int  # a change to it is open (in review, changes requested or out of date)
    deprecated: int

    def share(self, name: str) -> float:
        return _share(getattr(self, name), self.total)


AGREEMENT_ROWS = [
    ("agreed", "Agreed by every signing department"),
    ("missing_definition", "Missing a department's definition"),
    ("in_review", "A change in review"),
    ("deprecated", "Deprecated"),
]


@dataclass(frozen=True)
class MonthPoint:
    month: date  # the month's first day
    counts: AgreementCounts


@dataclass(frozen=True)
class Agreement:
    now: AgreementCounts
    months: list[MonthPoint]  # oldest first; the last is this month, as it stands now


def _scoped_terms(tag: Tag | None):
    terms = Term.objects.all()
    return terms.filter(tags=tag) if tag is not None else terms


def agreement_now(*, tag: Tag | None = None) -> AgreementCounts:
    """The terms in each condition as they stand: two queries (the departments, then one aggregate)."""
    departments = list(Department.objects.filter(is_active=True).values_list("pk", "signs_off"))
    active = [pk for pk, _ in departments]
    signing = [pk for pk, signs in departments if signs]
    approved_by = (
        SignOff.objects.filter(
            proposal=OuterRef("approval_id"),
            revision=OuterRef("approval__revision"),
            decision=Decision.APPROVE,
            department_id__in=signing,
        )
        .order_by()
        .values("proposal")
        .annotate(n=Count("department", distinct=True))
        .values("n")
    )
    defined_by = (
        Definition.objects.filter(term=OuterRef("pk"), department_id__in=active)
        .order_by()
        .values("term")
        .annotate(n=Count("department", distinct=True))
        .values("n")
    )
    open_change = Proposal.objects.filter(term=OuterRef("pk"), state__in=Proposal.OPEN_STATES)
    live = ~Q(status=Term.Status.DEPRECATED)
    figures = (
        _scoped_terms(tag)
        .annotate(
            approvals=Coalesce(Subquery(approved_by, output_field=IntegerField()), Value(0)),
            definitions_in_use=Coalesce(Subquery(defined_by, output_field=IntegerField()), Value(0)),
            changing=Exists(open_change),
        )
        .aggregate(
            total=Count("pk"),
            agreed=Count(
                "pk", filter=live & Q(approval__isnull=False, needs_reapproval=False, approvals__gte=len(signing))
            ),
            missing_definition=Count("pk", filter=live & Q(definitions_in_use__lt=len(active))),
            in_review=Count("pk", filter=Q(changing=True)),
            deprecated=Count("pk", filter=Q(status=Term.Status.DEPRECATED)),
        )
    )
    return AgreementCounts(**figures)


def _month_starts(today: date, months: int) -> list[date]:
    starts, year, month = [], today.year, today.month
    for _ in range(months):
        starts.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return starts[::-1]


def _next_month(start: date) -> date:
    return date(start.year + start.month // 12, start.month % 12 + 1, 1)


def agreement_history(*, now: datetime, tag: Tag | None = None, months: int = MONTHS) -> Agreement:
    """The agreement figures at the end of each of the last `months` months, replayed from the
    history; this month's point is the state now (`agreement_now`).

    The history says what each term, definition and department was at any moment; a term counts
    as agreed at a moment if the proposal that made its version then official carried an approval
    from every department that signed off at that moment (a department added later makes older
    approvals incomplete). A tag's figures are those of the terms that carry it now.

    The past months' figures are kept (glossary.caching.agreement_months) while the history before
    this month is as it was: replaying a year of a large glossary's history takes a fifth of a
    second. A dozen queries, whatever the size: each history read once, in time order.
    """
    today = timezone.localtime(now).date()
    starts = _month_starts(today, months)
    zone = timezone.get_current_timezone()
    # The end of each past month, as the first moment of the next.
    ends = [datetime.combine(_next_month(start), time.min, tzinfo=zone) for start in starts[:-1]]
    current = agreement_now(tag=tag)
    scope = sorted(_scoped_terms(tag).values_list("pk", flat=True)) if tag is not None else None
    past = caching.agreement_months(
        tag.slug if tag else "", ends[-1] if ends else now, scope, lambda: _replay(ends, tag)
    )
    return Agreement(
        now=current,
        months=[MonthPoint(start, counts) for start, counts in zip(starts, past, strict=False)]
        + [MonthPoint(starts[-1], current)],
    )


def _replay(ends: list[datetime], tag: Tag | None) -> list[AgreementCounts]:
    """The agreement figures at each of `ends`, replayed from the history."""
    if not ends:
        return []

    def records(model, fields, term_field):
        rows = model.history.filter(history_date__lt=ends[-1])
        if tag is not None and term_field:
            rows = rows.filter(**{f"{term_field}__in": _scoped_terms(tag).values("pk")})
        return rows.order_by("history_date", "history_id").values_list("history_date", *fields)

    events = []  # (when, order, kind, row): replayed in time order, terms last within a moment
    for row in records(Department, ("id", "history_type", "is_active", "signs_off"), None):
        events.append((row[0], 0, "department", row[1:]))
    for row in records(Definition, ("term_id", "department_id", "history_type"), "term_id"):
        events.append((row[0], 1, "definition", row[1:]))
    for row in records(Proposal, ("id", "term_id", "state"), "term_id"):
        events.append((row[0], 2, "proposal", row[1:]))
    for row in records(Term, ("id", "history_type", "status", "approval_id", "needs_reapproval"), "id"):
        events.append((row[0], 3, "term", row[1:]))
    events.sort(key=lambda event: (event[0], event[1]))
    # Who approved each proposal's final revision (only published proposals make a version official).
    approvals = defaultdict(set)
    for proposal_id, department_id in SignOff.objects.filter(
        decision=Decision.APPROVE, proposal__state=State.PUBLISHED, revision=F("proposal__revision")
    ).values_list("proposal_id", "department_id"):
        approvals[proposal_id].add(department_id)

    # Departments seeded by a migration have no record of their creation: they count as having
    # been from the start as their first record says, or as they are now if they have none.
    first_records = {}
    for _, _, kind, row in events:
        if kind == "department":
            first_records.setdefault(row[0], row)
    departments: dict[int, tuple[bool, bool]] = {  # id: (active, signs off)
        pk: (active, signs)
        for pk, active, signs in Department.objects.values_list("pk", "is_active", "signs_off")
        if pk not in first_records
    }
    departments.update({pk: (row[2], row[3]) for pk, row in first_records.items() if row[1] != "+"})
    definitions: dict[int, set[int]] = defaultdict(set)
    open_changes: dict[int, int] = {}  # proposal id: term id, while open
    terms: dict[int, tuple] = {}  # id: (status, approval id, needs reapproval)
    points, position = [], 0
    for end in ends:
        while position < len(events) and events[position][0] < end:
            _, _, kind, row = events[position]
            position += 1
            if kind == "department":
                pk, history_type, active, signs = row
                if history_type == "-":
                    departments.pop(pk, None)
                else:
                    departments[pk] = (active, signs)
            elif kind == "definition":
                term_id, department_id, history_type = row
                if history_type == "-":
                    definitions[term_id].discard(department_id)
                else:
                    definitions[term_id].add(department_id)
            elif kind == "proposal":
                pk, term_id, state = row
                if term_id is not None and state in Proposal.OPEN_STATES:
                    open_changes[pk] = term_id
                else:
                    open_changes.pop(pk, None)
            else:
                pk, history_type, status, approval_id, needs_reapproval = row
                if history_type == "-":
                    terms.pop(pk, None)
                else:
                    terms[pk] = (status, approval_id, needs_reapproval)
        points.append(_counts_at(terms, definitions, open_changes, departments, approvals))
    return points


def _counts_at(terms, definitions, open_changes, departments, approvals) -> AgreementCounts:
    active = {pk for pk, (is_active, _) in departments.items() if is_active}
    signing = {pk for pk, (is_active, signs) in departments.items() if is_active and signs}
    changing = set(open_changes.values())
    total = agreed = missing = in_review = deprecated = 0
    for pk, (status, approval_id, needs_reapproval) in terms.items():
        total += 1
        if pk in changing:
            in_review += 1
        if status == Term.Status.DEPRECATED:
            deprecated += 1
            continue
        if approval_id is not None and not needs_reapproval and signing <= approvals.get(approval_id, set()):
            agreed += 1
        if not active <= definitions.get(pk, set()):
            missing += 1
    return AgreementCounts(total, agreed, missing, in_review, deprecated)


# Decisions.


@dataclass(frozen=True)
class Waiting:
    label: str
    count: int


@dataclass(frozen=True)
class DecisionTime:
    department: str
    decisions: int
    median_hours: float | None
    p90_hours: float | None


@dataclass(frozen=True)
class DecisionKinds:
    department: str
    approve: int
    request_changes: int
    reject: int


@dataclass(frozen=True)
class WaitingProposal:
    pk: int
    name: str
    url: str
    state: str
    waiting_since: datetime
    days: int
    waiting_on: list[str]


@dataclass(frozen=True)
class Decisions:
    open_total: int
    by_age: list[Waiting]
    by_department: list[Waiting]  # each signing department, then the authors
    times: list[DecisionTime]
    kinds: list[DecisionKinds]
    oldest: list[WaitingProposal]


def _scoped_proposals(tag: Tag | None):
    proposals = Proposal.objects.all()
    if tag is None:
        return proposals
    # A change: its term carries the tag. A new term: the tag is one of the lines it proposes.
    name = tag.name
    new_with_tag = (
        Q(tag_names__iexact=name)
        | Q(tag_names__istartswith=f"{name}\n")
        | Q(tag_names__iendswith=f"\n{name}")
        | Q(tag_names__icontains=f"\n{name}\n")
    )
    return proposals.filter(Q(term__in=Term.objects.filter(tags=tag)) | (Q(term__isnull=True) & new_with_tag))


def _revision_submitted():
    """When the proposal's current revision was submitted: its first history record at that
    revision, or its creation when it has no history (rows written in bulk)."""
    first_record = (
        Proposal.history.filter(id=OuterRef("pk"), revision=OuterRef("revision"))
        .order_by("history_date", "history_id")
        .values("history_date")[:1]
    )
    return Coalesce(Subquery(first_record), F("created_at"))


def _approved_by(department_id: int):
    return Exists(
        SignOff.objects.filter(
            proposal=OuterRef("pk"),
            revision=OuterRef("revision"),
            department_id=department_id,
            decision=Decision.APPROVE,
        )
    )


def _percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile: the smallest value with at least `share` of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)), 1) - 1]


def decisions(*, now: datetime, tag: Tag | None = None) -> Decisions:
    """Who open proposals wait on and for how long, and how each department decided in the last
    90 days. Four queries: the departments, one aggregate, the oldest proposals, the decisions."""
    departments = list(Department.objects.filter(is_active=True, signs_off=True))
    proposals = _scoped_proposals(tag)
    open_proposals = proposals.filter(state__in=Proposal.OPEN_STATES)
    in_review = Q(state=State.IN_REVIEW)
    counts = {}
    lower = None
    for index, (_, days) in enumerate(AGE_BUCKETS):
        age = Q()
        if days is not None:
            age &= Q(created_at__gt=now - timedelta(days=days))
        if lower is not None:
            age &= Q(created_at__lte=now - timedelta(days=lower))
        counts[f"age{index}"] = Count("pk", filter=age)
        lower = days
    signable = in_review & ~NEEDS_DEFINITION
    for department in departments:
        counts[f"department{department.pk}"] = Count("pk", filter=signable & Q(**{f"approved{department.pk}": False}))
    counts["author"] = Count("pk", filter=Q(state__in=WAITING_ON_AUTHOR))
    counts["definition"] = Count("pk", filter=in_review & NEEDS_DEFINITION)
    counts["total"] = Count("pk")
    approved = {f"approved{d.pk}": _approved_by(d.pk) for d in departments}
    figures = open_proposals.annotate(definition_written=_definition_written(), **approved).aggregate(**counts)

    by_age = [Waiting(label, figures[f"age{i}"]) for i, (label, _) in enumerate(AGE_BUCKETS)]
    by_department = [Waiting(d.name, figures[f"department{d.pk}"]) for d in departments]
    by_department.append(Waiting("The author (changes requested or out of date)", figures["author"]))
    by_department.append(Waiting(NEEDS_DEFINITION_LABEL, figures["definition"]))

    oldest = []
    rows = (
        open_proposals.annotate(
            waiting_since=_revision_submitted(), definition_written=_definition_written(), **approved
        )
        .annotate(undefined=ExpressionWrapper(NEEDS_DEFINITION, BooleanField()))
        .order_by("waiting_since", "pk")
        .values("pk", "name", "state", "waiting_since", "undefined", *approved)[:TOP]
    )
    for row in rows:
        if row["state"] in WAITING_ON_AUTHOR:
            waiting_on = ["The author"]
        elif row["undefined"]:
            waiting_on = ["A definition, to be written in"]
        else:
            waiting_on = [d.name for d in departments if not row[f"approved{d.pk}"]]
        oldest.append(
            WaitingProposal(
                pk=row["pk"],
                name=row["name"],
                url=Proposal(pk=row["pk"]).get_absolute_url(),
                state=State(row["state"]).label,
                waiting_since=row["waiting_since"],
                days=(now - row["waiting_since"]).days,
                waiting_on=waiting_on,
            )
        )

    times, kinds = _decision_figures(now=now, proposals=proposals, departments=departments)
    return Decisions(figures["total"], by_age, by_department, times, kinds, oldest)


def _decision_figures(*, now, proposals, departments):
    """Time from each revision's submission to each department's decision on it, and the kinds of
    decision, over the last 90 days."""
    revision_submitted = (
        Proposal.history.filter(id=OuterRef("proposal_id"), revision=OuterRef("revision"))
        .order_by("history_date", "history_id")
        .values("history_date")[:1]
    )
    rows = (
        SignOff.objects.filter(created_at__gt=now - DECISION_WINDOW, created_at__lte=now, proposal__in=proposals)
        .annotate(submitted=Coalesce(Subquery(revision_submitted), F("proposal__created_at")))
        .values_list("department_id", "decision", "created_at", "submitted")
    )
    hours = defaultdict(list)
    decided = defaultdict(lambda: defaultdict(int))
    for department_id, decision, decided_at, submitted in rows:
        hours[department_id].append(max((decided_at - submitted).total_seconds(), 0) / 3600)
        decided[department_id][decision] += 1
    times = []
    kinds = []
    for department in departments:
        spans = hours.get(department.pk, [])
        times.append(
            DecisionTime(
                department=department.name,
                decisions=len(spans),
                median_hours=round(statistics.median(spans), 1) if spans else None,
                p90_hours=round(_percentile(spans, 0.9), 1) if spans else None,
            )
        )
        made = decided.get(department.pk, {})
        kinds.append(
            DecisionKinds(
                department=department.name,
                approve=made.get(Decision.APPROVE, 0),
                request_changes=made.get(Decision.REQUEST_CHANGES, 0),
                reject=made.get(Decision.REJECT, 0),
            )
        )
    return times, kinds


# Where the departments talk past each other.


@dataclass(frozen=True)
class TermGap:
    name: str
    url: str
    similarity: float  # of the least alike pair of definitions, 0 (nothing shared) to 1 (the same words)


@dataclass(frozen=True)
class DisputedTerm:
    name: str
    url: str
    request_changes: int
    reject: int

    @property
    def total(self) -> int:
        return self.request_changes + self.reject


@dataclass(frozen=True)
class Divergence:
    furthest_apart: list[TermGap] = field(default_factory=list)
    most_disputed: list[DisputedTerm] = field(default_factory=list)


def divergence(*, tag: Tag | None = None) -> Divergence:
    return Divergence(furthest_apart=furthest_apart(tag=tag), most_disputed=most_disputed(tag=tag))


def furthest_apart(*, tag: Tag | None = None, limit: int = TOP) -> list[TermGap]:
    """Terms defined by two or more active departments, least alike first: each term's figure is
    the trigram similarity (glossary.similarity) of its least alike pair of definitions. Deprecated
    terms are left out; of two terms alike, the older comes first.

    A term's figure changes only with a new version of it (or another set of active departments),
    so each is kept in the cache under its version (glossary.caching.term_gaps) and only terms
    changed since are compared again: comparing 10,000 terms' definitions takes seconds.
    """
    active = list(Department.objects.filter(is_active=True).values_list("pk", flat=True))
    versions = dict(_scoped_terms(tag).exclude(status=Term.Status.DEPRECATED).values_list("pk", "version"))

    def compare(term_ids: list[int]) -> dict[int, float]:
        definitions = Definition.objects.filter(department_id__in=active, term_id__in=term_ids)
        if connection.vendor == "postgresql":
            scores = _least_alike_postgres(definitions)
        else:
            scores = _least_alike_python(definitions)
        return {pk: scores.get(pk, NOT_COMPARED) for pk in term_ids}

    scores = caching.term_gaps(versions, active, compare)
    ranked = sorted(
        ((pk, score) for pk, score in scores.items() if score != NOT_COMPARED), key=lambda row: (row[1], row[0])
    )[:limit]
    found = {
        pk: (name, slug)
        for pk, name, slug in Term.objects.filter(pk__in=[pk for pk, _ in ranked]).values_list("pk", "name", "slug")
    }
    return [
        TermGap(name=found[pk][0], url=Term(slug=found[pk][1]).get_absolute_url(), similarity=round(score, 3))
        for pk, score in ranked
    ]


# A term defined by fewer than two departments has nothing to compare.
NOT_COMPARED = -1.0


def _least_alike_postgres(definitions) -> dict[int, float]:
    sql, params = definitions.values("term_id", "department_id", "text").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH d AS ({sql})
            SELECT a.term_id, MIN(similarity(a.text, b.text)) AS score
            FROM d a JOIN d b ON a.term_id = b.term_id AND a.department_id < b.department_id
            GROUP BY a.term_id
            """,
            params,
        )
        # Rounded, so that the database's float4 and Python's float rank alike.
        return {pk: round(float(score), 4) for pk, score in cursor.fetchall()}


def _least_alike_python(definitions) -> dict[int, float]:
    by_term = defaultdict(list)
    for term_id, body in definitions.order_by("term_id", "department_id").values_list("term_id", "text"):
        by_term[term_id].append(similarity.trigrams(body))
    scores = {}
    for term_id, pieces in by_term.items():
        pairs = [len(a & b) / len(a | b) if a and b else 0.0 for i, a in enumerate(pieces) for b in pieces[i + 1 :]]
        if pairs:
            scores[term_id] = round(min(pairs), 4)
    return scores


def most_disputed(*, tag: Tag | None = None, limit: int = TOP) -> list[DisputedTerm]:
    """Terms whose proposals drew the most “request changes” and “reject” decisions, ever."""
    rows = (
        SignOff.objects.filter(
            decision__in=[Decision.REQUEST_CHANGES, Decision.REJECT], proposal__term__in=_scoped_terms(tag)
        )
        .values("proposal__term_id", "proposal__term__name", "proposal__term__slug", "proposal__term__name_key")
        .annotate(
            changes=Count("pk", filter=Q(decision=Decision.REQUEST_CHANGES)),
            rejections=Count("pk", filter=Q(decision=Decision.REJECT)),
            disputes=Count("pk"),
        )
        .order_by("-disputes", "proposal__term__name_key")[:limit]
    )
    return [
        DisputedTerm(
            name=row["proposal__term__name"],
            url=Term(slug=row["proposal__term__slug"]).get_absolute_url(),
            request_changes=row["changes"],
            reject=row["rejections"],
        )
        for row in rows
    ]


# Everything at once.


@dataclass(frozen=True)
class Figures:
    now: datetime
    tag: str  # the tag's name, or "" for the whole glossary
    agreement: Agreement
    decisions: Decisions
    divergence: Divergence


def dashboard_figures(*, now: datetime, tag: Tag | None = None) -> Figures:
    return Figures(
        now=now,
        tag=tag.name if tag else "",
        agreement=agreement_history(now=now, tag=tag),
        decisions=decisions(now=now, tag=tag),
        divergence=divergence(tag=tag),
    )
