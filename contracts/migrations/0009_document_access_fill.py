"""Fill the access table for the contracts that exist already (the same code as the
``rebuild_document_access`` command)."""

from django.db import migrations


def fill(apps, schema_editor):
    from contracts.models import Contract
    from workflow.access import access_rebuild

    access_rebuild([Contract])


class Migration(migrations.Migration):
    dependencies = [
        ("workflow", "0007_document_access"),
        ("contracts", "0008_drop_extra_fields_json"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
