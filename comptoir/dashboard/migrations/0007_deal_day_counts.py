"""Per-day deal counters for the forecast and "deals created", built from the deals already
there in the zone the day counters are kept in (none kept: the next rebuild builds them).

On PostgreSQL, two partial indexes let "contacts called" read the calls and the contacts
from indexes alone (an index-only scan needs every column it reads in the index): the live
calls by time with their ids, the live contacts' ids with their owners."""

from django.db import migrations, models

PG_INDEXES = {
    "dash_live_call_idx": (
        'CREATE INDEX IF NOT EXISTS "dash_live_call_idx" ON "activities_activity" '
        '("hs_timestamp", "hubspot_owner_id") INCLUDE ("id") '
        "WHERE \"object_type_name\" = 'calls' AND NOT \"archived\""
    ),
    "dash_live_contact_idx": (
        'CREATE INDEX IF NOT EXISTS "dash_live_contact_idx" ON "contacts_contact" '
        '("id") INCLUDE ("hubspot_owner_id") WHERE NOT "archived"'
    ),
}


def build(apps, schema_editor):
    # Imported when the migration runs, not whenever migrations are loaded.
    from comptoir.dashboard import counts

    zone = counts.kept_zone()
    if zone:
        counts._rebuild_deals(zone)


def indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for sql in PG_INDEXES.values():
            cursor.execute(sql)


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name in PG_INDEXES:
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):

    dependencies = [
        ("dashboard", "0006_contact_owner_counts"),
        ("deals", "0005_search_vector"),
    ]

    operations = [
        migrations.CreateModel(
            name='DealDayCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('pipeline', models.CharField(max_length=64)),
                ('month', models.BooleanField(default=False)),
                ('day', models.DateField()),
                ('dealstage', models.CharField(max_length=64)),
                ('owner_id', models.BigIntegerField()),
                ('closing', models.IntegerField(default=0)),
                ('closing_cents', models.BigIntegerField(default=0)),
                ('created', models.IntegerField(default=0)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('pipeline', 'month', 'day', 'dealstage', 'owner_id'), name='dash_deal_day_uniq')],
            },
        ),
        migrations.RunPython(build, migrations.RunPython.noop),
        migrations.RunPython(indexes, drop_indexes),
    ]
