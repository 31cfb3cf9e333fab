"""Marks in the page vectors, and a vector of stems for ranking (PostgreSQL
backend): see ``search.backends.postgres``.

Pages indexed before this migration get their marks from the columns already
in their rows, in SQL, the same marks ``marks()`` writes for a page indexed
now, and their ranking vector from their words' (a test compares the two). The words' GIN index is dropped while the rows
are rewritten and built again after: inserting every row's lexemes into it one
row at a time would take far longer on a large index.
"""

import django.contrib.postgres.search
from django.db import migrations

# The marks of a row of search_page_entry, as a text array.
MARKS_SQL = """
    ARRAY(SELECT '~a' || pk FROM unnest(agency_ids) AS pk)
    || ARRAY(SELECT '~r' || pk FROM unnest(request_ids) AS pk)
    || ARRAY(SELECT '~e' || code FROM unnest(exemptions) AS code)
    || ARRAY(SELECT '~g' || tag FROM unnest(tags) AS tag)
    || ARRAY(SELECT '~j' || code FROM unnest(jurisdictions) AS code)
    || ARRAY['~o' || source]
    || ARRAY(
        SELECT '~d' || level || '.'
            || (least(greatest(received - DATE '1900-01-01', 0), 131071) >> level)
        FROM generate_series(0, 16) AS level
    )
    || ARRAY(
        SELECT '~s' || level FROM generate_series(1, 10) AS level
        WHERE ((page_id * 2654435761) & 4294967295) >> 22 < 1024 >> level
    )
"""

# The stems and their positions alone, for ranking.
RANK_VECTOR_SQL = (
    "ts_delete(vector, ARRAY(SELECT lexeme FROM unnest(vector) "
    "WHERE positions IS NULL))"
)

ADD_MARKS = (
    "DROP INDEX search_page_entry_vector;\n"  # noqa: S608 - constant SQL
    "UPDATE search_page_entry SET vector = vector || array_to_tsvector("
    + MARKS_SQL
    + "), rank_vector = "
    + RANK_VECTOR_SQL
    + ";\n"
    "CREATE INDEX search_page_entry_vector ON search_page_entry USING gin (vector);\n"
    "ANALYZE search_page_entry;\n"
)

REMOVE_MARKS = """
UPDATE search_page_entry SET vector = ts_delete(
    vector,
    ARRAY(SELECT lexeme FROM unnest(vector) WHERE left(lexeme, 1) = '~')
);
"""


def add_marks(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # A row is about 2.1 kB with its ranking vector and without its words
        # (over 6 kB, moved out of line): up to 4 kB, a row stays whole in the
        # table, so ranking a page reads one block instead of four or five.
        schema_editor.execute(
            "ALTER TABLE search_page_entry "
            "ADD COLUMN rank_vector tsvector NOT NULL DEFAULT '', "
            "SET (toast_tuple_target = 4080)"
        )
        schema_editor.execute(ADD_MARKS)
        schema_editor.execute(
            "ALTER TABLE search_page_entry ALTER COLUMN rank_vector DROP DEFAULT"
        )


def remove_marks(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REMOVE_MARKS)
        schema_editor.execute(
            "ALTER TABLE search_page_entry DROP COLUMN rank_vector, "
            "RESET (toast_tuple_target)"
        )


class Migration(migrations.Migration):
    dependencies = [("search", "0002_pageentry_adder_ids")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="pageentry",
                    name="rank_vector",
                    field=django.contrib.postgres.search.SearchVectorField(),
                    preserve_default=False,
                ),
            ],
            database_operations=[migrations.RunPython(add_marks, remove_marks)],
        ),
    ]
