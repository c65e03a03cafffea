from django.db import migrations

POLL_NAME = "intake.mailboxes_poll_due"
PURGE_NAME = "intake.dismissed_items_purge"


def create_schedules(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.update_or_create(
        name=POLL_NAME,
        defaults={
            "func": "intake.jobs.mailboxes_poll_due",
            "schedule_type": "I",  # every N minutes
            "minutes": 1,
            "repeats": -1,
        },
    )
    Schedule.objects.update_or_create(
        name=PURGE_NAME,
        defaults={
            "func": "intake.jobs.dismissed_items_purge",
            "schedule_type": "D",  # daily
            "repeats": -1,
        },
    )


def delete_schedules(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name__in=[POLL_NAME, PURGE_NAME]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0001_initial"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create_schedules, delete_schedules)]
