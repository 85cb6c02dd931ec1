from django.db import migrations

from comptoir.core.properties.indexes import hot_column_indexes


class Migration(migrations.Migration):
    dependencies = [("deals", "0002_fulltext")]

    operations = [
        hot_column_indexes("deals_deal", {
            "deal_name": ("dealname", True),
            "deal_amount": ("amount", False),
            "deal_closedate": ("closedate", False),
            "deal_owner": ("hubspot_owner_id", False),
        })
    ]
