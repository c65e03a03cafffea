# The incoming letter's route now lives in the route engine (see 0008).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("correspondence", "0008_incoming_routes"),
    ]

    operations = [
        migrations.RemoveField(model_name="incomingletter", name="route_plan"),
        migrations.RemoveField(model_name="incomingletter", name="route_stage"),
    ]
