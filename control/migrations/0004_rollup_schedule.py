"""The worker keeps the dashboard's rollup of decided route steps up to date: every minute."""

from django.db import migrations

ROLLUP_NAME = "control.rollup_refresh"


def create_rollup_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.update_or_create(
        name=ROLLUP_NAME,
        defaults={
            "func": "control.jobs.rollup_refresh",
            "schedule_type": "I",  # every N minutes
            "minutes": 1,
            "repeats": -1,
        },
    )


def delete_rollup_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=ROLLUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("control", "0003_step_facts"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create_rollup_schedule, delete_rollup_schedule)]
