"""Descending sorts put empty values last too (issue 14, point 4): the indexes they walk."""

from django.db import migrations

from comptoir.core.properties.indexes import descending_sort_indexes


class Migration(migrations.Migration):
    dependencies = [("activities", "0005_task_pipeline")]

    operations = [
        descending_sort_indexes(
            "activities_activity",
            {"activity_timestamp": ("hs_timestamp", False)},
            prefix='"object_type_name"',
        )
    ]
