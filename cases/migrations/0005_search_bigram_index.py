"""PostgreSQL only: the character bigrams of Case.search_text, stored and GIN-indexed.

Trigram indexes (pg_trgm) cannot serve two-character queries such as 금형 or 용접; an index of bigrams can,
and serves longer words too (every bigram of the word must be present). The bigrams are a stored generated
column, computed once per write, so a sequential scan never recomputes them. The model does not declare the
column: PostgreSQL fills it, and only CaseQuerySet.search() reads it. SQLite has neither and scans.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION tracker_bigrams(t text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
    SELECT coalesce(array_to_tsvector(array_agg(DISTINCT bigram)), ''::tsvector)
    FROM (SELECT substr(t, i, 2) AS bigram FROM generate_series(1, length(t) - 1) AS i) AS pairs
    WHERE bigram !~ '\\s'
$$;
"""
COLUMN = """
ALTER TABLE cases_case
    ADD COLUMN search_bigrams tsvector GENERATED ALWAYS AS (tracker_bigrams(search_text)) STORED;
"""
INDEX = "CREATE INDEX case_search_bigrams_idx ON cases_case USING gin (search_bigrams);"
DROP = "ALTER TABLE cases_case DROP COLUMN IF EXISTS search_bigrams; DROP FUNCTION IF EXISTS tracker_bigrams(text);"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION)
        schema_editor.execute(COLUMN)
        schema_editor.execute(INDEX)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_case_search_text")]

    operations = [migrations.RunPython(create, drop)]
