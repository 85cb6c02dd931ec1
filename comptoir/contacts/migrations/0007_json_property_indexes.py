"""Filter and sort indexes of the JSON properties the contacts list shows or filters on by
default (issue 16, point 2): the SQL the search compiler emits
(comptoir.core.properties.indexes.builtin_property_indexes), built CONCURRENTLY on PostgreSQL.
setup.sync_default_properties records their names on the definitions."""

from django.db import migrations

from comptoir.core.properties.indexes import builtin_property_indexes


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("contacts", "0006_descending_sort_indexes")]

    operations = [
        builtin_property_indexes(
            "contacts_contact",
            {
                "json_contact_associatedcompanyid": ("associatedcompanyid", "number"),
                "json_contact_notes_last_updated": ("notes_last_updated", "datetime"),
                "json_contact_city": ("city", "string"),
                "json_contact_jobtitle": ("jobtitle", "string"),
                "json_contact_hs_lead_status": ("hs_lead_status", "enumeration"),
                "json_contact_phone": ("phone", "string"),
                "json_contact_country": ("country", "string"),
            }
        )
    ]
