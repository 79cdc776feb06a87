"""Reads for the Atom feeds: the glossary's published changes, newest first."""

from dataclasses import dataclass
from datetime import datetime

from glossary.entries import diff_entries
from glossary.models import Tag, Term
from glossary.rendering import first_line
from glossary.selectors.terms import department_columns, term_versions

# How many changes a feed lists: enough for a reader polling daily, small enough to build quickly.
FEED_LENGTH = 30
# Publishing records the term's version with this reason (glossary.services.proposals._publish).
PUBLISHED_REASON_PREFIX = "Proposal #"


@dataclass(frozen=True)
class PublishedChange:
    """One published version of a term, as a feed entry shows it."""

    term: Term
    history_id: int
    previous_history_id: int | None
    number: int
    published_at: datetime
    published_by: str
    reason: str
    changed: list[str]  # labels of the fields that changed; empty for a new term
    definitions: list[tuple[str, str]]  # (department name, its definition's first line)

    @property
    def what_changed(self) -> str:
        if self.previous_history_id is None:
            return "new term"
        return ", ".join(self.changed) if self.changed else "published again unchanged"


def published_changes(
    *, term: Term | None = None, tag: Tag | None = None, limit: int = FEED_LENGTH
) -> list[PublishedChange]:
    """The newest published versions: of every term, of `term`, or of the terms now tagged `tag`.

    Only versions a proposal published count (not admin edits, nor a term touched because a related
    term changed). Reads each listed term's versions once, in a fixed handful of queries per term.
    """
    records = Term.history.filter(history_change_reason__startswith=PUBLISHED_REASON_PREFIX)
    if term is not None:
        records = records.filter(id=term.pk)
    if tag is not None:
        records = records.filter(id__in=tag.terms.values("pk"))
    newest = list(records.order_by("-history_date", "-history_id").values_list("history_id", "id")[:limit])
    terms = Term.objects.in_bulk({term_id for _, term_id in newest})
    departments = department_columns()
    status_labels = dict(Term.Status.choices)
    versions_of: dict[int, list] = {}
    changes = []
    for history_id, term_id in newest:
        if term_id not in terms:
            continue  # deleted since
        if term_id not in versions_of:
            versions_of[term_id] = term_versions(terms[term_id])
        versions = versions_of[term_id]  # newest first
        position = next(i for i, v in enumerate(versions) if v.history_id == history_id)
        version = versions[position]
        previous = versions[position + 1] if position + 1 < len(versions) else None
        changed = []
        if previous is not None:
            changed = [
                c["label"]
                for c in diff_entries(previous.entry, version.entry, departments, status_labels)
                if c["changed"]
            ]
        user = version.user
        changes.append(
            PublishedChange(
                term=terms[term_id],
                history_id=history_id,
                previous_history_id=previous.history_id if previous else None,
                number=version.number,
                published_at=version.date,
                published_by=(user.get_full_name() or user.get_username()) if user else "the system",
                reason=version.reason,
                changed=changed,
                definitions=[
                    (d.name, first_line(version.entry.definitions[d.pk]))
                    for d in departments
                    if version.entry.definitions.get(d.pk, "").strip()
                ],
            )
        )
    return changes
