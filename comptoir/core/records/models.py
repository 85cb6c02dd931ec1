"""The shape every CRM record shares: hot columns, a JSON bag, ownership, archive state."""

from django.db import models

from comptoir.core.objects.registry import get_object_type


class CrmRecord(models.Model):
    """Abstract base for contacts, companies, deals and activities.

    Hot standard properties are typed columns on the concrete model; every other
    property (custom ones included) lives in `properties`, keyed by internal name,
    in canonical typed form. Only services write these rows.
    """

    properties = models.JSONField(default=dict)
    hubspot_owner = models.ForeignKey(
        "users.Owner",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_column="hubspot_owner_id",
    )
    created_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField()
    archived = models.BooleanField(default=False)
    archived_at = models.DateTimeField(null=True, blank=True)
    # Set when this record was merged into another; the survivor's id.
    merged_into_id = models.BigIntegerField(null=True, blank=True)
    # Normalised (lower-case, accent-free) text of the searchable properties; full-text
    # indexes (SQLite FTS5, PostgreSQL GIN) are built on it.
    search_text = models.TextField(default="", blank=True)

    class Meta:
        abstract = True

    # Set by each concrete model: the object type name when one model serves one type.
    object_type_name: str = ""

    @property
    def object_type(self):
        return get_object_type(self.object_type_name)


class LiveRecordCount(models.Model):
    """How many live (not archived) records one object type has, kept exactly by the write
    path (comptoir/core/records/live_counts.py): the API search's total when nothing narrows
    the records, without counting every row."""

    object_type_name = models.CharField(max_length=100, primary_key=True)
    live = models.BigIntegerField()
