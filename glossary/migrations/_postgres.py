"""Helper for migrations that only mean something on PostgreSQL (the loader skips `_` modules)."""


def run_on_postgres(statements):
    """A RunPython function that executes `statements` on PostgreSQL and does nothing elsewhere."""

    def operation(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return operation
