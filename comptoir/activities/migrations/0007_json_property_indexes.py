"""Filter and sort indexes of the JSON properties the tasks list shows or filters on by
default (issue 16, point 2): the SQL the search compiler emits
(comptoir.core.properties.indexes.builtin_property_indexes), built CONCURRENTLY on PostgreSQL.
setup.sync_default_properties records their names on the definitions."""

from django.db import migrations

from comptoir.core.properties.indexes import builtin_property_indexes


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("activities", "0006_descending_sort_indexes")]

    operations = [
        builtin_property_indexes(
            "activities_activity",
            {
                "json_task_hs_task_subject": ("hs_task_subject", "string"),
                "json_task_hs_task_status": ("hs_task_status", "enumeration"),
                "json_task_hs_task_priority": ("hs_task_priority", "enumeration"),
                "json_task_hs_task_type": ("hs_task_type", "enumeration"),
            },
            prefix='"object_type_name"',
        )
    ]
