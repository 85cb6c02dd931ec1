from django.db import migrations

from comptoir.core.search.fulltext import create_fulltext_index


class Migration(migrations.Migration):
    dependencies = [("activities", "0001_initial")]

    operations = [create_fulltext_index("activities_activity")]
