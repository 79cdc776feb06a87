"""The dashboard's figures (glossary.dashboard.selectors) laid out as tables and charts.

One table shape serves the page, each table's CSV download and the charts, so a downloaded file
holds exactly the figures the page shows. Cells are plain values: text, whole numbers, or None
where there is no figure (shown as “–”, written as an empty cell).
"""

import csv
import io
from dataclasses import dataclass, field

from django.utils import timezone

from glossary import caching
from glossary.dashboard.selectors import AGREEMENT_ROWS, DECISION_WINDOW, Figures, dashboard_figures
from glossary.spreadsheets import spreadsheet_safe


def current_figures(*, tag=None, user=None) -> Figures:
    """The figures as of now, for the page, its files and the API alike; shared by everyone for
    the hour while nothing changes (glossary.caching)."""
    now = timezone.now()
    return caching.dashboard(
        tag.slug if tag else "", now.strftime("%Y-%m-%dT%H"), lambda: dashboard_figures(now=now, tag=tag), user
    )


@dataclass(frozen=True)
class Row:
    cells: tuple
    url: str = ""  # where the first cell links to


@dataclass(frozen=True)
class Chart:
    """What static/js/dashboard-charts.js draws: one series per name, one value per label."""

    kind: str  # "line", "bar" or "stacked"
    labels: list[str]
    series: list[dict]  # {"name": ..., "values": [...]}
    unit: str  # what the values count, for the axis

    def as_data(self) -> dict:
        return {"kind": self.kind, "labels": self.labels, "series": self.series, "unit": self.unit}


@dataclass(frozen=True)
class Table:
    slug: str  # its CSV file's name and its section's id
    title: str
    summary: str  # the figures in a sentence, for everyone and for the chart's text alternative
    columns: list[str]
    rows: list[Row]
    empty: str
    chart: Chart | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def chart_id(self) -> str:
        return f"{self.slug}-data"

    def labelled_rows(self) -> list[tuple[Row, list[tuple[str, object]]]]:
        """Each row with its cells paired with their columns' names (a phone shows them per cell)."""
        return [(row, list(zip(self.columns, row.cells, strict=False))) for row in self.rows]

    def as_csv(self) -> str:
        """Its columns, then its rows as the page shows them, safe to open in a spreadsheet."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(self.columns)
        for row in self.rows:
            writer.writerow(["" if cell is None else spreadsheet_safe(str(cell)) for cell in row.cells])
        return out.getvalue()


def _percent(share: float) -> str:
    return f"{share * 100:.1f}%"


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def agreement_tables(figures: Figures) -> list[Table]:
    now = figures.agreement.now
    rows = [Row((label, getattr(now, name), _percent(now.share(name)))) for name, label in AGREEMENT_ROWS]
    rows.append(Row(("All terms", now.total, _percent(1 if now.total else 0))))
    current = Table(
        slug="agreement",
        title="Agreement now",
        summary=(
            f"{now.agreed} of {_plural(now.total, 'term', 'terms')} ({_percent(now.share('agreed'))}) have a current "
            f"version every signing department approved. Missing a department's definition: {now.missing_definition}; "
            f"a change in review: {now.in_review}; deprecated: {now.deprecated}."
        ),
        columns=["Terms", "Count", "Share"],
        rows=rows if now.total else [],
        empty="No terms yet.",
        notes=["A term can be in more than one row: agreed, and with a change in review."],
    )
    # From the first month with terms: months before the glossary began hold only zeros.
    months = figures.agreement.months
    first = next((p for p in months if p.counts.total), None)
    months = months[months.index(first) :] if first else []
    labels = [point.month.strftime("%b %Y") for point in months]
    series = [
        {"name": label, "values": [getattr(point.counts, name) for point in months]} for name, label in AGREEMENT_ROWS
    ]
    if first is None:
        trend = "No terms in the last twelve months."
    elif first is months[-1]:
        trend = f"The history starts this month: {first.counts.agreed} of {first.counts.total} terms agreed now."
    else:
        trend = (
            f"Agreed terms went from {first.counts.agreed} of {first.counts.total} in {first.month:%B %Y} "
            f"to {months[-1].counts.agreed} of {months[-1].counts.total} now."
        )
    by_month = Table(
        slug="agreement-by-month",
        title="Agreement month by month",
        summary=trend
        + " Each month shows the glossary as it stood at the month's end (the last twelve at most); this month, as it stands now.",
        columns=["Month", "Terms", *(label for _, label in AGREEMENT_ROWS)],
        rows=[
            Row((label, p.counts.total, *(getattr(p.counts, name) for name, _ in AGREEMENT_ROWS)))
            for label, p in zip(labels, months, strict=True)
        ]
        if first
        else [],
        empty="No terms in the last twelve months.",
        chart=Chart(kind="line", labels=labels, series=series, unit="terms"),
    )
    return [current, by_month]


def decision_tables(figures: Figures) -> list[Table]:
    decisions = figures.decisions
    days = DECISION_WINDOW.days
    open_total = decisions.open_total
    by_age = Table(
        slug="open-by-age",
        title="Open proposals by age",
        summary=f"{_plural(open_total, 'proposal is', 'proposals are')} open, counted from when each was first submitted.",
        columns=["Submitted", "Open proposals"],
        rows=[Row((w.label, w.count)) for w in decisions.by_age] if open_total else [],
        empty="No proposal is open.",
    )
    busiest = max(decisions.by_department, key=lambda w: w.count, default=None)
    waiting_on = Table(
        slug="open-by-department",
        title="Who open proposals wait on",
        summary=(
            f"Most open proposals wait on {busiest.label} ({busiest.count}). A proposal in review waits on every "
            f"signing department that has not approved its current revision."
            if busiest and busiest.count
            else "No proposal waits on anyone."
        ),
        columns=["Waiting on", "Open proposals"],
        rows=[Row((w.label, w.count)) for w in decisions.by_department] if open_total else [],
        empty="No proposal is open.",
        chart=Chart(
            kind="bar",
            labels=[w.label for w in decisions.by_department],
            series=[{"name": "Open proposals", "values": [w.count for w in decisions.by_department]}],
            unit="proposals",
        ),
    )
    decided = [t for t in decisions.times if t.decisions]
    times = Table(
        slug="decision-times",
        title=f"Time to a decision, last {days} days",
        summary=(
            "; ".join(
                f"{t.department}: median {t.median_hours} hours over {_plural(t.decisions, 'decision', 'decisions')}"
                for t in decided
            )
            + "."
            if decided
            else f"No department decided anything in the last {days} days."
        ),
        columns=["Department", "Decisions", "Median (hours)", "90th percentile (hours)"],
        rows=[Row((t.department, t.decisions, t.median_hours, t.p90_hours)) for t in decisions.times]
        if decided
        else [],
        empty=f"No decisions in the last {days} days.",
        notes=["Counted from the submission of the revision decided on (a new revision restarts the clock)."],
    )
    kinds = decisions.kinds
    by_kind = Table(
        slug="decisions-by-kind",
        title=f"Decisions by kind, last {days} days",
        summary=(
            "; ".join(
                f"{k.department} approved {k.approve}, requested changes {k.request_changes} times, rejected {k.reject}"
                for k in kinds
                if k.approve + k.request_changes + k.reject
            )
            + "."
            if decided
            else f"No department decided anything in the last {days} days."
        ),
        columns=["Department", "Approved", "Changes requested", "Rejected"],
        rows=[Row((k.department, k.approve, k.request_changes, k.reject)) for k in kinds] if decided else [],
        empty=f"No decisions in the last {days} days.",
        chart=Chart(
            kind="stacked",
            labels=[k.department for k in kinds],
            series=[
                {"name": "Approved", "values": [k.approve for k in kinds]},
                {"name": "Changes requested", "values": [k.request_changes for k in kinds]},
                {"name": "Rejected", "values": [k.reject for k in kinds]},
            ],
            unit="decisions",
        ),
    )
    oldest = decisions.oldest
    longest = (
        f"The longest wait: #{oldest[0].pk} {oldest[0].name}, {_plural(oldest[0].days, 'day', 'days')} since its current revision."
        if oldest
        else "No proposal is waiting."
    )
    oldest_table = Table(
        slug="oldest-waiting",
        title="Waiting longest",
        summary=longest,
        columns=["Proposal", "State", "Current revision since", "Days", "Waiting on"],
        rows=[
            Row(
                (f"#{p.pk} {p.name}", p.state, p.waiting_since.date().isoformat(), p.days, ", ".join(p.waiting_on)),
                url=p.url,
            )
            for p in oldest
        ],
        empty="No proposal is waiting.",
    )
    return [by_age, waiting_on, times, by_kind, oldest_table]


def divergence_tables(figures: Figures) -> list[Table]:
    gaps = figures.divergence.furthest_apart
    disputed = figures.divergence.most_disputed
    furthest = Table(
        slug="furthest-apart",
        title="Definitions furthest apart",
        summary=(
            f"The departments' definitions of {gaps[0].name} share the least wording (similarity {gaps[0].similarity})."
            if gaps
            else "No term is defined by two departments yet."
        ),
        columns=["Term", "Similarity (0 to 1)"],
        rows=[Row((g.name, g.similarity), url=g.url) for g in gaps],
        empty="No term is defined by two departments yet.",
        notes=[
            "Trigram similarity of the least alike pair of definitions: the share of three-letter pieces of "
            "words they have in common. 0 means no common wording, 1 the same words."
        ],
    )
    most = Table(
        slug="most-disputed",
        title="Most disputed terms",
        summary=(
            f"{disputed[0].name} drew the most pushback: {_plural(disputed[0].total, 'decision', 'decisions')} asking for changes or rejecting."
            if disputed
            else "No change to a term has been sent back or rejected."
        ),
        columns=["Term", "Changes requested", "Rejected", "Together"],
        rows=[Row((d.name, d.request_changes, d.reject, d.total), url=d.url) for d in disputed],
        empty="No change to a term has been sent back or rejected.",
    )
    return [furthest, most]


def dashboard_sections(figures: Figures) -> list[tuple[str, str, list[Table]]]:
    """(id, heading, tables) for each part of the page, in order."""
    return [
        ("agreement", "Agreement", agreement_tables(figures)),
        ("decisions", "Decisions", decision_tables(figures)),
        ("talking-past", "Where we talk past each other", divergence_tables(figures)),
    ]


def dashboard_table(figures: Figures, slug: str) -> Table | None:
    for _, _, tables in dashboard_sections(figures):
        for table in tables:
            if table.slug == slug:
                return table
    return None


TABLE_SLUGS = [
    "agreement",
    "agreement-by-month",
    "open-by-age",
    "open-by-department",
    "decision-times",
    "decisions-by-kind",
    "oldest-waiting",
    "furthest-apart",
    "most-disputed",
]
