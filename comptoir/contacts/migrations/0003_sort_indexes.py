from django.db import migrations

from comptoir.core.properties.indexes import hot_column_indexes


class Migration(migrations.Migration):
    dependencies = [("contacts", "0002_fulltext")]

    operations = [
        hot_column_indexes("contacts_contact", {
            "contact_lastname": ("lastname", True),
            "contact_firstname": ("firstname", True),
            "contact_email": ("email", False),
            "contact_lifecycle": ("lifecyclestage", False),
            "contact_owner": ("hubspot_owner_id", False),
        })
    ]
