"""Importing a CSV, JSON or SKOS glossary: every new or changed term becomes a proposal in review.

All or nothing: one invalid row and nothing is written. A dry run reports what would happen.
A link to a term is made by its name; a SKOS file's link to a concept it does not describe in full
is made to the term at that address, else to the name its stub gives, else refused for its row.
"""

import re
from collections import Counter
from dataclasses import dataclass, field, replace

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.models import Department
from glossary import text, workflow
from glossary.entries import BY_NAME, CONTENT, Entry, Kind, parse_date
from glossary.interchange.files import ImportRow, parse_upload
from glossary.interchange.options import ImportOptions
from glossary.interchange.skos import term_uri
from glossary.interchange.skos_input import Reference
from glossary.models import Proposal, Term
from glossary.services.proposals import entry_changes_term, proposal_create, validate_entry

LEFT_OUT = "left out"
# A deprecation points people from a term they know to another; a term nobody here has seen has
# nothing to point from, and proposing it approved would publish what the file says not to use.
# So a concept the file marks deprecated that the glossary does not hold is left out, and said so:
# published vocabularies keep their retired concepts, and one must not refuse the whole file.
LEFT_OUT_NOTE = "marked deprecated and not in the glossary, so left out: a new term cannot start deprecated"
NEEDS_DEFINITION_NOTE = (
    "needs a definition: it comes in with its labels, and nobody can approve it until its common ground or a"
    " department's definition is written into the proposal"
)


@dataclass
class PlannedChange:
    row: int
    name: str
    action: str  # "new term", "change", "deprecation", "unchanged" or "left out"
    proposal: Proposal | None = None
    notes: list[str] = field(default_factory=list)  # what the change cannot do yet, such as a link
    needs_definition: bool = False  # a new term with labels alone: nobody signs it until one is written


@dataclass(frozen=True)
class UnkeptProperty:
    name: str  # as the file can write it: skos:broader, skos:prefLabel@fi, <urn:x:>
    statements: int
    concepts: int


@dataclass
class ErrorGroup:
    """One kind of problem and the rows that have it: the message, with what differs from row to row
    (an address, a quoted name) left out when the rows differ in it, and given for each row."""

    message: str
    rows: list[tuple[int, str, str]] = field(default_factory=list)  # number, name, what differs

    # How many of the rows a report shows by name.
    SHOWN = 5

    @property
    def examples(self) -> list[tuple[int, str, str]]:
        return self.rows[: self.SHOWN]

    @property
    def more(self) -> int:
        """How many rows the examples leave out."""
        return max(0, len(self.rows) - self.SHOWN)


@dataclass
class ImportReport:
    filename: str
    dry_run: bool
    file_errors: list[str] = field(default_factory=list)
    row_errors: list[ImportRow] = field(default_factory=list)
    changes: list[PlannedChange] = field(default_factory=list)
    # What the file says that the glossary cannot keep: by property, its statements and concepts.
    unkept: list[UnkeptProperty] = field(default_factory=list)
    unkept_left_out: bool = False  # the admin chose to import without it

    @property
    def ok(self) -> bool:
        return not self.file_errors and not self.row_errors

    @property
    def error_groups(self) -> list[ErrorGroup]:
        """The rows' errors by kind, most rows first: one pass over the file says everything wrong
        with it, and 412 concepts with the same problem read as one problem."""
        by_kind: dict[str, list[tuple[int, str, str]]] = {}
        for row in self.row_errors:
            for message in row.errors:
                by_kind.setdefault(_kind(message), []).append((row.number, row.values.get("name") or "", message))
        groups = []
        for kind, rows in by_kind.items():
            if len({message for _, _, message in rows}) == 1:
                groups.append(ErrorGroup(rows[0][2], [(number, name, "") for number, name, _ in rows]))
            else:
                # A row with this problem several times (three links, say) is one row of the group.
                merged: dict[int, tuple[int, str, str]] = {}
                for number, name, message in rows:
                    said = merged.get(number, (number, name, ""))[2]
                    merged[number] = (number, name, ", ".join(filter(None, [said, _particulars(message)])))
                groups.append(ErrorGroup(kind, list(merged.values())))
        return sorted(groups, key=lambda group: (-len(group.rows), group.message))

    def count(self, action: str) -> int:
        return sum(1 for change in self.changes if change.action == action)

    @property
    def changes_to_make(self) -> list[PlannedChange]:
        return [change for change in self.changes if change.action not in ("unchanged", LEFT_OUT)]

    @property
    def left_out(self) -> list[PlannedChange]:
        return [change for change in self.changes if change.action == LEFT_OUT]

    @property
    def unchanged(self) -> list[PlannedChange]:
        return [change for change in self.changes if change.action == "unchanged"]

    @property
    def summary(self) -> str:
        parts = [
            f"{self.count(a)} {a}{'s' if self.count(a) != 1 else ''}" for a in ("new term", "change", "deprecation")
        ]
        left_out = f", {self.count(LEFT_OUT)} left out" if self.count(LEFT_OUT) else ""
        undefined = sum(1 for change in self.changes if change.needs_definition)
        needing = f", {undefined} need{'s' if undefined == 1 else ''} a definition" if undefined else ""
        return f"{', '.join(parts)}; {self.count('unchanged')} unchanged{left_out}{needing}."


# What differs between two messages of one kind: an address, a quoted name or value, a row number.
_PARTICULAR = re.compile(r"<[^<>]*>|“[^“”]*”|\brow \d+")


def _kind(message: str) -> str:
    return _PARTICULAR.sub(lambda m: "row …" if m[0].startswith("row") else m[0][0] + "…" + m[0][-1], message)


def _particulars(message: str) -> str:
    return ", ".join(_PARTICULAR.findall(message))


def _unkept(rows) -> list[UnkeptProperty]:
    statements, concepts = Counter(), Counter()
    for row in rows:
        for name, count in (row.values.get("unkept") or {}).items():
            statements[name] += count
            concepts[name] += 1
    return [UnkeptProperty(name, statements[name], concepts[name]) for name in sorted(statements)]


def _entry(values: dict, departments: dict[str, Department], existing: dict[str, Term]) -> tuple[Entry, list[str]]:
    """A row's values (by the declared fields' names) as an entry, in the form the term stores them;
    related terms not in the glossary yet come back as names, to be linked on publishing. A field
    the file's format cannot carry (declared NOT_IN_SKOS, for a SKOS file) is kept as the term has it."""
    content, pending = {}, []
    term = existing.get(text.name_key(values.get("name") or ""))
    kept = Entry.from_term(term) if term is not None else Entry()
    for content_field in CONTENT:
        if content_field.name not in values:
            content[content_field.name] = getattr(kept, content_field.name)
            continue
        value = values[content_field.name]
        if content_field.kind == Kind.DEFINITIONS:
            # A department the file does not name keeps its definition; an empty one clears it.
            named = {departments[slug].pk: text.normalise_newlines(body).strip() for slug, body in value.items()}
            value = {pk: body for pk, body in {**kept.definitions, **named}.items() if body}
        elif content_field.kind == Kind.REFERENCES:
            related = {}
            for name in value:
                other = existing.get(text.name_key(name))
                if other is not None:
                    related[other.pk] = other.name
                else:
                    pending.append(name)
            value = related
        elif content_field.is_list:
            names = text.split_lines("\n".join(value))
            value = "\n".join(names) if content_field.column else tuple(sorted(names))
        elif content_field.kind == Kind.STATUS:
            value = value or Term.Status.APPROVED
        elif content_field.kind == Kind.MARKDOWN:
            value = text.normalise_newlines(value).strip()
        elif content_field.kind == Kind.DATE:
            # A date left empty leaves the term's as it is.
            value = parse_date(value)
            if value is None:
                value = getattr(kept, content_field.name)
        else:
            value = value.strip()
        content[content_field.name] = value
    return Entry(**content), pending


def _row_messages(error: ValidationError) -> list[str]:
    """A validation error's messages, each under the field's name in files."""
    return [
        f"{BY_NAME[field].export_name if field in BY_NAME else field}: {message}" if field != "__all__" else message
        for field, messages in error.message_dict.items()
        for message in messages
    ]


def _resolve_links(row: ImportRow, by_address: dict[str, Term], *, drop_unkept: bool) -> Counter:
    """Give the row's links to concepts its SKOS file does not describe in full the names of the
    terms they point to: the term at that address, else the name the file's stub gives it. A link
    to a concept neither the file nor the glossary has cannot be kept: counted (by what says it),
    and refused for its row unless what cannot be kept is left out."""
    unresolved = Counter()
    for field_name, references in row.values.pop("elsewhere", {}).items():
        for reference in references:
            name = _linked_name(reference, by_address)
            if not name:
                unresolved[UNRESOLVED_LINK[field_name]] += 1
                if not drop_unkept:
                    row.errors.append(_unresolved(field_name, reference))
            elif field_name in BY_NAME and BY_NAME[field_name].is_list:
                row.values[field_name].append(name)
            else:
                row.values[field_name] = name
    return unresolved


# How the report lists links to concepts nobody has, beside the properties a file says in vain.
UNRESOLVED_LINK = {
    "related_terms": "skos:related (to a concept neither the file nor the glossary has)",
    "replaced_by": "dct:isReplacedBy (to a concept neither the file nor the glossary has)",
}


def _linked_name(reference: Reference, by_address: dict[str, Term]) -> str:
    term = by_address.get(reference.address)
    return term.name if term is not None else reference.label


def _unresolved(field_name: str, reference: Reference) -> str:
    link = "is related to" if field_name == "related_terms" else "names to use instead"
    if not reference.address:
        return f"{link} a resource without an address (a blank node), which cannot be matched to a term"
    return (
        f"{link} <{reference.address[:200]}>, which the file does not describe and which is no term's address "
        "in this glossary; add that concept to the file or remove the link"
    )


def _unlinked_note(pending: list[str], names_in_file: set[str], left_out: set[str]) -> list[str]:
    """Links to names that neither the glossary nor what this import brings holds: made only once
    such a term is published."""
    notes = []
    for names, where in [
        (
            [n for n in pending if text.name_key(n) not in names_in_file],
            "which is neither in the glossary nor in this file",
        ),
        (
            [n for n in pending if text.name_key(n) in left_out],
            "which this import leaves out (deprecated, not in the glossary)",
        ),
    ]:
        if names:
            named = ", ".join(f"“{name}”" for name in names)
            notes.append(f"links to {named}, {where}: the link is made once a term of that name is published")
    return notes


def _labels_as_the_term_has_them(entry: Entry, term: Term) -> Entry:
    """A SKOS concept's labels are a set, and the term's abbreviation is one of them (skos:altLabel):
    the term's own synonyms and abbreviation, in any order, change nothing."""
    synonyms = set(text.split_lines(entry.synonyms))
    if not entry.abbreviation and term.abbreviation in synonyms and term.abbreviation not in term.synonym_list:
        synonyms.discard(term.abbreviation)
        entry = replace(
            entry,
            abbreviation=term.abbreviation,
            synonyms="\n".join(s for s in text.split_lines(entry.synonyms) if s != term.abbreviation),
        )
    if synonyms == set(term.synonym_list):
        entry = replace(entry, synonyms=term.synonyms)
    return entry


def _replacement(row, term: Term | None, existing: dict) -> Term | None:
    """The term a deprecated row's term points to: the one the row names to use instead (only SKOS
    files say it), else the one it points to now while that is still in use, else None."""
    name = row.values.get("replaced_by") or ""
    if not name:
        current = term.replaced_by if term is not None else None
        return current if current is not None and current.status != Term.Status.DEPRECATED else None
    found = existing.get(text.name_key(name))
    # The proposal's own checks, asked here so that a dry run tells.
    if found is None:
        row.errors.append(f"names “{name}” to use instead, and no term is called that")
    elif found == term:
        row.errors.append(f"names itself, “{name}”, to use instead; name the term people should use")
    elif found.status == Term.Status.DEPRECATED:
        row.errors.append(f"names “{name}” to use instead, and it is deprecated too")
    return found


@transaction.atomic
def glossary_import(
    *, filename: str, data: bytes, user, dry_run: bool, options: ImportOptions = ImportOptions()
) -> ImportReport:
    if not workflow.can_import(user):
        raise PermissionDenied("Only glossary admins can import.")
    departments = {d.slug: d for d in Department.objects.filter(is_active=True)}
    parsed = parse_upload(filename, data, list(departments.values()), options)
    report = ImportReport(
        filename=filename,
        dry_run=dry_run,
        file_errors=parsed.errors,
        unkept=_unkept(parsed.rows),
        unkept_left_out=options.drop_unkept,
    )
    if report.file_errors:
        return report
    # Rows the file itself gets wrong are reported with what the checks below find in the others,
    # so one pass says everything.
    report.row_errors = [row for row in parsed.rows if row.errors]

    existing = {
        term.name_key: term
        for term in Term.objects.select_related("replaced_by").prefetch_related("definitions", "tags", "related_terms")
    }
    by_address = {str(term_uri(term.slug)): term for term in existing.values()}
    # A row the reader found fault with is checked on too when its values can be read (a SKOS
    # concept's), so that one upload says everything wrong with it; it never becomes a change.
    faulty = {row.number for row in report.row_errors}
    readable = [
        row
        for row in parsed.rows
        if not row.errors or (parsed.faulty_rows_readable and text.name_key(row.values.get("name") or ""))
    ]
    names_in_file = {text.name_key(row.values["name"]) for row in readable}
    left_out = {
        key
        for row in readable
        if (key := text.name_key(row.values["name"])) not in existing
        and row.values.get("status") == Term.Status.DEPRECATED
    }
    planned = []
    unresolved_links: dict[str, list[int]] = {}  # what links to concepts nobody has: per row, how many
    for row in readable:
        for said_by, count in _resolve_links(row, by_address, drop_unkept=options.drop_unkept).items():
            unresolved_links.setdefault(said_by, []).append(count)
        entry, pending = _entry(row.values, departments, existing)
        term = existing.get(text.name_key(entry.name))
        deprecating = entry.status == Term.Status.DEPRECATED
        if term is None and deprecating:
            report.changes.append(PlannedChange(row.number, entry.name, LEFT_OUT, notes=[LEFT_OUT_NOTE]))
            continue
        # A deprecated term the row keeps deprecated stays so through a change of its wording (a
        # proposal of the deprecating kind, since the kind sets the status), still pointing onward.
        replacement = _replacement(row, term, existing) if deprecating else None
        names_replacement = deprecating and bool(row.values.get("replaced_by"))
        if term is not None and not parsed.ordered_synonyms:
            entry = _labels_as_the_term_has_them(entry, term)
        if term is None:
            action = "new term"
        elif (
            not entry_changes_term(entry=entry, term=term)
            and not pending
            and (not names_replacement or replacement == term.replaced_by)
        ):
            action = "unchanged"
        else:
            action = "deprecation" if deprecating and term.status != Term.Status.DEPRECATED else "change"
        if action != "unchanged":
            # The same checks as the proposal form's, so no imported proposal fails at publishing.
            try:
                validate_entry(entry=entry, term=term, undefined_allowed=term is None)
            except ValidationError as error:
                row.errors += _row_messages(error)
        if row.errors:
            if row.number not in faulty:
                report.row_errors.append(row)
            continue
        planned.append((row, entry, pending, term, action, replacement))
        undefined = term is None and not entry.summary.strip() and not any(entry.definitions.values())
        notes = _unlinked_note(pending, names_in_file, left_out) + ([NEEDS_DEFINITION_NOTE] if undefined else [])
        report.changes.append(PlannedChange(row.number, entry.name, action, notes=notes, needs_definition=undefined))
    report.unkept += [
        UnkeptProperty(said_by, sum(counts), len(counts)) for said_by, counts in sorted(unresolved_links.items())
    ]
    if not report.ok:
        report.changes = []
        return report
    if dry_run:
        return report

    to_propose = [change for change in report.changes if change.action != LEFT_OUT]
    for (row, entry, pending, term, action, replacement), change in zip(planned, to_propose, strict=True):
        if action == "unchanged":
            continue
        kind = Proposal.Kind.DEPRECATE if entry.status == Term.Status.DEPRECATED else None
        try:
            change.proposal = proposal_create(
                author=user,
                reason=f"Imported from {filename}, row {row.number}",
                entry=entry,
                term=term,
                kind=kind,
                imported=True,
                related_names=pending,
                replaced_by=replacement,
            )
        except ValidationError as error:
            # Checked already, so only a race with another writer gets here: undo the whole import.
            transaction.set_rollback(True)
            report.row_errors.append(ImportRow(row.number, errors=[" ".join(error.messages)]))
            report.changes = []
            return report
    return report
