"""Per-day activity counters for the dashboard (comptoir.dashboard.counts), built from the
activities already there in the portal's report time zone (one grouped query: about a
minute at 2M activities)."""

from django.db import migrations, models


def build(apps, schema_editor):
    # Imported when the migration runs, not whenever migrations are loaded.
    from comptoir.dashboard import counts

    portal_settings = apps.get_model("core", "PortalSettings")
    current = portal_settings.objects.filter(pk=1).first()
    zone = (
        current.report_time_zone
        if current
        else portal_settings._meta.get_field("report_time_zone").default
    )
    counts.rebuild(zone, deals=False)  # their table comes with 0007


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0003_activity_owner_time_index"),
        ("core", "0004_portal_about"),
        ("activities", "0004_search_vector"),
    ]

    operations = [
        migrations.CreateModel(
            name="CountState",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("time_zone", models.CharField(default="", max_length=64)),
            ],
        ),
        migrations.CreateModel(
            name="ActivityDayCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField()),
                ("owner_id", models.BigIntegerField()),
                ("calls", models.IntegerField(default=0)),
                ("emails", models.IntegerField(default=0)),
                ("meetings", models.IntegerField(default=0)),
                ("tasks", models.IntegerField(default=0)),
            ],
            options={
                "indexes": [models.Index(fields=["owner_id", "day"], name="dash_owner_day_idx")],
                "constraints": [
                    models.UniqueConstraint(fields=("day", "owner_id"), name="dash_day_owner_uniq")
                ],
            },
        ),
        migrations.RunPython(build, migrations.RunPython.noop),
    ]
