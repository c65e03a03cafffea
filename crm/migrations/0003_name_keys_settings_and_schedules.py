"""Fill the name keys of existing counterparties, create the CRM settings row and install the
django-q2 schedules: the weekly call distribution (Monday 09:00 Europe/Moscow) and the daily
contact-control sweep.

The distribution is a WEEKLY schedule anchored at the next Monday 09:00 rather than a CRON one:
django-q2 needs the croniter package for CRON schedules and it is not installed. Changing the
day/time in «Настройки CRM» re-anchors the schedule (crm.services.distribution)."""

import datetime as dt
import re
import zoneinfo

from django.db import migrations

DISTRIBUTION = "crm.weekly_distribution"
CONTACT_SWEEP = "crm.contact_control_sweep"
MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")


def _key(name):
    return " ".join(re.sub(r"[«»\"'“”„.,]", " ", name).lower().replace("ё", "е").split())


def next_at(weekday, hour, minute, now=None):
    now = (now or dt.datetime.now(MOSCOW)).astimezone(MOSCOW)
    candidate = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    candidate += dt.timedelta(days=(weekday - now.weekday()) % 7)
    if candidate <= now:
        candidate += dt.timedelta(days=7)
    return candidate


def forwards(apps, schema_editor):
    Counterparty = apps.get_model("crm", "Counterparty")
    batch = []
    for c in Counterparty.objects.only("id", "name").iterator():
        c.name_key = _key(c.name)
        batch.append(c)
        if len(batch) >= 1000:
            Counterparty.objects.bulk_update(batch, ["name_key"])
            batch = []
    Counterparty.objects.bulk_update(batch, ["name_key"])
    apps.get_model("crm", "CrmSettings").objects.get_or_create(pk=1)
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.update_or_create(
        name=DISTRIBUTION,
        defaults={
            "func": "crm.jobs.weekly_distribution",
            "schedule_type": "W",
            "next_run": next_at(0, 9, 0),
            "repeats": -1,
        },
    )
    tomorrow = dt.datetime.now(MOSCOW).replace(hour=0, minute=30, second=0, microsecond=0)
    Schedule.objects.update_or_create(
        name=CONTACT_SWEEP,
        defaults={
            "func": "crm.jobs.contact_control_sweep",
            "schedule_type": "D",
            "next_run": tomorrow + dt.timedelta(days=1),
            "repeats": -1,
        },
    )


def backwards(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(
        name__in=[DISTRIBUTION, CONTACT_SWEEP]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0002_crm_companies_pipeline_calendar_distribution"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
