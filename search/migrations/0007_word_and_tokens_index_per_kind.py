import django.contrib.postgres.indexes
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('search', '0006_viewer_tokens_in_the_word_index'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='searchentry',
            name='search_entry_word_access',
        ),
        migrations.AddIndex(
            model_name='searchentry',
            index=django.contrib.postgres.indexes.GinIndex(condition=models.Q(('kind', 'incoming')), fastupdate=False, fields=['vector', 'access'], name='search_incoming_word_access'),
        ),
        migrations.AddIndex(
            model_name='searchentry',
            index=django.contrib.postgres.indexes.GinIndex(condition=models.Q(('kind', 'outgoing')), fastupdate=False, fields=['vector', 'access'], name='search_outgoing_word_access'),
        ),
        migrations.AddIndex(
            model_name='searchentry',
            index=django.contrib.postgres.indexes.GinIndex(condition=models.Q(('kind', 'contract')), fastupdate=False, fields=['vector', 'access'], name='search_contract_word_access'),
        ),
        migrations.AddIndex(
            model_name='searchentry',
            index=django.contrib.postgres.indexes.GinIndex(condition=models.Q(('kind', 'memo')), fastupdate=False, fields=['vector', 'access'], name='search_memo_word_access'),
        ),
        migrations.AddIndex(
            model_name='searchentry',
            index=django.contrib.postgres.indexes.GinIndex(condition=models.Q(('kind', 'company')), fastupdate=False, fields=['vector', 'access'], name='search_company_word_access'),
        ),
    ]
