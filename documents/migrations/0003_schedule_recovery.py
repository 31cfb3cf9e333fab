from django.db import migrations

RECOVERY_TASK = "documents.tasks.recover_stalled"


def schedule_recovery(apps, schema_editor):
    schedule_model = apps.get_model("django_q", "Schedule")
    schedule_model.objects.get_or_create(
        func=RECOVERY_TASK,
        defaults={
            "name": "Recover stalled document processing",
            "schedule_type": "I",
            "minutes": 5,
            "repeats": -1,
        },
    )


def unschedule_recovery(apps, schema_editor):
    schedule_model = apps.get_model("django_q", "Schedule")
    schedule_model.objects.filter(func=RECOVERY_TASK).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0002_links_previews_progress"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(schedule_recovery, unschedule_recovery)]
