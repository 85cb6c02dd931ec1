"""Indexes the dashboard's figures need at 1M contacts and 2M activities (bench/dashboard.py).

* contacts (archived, owner): "contacts with an owner" counts from the index alone;
* tasks by completion date: "tasks completed in the period" reads a range of it. The
  expression is the one the search compiler writes for the property (see
  comptoir.core.properties.indexes.value_sql), led by the activity type.
"""

from django.db import migrations

STATEMENTS = {
    "sqlite": [
        'CREATE INDEX IF NOT EXISTS "dash_contact_owner_idx" '
        'ON "contacts_contact" ("archived", "hubspot_owner_id")',
        'CREATE INDEX IF NOT EXISTS "dash_task_done_idx" ON "activities_activity" '
        "(\"object_type_name\", json_extract(\"properties\", '$.hs_task_completion_date'))",
    ],
    "postgresql": [
        'CREATE INDEX IF NOT EXISTS "dash_contact_owner_idx" '
        'ON "contacts_contact" ("archived", "hubspot_owner_id")',
        'CREATE INDEX IF NOT EXISTS "dash_task_done_idx" ON "activities_activity" '
        "(\"object_type_name\", (\"properties\" ->> 'hs_task_completion_date'))",
    ],
}


def forward(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for statement in STATEMENTS.get(schema_editor.connection.vendor, []):
            cursor.execute(statement)


def backward(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for name in ("dash_contact_owner_idx", "dash_task_done_idx"):
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0005_search_vector"),
        ("activities", "0004_search_vector"),
    ]

    operations = [migrations.RunPython(forward, backward)]
