# The approval sheet now lives in the route engine (see 0005).

import workflow.roles
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('correspondence', '0005_outgoing_routes'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='outgoingletter',
            name='approval_round',
        ),
        migrations.AlterField(
            model_name='extraapprover',
            name='role',
            field=models.CharField(blank=True, choices=workflow.roles.role_choices, help_text='Если согласующий не указан: первый сотрудник с этой ролью.', max_length=32, verbose_name='или роль'),
        ),
        migrations.DeleteModel(
            name='OutgoingApproval',
        ),
    ]
