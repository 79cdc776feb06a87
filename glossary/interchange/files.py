"""The glossary as CSV (one row per term, one column per department) and JSON, and back.

Reading never trusts the file: every problem becomes a message with its row number.
"""

import csv
import io
import json
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from glossary import text
from glossary.entries import CONTENT, Entry, Kind, as_list, date_text
from glossary.interchange import json_input, skos_input
from glossary.interchange.options import ExportOptions, ImportOptions
from glossary.interchange.selectors import export_history
from glossary.interchange.skos import FORMATS as SKOS_FORMATS
from glossary.interchange.skos import export_skos
from glossary.models import Term
from glossary.selectors.terms import department_columns
from glossary.spreadsheets import spreadsheet_restore, spreadsheet_safe

FORMAT_NAME = "common-ground-glossary"
FORMAT_VERSION = 1
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# The formats a file export comes in, and what each is sent as.
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    **{extension: media_type for extension, (_, media_type) in SKOS_FORMATS.items()},
}
LIST_SEPARATOR = "; "


def definition_column(slug: str) -> str:
    return f"definition:{slug}"


def _columns_of(content_field, departments) -> set[str]:
    if content_field.kind == Kind.DEFINITIONS:
        return {definition_column(d.slug) for d in departments}
    return {content_field.export_name}


def csv_columns(departments) -> list[str]:
    """A column per declared field, in page order; one per department for the definitions."""
    columns = []
    for content_field in CONTENT:
        if content_field.kind == Kind.DEFINITIONS:
            columns += [definition_column(d.slug) for d in departments]
        else:
            columns.append(content_field.export_name)
    return columns


def entry_record(entry: Entry, departments) -> dict:
    """An entry as the files carry it: every declared field under its name in files, lists as lists."""
    record = {}
    for content_field in CONTENT:
        value = getattr(entry, content_field.name)
        if content_field.kind == Kind.DEFINITIONS:
            value = {d.slug: value[d.pk] for d in departments if d.pk in value}
        elif content_field.is_list:
            value = as_list(content_field, value)
        elif content_field.kind == Kind.DATE:
            value = date_text(value)
        record[content_field.export_name] = value
    return record


def term_record(term: Term, departments) -> dict:
    record = entry_record(Entry.from_term(term), departments)
    return {"name": record.pop("name"), "slug": term.slug, **record}


def export_csv(terms, departments) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(csv_columns(departments))
    for term in terms:
        record = term_record(term, departments)
        row = []
        for content_field in CONTENT:
            value = record[content_field.export_name]
            if content_field.kind == Kind.DEFINITIONS:
                row += [value.get(d.slug, "") for d in departments]
            else:
                row.append(LIST_SEPARATOR.join(value) if content_field.is_list else value)
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return out.getvalue()


def version_record(version, departments) -> dict:
    """One version of a term for the JSON history: who, when and why, and the whole entry then."""
    return {
        "version": version.number,
        "date": version.date.isoformat(),
        "user": str(version.user) if version.user else None,
        "reason": version.reason,
        **entry_record(version.entry, departments),
    }


def export_json(terms, departments, *, organisation: str, history: dict | None = None) -> str:
    """`history` maps a term's id to its versions, oldest first (interchange.selectors.export_history)."""
    records = []
    for term in terms:
        record = term_record(term, departments)
        if history is not None:
            record["history"] = [version_record(version, departments) for version in history.get(term.pk, [])]
        records.append(record)
    document = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "organisation": organisation,
        "exported_at": timezone.now().isoformat(),
        "departments": [{"slug": d.slug, "name": d.name} for d in departments],
        "terms": records,
    }
    return json.dumps(document, ensure_ascii=False, indent=2)


@dataclass(frozen=True)
class GlossaryFile:
    body: str
    content_type: str
    filename: str
    term_count: int


def glossary_file(*, options: ExportOptions, file_format: str, history: bool = False) -> GlossaryFile:
    """The terms `options` cover as a CSV, JSON or SKOS (Turtle, RDF/XML, JSON-LD) file; with
    `history`, JSON carries every version.

    The export page and `manage.py export_glossary` both get their file here, so they cannot drift.
    CSV has one row per term and no room for versions, so it ignores `history`.
    """
    if file_format not in CONTENT_TYPES:
        raise ValueError(f"No file format {file_format!r}; use one of {', '.join(CONTENT_TYPES)}.")
    # A vocabulary tool keeps a deprecated concept to send those who used it to its replacement, so
    # SKOS holds deprecated terms by default; people reading a CSV, JSON or PDF want terms in use.
    terms = list(options.terms(with_deprecated=file_format in SKOS_FORMATS))
    departments = department_columns()
    if file_format in SKOS_FORMATS:
        body = export_skos(terms, departments, file_format)
    elif file_format == "csv":
        body = export_csv(terms, departments)
    else:
        versions = export_history(terms) if history else None
        body = export_json(terms, departments, organisation=settings.GLOSSARY_ORGANISATION, history=versions)
    return GlossaryFile(body, CONTENT_TYPES[file_format], options.filename(file_format), len(terms))


@dataclass
class ImportRow:
    number: int  # the row as a person counts it: CSV line number, or position in the JSON list
    values: dict = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


@dataclass
class ParsedFile:
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # problems with the file as a whole
    # Whether a row's synonyms come in the order the file means them; SKOS labels are a set.
    ordered_synonyms: bool = True
    # Whether a row the reader already found fault with still holds values of the declared shapes,
    # so the checks below can say what else is wrong with it in the same pass (a SKOS concept's
    # record always does; a JSON row that failed to read may not).
    faulty_rows_readable: bool = False

    @property
    def has_errors(self) -> bool:
        return bool(self.errors) or any(row.errors for row in self.rows)


def parse_upload(filename: str, data: bytes, departments, options: ImportOptions = ImportOptions()) -> ParsedFile:
    """Read an uploaded CSV, JSON or SKOS glossary into checked rows, never raising on bad input."""
    if len(data) > MAX_UPLOAD_BYTES:
        return ParsedFile(
            errors=[f"The file is {len(data) // 1024 // 1024} MB; the limit is {MAX_UPLOAD_BYTES // 1024 // 1024} MB."]
        )
    if b"\x00" in data:
        return ParsedFile(
            errors=["The file contains NUL bytes: it is not a text file. Export CSV or JSON as UTF-8 text."]
        )
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return ParsedFile(errors=[f"The file is not UTF-8 text (byte {error.start}). Save it as UTF-8 and try again."])
    extension = filename.lower().rsplit(".", 1)[-1]
    is_json = extension == "json" or (extension not in SKOS_FORMATS and content.lstrip().startswith("{"))
    if extension in SKOS_FORMATS:
        parsed = _parse_skos(content, extension, options)
    elif is_json:
        parsed = _parse_json(content)
    else:
        parsed = _parse_csv(content, departments)
    if not parsed.errors:
        _check_rows(parsed, departments)
    return parsed


def _split(value) -> list[str]:
    if isinstance(value, list):
        return [str(item) for item in value]
    return [item for item in (part.strip() for part in str(value or "").split(";")) if item]


def _parse_csv(content: str, departments) -> ParsedFile:
    reader = csv.reader(io.StringIO(content))
    try:
        header = [column.strip() for column in next(reader)]
    except StopIteration:
        return ParsedFile(errors=["The file is empty."])
    except csv.Error as error:
        return ParsedFile(errors=[f"This is not readable CSV: {error}."])
    current = {old: content_field.export_name for content_field in CONTENT for old in content_field.old_file_names}
    header = [current.get(column, column) for column in header]
    known = set(csv_columns(departments))
    if "name" not in header:
        return ParsedFile(errors=["The first row must name the columns, and one of them must be “name”."])
    unknown = [c for c in header if c not in known]
    if unknown:
        return ParsedFile(
            errors=[
                f"Unknown column{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}. "
                f"Expected: {', '.join(csv_columns(departments))}."
            ]
        )
    parsed = ParsedFile()
    try:
        for row in reader:
            number = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                parsed.rows.append(ImportRow(number, errors=[f"has {len(row)} cells; the header has {len(header)}"]))
                continue
            cells = {column: spreadsheet_restore(cell) for column, cell in zip(header, row, strict=True)}
            values = {}
            for content_field in CONTENT:
                if not _columns_of(content_field, departments) & cells.keys():
                    continue  # a file made before the field, or without it: the import keeps the term's
                if content_field.kind == Kind.DEFINITIONS:
                    # An empty cell clears that department's definition; no column keeps it.
                    values["definitions"] = {
                        d.slug: cells[definition_column(d.slug)]
                        for d in departments
                        if definition_column(d.slug) in cells
                    }
                elif content_field.is_list:
                    values[content_field.name] = _split(cells.get(content_field.export_name, ""))
                else:
                    values[content_field.name] = cells.get(content_field.export_name, "")
            parsed.rows.append(ImportRow(number, values))
    except csv.Error as error:
        parsed.errors.append(f"This is not readable CSV (line {reader.line_num}): {error}.")
    if not parsed.rows and not parsed.errors:
        parsed.errors.append("The file has a header but no terms.")
    return parsed


def _parse_json(content: str) -> ParsedFile:
    try:
        document = json_input.load(content)
    except json.JSONDecodeError as error:
        return ParsedFile(errors=[f"This is not valid JSON: {error.msg} (line {error.lineno})."])
    except json_input.FileTooDeep as error:
        return _too_deep(error.rows)
    if not isinstance(document, dict) or not isinstance(document.get("terms"), list):
        return ParsedFile(errors=["The JSON must be an object with a “terms” list, as Common Ground exports it."])
    refused = json_input.refused_in({key: value for key, value in document.items() if key != "terms"})
    if refused is not None:
        return ParsedFile(errors=[f"The file holds {refused.problem}, outside any term."])
    parsed = ParsedFile()
    for number, record in enumerate(document["terms"], start=1):
        if not isinstance(record, dict):
            parsed.rows.append(ImportRow(number, errors=["is not an object"]))
            continue
        values, errors = json_input.read_record(record, _split)
        parsed.rows.append(ImportRow(number, values, errors))
    if not parsed.rows:
        parsed.errors.append("The file has no terms.")
    return parsed


def _parse_skos(content: str, file_format: str, options: ImportOptions) -> ParsedFile:
    document = skos_input.read(content, file_format, options)
    rows = [ImportRow(number, values, errors) for number, (values, errors) in enumerate(document.records, start=1)]
    return ParsedFile(rows=rows, errors=document.errors, ordered_synonyms=False, faulty_rows_readable=True)


def _too_deep(rows: list[int]) -> ParsedFile:
    message = f"nests lists or objects more than {json_input.MAX_NESTING} levels deep"
    parsed = ParsedFile(rows=[ImportRow(row, errors=[message]) for row in rows if row])
    if 0 in rows:
        parsed.errors.append(f"The file {message} outside any term, so it cannot be read.")
    elif not rows:
        parsed.errors.append("The file nests lists or objects too deeply to be read.")
    return parsed


def _check_rows(parsed: ParsedFile, departments) -> None:
    """What the file itself gets wrong; lengths and names are checked as for any proposal, by the import."""
    slugs = {d.slug for d in departments}
    statuses = set(Term.Status.values)
    seen: dict[str, int] = {}
    for row in parsed.rows:
        if row.errors and not parsed.faulty_rows_readable:
            continue
        values = row.values
        values["name"] = text.normalise_name(values.get("name") or "")
        if not values["name"]:
            row.errors.append("has no name")
        # Without definitions at all a row keeps the term's (the import checks the entry it makes).
        if "definitions" in values:
            if values["definitions"] is None:
                row.errors.append("definitions must map department slugs to text")
                continue
            for slug in values["definitions"]:
                if slug not in slugs:
                    row.errors.append(f"has a definition for an unknown department “{slug}”")
        if values.get("status") and values["status"] not in statuses:
            row.errors.append(f"has an unknown status “{values['status']}” (use {', '.join(sorted(statuses))})")
        key = text.name_key(values["name"])
        if key and key in seen:
            row.errors.append(f"repeats the name “{values['name']}” from row {seen[key]}")
        seen.setdefault(key, row.number)
