"""The built-in filter and sort indexes of the projects list's JSON columns, as every type
with pages has (comptoir.core.properties.indexes.builtin_property_indexes)."""

from django.db import migrations

from comptoir.core.properties.indexes import builtin_property_indexes


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("projects", "0001_initial")]

    operations = [
        builtin_property_indexes(
            "projects_project",
            {
                "json_project_project_code": ("project_code", "string"),
                "json_project_budget": ("budget", "number"),
                "json_project_due_date": ("due_date", "date"),
            },
        )
    ]
