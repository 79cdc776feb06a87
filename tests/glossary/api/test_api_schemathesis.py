"""Schemathesis, a checker this project did not write, on the served OpenAPI schema: every check it
has, against gunicorn in production mode on the test database, as a contributor and IT's and
Marketing's approvers (tests/schemathesis_hooks.py), on a small seeded glossary
(tests/schemathesis_glossary.py).

First the examples, coverage and fuzzing phases on the schema as served; then the stateful phase,
following the schema's links, on the schema narrowed to the seeded glossary (its slugs,
departments, plain texts) so that what it proposes can be signed off, until the database shows
every decision, a rebase and a withdrawal made (at most three runs, as the links it follows
depend on the answers it gets). Zero failures in every run.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tests.app_servers import (
    ROOT,
    SERVER_SETTINGS,
    collected_static,
    database_url,
    migrated_sqlite_database,
    production_environment,
    start_gunicorn,
    stop,
    wait_until_serving,
)
from tests.schemathesis_glossary import FRESH_TERMS

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SCHEMATHESIS = str(Path(sys.executable).with_name("schemathesis"))
# Operations whose schema-valid input the glossary's state can still refuse with 422: a slug that no
# term, tag or department has, a name another term has, a change that changes nothing, a second
# copy of an open proposal. JSON Schema cannot say which slugs exist; every other refusal of valid
# input, and of every other operation, still fails the run.
DECIDED_BY_STATE = [
    "glossary_api_terms_term_list",
    "glossary_api_terms_skos",
    "glossary_api_metrics_metrics",
    "glossary_api_proposals_proposal_create",
    "glossary_api_proposals_proposal_update",
    "glossary_api_watches_watch_create",
]
CONFIG = f"""\
workers = 1
hooks = "tests.schemathesis_hooks"

[cache]
enabled = false

[generation]
max-examples = 20
deterministic = true

[phases.stateful]
max-steps = 20

[phases.stateful.generation]
max-examples = 60

[[operations]]
include-operation-id = {json.dumps(DECIDED_BY_STATE)}
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "422", "429"]
"""


STATEFUL_RUNS = len(FRESH_TERMS)
OUTCOMES = ("approve", "request_changes", "reject", "rebased", "withdrawn")


@pytest.fixture
def served_api(tmp_path, tmp_path_factory):
    (tmp_path / "fuzzed_settings.py").write_text(SERVER_SETTINGS.format(static_root=collected_static(tmp_path_factory)))
    # On SQLite the test database lives in memory, where a server cannot reach it: a file of its own.
    database = (
        migrated_sqlite_database(tmp_path_factory, tmp_path / "db.sqlite3")
        if connection.vendor == "sqlite"
        else database_url()
    )
    # Schemathesis sends tokens that are not valid on purpose; the limit on them is proven elsewhere.
    env = production_environment(tmp_path, "fuzzed_settings", DATABASE_URL=database, API_TOKEN_FAILURE_LIMIT="1000000")
    server = start_gunicorn(env, tmp_path / "gunicorn.log")
    try:
        wait_until_serving(server, "/api/v1/openapi.json")
        yield server, env
    finally:
        stop(server.process)


def glossary(env: dict, *command: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "tests.schemathesis_glossary", *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def schemathesis(server, env: dict, tmp_path: Path, *arguments: str) -> subprocess.CompletedProcess:
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG)
    return subprocess.run(
        [
            SCHEMATHESIS,
            "--config-file",
            str(config),
            "run",
            f"{server.url}/api/v1/openapi.json",
            "--checks",
            "all",
            "--report",
            "har",
            "--report-dir",
            str(tmp_path / "report"),
            *arguments,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_schemathesis_finds_nothing_and_its_stateful_run_reaches_every_decision(served_api, tmp_path):
    server, env = served_api
    seeded = glossary(env, "seed")
    callers = {**env, **{name: value for name, value in seeded.items() if name.endswith("_TOKEN")}}

    units = schemathesis(server, callers, tmp_path, "--phases", "examples,coverage,fuzzing")
    assert units.returncode == 0, units.stdout[-20_000:] + units.stderr[-5_000:] + server.output()[-5_000:]
    # The stateful phase picks its links at random among the answers the server gives, which differ
    # from run to run (ids, times), so one run may miss a decision; up to three runs, each from fresh
    # out-of-date proposals the unit phases have not touched, so that what follows is the stateful
    # runs' doing. Every run must find nothing.
    first = glossary(env, "outcomes")
    for run in range(STATEFUL_RUNS):
        state = glossary(env, "out_of_date", str(run))["GLOSSARY_STATE"]
        stateful = schemathesis(
            server,
            {**callers, "GLOSSARY_STATE": state},
            tmp_path,
            "--phases",
            "stateful",
            "--mode",
            "positive",
        )
        assert stateful.returncode == 0, stateful.stdout[-20_000:] + stateful.stderr[-5_000:] + server.output()[-5_000:]
        assert "No issues found" in stateful.stdout
        after = glossary(env, "outcomes")
        if all(after[outcome] > first[outcome] for outcome in OUTCOMES):
            break
    for outcome in OUTCOMES:
        assert after[outcome] > first[outcome], (outcome, first, after)
    assert after["proposals"] > first["proposals"], "the stateful runs proposed nothing"
