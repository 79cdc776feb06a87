"""Limits are shared by every app server: a client gets the same answer whichever process serves it,
and the limit is the one configured, not one per process. Two real gunicorn servers in production
mode share the test database, with the counts in the database (no Redis) or in Redis."""

import urllib.error
import urllib.request

import pytest
import redis

from accounts.services import api_token_create
from tests.app_servers import (
    SERVER_SETTINGS,
    AppServer,
    Browser,
    collected_static,
    database_url,
    production_environment,
    serving,
)
from tests.databases import REDIS_GROUP, REDIS_SHARED_URL, postgres_only

pytestmark = [pytest.mark.slow, pytest.mark.postgres, postgres_only, REDIS_GROUP]

LIMIT = 4


@pytest.fixture(autouse=True)
def fast_passwords():
    """Overrides conftest's MD5 hasher: the servers verify passwords with the default hasher."""


@pytest.fixture(params=["database", "redis"])
def counts_in(request):
    if request.param == "redis":
        client = redis.Redis.from_url(REDIS_SHARED_URL)
        try:
            client.ping()
        except redis.exceptions.ConnectionError:
            pytest.skip(f"no Redis at {REDIS_SHARED_URL}")
        client.flushdb()
        yield REDIS_SHARED_URL
        client.flushdb()
    else:
        yield ""


@pytest.fixture
def two_servers(transactional_db, counts_in, tmp_path, tmp_path_factory):
    """Gunicorn A and B, one worker each: two processes with nothing in memory in common."""
    (tmp_path / "limits_settings.py").write_text(SERVER_SETTINGS.format(static_root=collected_static(tmp_path_factory)))
    env = production_environment(
        tmp_path,
        "limits_settings",
        DATABASE_URL=database_url(),
        REDIS_SHARED_URL=counts_in,
        API_TOKEN_FAILURE_LIMIT=str(LIMIT),
        LOGIN_FAILURE_LIMIT=str(LIMIT),
    )
    with serving(env, tmp_path) as servers:
        yield servers


def api_status(server: AppServer, secret: str) -> int:
    request = urllib.request.Request(f"{server.url}/api/v1/terms", headers={"Authorization": f"Bearer {secret}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_wrong_api_tokens_sent_to_two_app_servers_count_against_one_limit(two_servers, ada):
    a, b = two_servers
    _, secret = api_token_create(user=ada, name="Script")
    assert api_status(a, secret) == api_status(b, secret) == 200

    # Alternating servers: each sees only half the guesses, yet the limit is reached at LIMIT in all.
    answers = [api_status([a, b][n % 2], f"cg_guess-{n}") for n in range(LIMIT)]
    assert answers == [401] * LIMIT, a.output() + b.output()
    assert api_status(a, "cg_guess-next") == 429
    assert api_status(b, "cg_guess-next") == 429
    # The address is held back on both, even with the right token, and every answer agrees.
    assert [api_status(server, secret) for server in (a, b, a, b)] == [429] * 4


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_wrong_passwords_sent_to_two_app_servers_lock_the_account_at_the_one_limit(two_servers, ada):
    a, b = two_servers
    answers = []
    for attempt in range(LIMIT):
        server = [a, b][attempt % 2]
        browser = Browser()
        browser.get(f"{server.url}/accounts/login/")
        answers.append(
            browser.post(f"{server.url}/accounts/login/", {"username": "ada", "password": f"wrong-{attempt}"}).status
        )
    # The form again after each wrong password, and the lock-out page at the LIMIT-th.
    assert answers == [200] * (LIMIT - 1) + [429], a.output() + b.output()
    for server in (a, b):
        browser = Browser()
        browser.get(f"{server.url}/accounts/login/")
        right = browser.post(f"{server.url}/accounts/login/", {"username": "ada", "password": "pw-for-tests-only"})
        assert right.status == 429, f"{server.url} let ada in after {LIMIT} wrong passwords spread over two servers"
