"""Descending sorts put empty values last too (issue 14, point 4): the indexes they walk."""

from django.db import migrations

from comptoir.core.properties.indexes import descending_sort_indexes


class Migration(migrations.Migration):
    dependencies = [("contacts", "0005_search_vector")]

    operations = [
        descending_sort_indexes(
            "contacts_contact",
            {
                "contact_lastname": ("lastname", True),
                "contact_firstname": ("firstname", True),
                "contact_email": ("email", False),
                "contact_lifecycle": ("lifecyclestage", False),
                "contact_owner": ("hubspot_owner_id", False),
            },
        )
    ]
