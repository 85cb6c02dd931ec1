from django.db import migrations

from comptoir.core.search.fulltext import stored_search_vector


class Migration(migrations.Migration):
    dependencies = [("companies", "0003_sort_indexes")]

    operations = [stored_search_vector("companies_company")]
