from django.db import migrations

from comptoir.core.properties.indexes import hot_column_indexes


class Migration(migrations.Migration):
    dependencies = [("companies", "0002_fulltext")]

    operations = [
        hot_column_indexes("companies_company", {
            "company_name": ("name", True),
            "company_domain": ("domain", False),
            "company_owner": ("hubspot_owner_id", False),
        })
    ]
