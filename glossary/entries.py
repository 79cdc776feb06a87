"""A term's content, declared once, and an entry: that content as plain data, whatever holds it.

`CONTENT` names every field of a term in page order, and each field says all the rest of the code
needs of it: its name (on `Entry`, on the term and on a proposal), its label, its kind, its help,
its column (type, limit) if it has one, its name in exported files and its predicate in SKOS, or
that SKOS has none. `Entry` below and the columns of `glossary.models.terms.EntryContent` are built
from it; forms, proposals, publishing, diffs, merges, CSV and JSON (current and history), SKOS out
and in, the API, import, search, the PDF, the admin and the demo loader read their field lists from
it. So a new field is one declaration here, its migration, and a line in the templates where
people see it.

An `Entry` is one version of that content: a term's, one of its versions', or a proposal's.
Comparing, diffing and merging entries works on this one shape.
"""

import datetime
import enum
from dataclasses import dataclass, field, replace

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
class Column:
    """A field held in a column of the term and of a proposal for it (`EntryContent` builds it).

    The column's type follows from the field's kind: a name or a text is a CharField, Markdown and
    a list of names a text field held to `max_length`, a date a DateField that may be empty.
    Changing any of this changes the database: it takes a migration.
    """

    max_length: int | None = None
    verbose_name: str | None = None
    help_text: str = ""  # the admin's; the form's is the field's own
    required: bool = False
    blank_message: str = ""  # what validation says when a required field is empty
    db_index: bool = False
    # False: each model has its own column, with its own choices and default (Term.status,
    # Proposal.proposed_status), so EntryContent has none.
    shared: bool = True


@dataclass(frozen=True)
class Skos:
    """A field's predicate in SKOS (prefix:name, as glossary.interchange.skos binds the prefixes),
    written by the export and read back by the import.

    What is written follows from the kind: a text is one literal, a list of names one literal per
    name, related terms their concepts' addresses, definitions a resource per department (`rdf:value`
    its text, `dct:audience` the department), tags a `skos:Collection` each with the concept as a
    member, the status `true` for a deprecated term.
    """

    predicate: str
    # Texts are in the site's language; a person's or team's name is in none.
    in_language: bool = True
    # Written among another field's values and read back as that field's: the abbreviation is one
    # of the skos:altLabels, which come back as synonyms (the import then knows it among them).
    read_as: str = ""


# Said of a field SKOS has no word for. The export leaves it out, and the import keeps the term's
# value: a SKOS file cannot say it, so it cannot change it (a file that says it anyway is reported).
NOT_IN_SKOS = None


@dataclass(frozen=True)
class ContentField:
    name: str
    label: str
    kind: Kind
    # Every field says how SKOS has it, or NOT_IN_SKOS: none can be forgotten there.
    skos: Skos | None = field(kw_only=True)
    # None: held in a relation of each model (definitions, tags, related terms), not a column.
    column: Column | None = None
    # In CSV and JSON; files exported under an older name still import.
    file_name: str = ""
    old_file_names: tuple[str, ...] = ()
    help_text: str = ""
    # How a list reads as one text, in diffs and CSV cells.
    separator: str = ", "

    @property
    def export_name(self) -> str:
        return self.file_name or self.name

    @property
    def is_list(self) -> bool:
        return self.kind in (Kind.NAMES, Kind.REFERENCES)


_SUMMARY_HELP = "The meaning both departments agree on (Markdown). Leave empty until they do."

CONTENT = (
    ContentField(
        "name",
        "Name",
        Kind.NAME,
        column=Column(max_length=120, required=True, blank_message="A term needs a name."),
        skos=Skos("skos:prefLabel"),
    ),
    ContentField(
        "abbreviation",
        "Abbreviation",
        Kind.TEXT,
        column=Column(max_length=30),
        skos=Skos("skos:altLabel", read_as="synonyms"),
    ),
    ContentField(
        "synonyms",
        "Synonyms",
        Kind.NAMES,
        column=Column(max_length=2000, help_text="One per line."),
        separator="\n",
        help_text="One per line, or separated by commas.",
        skos=Skos("skos:altLabel"),
    ),
    ContentField("status", "Status", Kind.STATUS, column=Column(shared=False), skos=Skos("owl:deprecated")),
    ContentField(
        "summary",
        "Common ground",
        Kind.MARKDOWN,
        column=Column(max_length=5000, verbose_name="common ground", help_text=_SUMMARY_HELP),
        old_file_names=("common_ground",),
        help_text=_SUMMARY_HELP,
        skos=Skos("skos:definition"),
    ),
    ContentField(
        "definitions",
        "What {department} means",
        Kind.DEFINITIONS,
        help_text="Markdown: **bold**, *italic*, [links](/terms/api/), lists.",
        skos=Skos("skos:definition"),
    ),
    ContentField(
        "examples",
        "Examples",
        Kind.MARKDOWN,
        column=Column(max_length=10000, help_text="Usage examples (Markdown)."),
        help_text="Markdown.",
        skos=Skos("skos:example"),
    ),
    ContentField(
        "scope_note",
        "Scope note",
        Kind.MARKDOWN,
        column=Column(max_length=10000, help_text="What the term covers and what it does not (Markdown)."),
        help_text="What the term covers and what it does not (Markdown).",
        skos=Skos("skos:scopeNote"),
    ),
    ContentField("tags", "Tags", Kind.NAMES, skos=Skos("skos:member")),
    ContentField(
        "related_terms",
        "Related terms",
        Kind.REFERENCES,
        skos=Skos("skos:related"),
    ),
    ContentField(
        "owner",
        "Owner",
        Kind.TEXT,
        column=Column(max_length=120, help_text="The person or team who stewards this term."),
        help_text="The person or team who stewards this term (optional).",
        skos=Skos("schema:maintainer", in_language=False),
    ),
    ContentField(
        "review_by",
        "Review by",
        Kind.DATE,
        column=Column(verbose_name="review by", db_index=True),
        help_text="When the term is due for a fresh look. Leave it as it is (or empty) for the publish "
        "date plus the review period; a date you choose is kept.",
        skos=NOT_IN_SKOS,
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


def _value(content_field: ContentField) -> tuple[object, object]:
    """The type of an entry's value for the field, and its value when the field is empty."""
    kind = content_field.kind
    if kind == Kind.DEFINITIONS:
        return dict[int, str], field(default_factory=dict)  # department pk -> Markdown
    if kind == Kind.REFERENCES:
        return dict[int, str], field(default_factory=dict)  # term pk -> name
    if kind == Kind.NAMES and not content_field.column:
        return tuple[str, ...], ()
    if kind == Kind.DATE:
        return datetime.date | None, None
    return str, ""  # a list of names in a column is one per line, as the column holds it


def _declared_fields(cls):
    """Make `cls` a frozen dataclass with one attribute per field of CONTENT, in its order."""
    cls.__annotations__ = {}
    for content_field in CONTENT:
        annotation, default = _value(content_field)
        cls.__annotations__[content_field.name] = annotation
        setattr(cls, content_field.name, default)
    return dataclass(frozen=True)(cls)


@_declared_fields
class Entry:
    """A term's content as plain data: one attribute per declared field, named as in CONTENT.

    Texts, names and the status are strings, and so are the synonyms (one per line, as their column
    holds them); tags are a tuple of names, related terms and definitions dicts (term pk → name,
    department pk → Markdown), the review date a `datetime.date` or None.
    """

    @classmethod
    def from_term(cls, term) -> "Entry":
        return cls.from_record(
            term,
            tags=[t.name for t in term.tags.all()],
            related_terms={t.pk: t.name for t in term.related_terms.all()},
            definitions={d.department_id: d.text for d in term.definitions.all()},
        )

    @classmethod
    def from_record(cls, record, *, tags, related_terms: dict[int, str], definitions: dict[int, str]) -> "Entry":
        """From a term or one of its historical records (same field names), plus its relations."""
        return cls(
            **{name: getattr(record, name) for name in COLUMNS},
            tags=tuple(sorted(tags)),
            related_terms=dict(related_terms),
            definitions=dict(definitions),
        )

    @classmethod
    def from_proposal(cls, proposal) -> "Entry":
        return cls(
            **{name: getattr(proposal, PROPOSAL_ATTRIBUTE.get(name, name)) for name in COLUMNS},
            tags=tuple(sorted(proposal.tag_list)),
            related_terms={t.pk: t.name for t in proposal.related_terms.all()},
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
        changes.append(
            {
                "label": label,
                "changed": old_value != new_value,
                "old": old_value,
                "new": new_value,
                "diff": word_diff(old_value, new_value),
                "rendered": rendered_diff(old_value, new_value) if label in markdown else None,
            }
        )
    return changes


def merge(base: Entry, ours: Entry, theirs: Entry) -> Entry:
    """Three-way merge: keep what `ours` changed since `base`, take everything else from `theirs`.

    Used to move a proposal written against an old version onto the term's current version.
    """
    merged = {}
    for content_field in CONTENT:
        name = content_field.name
        mine, old, other = getattr(ours, name), getattr(base, name), getattr(theirs, name)
        if content_field.kind == Kind.DEFINITIONS:
            merged[name] = _merged_definitions(old, mine, other)
        else:
            merged[name] = mine if mine != old else other
    return replace(ours, **merged)


def _merged_definitions(base: dict[int, str], ours: dict[int, str], theirs: dict[int, str]) -> dict[int, str]:
    """Department by department: each department's definition is a part of the entry of its own."""
    definitions = {}
    for department in set(base) | set(ours) | set(theirs):
        mine, old = ours.get(department, ""), base.get(department, "")
        chosen = mine if mine != old else theirs.get(department, "")
        if chosen:
            definitions[department] = chosen
    return definitions
