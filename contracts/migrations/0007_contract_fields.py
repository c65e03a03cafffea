# Contract "extra fields" become typed fields edited in an inline; the JSON lists of labels
# become text fields in the same order (values on contracts stay keyed by label). Name templates
# are validated on save; rules say that an empty condition means «любой».

import contracts.name_template
import django.db.models.deletion
from django.db import migrations, models


def labels_to_fields(apps, schema_editor):
    ContractType = apps.get_model("contracts", "ContractType")
    ContractField = apps.get_model("contracts", "ContractField")
    for contract_type in ContractType.objects.all():
        seen = set()
        for order, raw in enumerate(contract_type.extra_fields or []):
            label = " ".join(str(raw).split())[:100]
            if not label or label in seen:
                continue
            seen.add(label)
            ContractField.objects.create(
                contract_type=contract_type, label=label, kind="text", order=order
            )


def fields_to_labels(apps, schema_editor):
    ContractType = apps.get_model("contracts", "ContractType")
    for contract_type in ContractType.objects.all():
        contract_type.extra_fields = list(
            contract_type.fields.order_by("order", "id").values_list("label", flat=True)
        )
        contract_type.save(update_fields=["extra_fields"])


class Migration(migrations.Migration):

    dependencies = [
        ('contracts', '0006_drop_approval'),
    ]

    operations = [
        migrations.CreateModel(
            name='ContractField',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('label', models.CharField(max_length=100, verbose_name='название поля')),
                ('kind', models.CharField(choices=[('text', 'Текст'), ('number', 'Число'), ('date', 'Дата'), ('choice', 'Выбор из списка')], default='text', max_length=8, verbose_name='тип')),
                ('required', models.BooleanField(default=False, verbose_name='обязательное')),
                ('choices', models.TextField(blank=True, help_text='Для типа «Выбор из списка»: по одному варианту в строке.', verbose_name='варианты')),
                ('order', models.PositiveSmallIntegerField(default=0, verbose_name='порядок')),
                ('contract_type', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='fields', to='contracts.contracttype', verbose_name='тип договора')),
            ],
            options={
                'verbose_name': 'дополнительное поле',
                'verbose_name_plural': 'дополнительные поля',
                'ordering': ['contract_type', 'order', 'id'],
                'constraints': [models.UniqueConstraint(fields=('contract_type', 'label'), name='contract_field_unique_label')],
            },
        ),
        migrations.RunPython(labels_to_fields, fields_to_labels),
        migrations.AlterField(
            model_name='contracttype',
            name='name_template',
            field=models.CharField(default='{type} № {number} от {date} — {counterparty} — {subject}', help_text='Подстановки: {type}, {number}, {date}, {counterparty}, {subject}, {amount}. Название договора формируется автоматически.', max_length=255, validators=[contracts.name_template.validate_name_template], verbose_name='шаблон названия'),
        ),
        migrations.AlterField(
            model_name='approvalrule',
            name='amount_max',
            field=models.DecimalField(blank=True, decimal_places=2, help_text='Пусто — без верхней границы.', max_digits=14, null=True, verbose_name='сумма до (включительно)'),
        ),
        migrations.AlterField(
            model_name='approvalrule',
            name='amount_min',
            field=models.DecimalField(blank=True, decimal_places=2, help_text='Пусто — без нижней границы.', max_digits=14, null=True, verbose_name='сумма от'),
        ),
        migrations.AlterField(
            model_name='approvalrule',
            name='contract_type',
            field=models.ForeignKey(blank=True, help_text='Пусто — любой.', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='rules', to='contracts.contracttype', verbose_name='тип договора'),
        ),
        migrations.AlterField(
            model_name='approvalrule',
            name='fund',
            field=models.ForeignKey(blank=True, help_text='Пусто — любой.', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='rules', to='contracts.fund', verbose_name='источник финансирования'),
        ),
        migrations.AlterField(
            model_name='approvalrule',
            name='subject_category',
            field=models.ForeignKey(blank=True, help_text='Пусто — любой.', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='contracts.subjectcategory', verbose_name='категория предмета'),
        ),
    ]
