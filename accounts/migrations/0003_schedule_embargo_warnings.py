"""The daily embargo warning (``foia.tasks.send_embargo_warnings``).

Registered here, beside the access-log purge, because embargoes belong to the
visibility rules of this app's issue; the task itself lives with the requests.
"""

from django.db import migrations

FUNC = "foia.tasks.send_embargo_warnings"


def schedule_embargo_warnings(apps, schema_editor):
    schedule_model = apps.get_model("django_q", "Schedule")
    schedule_model.objects.get_or_create(
        func=FUNC,
        defaults={
            "name": "Warn requesters of embargoes about to lift",
            "schedule_type": "D",
        },
    )


def unschedule_embargo_warnings(apps, schema_editor):
    schedule_model = apps.get_model("django_q", "Schedule")
    schedule_model.objects.filter(func=FUNC).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_schedule_purge"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [
        migrations.RunPython(schedule_embargo_warnings, unschedule_embargo_warnings)
    ]
