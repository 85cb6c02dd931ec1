"""Productivity counts calls, emails and meetings per owner over a date range: with the
owner in the index, the calls' counts and the weekly chart read the index alone."""

from django.db import migrations


def forward(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            'CREATE INDEX IF NOT EXISTS "dash_activity_owner_time_idx" ON "activities_activity" '
            '("object_type_name", "archived", "hs_timestamp", "hubspot_owner_id")'
        )


def backward(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute('DROP INDEX IF EXISTS "dash_activity_owner_time_idx"')


class Migration(migrations.Migration):
    dependencies = [("dashboard", "0002_owner_index_leading")]

    operations = [migrations.RunPython(forward, backward)]
