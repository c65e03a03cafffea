from django.db import migrations

SWEEP_NAME = "storage.file_text_sweep"


def create_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.update_or_create(
        name=SWEEP_NAME,
        defaults={
            "func": "storage.text_jobs.file_text_sweep",
            "schedule_type": "I",  # minutes
            "minutes": 1,
            "repeats": -1,
        },
    )


def delete_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=SWEEP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("storage", "0004_filetext")]

    operations = [migrations.RunPython(create_schedule, delete_schedule)]
