"""Descending sorts put empty values last too (issue 14, point 4): the indexes they walk."""

from django.db import migrations

from comptoir.core.properties.indexes import descending_sort_indexes


class Migration(migrations.Migration):
    dependencies = [("companies", "0005_exact_name_index")]

    operations = [
        descending_sort_indexes(
            "companies_company",
            {
                "company_name": ("name", True),
                "company_domain": ("domain", False),
                "company_owner": ("hubspot_owner_id", False),
            },
        )
    ]
