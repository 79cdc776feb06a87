"""The glossary's state as one short string, and things cached for exactly as long as it holds."""

import functools
from collections.abc import Callable

from django.core.cache import cache
from django.db import connection

from accounts.models import Department, User
from glossary.models import Tag, Term


@functools.cache
def _fingerprint_sql() -> str:
    # Built once: reaching the history tables through their managers costs more than the query.
    quote = connection.ops.quote_name
    newest = ", ".join(
        f"(SELECT MAX(history_id) FROM {quote(model.history.model._meta.db_table)})"
        for model in (Term, Tag, Department, User)
    )
    return f"SELECT {newest}"


def glossary_fingerprint() -> str:
    """Changes whenever anything an export shows changes: any term version, tag, department or user.

    Every change to a term writes a term version (definitions and approvals included), so the
    newest historical ids are enough; every app server computes the same value from the database.
    """
    with connection.cursor() as cursor:  # one query for all four
        cursor.execute(_fingerprint_sql())
        return "-".join(str(value or 0) for value in cursor.fetchone())


def cached_while_unchanged(name: str, compute: Callable):
    """`compute()`, cached under the glossary's current state: correct on every app server."""
    key = f"glossary:{name}:{glossary_fingerprint()}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, 60 * 60)
    return value
