"""The glossary's state as one short string, and things cached for exactly as long as it holds."""

from collections.abc import Callable

from django.core.cache import cache
from django.db import connection

from accounts.models import Department, User
from glossary.models import Tag, Term


def glossary_fingerprint() -> str:
    """Changes whenever anything an export shows changes: any term version, tag, department or user.

    Every change to a term writes a term version (definitions and approvals included), so the
    newest historical ids are enough; every app server computes the same value from the database.
    """
    quote = connection.ops.quote_name
    newest = ", ".join(
        f"(SELECT MAX(history_id) FROM {quote(model.history.model._meta.db_table)})"
        for model in (Term, Tag, Department, User)
    )
    with connection.cursor() as cursor:  # one query for all four
        cursor.execute(f"SELECT {newest}")
        return "-".join(str(value or 0) for value in cursor.fetchone())


def cached_while_unchanged(name: str, compute: Callable):
    """`compute()`, cached under the glossary's current state: correct on every app server."""
    key = f"glossary:{name}:{glossary_fingerprint()}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, 60 * 60)
    return value
