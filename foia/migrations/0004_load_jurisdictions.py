"""Load the statutory clocks and holiday calendars of foia/data/jurisdictions.json.

Rules and holidays are data: administrators edit them in the admin afterwards, and
``manage.py load_jurisdictions`` reloads the file on purpose.
"""

from django.db import migrations


def load(apps, schema_editor):
    from foia.seed import load_jurisdictions

    load_jurisdictions(
        jurisdiction_model=apps.get_model("foia", "Jurisdiction"),
        holiday_model=apps.get_model("foia", "Holiday"),
    )


class Migration(migrations.Migration):
    dependencies = [("foia", "0003_appeal_decision_note_and_from_status")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
