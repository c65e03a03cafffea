"""Fill the access table for the documents that exist already (the same code as the
``rebuild_document_access`` command: the sources the document apps register)."""

from django.db import migrations


def fill(apps, schema_editor):
    from workflow.access import access_rebuild

    access_rebuild()


class Migration(migrations.Migration):
    dependencies = [
        ("workflow", "0007_document_access"),
        ("correspondence", "0010_outgoing_reg_number_index"),
        ("contracts", "0008_drop_extra_fields_json"),
        ("memos", "0001_initial"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
