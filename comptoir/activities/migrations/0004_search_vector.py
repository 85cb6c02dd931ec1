from django.db import migrations

from comptoir.core.search.fulltext import stored_search_vector


class Migration(migrations.Migration):
    dependencies = [("activities", "0003_sort_indexes")]

    operations = [stored_search_vector("activities_activity")]
