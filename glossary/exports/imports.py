"""Importing a CSV or JSON glossary: every new or changed term becomes a proposal in review.

All or nothing: one invalid row and nothing is written. A dry run reports what would happen.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.models import Department
from glossary import text, workflow
from glossary.entries import BY_NAME, CONTENT, Entry, Kind, parse_date
from glossary.exports.files import ImportRow, parse_upload
from glossary.models import Proposal, Term
from glossary.services.proposals import proposal_create, validate_entry


@dataclass
class PlannedChange:
    row: int
    name: str
    action: str  # "new term", "change", "deprecation" or "unchanged"
    proposal: Proposal | None = None


@dataclass
class ImportReport:
    filename: str
    dry_run: bool
    file_errors: list[str] = field(default_factory=list)
    row_errors: list[ImportRow] = field(default_factory=list)
    changes: list[PlannedChange] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.file_errors and not self.row_errors

    def count(self, action: str) -> int:
        return sum(1 for change in self.changes if change.action == action)

    @property
    def changes_to_make(self) -> list[PlannedChange]:
        return [change for change in self.changes if change.action != "unchanged"]

    @property
    def unchanged(self) -> list[PlannedChange]:
        return [change for change in self.changes if change.action == "unchanged"]

    @property
    def summary(self) -> str:
        parts = [f"{self.count(a)} {a}{'s' if self.count(a) != 1 else ''}" for a in ("new term", "change", "deprecation")]
        return f"{', '.join(parts)}; {self.count('unchanged')} unchanged."


def _entry(values: dict, departments: dict[str, Department], existing: dict[str, Term]) -> tuple[Entry, list[str]]:
    """A row's values (by the declared fields' names) as an entry, in the form the term stores them;
    related terms not in the glossary yet come back as names, to be linked on publishing."""
    content = {}
    for content_field in CONTENT:
        value = values.get(content_field.name)
        if content_field.kind == Kind.DEFINITIONS:
            value = {
                departments[slug].pk: text.normalise_newlines(body).strip() for slug, body in value.items() if body.strip()
            }
        elif content_field.kind == Kind.REFERENCES:
            related, pending = {}, []
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
            # A file without the date (SKOS) or with it empty leaves the term's as it is.
            value = parse_date(value)
            if value is None:
                value = getattr(existing.get(text.name_key(values.get("name") or "")), "review_by", None)
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
def glossary_import(*, filename: str, data: bytes, user, dry_run: bool) -> ImportReport:
    if not workflow.can_import(user):
        raise PermissionDenied("Only glossary admins can import.")
    departments = {d.slug: d for d in Department.objects.filter(is_active=True)}
    parsed = parse_upload(filename, data, list(departments.values()))
    report = ImportReport(filename=filename, dry_run=dry_run, file_errors=parsed.errors)
    report.row_errors = [row for row in parsed.rows if row.errors]
    if not report.ok:
        return report

    existing = {
        term.name_key: term
        for term in Term.objects.select_related("replaced_by").prefetch_related("definitions", "tags", "related_terms")
    }
    planned = []
    for row in parsed.rows:
        entry, pending = _entry(row.values, departments, existing)
        term = existing.get(text.name_key(entry.name))
        deprecating = entry.status == Term.Status.DEPRECATED
        if term is None and deprecating:
            # A deprecation points people from a term they know to another; a term nobody has seen
            # has nothing to point from. Proposing it approved instead would publish what the file
            # says is not to be used.
            row.errors.append(
                f"“{entry.name}” is marked deprecated but is not in the glossary; a new term cannot start "
                "deprecated (leave it out, or import it first and propose its deprecation after)"
            )
            report.row_errors.append(row)
            continue
        # A deprecated term the row keeps deprecated stays so through a change of its wording (a
        # proposal of the deprecating kind, since the kind sets the status), still pointing onward.
        replacement = _replacement(row, term, existing) if deprecating else None
        names_replacement = deprecating and bool(row.values.get("replaced_by"))
        if term is None:
            action = "new term"
        elif Entry.from_term(term) == entry and not pending and (not names_replacement or replacement == term.replaced_by):
            action = "unchanged"
        else:
            action = "deprecation" if deprecating and term.status != Term.Status.DEPRECATED else "change"
        if action != "unchanged":
            # The same checks as the proposal form's, so no imported proposal fails at publishing.
            try:
                validate_entry(entry=entry, term=term)
            except ValidationError as error:
                row.errors += _row_messages(error)
                report.row_errors.append(row)
                continue
        if row.errors:
            report.row_errors.append(row)
            continue
        planned.append((row, entry, pending, term, action, replacement))
        report.changes.append(PlannedChange(row.number, entry.name, action))
    if not report.ok:
        report.changes = []
        return report
    if dry_run:
        return report

    for (row, entry, pending, term, action, replacement), change in zip(planned, report.changes, strict=True):
        if action == "unchanged":
            continue
        kind = Proposal.Kind.DEPRECATE if entry.status == Term.Status.DEPRECATED else None
        try:
            change.proposal = proposal_create(
                author=user, reason=f"Imported from {filename}, row {row.number}", entry=entry, term=term,
                kind=kind, imported=True, related_names=pending, replaced_by=replacement,
            )
        except ValidationError as error:
            # Checked already, so only a race with another writer gets here: undo the whole import.
            transaction.set_rollback(True)
            report.row_errors.append(ImportRow(row.number, errors=[" ".join(error.messages)]))
            report.changes = []
            return report
    return report
