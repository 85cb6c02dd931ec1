"""Property history (OBJ-3): append-only, one row per changed value."""

from django.db import models


class SourceType(models.TextChoices):
    """HubSpot's `sourceType` values for property history."""

    CRM_UI = "CRM_UI"
    API = "API"
    IMPORT = "IMPORT"
    AUTOMATION = "AUTOMATION"
    MERGE = "MERGE"
    CALCULATED = "CALCULATED"
    MIGRATION = "MIGRATION"
    SALES = "SALES"
    INTEGRATION = "INTEGRATION"


class PropertyChange(models.Model):
    object_type = models.CharField(max_length=16)  # type id, "0-1"
    object_id = models.BigIntegerField()
    property = models.CharField(max_length=100)
    # HubSpot's string form of the new value; NULL when the value was cleared.
    value = models.TextField(null=True)
    changed_at = models.DateTimeField()
    source_type = models.CharField(max_length=32)
    source_id = models.CharField(max_length=100, null=True)
    # Plain ids, not foreign keys: history outlives users and is written in bulk.
    actor_id = models.BigIntegerField(null=True)
    request_id = models.CharField(max_length=64, null=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["object_type", "object_id", "property", "changed_at"],
                name="history_record_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.object_type}/{self.object_id}.{self.property}={self.value!r}"
