"""Live contacts per owner for the dashboard, counted from the contacts already there."""

from django.db import migrations, models


def build(apps, schema_editor):
    # Imported when the migration runs, not whenever migrations are loaded.
    from comptoir.dashboard import counts

    counts.rebuild_contacts()


class Migration(migrations.Migration):

    dependencies = [
        ('dashboard', '0005_deal_indexes'),
    ]

    operations = [
        migrations.CreateModel(
            name='ContactOwnerCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('owner_id', models.BigIntegerField(unique=True)),
                ('contacts', models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(build, migrations.RunPython.noop),
    ]
