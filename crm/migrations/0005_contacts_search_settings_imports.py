"""Contact persons (the single «контактное лицо» column becomes the first contact of each
company), the card's comment and version, the search columns and indexes, the distribution and
contact-control settings, the import's check and update mode."""

import re

import crm.models.companies
import django.contrib.postgres.fields
import django.contrib.postgres.indexes
import django.core.validators
import django.db.models.deletion
import django.db.models.functions.comparison
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


_PUNCTUATION = re.compile(r"[«»\"'“”„‘’‹›`.,;:!?()]")


def _name_key(name):
    return " ".join(_PUNCTUATION.sub(" ", name).lower().replace("ё", "е").split())


def _phone_key(phone):
    digits = re.sub(r"\D", "", phone)
    if len(digits) == 11 and digits[0] == "8":
        digits = "7" + digits[1:]
    return digits


def forwards(apps, schema_editor):
    Counterparty = apps.get_model("crm", "Counterparty")
    ContactPerson = apps.get_model("crm", "ContactPerson")
    contacts = [
        ContactPerson(company_id=pk, name=name.strip()[:255])
        for pk, name in Counterparty.objects.exclude(contact_person="").values_list(
            "pk", "contact_person"
        )
        if name.strip()
    ]
    ContactPerson.objects.bulk_create(contacts, batch_size=1000)
    batch = []
    for company in Counterparty.objects.only("id", "name", "phone", "email").iterator():
        keys = [_phone_key(company.phone) if company.phone else "", company.email.lower()]
        company.name_key = _name_key(company.name)
        company.contact_keys = " ".join(k for k in keys if k)
        batch.append(company)
        if len(batch) >= 1000:
            Counterparty.objects.bulk_update(batch, ["name_key", "contact_keys"])
            batch = []
    Counterparty.objects.bulk_update(batch, ["name_key", "contact_keys"])


class Migration(migrations.Migration):

    dependencies = [
        ('crm', '0004_russian_collation'),
        ('workflow', '0004_absences_delegate_schedule'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ContactPerson',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=255, verbose_name='ФИО')),
                ('position', models.CharField(blank=True, max_length=255, verbose_name='должность')),
                ('phones', django.contrib.postgres.fields.ArrayField(base_field=models.CharField(max_length=50), blank=True, default=list, size=None, verbose_name='телефоны')),
                ('emails', django.contrib.postgres.fields.ArrayField(base_field=models.CharField(max_length=254), blank=True, default=list, size=None, verbose_name='эл. почта')),
                ('comment', models.CharField(blank=True, max_length=500, verbose_name='комментарий')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='добавлен')),
            ],
            options={
                'verbose_name': 'контактное лицо',
                'verbose_name_plural': 'контактные лица',
                'ordering': ['id'],
            },
        ),
        migrations.RemoveIndex(
            model_name='counterparty',
            name='counterparty_status',
        ),
        migrations.RemoveIndex(
            model_name='counterparty',
            name='counterparty_responsible',
        ),
        migrations.AddField(
            model_name='calendarevent',
            name='manual',
            field=models.BooleanField(default=False, verbose_name='создано вручную'),
        ),
        migrations.AddField(
            model_name='calendarevent',
            name='reminder_minutes',
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name='напомнить за, минут'),
        ),
        migrations.AddField(
            model_name='companyimport',
            name='create_industries',
            field=models.BooleanField(default=False, verbose_name='создавать новые сферы'),
        ),
        migrations.AddField(
            model_name='companyimport',
            name='delimiter',
            field=models.CharField(blank=True, max_length=4, verbose_name='разделитель'),
        ),
        migrations.AddField(
            model_name='companyimport',
            name='encoding',
            field=models.CharField(blank=True, max_length=32, verbose_name='кодировка'),
        ),
        migrations.AddField(
            model_name='companyimport',
            name='file_format',
            field=models.CharField(blank=True, max_length=8, verbose_name='формат'),
        ),
        migrations.AddField(
            model_name='companyimport',
            name='header',
            field=models.JSONField(blank=True, default=list, verbose_name='заголовок файла'),
        ),
        migrations.AddField(
            model_name='companyimport',
            name='mode',
            field=models.CharField(choices=[('create', 'Только новые компании'), ('update', 'Новые и обновление существующих')], default='create', max_length=8, verbose_name='режим'),
        ),
        migrations.AddField(
            model_name='companyimport',
            name='preview',
            field=models.JSONField(blank=True, default=dict, verbose_name='проверка'),
        ),
        migrations.AddField(
            model_name='companyimport',
            name='sheet',
            field=models.CharField(blank=True, max_length=255, verbose_name='лист'),
        ),
        migrations.AddField(
            model_name='companyimport',
            name='sheets',
            field=models.JSONField(blank=True, default=list, verbose_name='листы книги'),
        ),
        migrations.AddField(
            model_name='companyimport',
            name='updated_count',
            field=models.PositiveIntegerField(default=0, verbose_name='обновлено'),
        ),
        migrations.AddField(
            model_name='counterparty',
            name='comment',
            field=models.TextField(blank=True, verbose_name='комментарий'),
        ),
        migrations.AddField(
            model_name='counterparty',
            name='contact_keys',
            field=models.TextField(blank=True, editable=False, verbose_name='телефоны и адреса для поиска'),
        ),
        migrations.AddField(
            model_name='counterparty',
            name='version',
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name='версия карточки'),
        ),
        migrations.AddField(
            model_name='crmsettings',
            name='contact_task_working_days',
            field=models.PositiveSmallIntegerField(default=5, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(60)], verbose_name='срок задания «Связаться с клиентом», рабочих дней'),
        ),
        migrations.AddField(
            model_name='crmsettings',
            name='distribution_categories',
            field=django.contrib.postgres.fields.ArrayField(base_field=models.CharField(choices=[('tenant', 'Арендатор'), ('government', 'Государственный орган'), ('contractor', 'Подрядчик / поставщик'), ('client', 'Клиент'), ('other', 'Прочее')], max_length=16), blank=True, default=crm.models.companies.default_distribution_categories, size=None, verbose_name='категории в прозвоне'),
        ),
        migrations.AddField(
            model_name='crmsettings',
            name='distribution_industries',
            field=models.ManyToManyField(blank=True, help_text='Пусто — все сферы.', related_name='+', to='crm.industry', verbose_name='сферы в прозвоне'),
        ),
        migrations.AddField(
            model_name='crmsettings',
            name='sales_department',
            field=models.ForeignKey(blank=True, help_text='Его руководитель получает задания по компаниям без менеджера. Пусто — отдел, где работают менеджеры.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='workflow.department', verbose_name='отдел продаж'),
        ),
        migrations.AddField(
            model_name='crmsettings',
            name='unassigned_fallback',
            field=models.ForeignKey(blank=True, help_text='Пусто — генеральный директор.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='ответственный, если нет руководителя продаж'),
        ),
        migrations.AddField(
            model_name='distributionweek',
            name='run_by',
            field=models.ForeignKey(blank=True, help_text='Пусто — по расписанию.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='запустил'),
        ),
        migrations.AlterField(
            model_name='companyimport',
            name='state',
            field=models.CharField(choices=[('uploaded', 'Загружен'), ('analysing', 'Проверяется'), ('preview', 'Ждёт подтверждения'), ('queued', 'В очереди'), ('running', 'Выполняется'), ('done', 'Завершён'), ('failed', 'Ошибка')], default='uploaded', max_length=16, verbose_name='состояние'),
        ),
        migrations.AlterField(
            model_name='crmsettings',
            name='contact_control_days',
            field=models.PositiveSmallIntegerField(default=90, help_text='Без коммуникации дольше этого срока открывается сделка «Клиентский сервис».', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(3650)], verbose_name='контроль контакта, дней'),
        ),
        migrations.AlterField(
            model_name='crmsettings',
            name='distribution_cursor',
            field=models.BigIntegerField(default=0, help_text='Меняется только распределением: следующая неделя продолжит с компании после этой.', verbose_name='последняя распределённая компания (id)'),
        ),
        migrations.AlterField(
            model_name='crmsettings',
            name='distribution_quota',
            field=models.PositiveSmallIntegerField(default=30, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(1000)], verbose_name='компаний на менеджера в неделю'),
        ),
        migrations.AddIndex(
            model_name='counterparty',
            index=django.contrib.postgres.indexes.GinIndex(django.contrib.postgres.indexes.OpClass('name_key', name='gin_trgm_ops'), name='counterparty_name_key_trgm'),
        ),
        migrations.AddIndex(
            model_name='counterparty',
            index=django.contrib.postgres.indexes.GinIndex(django.contrib.postgres.indexes.OpClass('contact_keys', name='gin_trgm_ops'), name='counterparty_contacts_trgm'),
        ),
        migrations.AddIndex(
            model_name='counterparty',
            index=models.Index(django.db.models.functions.comparison.Collate('name_key', 'argo_ru'), models.F('id'), name='counterparty_sort_name'),
        ),
        migrations.AddIndex(
            model_name='counterparty',
            index=models.Index(django.contrib.postgres.indexes.OpClass('inn', name='varchar_pattern_ops'), name='counterparty_inn_prefix'),
        ),
        migrations.AddIndex(
            model_name='counterparty',
            index=models.Index(models.F('status'), django.db.models.functions.comparison.Collate('name_key', 'argo_ru'), models.F('id'), name='counterparty_status'),
        ),
        migrations.AddIndex(
            model_name='counterparty',
            index=models.Index(models.F('responsible'), django.db.models.functions.comparison.Collate('name_key', 'argo_ru'), models.F('id'), name='counterparty_responsible'),
        ),
        migrations.AddIndex(
            model_name='counterparty',
            index=models.Index(models.OrderBy(models.F('last_communication_at'), descending=True, nulls_last=True), models.F('id'), name='counterparty_last_contact'),
        ),
        migrations.AddField(
            model_name='contactperson',
            name='company',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='contacts', to='crm.counterparty', verbose_name='компания'),
        ),
        migrations.AddIndex(
            model_name='contactperson',
            index=models.Index(fields=['company', 'id'], name='contact_company'),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
