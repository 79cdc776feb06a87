"""common.limits: counts in the shared `limits` cache, per client and window."""

import datetime
import time

import pytest
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connection
from django.utils import timezone

from common.limits import Limit


def test_without_redis_the_counts_live_in_the_database_every_process_shares(settings):
    assert not settings.REDIS_URL
    assert isinstance(caches["limits"], DatabaseCache)


@pytest.mark.django_db
def test_a_limit_is_reached_at_its_count_for_that_client_only():
    guesses = Limit("test-guesses", limit=3, window=600)
    assert [guesses.count("203.0.113.9") for _ in range(3)] == [1, 2, 3]
    assert guesses.reached("203.0.113.9")
    assert not guesses.reached("203.0.113.10")
    assert not Limit("other-guesses", limit=3, window=600).reached("203.0.113.9")


@pytest.mark.django_db
def test_a_count_lasts_its_whole_window_beyond_the_caches_default_timeout(settings):
    """The database cache's incr writes back with the cache's default timeout (300 s); a count must
    last as long as its window says, however long that is."""
    guesses = Limit("test-guesses", limit=2, window=3600)
    guesses.count("203.0.113.9")
    guesses.count("203.0.113.9")
    key = caches["limits"].make_key(guesses._key("203.0.113.9"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT expires FROM common_limits WHERE cache_key = %s", [key])
        (expires,) = cursor.fetchone()
    if timezone.is_naive(expires):  # SQLite keeps UTC without saying so
        expires = expires.replace(tzinfo=datetime.UTC)
    assert (expires - timezone.now()).total_seconds() > 3000


@pytest.mark.slow
@pytest.mark.django_db
def test_a_limit_lets_the_client_in_again_when_its_window_ends():
    guesses = Limit("test-guesses", limit=1, window=1)
    # Start at a window's beginning, so that the count below falls in one window.
    time.sleep(guesses.seconds_left() + 0.01)
    guesses.count("203.0.113.9")
    assert guesses.reached("203.0.113.9")
    time.sleep(guesses.seconds_left() + 0.01)
    assert not guesses.reached("203.0.113.9")
