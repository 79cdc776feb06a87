import pytest
from django.conf import settings

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

postgres_only = pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL: set DATABASE_URL")
sqlite_only = pytest.mark.skipif(ON_POSTGRES, reason="SQLite fallback; runs when DATABASE_URL is unset")

# The Redis databases the tests use, emptied by them: the PostgreSQL run and the SQLite run may go at
# the same time (.ci/run), so each has its own. Within a run, the tests sharing one are in one xdist
# group (REDIS_GROUP), so they never run at once on two workers.
REDIS_PDF_URL = f"redis://127.0.0.1:6379/{15 if ON_POSTGRES else 13}"
REDIS_SHARED_URL = f"redis://127.0.0.1:6379/{14 if ON_POSTGRES else 12}"
REDIS_GROUP = pytest.mark.xdist_group("redis-shared")
