from django.db import migrations

from comptoir.core.search.fulltext import stored_search_vector


class Migration(migrations.Migration):
    dependencies = [("deals", "0004_amount_index")]

    operations = [stored_search_vector("deals_deal")]
