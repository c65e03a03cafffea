"""Fill the access table for the memos that exist already (the same code as the
``rebuild_document_access`` command)."""

from django.db import migrations


def fill(apps, schema_editor):
    from memos.models import Memo
    from workflow.access import access_rebuild

    access_rebuild([Memo])


class Migration(migrations.Migration):
    dependencies = [
        ("workflow", "0007_document_access"),
        ("memos", "0001_initial"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
