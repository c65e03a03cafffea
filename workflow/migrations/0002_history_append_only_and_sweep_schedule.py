from django.db import migrations

APPEND_ONLY = """
CREATE OR REPLACE FUNCTION workflow_history_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'workflow_historyentry is append-only: % is not allowed', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER workflow_history_append_only
    BEFORE UPDATE OR DELETE ON workflow_historyentry
    FOR EACH ROW EXECUTE FUNCTION workflow_history_append_only();
"""
DROP_APPEND_ONLY = """
DROP TRIGGER IF EXISTS workflow_history_append_only ON workflow_historyentry;
DROP FUNCTION IF EXISTS workflow_history_append_only();
"""

SWEEP_NAME = "workflow.timers_sweep"


def create_sweep_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.update_or_create(
        name=SWEEP_NAME,
        defaults={
            "func": "workflow.jobs.timers_sweep",
            "schedule_type": "I",  # every N minutes
            "minutes": 1,
            "repeats": -1,
        },
    )


def delete_sweep_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=SWEEP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("workflow", "0001_initial"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [
        migrations.RunSQL(APPEND_ONLY, DROP_APPEND_ONLY),
        migrations.RunPython(create_sweep_schedule, delete_sweep_schedule),
    ]
