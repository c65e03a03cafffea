"""Fill the access table for the letters that exist already (the same code as the
``rebuild_document_access`` command)."""

from django.db import migrations


def fill(apps, schema_editor):
    from correspondence.models import IncomingLetter, OutgoingLetter
    from workflow.access import access_rebuild

    access_rebuild([IncomingLetter, OutgoingLetter])


class Migration(migrations.Migration):
    dependencies = [
        ("workflow", "0007_document_access"),
        ("correspondence", "0011_register_search_indexes"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
