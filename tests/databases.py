import threading

import pytest
from django.conf import settings
from django.db import connection

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

postgres_only = pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL: set DATABASE_URL")
sqlite_only = pytest.mark.skipif(ON_POSTGRES, reason="SQLite fallback; runs when DATABASE_URL is unset")

# The Redis databases the tests use, emptied by them: the PostgreSQL run and the SQLite run may go at
# the same time (.ci/run), so each has its own. Within a run, the tests sharing one are in one xdist
# group (REDIS_GROUP), so they never run at once on two workers.
REDIS_PDF_URL = f"redis://127.0.0.1:6379/{15 if ON_POSTGRES else 13}"
REDIS_SHARED_URL = f"redis://127.0.0.1:6379/{14 if ON_POSTGRES else 12}"
REDIS_GROUP = pytest.mark.xdist_group("redis-shared")


def run_together(*calls):
    """Run each call in its own thread and database connection, released at the same instant."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = call()
        except Exception as error:  # the outcome is what the test inspects
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes
