"""Substring indexes for the standard text properties (issue 16, point 1): "contains"
filters answered by an FTS5 trigram table (SQLite) or a pg_trgm GIN index (PostgreSQL).
See comptoir/core/properties/substring_indexes.py."""

from django.db import migrations

from comptoir.core.properties.substring_indexes import standard_substring_indexes


class Migration(migrations.Migration):
    # Not atomic: SQLite fills each table in batches, each its own transaction.
    atomic = False

    dependencies = [("deals", "0007_json_property_indexes")]

    operations = [standard_substring_indexes("deals")]
