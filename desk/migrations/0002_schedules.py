from django.db import migrations

SCHEDULES = [
    {
        "name": "Send the daily digests (at DIGEST_HOUR)",
        "func": "desk.tasks.send_daily_digests",
        # Hourly: the task itself waits for DIGEST_HOUR and sends once a day.
        "schedule_type": "H",
    },
    {
        "name": "Draft follow-ups for overdue requests",
        "func": "desk.tasks.draft_follow_ups",
        "schedule_type": "D",
    },
]


def schedule(apps, schema_editor):
    schedule_model = apps.get_model("django_q", "Schedule")
    for entry in SCHEDULES:
        schedule_model.objects.get_or_create(
            func=entry["func"],
            defaults={"name": entry["name"], "schedule_type": entry["schedule_type"]},
        )


def unschedule(apps, schema_editor):
    schedule_model = apps.get_model("django_q", "Schedule")
    schedule_model.objects.filter(
        func__in=[entry["func"] for entry in SCHEDULES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("desk", "0001_initial"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
