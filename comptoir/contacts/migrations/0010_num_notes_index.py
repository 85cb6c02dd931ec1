"""Filter and sort index of the contacts' number of sales activities (`num_notes`, a rollup
stored in JSON; issue 16): "num_notes > 3" read every contact on SQLite (256-417 ms at
100,000 contacts in the click catalogue). The same SQL as 0007's indexes
(builtin_property_indexes), built CONCURRENTLY on PostgreSQL; setup.sync_default_properties
records its name."""

from django.db import migrations

from comptoir.core.properties.indexes import builtin_property_indexes


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("contacts", "0009_company_name_index")]

    operations = [
        builtin_property_indexes(
            "contacts_contact", {"json_contact_num_notes": ("num_notes", "number")}
        )
    ]
