"""Seed the request, follow-up and appeal letter templates (federal and state)."""

from django.db import migrations


def load(apps, schema_editor):
    from foia.seed import load_letter_templates

    load_letter_templates(
        template_model=apps.get_model("foia", "LetterTemplate"),
        jurisdiction_model=apps.get_model("foia", "Jurisdiction"),
    )


class Migration(migrations.Migration):
    dependencies = [("foia", "0005_load_agencies")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
