"""Filter and sort indexes of the JSON properties the companies list shows or filters on by
default (issue 16, point 2): the SQL the search compiler emits
(comptoir.core.properties.indexes.builtin_property_indexes), built CONCURRENTLY on PostgreSQL.
setup.sync_default_properties records their names on the definitions."""

from django.db import migrations

from comptoir.core.properties.indexes import builtin_property_indexes


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("companies", "0006_descending_sort_indexes")]

    operations = [
        builtin_property_indexes(
            "companies_company",
            {
                "json_company_city": ("city", "string"),
                "json_company_notes_last_updated": ("notes_last_updated", "datetime"),
                "json_company_lifecyclestage": ("lifecyclestage", "enumeration"),
                "json_company_industry": ("industry", "enumeration"),
                "json_company_phone": ("phone", "string"),
                "json_company_country": ("country", "string"),
                "json_company_type": ("type", "enumeration"),
            }
        )
    ]
