import datetime as dt
import zoneinfo

from django.conf import settings
from django.db import migrations

NAME = "workflow.absences_delegate_sweep"


def create_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    local = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    first_run = dt.datetime.now(local).replace(hour=0, minute=10, second=0, microsecond=0)
    Schedule.objects.update_or_create(
        name=NAME,
        defaults={
            "func": "workflow.jobs.absences_delegate_sweep",
            "schedule_type": "D",  # daily, at the time of next_run
            "repeats": -1,
            "next_run": first_run,
        },
    )


def delete_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("workflow", "0003_roles_document_specialist_all_contracts")]

    operations = [migrations.RunPython(create_schedule, delete_schedule)]
