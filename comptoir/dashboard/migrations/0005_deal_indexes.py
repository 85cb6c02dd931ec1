"""Covering indexes for the deal figures: the forecast (deals of a pipeline by close date,
summed per stage) and "deals created" (by creation date) read an index range without
visiting the deals themselves, whatever the length of the period."""

from django.db import migrations

INDEXES = {
    "dash_deal_close_idx": (
        '"pipeline", "archived", "closedate", "dealstage", "hubspot_owner_id", "amount"'
    ),
    "dash_deal_created_idx": '"pipeline", "archived", "created_at", "hubspot_owner_id"',
}


def forward(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for name, columns in INDEXES.items():
            cursor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "deals_deal" ({columns})')


def backward(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for name in INDEXES:
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("dashboard", "0004_day_counts"), ("deals", "0005_search_vector")]

    operations = [migrations.RunPython(forward, backward)]
