"""Filter and sort index of the contacts' company name (`company`, text stored in JSON;
issue 16): "company = X" scanned every contact (689 ms a page at 100,000 contacts in the
click catalogue). The same SQL as 0007's indexes (builtin_property_indexes), built
CONCURRENTLY on PostgreSQL; setup.sync_default_properties records its name."""

from django.db import migrations

from comptoir.core.properties.indexes import builtin_property_indexes


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("contacts", "0008_substring_indexes")]

    operations = [
        builtin_property_indexes(
            "contacts_contact", {"json_contact_company": ("company", "string")}
        )
    ]
