from django.db import migrations


def schedule_purge(apps, schema_editor):
    schedule_model = apps.get_model("django_q", "Schedule")
    schedule_model.objects.get_or_create(
        name="Purge the access log past its retention",
        defaults={"func": "accounts.tasks.purge_access_log", "schedule_type": "D"},
    )


def unschedule_purge(apps, schema_editor):
    schedule_model = apps.get_model("django_q", "Schedule")
    schedule_model.objects.filter(func="accounts.tasks.purge_access_log").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(schedule_purge, unschedule_purge)]
