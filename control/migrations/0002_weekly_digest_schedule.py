"""The Monday-morning digest to heads: one django-q schedule, weekly from the next Monday 08:00
(local time)."""

import datetime as dt
import zoneinfo

from django.conf import settings
from django.db import migrations

DIGEST_NAME = "control.weekly_digest"


def next_monday_morning() -> dt.datetime:
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    now = dt.datetime.now(tz)
    monday = now.date() + dt.timedelta(days=(7 - now.weekday()) % 7 or 7)
    return dt.datetime.combine(monday, dt.time(8, 0), tzinfo=tz)


def create_digest_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.update_or_create(
        name=DIGEST_NAME,
        defaults={
            "func": "control.jobs.weekly_digest",
            "schedule_type": "W",  # weekly from next_run
            "next_run": next_monday_morning(),
            "repeats": -1,
        },
    )


def delete_digest_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=DIGEST_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("control", "0001_initial"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create_digest_schedule, delete_digest_schedule)]
