"""What the PDF says, as plain data: the JSON the Typst layout (glossary.typ) reads.

Every field of a term comes from the declaration in `glossary.entries.CONTENT`: the name,
status, synonyms, common ground and definitions have their own places in the layout; every other
field is listed after the definitions under its label, drawn by its kind. Every user-typed string
passes through `fonts.printable` (and Markdown through `markdown.markdown_tree`) on its way here.
"""

from collections.abc import Callable

from django.conf import settings
from django.utils import timezone
from django.utils.dateformat import format as format_date

from accounts.models import Department
from glossary.dashboard.selectors import dashboard_figures
from glossary.dashboard.tables import dashboard_sections
from glossary.entries import BY_NAME, CONTENT, Entry, Kind, as_list, label_for
from glossary.interchange.options import ExportOptions
from glossary.interchange.pdf.fonts import printable
from glossary.interchange.pdf.markdown import markdown_tree
from glossary.models import Tag, Term
from glossary.models.terms import ReviewStatus
from glossary.selectors.terms import department_columns

# The fields the layout places itself; the rest follow the definitions, in CONTENT's order.
PLACED = {"name", "abbreviation", "synonyms", "status", "summary", "definitions"}
# With this many departments or more, definitions stack instead of standing side by side.
STACK_FROM = 3


def _day(moment) -> str:
    return format_date(timezone.localtime(moment) if hasattr(moment, "tzinfo") else moment, "j F Y")


def _names_joined(names: list[str]) -> str:
    """ "IT and Marketing", "IT, Marketing and Legal"."""
    if len(names) < 2:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def _sign_off_line(term: Term) -> str:
    approvals = []
    if term.approval_id:
        approvals = [s for s in term.approval.sign_offs.all() if s.revision == term.approval.revision]
        approvals.sort(key=lambda s: (s.department.position, s.department.name))
    if approvals:
        return (
            "Approved by "
            + ", ".join(f"{s.approver} ({s.department}) on {_day(s.created_at)}" for s in approvals)
            + "."
        )
    if term.status == Term.Status.APPROVED:
        return "Approved; no sign-off recorded in Common Ground."
    return "Not yet signed off by every department."


def _reference(other: Term, exported: set[str]) -> dict:
    return {"name": printable(other.name), "slug": other.slug, "inside": other.slug in exported}


def _review_mark(term: Term, today) -> str | None:
    if term.review_status(today) == ReviewStatus.OVERDUE:
        return f"Review overdue since {_day(term.review_by)}."
    return None


def term_data(term: Term, departments: list[Department], exported: set[str], today=None) -> dict:
    """One term's part of the PDF, as it stands on `today` (for its review date; default today)."""
    entry = Entry.from_term(term)
    approved = term.status == Term.Status.APPROVED
    status_line = [term.get_status_display() + ("" if approved else " — not yet approved")]
    if entry.abbreviation:
        status_line.insert(0, f"{BY_NAME['abbreviation'].label}: {entry.abbreviation}")
    synonyms = as_list(BY_NAME["synonyms"], entry.synonyms)
    if synonyms:
        status_line.append(f"Also called: {', '.join(synonyms)}")
    definitions = []
    for department in departments:
        text = entry.definitions.get(department.pk, "")
        definitions.append(
            {
                "heading": printable(label_for(BY_NAME["definitions"], department)),
                "blocks": markdown_tree(text, exported) if text else None,
                "missing": printable(f"No {department.name} definition yet."),
            }
        )
    fields = []
    for content_field in CONTENT:
        if content_field.name in PLACED:
            continue
        value = getattr(entry, content_field.name)
        if content_field.kind == Kind.REFERENCES:
            value = [_reference(other, exported) for other in term.related_terms.all()]
        elif content_field.kind == Kind.MARKDOWN:
            value = markdown_tree(value, exported)
        elif content_field.is_list:
            value = [printable(item) for item in as_list(content_field, value)]
        elif content_field.kind == Kind.DATE:
            value = _day(value) if value else ""
        else:
            value = printable(str(value))
        if value:
            fields.append({"label": content_field.label, "kind": content_field.kind.value, "value": value})
    return {
        "slug": term.slug,
        "name": printable(entry.name),
        "approved": approved,
        "status_line": [printable(part) for part in status_line],
        "replaced_by": _reference(term.replaced_by, exported) if term.replaced_by_id else None,
        "review_mark": _review_mark(term, today or timezone.localdate()),
        "summary": markdown_tree(entry.summary, exported),
        "definitions": definitions,
        "fields": fields,
        "sign_off": printable(_sign_off_line(term)),
    }


def _cell(value) -> str:
    return "–" if value is None else printable(str(value))


def state_data(options: ExportOptions, now) -> dict:
    """The "State of our common language" page: the dashboard's tables, summaries and charts, for
    the whole glossary or the export's tag (the dashboard's one filter)."""
    tag = Tag.objects.filter(slug=options.tag).first() if options.tag else None
    sections = []
    for _, heading, tables in dashboard_sections(dashboard_figures(now=now, tag=tag)):
        sections.append(
            {
                "heading": heading,
                "tables": [
                    {
                        "title": printable(table.title),
                        "summary": printable(table.summary),
                        "columns": [printable(column) for column in table.columns],
                        "rows": [[_cell(cell) for cell in row.cells] for row in table.rows],
                        "empty": printable(table.empty),
                        "notes": [printable(note) for note in table.notes],
                        "chart": {
                            "kind": table.chart.kind,
                            "labels": [printable(str(label)) for label in table.chart.labels],
                            "series": [
                                {
                                    "name": printable(series["name"]),
                                    "values": [value or 0 for value in series["values"]],
                                }
                                for series in table.chart.series
                            ],
                        }
                        if table.chart and table.chart.labels
                        else None,
                    }
                    for table in tables
                ],
            }
        )
    scope = f"terms tagged {tag.name}" if tag else "the whole glossary"
    return {
        "title": "State of our common language",
        "intro": printable(
            f"Figures for {scope} on {_day(now)}, from its history and proposals, as the dashboard shows them."
        ),
        "sections": sections,
    }


def _cover_lines(options: ExportOptions, count: int, today) -> list[str]:
    """What the cover says about this export: how many terms, when, and what narrowed it."""
    lines = [f"{count} term{'s' if count != 1 else ''} · {_day(today)}"]
    narrowed = []
    if options.status:
        narrowed.append(f"status {dict(Term.Status.choices).get(options.status, options.status)}")
    if options.tag:
        tag = Tag.objects.filter(slug=options.tag).first()
        narrowed.append(f"tag {tag.name if tag else options.tag}")
    if options.letter:
        narrowed.append(f"letter {options.letter}")
    if options.missing:
        department = Department.objects.filter(slug=options.missing).first()
        narrowed.append(f"no {department.name if department else options.missing} definition")
    if options.query:
        narrowed.append(f"matching “{options.query}”")
    if narrowed:
        lines.append("Only terms with " + ", ".join(narrowed) + ".")
    if options.include_in_review:
        lines.append("Includes terms that are not yet approved; they are marked on their page.")
    return [printable(line) for line in lines]


def document_data(options: ExportOptions, *, on_term: Callable[[int, int], None] | None = None) -> dict:
    """Everything the PDF shows for `options`. `on_term(done, total)` hears of each term prepared."""
    report = on_term or (lambda done, total: None)
    terms = list(options.terms())
    departments = department_columns()
    exported = {t.slug for t in terms}
    sections: dict[str, list[dict]] = {}
    report(0, len(terms))
    today = timezone.localdate()
    for done, term in enumerate(terms, start=1):
        sections.setdefault(term.initial, []).append(term_data(term, departments, exported, today))
        report(done, len(terms))
    organisation = settings.GLOSSARY_ORGANISATION
    single = bool(options.term)
    title = f"{organisation} glossary" if not single else (terms[0].name if terms else "Term")
    now = timezone.localtime()
    names = [d.name for d in departments]
    return {
        "title": printable(title),
        "organisation": printable(organisation),
        "description": printable(
            f"What {_names_joined(names)} each mean by {len(terms)} term{'s' if len(terms) != 1 else ''}, "
            "with their common ground."
        ),
        "keywords": ["glossary", *names],
        "lang": settings.LANGUAGE_CODE.split("-")[0],
        "date": {"year": now.year, "month": now.month, "day": now.day},
        "single": single,
        "cover_title": "Glossary",
        "subtitle": printable(f"What {_names_joined(names)} each mean by the words we share"),
        "cover_lines": _cover_lines(options, len(terms), now),
        "stacked": len(departments) >= STACK_FROM,
        "labels": {"summary": BY_NAME["summary"].label},
        "sections": [
            {"letter": printable(letter), "terms": entries}
            for letter, entries in sorted(sections.items(), key=lambda item: (item[0] == "#", item[0]))
        ],
        "empty": "No terms match this export.",
        "state": state_data(options, now) if options.state and not single else None,
    }
