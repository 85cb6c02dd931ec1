"""Descending sorts put empty values last too (issue 14, point 4): the indexes they walk."""

from django.db import migrations

from comptoir.core.properties.indexes import descending_sort_indexes


class Migration(migrations.Migration):
    dependencies = [("deals", "0005_search_vector")]

    operations = [
        descending_sort_indexes(
            "deals_deal",
            {
                "deal_name": ("dealname", True),
                "deal_amount": ("amount", False),
                "deal_closedate": ("closedate", False),
                "deal_owner": ("hubspot_owner_id", False),
            },
        )
    ]
