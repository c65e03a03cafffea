# The typed fields (0007) replace the JSON list of labels.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('contracts', '0007_contract_fields'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='contracttype',
            name='extra_fields',
        ),
    ]
