"""/healthz and /readyz answer a load balancer's probe in production mode: by IP address, over
plain http, without a session; /readyz names the check that fails, and nothing more."""

import contextlib
import json
import sqlite3

import pytest

from tests.app_servers import (
    free_port,
    http_get,
    migrated_sqlite_database,
    production_environment,
    start_gunicorn,
    stop,
    wait_until_serving,
)

# How a probe addresses the server: by an IP address that is not in DJANGO_ALLOWED_HOSTS.
PROBE = {"Host": "203.0.113.9"}


@pytest.fixture(scope="module")
def health_servers(tmp_path_factory):
    """Three production servers, with the SSL redirect on as in production: one ready, one whose
    database is a closed port, one whose database lacks its newest glossary migration."""
    folder = tmp_path_factory.mktemp("health-servers")
    databases = {
        "ready": migrated_sqlite_database(tmp_path_factory, folder / "ready.sqlite3"),
        "database_down": f"postgres://postgres@127.0.0.1:{free_port()}/nothing_listens_here",
        "migrations_behind": migrated_sqlite_database(tmp_path_factory, folder / "behind.sqlite3"),
    }
    environments = {
        name: production_environment(folder, "config.settings", DATABASE_URL=url, DJANGO_SSL_REDIRECT="1")
        for name, url in databases.items()
    }
    # The newest glossary migration unrecorded, as before `migrate` runs after a deploy: what the
    # check reads. Reversing migrations would take a process and seconds.
    with contextlib.closing(sqlite3.connect(folder / "behind.sqlite3")) as behind, behind:
        behind.execute(
            "DELETE FROM django_migrations WHERE app = 'glossary'"
            " AND name = (SELECT MAX(name) FROM django_migrations WHERE app = 'glossary')"
        )
    servers = {}
    try:
        for name, env in environments.items():
            servers[name] = start_gunicorn(env, folder / f"{name}.log")
        for server in servers.values():
            wait_until_serving(server, "/healthz")
        yield servers
    finally:
        for server in servers.values():
            stop(server.process)


def readiness(answer) -> dict:
    assert answer.headers.get_content_type() == "application/json"
    return json.loads(answer.body)


def assert_probe_answer(answer) -> None:
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.headers["Set-Cookie"] is None, "a probe gets no session or CSRF cookie"


@pytest.mark.slow
def test_probes_by_ip_address_over_http_get_200_where_pages_are_refused(health_servers):
    server = health_servers["ready"]
    assert http_get(server, "/accounts/login/", PROBE).status == 400, "ALLOWED_HOSTS refuses the probe's Host"
    redirected = http_get(server, "/accounts/login/")
    assert redirected.status == 301 and redirected.headers["Location"].startswith("https://")

    alive = http_get(server, "/healthz", PROBE)
    assert (alive.status, alive.body) == (200, b"ok\n")
    assert_probe_answer(alive)
    ready = http_get(server, "/readyz", PROBE)
    assert ready.status == 200, server.output()
    assert readiness(ready) == {
        "ready": True,
        "failed": [],
        "checks": {"database": "ok", "cache": "ok", "migrations": "ok"},
    }
    assert_probe_answer(ready)


@pytest.mark.slow
def test_readyz_names_the_database_when_it_cannot_be_reached_and_healthz_still_answers(health_servers):
    server = health_servers["database_down"]
    answer = http_get(server, "/readyz", PROBE)

    assert answer.status == 503
    assert readiness(answer) == {
        "ready": False,
        "failed": ["database"],
        "checks": {"database": "failed", "cache": "ok", "migrations": "skipped"},
    }
    assert_probe_answer(answer)
    assert b"127.0.0.1" not in answer.body and b"postgres" not in answer.body, "no exception text, no address"
    assert "Readiness check database failed: OperationalError" in server.output(), "the log says why"
    assert http_get(server, "/healthz", PROBE).status == 200, "the process is up: it must not be restarted"


@pytest.mark.slow
def test_readyz_names_migrations_when_one_is_not_applied(health_servers):
    answer = http_get(health_servers["migrations_behind"], "/readyz", PROBE)

    assert answer.status == 503
    assert readiness(answer) == {
        "ready": False,
        "failed": ["migrations"],
        "checks": {"database": "ok", "cache": "ok", "migrations": "failed"},
    }


def test_readyz_names_the_cache_when_it_cannot_be_reached(client, db, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/10",
        }
    }
    answer = client.get("/readyz")

    assert answer.status_code == 503
    assert answer.json() == {
        "ready": False,
        "failed": ["cache"],
        "checks": {"database": "ok", "cache": "failed", "migrations": "ok"},
    }


def test_probes_take_only_get_and_head(client):
    answer = client.post("/readyz")

    assert answer.status_code == 405 and answer["Allow"] == "GET, HEAD"
    assert client.head("/healthz").status_code == 200
