import pytest
from django.conf import settings

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

postgres_only = pytest.mark.skipif(not ON_POSTGRES, reason="needs PostgreSQL: set DATABASE_URL")
sqlite_only = pytest.mark.skipif(ON_POSTGRES, reason="SQLite fallback; runs when DATABASE_URL is unset")
