"""Data built once for several tests that only read it, instead of once per test."""

from contextlib import contextmanager

from django.db import transaction
from django.test import override_settings


@contextmanager
def built_once(django_db_blocker, **settings):
    """For a class- or module-scoped fixture (needing django_db_setup): a transaction, open while the
    tests that use it run and rolled back after them, with `settings` (and conftest's fast password
    hasher) in force meanwhile. Build the data in it inside `django_db_blocker.unblock()`. Each test
    runs in a transaction of its own inside it (a savepoint), rolled back after the test as always,
    so what one test writes no other sees; a transactional test cannot use it."""
    override = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"], **settings)
    with django_db_blocker.unblock():
        override.enable()
        outer = transaction.atomic()
        outer.__enter__()
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            override.disable()
