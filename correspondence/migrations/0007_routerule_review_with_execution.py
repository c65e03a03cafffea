from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("correspondence", "0006_drop_outgoing_approval"),
    ]

    operations = [
        migrations.AddField(
            model_name="routerule",
            name="review_with_execution",
            field=models.CharField(
                choices=[
                    ("informational", "Для сведения: не задерживает исполнение письма"),
                    ("mandatory", "Обязательно: письмо исполнено только после рассмотрения"),
                ],
                default="informational",
                help_text=(
                    "Для участников, рассматривающих письмо одновременно с ответственным "
                    "исполнителем (шаги «вместе с предыдущим» рядом с исполнителем)."
                ),
                max_length=16,
                verbose_name="рассмотрение вместе с исполнением",
            ),
        ),
    ]
