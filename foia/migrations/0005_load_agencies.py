"""Seed the federal, state and local agencies of foia/data/agencies.json."""

from django.db import migrations


def load(apps, schema_editor):
    from foia.seed import load_agencies

    load_agencies(
        agency_model=apps.get_model("foia", "Agency"),
        jurisdiction_model=apps.get_model("foia", "Jurisdiction"),
    )


class Migration(migrations.Migration):
    dependencies = [("foia", "0004_load_jurisdictions")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
