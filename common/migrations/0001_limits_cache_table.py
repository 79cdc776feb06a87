"""The database table of the `limits` cache (common/limits.py), used when no Redis is configured.

Made by a migration rather than by `manage.py createcachetable`, so that `migrate`, which every
deployment runs, is all it takes.
"""

from django.core.management import call_command
from django.db import migrations

TABLE = "common_limits"  # settings.CACHES["limits"]["LOCATION"] without Redis


def create_table(apps, schema_editor):
    call_command("createcachetable", TABLE, database=schema_editor.connection.alias, verbosity=0)


def drop_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = []
    operations = [migrations.RunPython(create_table, drop_table)]
