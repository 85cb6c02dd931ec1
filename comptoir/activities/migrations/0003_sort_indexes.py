from django.db import migrations

from comptoir.core.properties.indexes import hot_column_indexes


class Migration(migrations.Migration):
    dependencies = [("activities", "0002_fulltext")]

    operations = [
        hot_column_indexes(
            "activities_activity",
            {"activity_timestamp": ("hs_timestamp", False)},
            prefix='"object_type_name"',
        )
    ]
