"""The glossary's state as one short string, and things cached for exactly as long as it holds."""

import functools
import hashlib
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


def cached_while_unchanged(name: str, compute: Callable, *, fingerprint: str | None = None):
    """`compute()`, cached under the glossary's current state: correct on every app server.

    Pass `fingerprint` when a page caches several things, to read the state once.
    """
    if len(name) > 150:  # names can carry request input; keep keys within every backend's limit
        name = "sha256:" + hashlib.sha256(name.encode()).hexdigest()
    key = f"glossary:{name}:{fingerprint or glossary_fingerprint()}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, 60 * 60)
    return value


def cached_many_while_unchanged(names: list[str], compute: Callable[[list[str]], dict], *, fingerprint: str) -> dict:
    """{name: value} for every name, computing only those not cached under the glossary's state.

    `compute(missing_names)` returns {name: value} for the names it is given.
    """
    keys = {name: f"glossary:{name}:{fingerprint}" for name in names}
    cached = cache.get_many(keys.values())
    values = {name: cached[key] for name, key in keys.items() if key in cached}
    missing = [name for name in names if name not in values]
    if missing:
        computed = compute(missing)
        cache.set_many({keys[name]: value for name, value in computed.items()}, 60 * 60)
        values.update(computed)
    return values
