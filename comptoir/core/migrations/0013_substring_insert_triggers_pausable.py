"""The substring indexes' insert triggers (SQLite) skip the FTS tables the bulk write path
fills itself, one INSERT ... SELECT per batch (issue 16: imports were twice as slow with
one trigger firing per row and index). Triggers created by the object apps' 0008 before
this change get the condition; see substring_indexes.filled_in_bulk."""

from django.db import migrations

from comptoir.core.properties.substring_indexes import insert_triggers_pausable


class Migration(migrations.Migration):
    dependencies = [("core", "0012_auditevent")]

    operations = [insert_triggers_pausable()]
