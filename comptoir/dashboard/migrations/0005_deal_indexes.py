"""Covering indexes for the deal figures, read without visiting the deals themselves:

* the forecast sums a pipeline's deals per stage over a close-date range: led by the stage,
  the index gives each stage's range in order (no sort for the GROUP BY; the query names
  the pipeline's stages, so each is one range read);
* "deals created" counts a pipeline's deals over a creation-date range."""

from django.db import migrations

INDEXES = {
    "dash_deal_close_idx": (
        '"pipeline", "archived", "dealstage", "closedate", "hubspot_owner_id", "amount"'
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
