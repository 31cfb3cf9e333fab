import django.contrib.postgres.fields
from django.db import migrations, models


def add_column(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE search_page_entry "
            "ADD COLUMN adder_ids bigint[] NOT NULL DEFAULT '{}'"
        )


def drop_column(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE search_page_entry DROP COLUMN adder_ids")


class Migration(migrations.Migration):
    """Who uploaded a document's file again without a request also sees it."""

    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="pageentry",
                    name="adder_ids",
                    field=django.contrib.postgres.fields.ArrayField(
                        base_field=models.BigIntegerField(), default=list, size=None
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(add_column, drop_column)],
        ),
    ]
