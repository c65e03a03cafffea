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
    dependencies = [("storage", "0005_filetext")]

    operations = [
        migrations.RunPython(create_schedule, delete_schedule),
        # files stored before recognition existed wait for it like new ones
        migrations.RunSQL(
            """
            INSERT INTO storage_filetext
                (stored_file_id, state, method, text, error, attempts, next_attempt_at, updated_at)
            SELECT id, 'pending', '', '', '', 0, now(), now() FROM storage_storedfile
            ON CONFLICT (stored_file_id) DO NOTHING
            """,
            migrations.RunSQL.noop,
        ),
    ]
