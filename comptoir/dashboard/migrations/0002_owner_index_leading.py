"""The contacts index of 0001 led with `archived`, so SQLite picked it for every list
(`archived = 0`) and sorted in a temporary B-tree instead of walking the sort indexes.
Led by the owner it still covers "contacts with an owner" (a covering scan) and stays out
of the lists' way."""

from django.db import migrations


def forward(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute('DROP INDEX IF EXISTS "dash_contact_owner_idx"')
        cursor.execute(
            'CREATE INDEX IF NOT EXISTS "dash_contact_owner_archived_idx" '
            'ON "contacts_contact" ("hubspot_owner_id", "archived")'
        )


def backward(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute('DROP INDEX IF EXISTS "dash_contact_owner_archived_idx"')


class Migration(migrations.Migration):
    dependencies = [("dashboard", "0001_dashboard_indexes")]

    operations = [migrations.RunPython(forward, backward)]
