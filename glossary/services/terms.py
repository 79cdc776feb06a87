"""Writes to the glossary. Each change to a term becomes exactly one version in its history.

A version is the term's historical record; the definitions, tags and related terms written in the
same change are saved first, with the same timestamp, so the version sees all of them.
"""

from collections.abc import Iterable, Mapping

from django.contrib.postgres.search import SearchVector
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Department
from glossary import text
from glossary.entries import COLUMNS, CONTENT, Kind, as_list
from glossary.models import Definition, Tag, Term
from glossary.rendering import plain_text
from glossary.selectors.terms import SEARCH_CONFIG
from glossary.services import review


def build_search_document(term: Term) -> str:
    """Everything a search should find the term by, casefolded, one item per line: each text of its
    content, names also without spaces or hyphens (so “omni channel” meets “Omnichannel”)."""
    parts = []
    for content_field in CONTENT:
        if not content_field.column or content_field.kind in (Kind.STATUS, Kind.DATE):
            continue
        value = getattr(term, content_field.name)
        if content_field.kind == Kind.MARKDOWN:
            parts.append(plain_text(value))
        elif content_field.kind in (Kind.NAME, Kind.NAMES):
            for name in as_list(content_field, value) if content_field.is_list else [value]:
                parts += [name, text.compact(name)]
        else:
            parts.append(value)
    parts += [plain_text(d.text) for d in term.definitions.all()]
    return "\n".join(p for p in parts if p).casefold()


def save_with_history(obj, *, user, reason: str, when=None, delete: bool = False) -> None:
    """Save (or delete) `obj` so that its historical record names the user, reason and time."""
    obj._history_user = user
    obj._change_reason = reason
    obj._history_date = when or timezone.now()
    try:
        obj.delete() if delete else obj.save()
    finally:
        # Left on the instance, they would be stamped on its next, unrelated save too.
        del obj._history_user, obj._change_reason, obj._history_date


def term_record_version(*, term: Term, user, reason: str, when=None) -> Term:
    """Save the term as a new version, after its definitions and relations are in place."""
    term.search_document = build_search_document(term)
    term.version += 1
    save_with_history(term, user=user, reason=reason, when=when)
    refresh_search_vectors(Term.objects.filter(pk=term.pk))
    return term


def refresh_search_vectors(terms) -> None:
    """Parse search_document for PostgreSQL's full-text search (a derived column: no history)."""
    if connection.vendor == "postgresql":
        terms.update(search_vector=SearchVector("search_document", config=SEARCH_CONFIG))


def _existing_tag(name: str) -> Tag | None:
    return Tag.objects.filter(name__iexact=name).first()


def tag_problems(names: Iterable[str]) -> list[str]:
    """Why these tags could not all be saved, in words for the person who typed them.

    Checked when a change is proposed, so that one every department approved can be published.
    """
    names = text.split_lines("\n".join(names))
    problems = []
    if len(names) > Term.MAX_TAGS:
        problems.append(f"At most {Term.MAX_TAGS} tags; this has {len(names)}.")
    new_slugs: dict[str, str] = {}
    for name in names:
        if _existing_tag(name):
            continue
        tag = Tag(name=name)
        try:
            tag.full_clean(exclude=["slug"])
        except ValidationError as error:
            shown = name if len(name) <= 40 else f"{name[:40]}…"
            problems += [message if tag.name in message else f"Tag “{shown}”: {message}" for message in error.messages]
            continue
        slug = Tag.slug_for(tag.name)
        if slug in new_slugs:
            problems.append(
                f"The tags “{new_slugs[slug]}” and “{tag.name}” differ only in spacing or punctuation: keep one."
            )
        elif slug:
            new_slugs[slug] = tag.name
    return problems


def tags_from_names(names: Iterable[str], *, user) -> list[Tag]:
    """The tags of these names, creating the missing ones; ValidationError if one cannot be made."""
    problems = tag_problems(names)
    if problems:
        raise ValidationError({"tags": problems})
    tags = []
    for name in text.split_lines("\n".join(names)):
        tag = _existing_tag(name)
        if tag is None:
            tag = Tag(name=name)
            save_with_history(tag, user=user, reason="New tag")
        tags.append(tag)
    return tags


def _write_definitions(*, term: Term, definitions: Mapping[Department, str], user, reason, when):
    existing = {d.department_id: d for d in term.definitions.all()}
    for department, body in definitions.items():
        body = (body or "").strip()
        current = existing.get(department.pk)
        if current is not None and current.text == body:
            continue
        if current is None and not body:
            continue
        definition = current or Definition(term=term, department=department)
        definition.text = body
        save_with_history(definition, user=user, reason=reason, when=when, delete=not body)


@transaction.atomic
def term_save(
    *,
    term: Term,
    user,
    reason: str,
    fields: Mapping[str, str] | None = None,
    definitions: Mapping[Department, str] | None = None,
    tags: Iterable[Tag] | None = None,
    related_terms: Iterable[Term] | None = None,
) -> Term:
    """Create or change a term and record it as one version.

    Only what is passed changes: `definitions` maps a department to its new text (empty text
    removes that department's definition), `tags` and `related_terms` replace the current sets.
    """
    when = timezone.now()
    for name, value in (fields or {}).items():
        if name not in COLUMNS:
            raise TypeError(f"{name} is not a term field")
        setattr(term, name, value)
    if term.review_by is None and term.status != Term.Status.DEPRECATED:
        # Every term in use has a review date; publishing passes one, other ways in get the default.
        defining = [d.pk for d, body in (definitions or {}).items() if (body or "").strip()]
        if term.pk:
            defining += list(term.definitions.values_list("department_id", flat=True))
        term.review_by = review.add_months(timezone.localdate(when), review.review_months_for(defining))
    term.full_clean(exclude=["name_key", "initial", "slug", "search_document"])

    # The term's own save waits for term_record_version, which writes the one version.
    term.skip_history_when_saving = True
    relinked = set()
    try:
        term.save()
        if tags is not None:
            term.tags.set(list(tags))
        if related_terms is not None:
            before = set(term.related_terms.all())
            after = {t for t in related_terms if t.pk != term.pk}
            # Links are symmetric: a term gained or lost here has changed too.
            relinked = before ^ after
            term.related_terms.set(after)
    finally:
        del term.skip_history_when_saving
    if definitions:
        _write_definitions(term=term, definitions=definitions, user=user, reason=reason, when=when)
    term_record_version(term=term, user=user, reason=reason, when=when)
    for other in sorted(relinked, key=lambda t: t.name_key):
        term_record_version(term=other, user=user, reason=f"Related terms of “{term.name}” changed", when=when)
    return term


def term_create(*, name: str, user, reason: str, **changes) -> Term:
    fields = {"name": name, **changes.pop("fields", {})}
    return term_save(term=Term(), user=user, reason=reason, fields=fields, **changes)


def term_record_direct_edit(*, term: Term, user, reason: str) -> Term:
    """A glossary admin changed the term outside the workflow: say so, and ask for fresh sign-offs.

    Proposals based on the previous version will be refused on publishing, as for any other change.
    """
    term.needs_reapproval = True
    return term_record_version(term=term, user=user, reason=f"Edited directly in the admin: {reason}")
