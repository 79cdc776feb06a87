"""The glossary's state as one short string, and things cached for exactly as long as it holds."""

import functools
import hashlib
from collections.abc import Callable

from django.core.cache import cache
from django.db import connection

from accounts.models import Department, User
from glossary.models import Tag, Term

# Cached parts of pages live this long unless the state they were cached under changes first.
CACHE_SECONDS = 60 * 60


@functools.cache
def newest_versions_sql(*models) -> str:
    """An SQL expression for a short string that changes whenever any of `models` changes: the
    newest history id of each, which every app server reads alike.

    Built once: reaching the history tables through their managers costs more than the query.
    """
    quote = connection.ops.quote_name
    return " || '-' || ".join(
        f"COALESCE((SELECT MAX(history_id) FROM {quote(model.history.model._meta.db_table)}), 0)" for model in models
    )


def glossary_fingerprint() -> str:
    """Changes whenever anything an export shows changes: any term version, tag, department or user.

    Every change to a term writes a term version (definitions and approvals included), so the
    newest historical ids are enough.
    """
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {newest_versions_sql(Term, Tag, Department, User)}")
        return str(cursor.fetchone()[0])


def cached(key: str, compute: Callable):
    """`compute()`, kept in the shared cache under `key`."""
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_SECONDS)
    return value


def cached_while_unchanged(name: str, compute: Callable, *, fingerprint: str | None = None):
    """`compute()`, cached under the glossary's current state: correct on every app server.

    Pass `fingerprint` when a page caches several things, to read the state once.
    """
    if len(name) > 150:  # names can carry request input; keep keys within every backend's limit
        name = "sha256:" + hashlib.sha256(name.encode()).hexdigest()
    return cached(f"glossary:{name}:{fingerprint or glossary_fingerprint()}", compute)


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
        cache.set_many({keys[name]: value for name, value in computed.items()}, CACHE_SECONDS)
        values.update(computed)
    return values
