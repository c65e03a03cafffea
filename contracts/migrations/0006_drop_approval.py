# The approval sheet and the round counter now live in the route engine (see 0005).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('contracts', '0005_contract_routes'),
    ]

    operations = [
        migrations.DeleteModel(
            name='Approval',
        ),
        migrations.RemoveField(
            model_name='contract',
            name='round',
        ),
    ]
