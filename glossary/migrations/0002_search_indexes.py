"""PostgreSQL search indexes: full-text over search_document, trigrams over names and synonyms.

SQLite has neither; its search falls back to substring matching (see glossary.selectors).
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from glossary.migrations._postgres import run_on_postgres

# Must stay identical to the expression SearchVector("search_document", config="english") builds,
# or PostgreSQL will not use the index.
CREATE = [
    "CREATE INDEX IF NOT EXISTS glossary_term_search_fts ON glossary_term "
    "USING GIN (to_tsvector('english'::regconfig, COALESCE(search_document, '')))",
    "CREATE INDEX IF NOT EXISTS glossary_term_name_trgm ON glossary_term USING GIN (name gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS glossary_term_synonyms_trgm ON glossary_term USING GIN (synonyms gin_trgm_ops)",
]
DROP = [
    "DROP INDEX IF EXISTS glossary_term_search_fts",
    "DROP INDEX IF EXISTS glossary_term_name_trgm",
    "DROP INDEX IF EXISTS glossary_term_synonyms_trgm",
]


class Migration(migrations.Migration):
    dependencies = [("glossary", "0001_initial")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(run_on_postgres(CREATE), run_on_postgres(DROP)),
    ]
