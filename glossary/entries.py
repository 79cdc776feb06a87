"""An entry's content as plain data, whatever holds it: a term, one of its versions, or a proposal.

Comparing, diffing and merging entries works on this one shape.
"""

from dataclasses import dataclass, field, fields, replace

from glossary import text
from glossary.diffs import word_diff

SCALAR_FIELDS = ("name", "abbreviation", "synonyms", "summary", "examples", "status")


@dataclass(frozen=True)
class Entry:
    name: str = ""
    abbreviation: str = ""
    synonyms: str = ""
    summary: str = ""
    examples: str = ""
    status: str = ""
    tags: tuple[str, ...] = ()
    related: dict[int, str] = field(default_factory=dict)  # term pk -> name
    definitions: dict[int, str] = field(default_factory=dict)  # department pk -> Markdown

    @classmethod
    def from_term(cls, term) -> "Entry":
        return cls.from_record(
            term,
            tags=[t.name for t in term.tags.all()],
            related={t.pk: t.name for t in term.related_terms.all()},
            definitions={d.department_id: d.text for d in term.definitions.all()},
        )

    @classmethod
    def from_record(cls, record, *, tags, related: dict[int, str], definitions: dict[int, str]) -> "Entry":
        """From a term or one of its historical records (same field names), plus its relations."""
        return cls(
            **{name: getattr(record, name) for name in SCALAR_FIELDS},
            tags=tuple(sorted(tags)),
            related=dict(related),
            definitions=dict(definitions),
        )

    @classmethod
    def from_proposal(cls, proposal) -> "Entry":
        return cls(
            name=proposal.name,
            abbreviation=proposal.abbreviation,
            synonyms=proposal.synonyms,
            summary=proposal.summary,
            examples=proposal.examples,
            status=proposal.proposed_status,
            tags=tuple(sorted(proposal.tag_list)),
            related={t.pk: t.name for t in proposal.related_terms.all()},
            definitions={d.department_id: d.text for d in proposal.definitions.all()},
        )

    def comparable(self, departments, status_labels: dict[str, str] | None = None) -> dict[str, str]:
        """Every field as text, labelled and in page order, one entry per department."""
        status_labels = status_labels or {}
        result = {
            "Name": self.name,
            "Abbreviation": self.abbreviation,
            "Synonyms": "\n".join(text.split_lines(self.synonyms)),
            "Status": status_labels.get(self.status, self.status),
            "Common ground": self.summary,
        }
        for department in departments:
            result[f"What {department.name} means"] = self.definitions.get(department.pk, "")
        result["Examples"] = self.examples
        result["Tags"] = ", ".join(sorted(self.tags))
        result["Related terms"] = ", ".join(sorted(self.related.values()))
        return result


def diff_entries(old: Entry | None, new: Entry, departments, status_labels=None) -> list[dict]:
    """Field-by-field word diffs from `old` to `new` (everything inserted when there is no `old`)."""
    old_fields = old.comparable(departments, status_labels) if old else {}
    changes = []
    for label, new_value in new.comparable(departments, status_labels).items():
        old_value = old_fields.get(label, "")
        changes.append({"label": label, "changed": old_value != new_value, "diff": word_diff(old_value, new_value)})
    return changes


def merge(base: Entry, ours: Entry, theirs: Entry) -> Entry:
    """Three-way merge: keep what `ours` changed since `base`, take everything else from `theirs`.

    Used to move a proposal written against an old version onto the term's current version.
    """
    merged = {}
    for f in fields(Entry):
        if f.name == "definitions":
            continue
        mine, old = getattr(ours, f.name), getattr(base, f.name)
        merged[f.name] = mine if mine != old else getattr(theirs, f.name)
    definitions = {}
    for department in set(base.definitions) | set(ours.definitions) | set(theirs.definitions):
        mine, old = ours.definitions.get(department, ""), base.definitions.get(department, "")
        chosen = mine if mine != old else theirs.definitions.get(department, "")
        if chosen:
            definitions[department] = chosen
    return replace(ours, **merged, definitions=definitions)
