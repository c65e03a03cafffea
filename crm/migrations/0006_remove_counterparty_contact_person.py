"""The single contact column is gone: its values became contact persons in 0005 (a migration of
its own, so the column is dropped after that data change has committed)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("crm", "0005_contacts_search_settings_imports")]

    operations = [migrations.RemoveField(model_name="counterparty", name="contact_person")]
