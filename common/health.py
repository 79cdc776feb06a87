"""/healthz and /readyz for a load balancer or orchestrator.

Answered by a middleware placed before every other one but the request id: a probe names the server by its IP
address (which ALLOWED_HOSTS refuses) over plain http (which the SSL redirect would send away),
and must not start a session, set a cookie or need a log-in. Neither answer says more than which
check failed: no exception text, no addresses.
"""

import logging
import secrets

from django.core.cache import caches
from django.db import connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponse, JsonResponse

logger = logging.getLogger(__name__)

LIVENESS_PATH = "/healthz"
READINESS_PATH = "/readyz"


def database_check() -> None:
    for connection in connections.all():
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")


def cache_check() -> None:
    cache = caches["default"]
    key, value = f"readyz:{secrets.token_hex(8)}", secrets.token_hex(8)
    cache.set(key, value, timeout=10)
    try:
        if cache.get(key) != value:
            raise RuntimeError("the cache did not return the value just set")
    finally:
        cache.delete(key)


def migrations_check() -> None:
    for connection in connections.all():
        executor = MigrationExecutor(connection)
        unapplied = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if unapplied:
            raise RuntimeError(f"{len(unapplied)} migration(s) not applied")


# Migrations are read from the database, so they are checked only once it answers.
READINESS_CHECKS = {"database": database_check, "cache": cache_check, "migrations": migrations_check}


def readiness() -> dict[str, str]:
    """Each check's outcome: "ok", "failed", or "skipped" (after the database failed)."""
    outcomes = {}
    for name, check in READINESS_CHECKS.items():
        if name == "migrations" and outcomes.get("database") != "ok":
            outcomes[name] = "skipped"
            continue
        try:
            check()
        except Exception as error:
            # Why stays in the log, for whoever runs the server; the probe's answer names the check only.
            logger.warning("Readiness check %s failed: %s: %s", name, type(error).__name__, error)
            outcomes[name] = "failed"
        else:
            outcomes[name] = "ok"
    return outcomes


def liveness_response() -> HttpResponse:
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")


def readiness_response() -> JsonResponse:
    checks = readiness()
    ready = all(outcome == "ok" for outcome in checks.values())
    failed = [name for name, outcome in checks.items() if outcome == "failed"]
    return JsonResponse({"ready": ready, "failed": failed, "checks": checks}, status=200 if ready else 503)


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info not in (LIVENESS_PATH, READINESS_PATH):
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            response = HttpResponse(status=405, headers={"Allow": "GET, HEAD"})
        elif request.path_info == LIVENESS_PATH:
            response = liveness_response()
        else:
            response = readiness_response()
        response["Cache-Control"] = "no-store"
        return response
