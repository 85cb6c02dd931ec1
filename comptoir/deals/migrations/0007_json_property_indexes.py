"""Filter and sort indexes of the JSON properties the deals list shows or filters on by
default (issue 16, point 2): the SQL the search compiler emits
(comptoir.core.properties.indexes.builtin_property_indexes), built CONCURRENTLY on PostgreSQL.
setup.sync_default_properties records their names on the definitions."""

from django.db import migrations

from comptoir.core.properties.indexes import builtin_property_indexes


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("deals", "0006_descending_sort_indexes")]

    operations = [
        builtin_property_indexes(
            "deals_deal",
            {
                "json_deal_notes_last_updated": ("notes_last_updated", "datetime"),
                "json_deal_dealtype": ("dealtype", "enumeration"),
                "json_deal_hs_priority": ("hs_priority", "enumeration"),
            }
        )
    ]
