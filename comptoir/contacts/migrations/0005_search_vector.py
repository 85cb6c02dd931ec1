from django.db import migrations

from comptoir.core.search.fulltext import stored_search_vector


class Migration(migrations.Migration):
    dependencies = [("contacts", "0004_lifecycle_count_index")]

    operations = [stored_search_vector("contacts_contact")]
