"""A term's content between Entry (glossary.entries) and the API's JSON, both ways, field by field
as CONTENT declares them: one place that knows how each kind of field looks in the API."""

from dataclasses import replace

from django.urls import reverse
from ninja.errors import ValidationError

from accounts.models import Department
from glossary import text
from glossary.entries import CONTENT, Entry, Kind, as_list
from glossary.models import Term
from glossary.rendering import render_markdown


def content_data(request, entry: Entry, departments, related_slugs: dict[int, str]) -> dict:
    """The entry's fields as the API shows them, by their names in exported files."""
    data = {}
    for content_field in CONTENT:
        value = getattr(entry, content_field.name)
        kind = content_field.kind
        if kind == Kind.MARKDOWN:
            value = _markdown(value)
        elif kind == Kind.DEFINITIONS:
            value = [
                {"department": d.slug, "department_name": d.name, "text": _markdown(value[d.pk])}
                for d in departments
                if value.get(d.pk)
            ]
        elif kind == Kind.REFERENCES:
            value = [
                {"slug": related_slugs[pk], "name": name, "url": term_address(request, related_slugs[pk])}
                for pk, name in sorted(value.items(), key=lambda item: text.name_key(item[1]))
                if pk in related_slugs
            ]
        elif content_field.is_list:
            value = as_list(content_field, value)
        data[content_field.export_name] = value
    return data


def entry_from_input(content, start: Entry, where: tuple = ("body", "content")) -> Entry:
    """`start` with the fields `content` (a schemas.ProposedContent) gives; the rest as they were.

    Slugs of related terms and departments must exist: anything else is a field error at `where`.
    """
    if content is None:
        return start
    values, errors = {}, []
    for content_field in CONTENT:
        given = getattr(content, content_field.export_name, None)
        if given is None or content_field.kind == Kind.STATUS:
            continue
        at = (*where, content_field.export_name)
        if content_field.kind == Kind.DEFINITIONS:
            departments = {d.slug: d.pk for d in Department.objects.filter(slug__in=given)}
            errors += [_error((*at, slug), "No department has this slug.") for slug in given if slug not in departments]
            definitions = {
                **start.definitions,
                **{departments[s]: body for s, body in given.items() if s in departments},
            }
            values["definitions"] = {pk: body for pk, body in definitions.items() if body.strip()}
        elif content_field.kind == Kind.REFERENCES:
            rows = Term.objects.filter(slug__in=given).values_list("slug", "pk", "name")
            found = {slug: (pk, name) for slug, pk, name in rows}
            errors += [_error((*at, i), f"No term has the slug {s!r}.") for i, s in enumerate(given) if s not in found]
            values[content_field.name] = dict(found.values())
        elif content_field.is_list:
            values[content_field.name] = "\n".join(given) if content_field.column else tuple(given)
        else:
            values[content_field.name] = given
    if errors:
        raise ValidationError(errors)
    return replace(start, **values)


def _error(location: tuple, message: str) -> dict:
    return {"loc": location, "msg": message}


def _markdown(source: str) -> dict:
    return {"markdown": source, "html": str(render_markdown(source))}


def term_reference(request, term) -> dict | None:
    """A link to another term, as answers carry it, or None for no term."""
    if term is None:
        return None
    return {"slug": term.slug, "name": term.name, "url": term_address(request, term.slug)}


def term_address(request, slug: str) -> str:
    """A term's address in the API."""
    return request.build_absolute_uri(reverse("api-1:term_detail", kwargs={"slug": slug}))
