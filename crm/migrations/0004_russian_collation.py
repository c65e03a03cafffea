"""The collation the company list sorts by, "argo_ru": ICU Russian when the server has ICU
(PostgreSQL from Debian does), else the system's ru_RU locale, else a copy of "C" (the embedded
PostgreSQL wheel is built without ICU). The list sorts the normalised name (lower case, ё folded
into е), which "C" already orders alphabetically for Cyrillic, so the fallback still sorts right."""

from django.db import migrations, transaction

NAME = "argo_ru"
CANDIDATES = [
    f"CREATE COLLATION {NAME} (provider = icu, locale = 'ru-RU')",
    f"CREATE COLLATION {NAME} (provider = libc, locale = 'ru_RU.utf8')",
    f'CREATE COLLATION {NAME} FROM "C"',
]


def create(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_collation WHERE collname = %s", [NAME])
        if cursor.fetchone():
            return
    for statement in CANDIDATES:
        try:
            with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
                cursor.execute(statement)
            return
        except Exception:  # noqa: S112 - try the next, more widely available, collation
            continue


def drop(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"DROP COLLATION IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("crm", "0003_name_keys_settings_and_schedules")]

    operations = [migrations.RunPython(create, drop)]
