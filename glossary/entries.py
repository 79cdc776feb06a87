"""A term's content, declared once, and an entry: that content as plain data, whatever holds it.

`CONTENT` names every field of a term in page order: its name (on `Entry`, on the term and on a
proposal), its label, its kind and its name in exported files. Forms, proposals, publishing,
diffs, merges, CSV and JSON (current and history), import, the PDF, the admin and the demo loader
read their field lists from it, so a new field is one line here, one column in
`glossary.models.terms.EntryContent` and a line in the templates where people see it.

An `Entry` is one version of that content: a term's, one of its versions', or a proposal's.
Comparing, diffing and merging entries works on this one shape.
"""

import datetime
import enum
from dataclasses import dataclass, field, fields, replace

from glossary import text
from glossary.diffs import word_diff
from glossary.rendered_diffs import rendered_diff


class Kind(enum.Enum):
    NAME = "name"  # one line, normalised like a term's name (NFKC, single spaces)
    TEXT = "text"  # one line of plain text
    MARKDOWN = "markdown"  # formatted text
    NAMES = "names"  # a list of names
    REFERENCES = "references"  # links to other terms
    DEFINITIONS = "definitions"  # one Markdown text per department
    STATUS = "status"  # the term's status, set by the kind of proposal, not typed
    DATE = "date"  # a calendar day (a datetime.date, or None), written YYYY-MM-DD in files and the API


@dataclass(frozen=True)
class ContentField:
    name: str
    label: str
    kind: Kind
    # Held in a column of the term and of a proposal (EntryContent), rather than in a relation.
    column: bool = False
    # In CSV and JSON; files exported under an older name still import.
    file_name: str = ""
    old_file_names: tuple[str, ...] = ()
    help_text: str = ""
    # How a list reads as one text, in diffs and CSV cells.
    separator: str = ", "
    # Its name on Term, where that differs.
    term_field: str = ""

    @property
    def export_name(self) -> str:
        return self.file_name or self.name

    @property
    def is_list(self) -> bool:
        return self.kind in (Kind.NAMES, Kind.REFERENCES)


CONTENT = (
    ContentField("name", "Name", Kind.NAME, column=True),
    ContentField("abbreviation", "Abbreviation", Kind.TEXT, column=True),
    ContentField(
        "synonyms", "Synonyms", Kind.NAMES, column=True, separator="\n", help_text="One per line, or separated by commas."
    ),
    ContentField("status", "Status", Kind.STATUS, column=True),
    ContentField(
        "summary",
        "Common ground",
        Kind.MARKDOWN,
        column=True,
        old_file_names=("common_ground",),
        help_text="The meaning both departments agree on (Markdown). Leave empty until they do.",
    ),
    ContentField(
        "definitions", "What {department} means", Kind.DEFINITIONS,
        help_text="Markdown: **bold**, *italic*, [links](/terms/api/), lists.",
    ),
    ContentField("examples", "Examples", Kind.MARKDOWN, column=True, help_text="Markdown."),
    ContentField("tags", "Tags", Kind.NAMES),
    ContentField("related", "Related terms", Kind.REFERENCES, file_name="related_terms", term_field="related_terms"),
    ContentField("owner", "Owner", Kind.TEXT, column=True, help_text="The person or team who stewards this term (optional)."),
    ContentField(
        "review_by", "Review by", Kind.DATE, column=True,
        help_text="When the term is due for a fresh look. Leave it as it is (or empty) for the publish "
                  "date plus the review period; a date you choose is kept.",
    ),
)
BY_NAME = {f.name: f for f in CONTENT}
# The fields held in columns, as the term names them; a proposal holds the status it proposes.
COLUMNS = tuple(f.name for f in CONTENT if f.column)
PROPOSAL_ATTRIBUTE = {"status": "proposed_status"}


def label_for(content_field: ContentField, department=None) -> str:
    return content_field.label.format(department=department.name) if department else content_field.label


def date_text(value) -> str:
    """A date field's value as files and diffs write it: YYYY-MM-DD, or empty."""
    return value.isoformat() if isinstance(value, datetime.date) else (value or "")


def parse_date(value) -> "datetime.date | str | None":
    """A date typed in a file: the date, None when empty, or the text itself when it is no date
    (validation then says what is wrong with it, next to the field)."""
    if value is None or isinstance(value, datetime.date):
        return value
    value = str(value).strip()
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return value


def as_list(content_field: ContentField, value) -> list[str]:
    """A list field's items, whether held as one-per-line text (a column) or as a tuple."""
    if isinstance(value, str):
        return text.split_lines(value)
    if isinstance(value, dict):
        return sorted(value.values())
    return list(value)


@dataclass(frozen=True)
class Entry:
    # The fields of CONTENT, in its order.
    name: str = ""
    abbreviation: str = ""
    synonyms: str = ""  # one per line, as the column holds them
    status: str = ""
    summary: str = ""
    definitions: dict[int, str] = field(default_factory=dict)  # department pk -> Markdown
    examples: str = ""
    tags: tuple[str, ...] = ()
    related: dict[int, str] = field(default_factory=dict)  # term pk -> name
    owner: str = ""
    review_by: datetime.date | None = None

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
            **{name: getattr(record, name) for name in COLUMNS},
            tags=tuple(sorted(tags)),
            related=dict(related),
            definitions=dict(definitions),
        )

    @classmethod
    def from_proposal(cls, proposal) -> "Entry":
        return cls(
            **{name: getattr(proposal, PROPOSAL_ATTRIBUTE.get(name, name)) for name in COLUMNS},
            tags=tuple(sorted(proposal.tag_list)),
            related={t.pk: t.name for t in proposal.related_terms.all()},
            definitions={d.department_id: d.text for d in proposal.definitions.all()},
        )

    def columns(self) -> dict[str, str]:
        """The values held in columns, by the term's field names."""
        return {name: getattr(self, name) for name in COLUMNS}

    def comparable(self, departments, status_labels: dict[str, str] | None = None) -> dict[str, str]:
        """Every field as text, labelled and in page order, one entry per department."""
        status_labels = status_labels or {}
        result = {}
        for content_field in CONTENT:
            value = getattr(self, content_field.name)
            if content_field.kind == Kind.DEFINITIONS:
                for department in departments:
                    result[label_for(content_field, department)] = value.get(department.pk, "")
            elif content_field.kind == Kind.STATUS:
                result[content_field.label] = status_labels.get(value, value)
            elif content_field.kind == Kind.DATE:
                result[content_field.label] = date_text(value)
            elif content_field.is_list:
                items = as_list(content_field, value)
                result[content_field.label] = content_field.separator.join(
                    items if content_field.column else sorted(items)
                )
            else:
                result[content_field.label] = value
        return result


def markdown_labels(departments) -> set[str]:
    """The labels (as in `Entry.comparable`) of the fields written in Markdown."""
    labels = set()
    for content_field in CONTENT:
        if content_field.kind == Kind.DEFINITIONS:
            labels |= {label_for(content_field, department) for department in departments}
        elif content_field.kind == Kind.MARKDOWN:
            labels.add(content_field.label)
    return labels


def diff_entries(old: Entry | None, new: Entry, departments, status_labels=None) -> list[dict]:
    """Field-by-field diffs from `old` to `new` (everything inserted when there is no `old`).

    Each has the word diff of the text as typed (`diff`); a Markdown field also has the diff of its
    text as it reads, formatted (`rendered`), which the pages show first.
    """
    old_fields = old.comparable(departments, status_labels) if old else {}
    markdown = markdown_labels(departments)
    changes = []
    for label, new_value in new.comparable(departments, status_labels).items():
        old_value = old_fields.get(label, "")
        changes.append({
            "label": label,
            "changed": old_value != new_value,
            "old": old_value,
            "new": new_value,
            "diff": word_diff(old_value, new_value),
            "rendered": rendered_diff(old_value, new_value) if label in markdown else None,
        })
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
