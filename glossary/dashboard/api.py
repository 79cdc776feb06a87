"""The dashboard's figures for other systems: the same selectors as the page and its CSV files.

Its address (/api/v1/metrics), operation id and schema names (`Metrics`, `MetricsQuery`) are the API's public names
from before the dashboard had one home, and stay as they are."""

from ninja import Query, Router, Schema
from pydantic import Field

from glossary.api import schemas
from glossary.api.terms import by_slug
from glossary.dashboard.selectors import AGREEMENT_ROWS, AgreementCounts, Figures
from glossary.dashboard.tables import current_figures
from glossary.models import Tag

router = Router(tags=["Dashboard"])


class MetricsQuery(Schema):
    tag: schemas.TagInAddress = Field(None, description="A tag's slug: figures for its terms only.")


@router.get(
    "/metrics",
    response=schemas.Metrics,
    operation_id="glossary_api_metrics_metrics",
    summary="How aligned the departments are, and who decisions wait on",
    description=(
        "The figures of the site's dashboard: agreement now and month by month (replayed from the "
        "history), open proposals by age and by whom they wait on, time to a decision and decisions "
        "by kind per department over the last 90 days, and the terms whose definitions are furthest "
        "apart or most disputed."
    ),
)
def dashboard(request, query: Query[MetricsQuery]):
    tag = by_slug(Tag, query.tag, "tag", "No tag has this slug.")
    return figures_data(request, current_figures(tag=tag, user=request.user), tag)


def _agreement(counts: AgreementCounts) -> dict:
    return {
        **{
            name: getattr(counts, name) for name in ("total", "agreed", "missing_definition", "in_review", "deprecated")
        },
        **{f"{name}_share": counts.share(name) for name, _ in AGREEMENT_ROWS},
    }


def figures_data(request, figures: Figures, tag: Tag | None) -> dict:
    decisions = figures.decisions
    absolute = request.build_absolute_uri
    return {
        "as_of": figures.now,
        "tag": tag.slug if tag else None,
        "agreement": _agreement(figures.agreement.now),
        "agreement_by_month": [{"month": p.month, "figures": _agreement(p.counts)} for p in figures.agreement.months],
        "open_proposals": decisions.open_total,
        "open_by_age": [{"age": w.label, "proposals": w.count} for w in decisions.by_age],
        "open_by_waiting_on": [{"waiting_on": w.label, "proposals": w.count} for w in decisions.by_department],
        "decision_times": [t.__dict__ for t in decisions.times],
        "decisions_by_kind": [k.__dict__ for k in decisions.kinds],
        "oldest_waiting": [
            {
                "id": p.pk,
                "name": p.name,
                "url": absolute(p.url),
                "state": p.state,
                "waiting_since": p.waiting_since,
                "days": p.days,
                "waiting_on": p.waiting_on,
            }
            for p in decisions.oldest
        ],
        "furthest_apart": [
            {"name": g.name, "url": absolute(g.url), "similarity": g.similarity}
            for g in figures.divergence.furthest_apart
        ],
        "most_disputed": [
            {"name": d.name, "url": absolute(d.url), "request_changes": d.request_changes, "reject": d.reject}
            for d in figures.divergence.most_disputed
        ],
    }
