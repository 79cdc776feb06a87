"""The demo glossary in fixtures/, loaded through the services so every term has a first version."""

import json
from pathlib import Path

from django.conf import settings
from django.db import transaction

from accounts.models import Department
from glossary.entries import CONTENT, Kind
from glossary.models import Term
from glossary.services.terms import tags_from_names, term_create, term_record_version

DEMO_GLOSSARY = Path(settings.BASE_DIR) / "fixtures" / "demo_glossary.json"
REASON = "Demo glossary"


def _columns(entry: dict) -> dict[str, str]:
    """The term's columns from a demo entry, which lists synonyms; a demo term is a draft unless it says."""
    columns = {}
    for content_field in CONTENT:
        if not content_field.column or content_field.name == "name":
            continue
        value = entry.get(content_field.name, Term.Status.DRAFT if content_field.kind == Kind.STATUS else "")
        columns[content_field.name] = "\n".join(value) if content_field.is_list and value else value
    return columns


@transaction.atomic
def load_demo_glossary(*, user, path: Path = DEMO_GLOSSARY) -> int:
    """Load the demo terms into an empty glossary; returns how many were created (0 if not empty)."""
    if Term.objects.exists():
        return 0
    entries = json.loads(Path(path).read_text(encoding="utf-8"))["terms"]
    departments = {d.slug: d for d in Department.objects.all()}
    created = {}
    for entry in entries:
        created[entry["name"]] = term_create(
            name=entry["name"],
            user=user,
            reason=REASON,
            fields=_columns(entry),
            definitions={departments[slug]: body for slug, body in entry.get("definitions", {}).items()},
            tags=tags_from_names(entry.get("tags", []), user=user),
        )
    # Related terms can only be linked once every term exists. Links are symmetric, so they are all
    # made first and each term then records one version that shows its complete set.
    for entry in entries:
        term = created[entry["name"]]
        term.skip_history_when_saving = True
        term.related_terms.add(*[created[name] for name in entry.get("related", [])])
        del term.skip_history_when_saving
    for term in created.values():
        if term.related_terms.exists():
            term_record_version(term=term, user=user, reason=f"{REASON}: related terms linked")
    return len(created)
