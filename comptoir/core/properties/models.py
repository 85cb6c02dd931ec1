"""Property registry storage (OBJ-2): definitions and groups, default and custom."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from comptoir.core.properties.kinds import KINDS, PropertyKind, kind_for

# The stored type names, one per property kind (STRING = "string"...): a new kind adds
# its choice here by itself (and a migration records it).
PropertyType = models.TextChoices("PropertyType", [(name.upper(), name) for name in KINDS])


class FieldType(models.TextChoices):
    TEXT = "text"
    TEXTAREA = "textarea"
    HTML = "html"
    PHONENUMBER = "phonenumber"
    FILE = "file"
    NUMBER = "number"
    DATE = "date"
    SELECT = "select"
    RADIO = "radio"
    CHECKBOX = "checkbox"
    BOOLEANCHECKBOX = "booleancheckbox"
    CALCULATION_EQUATION = "calculation_equation"


class OptionsSource(models.TextChoices):
    """Where an enumeration's options come from when they are not stored on the definition."""

    STORED = ""
    PIPELINES = "pipelines"
    STAGES = "stages"
    OWNERS = "owners"


class PropertyGroup(models.Model):
    object_type = models.CharField(max_length=32)
    name = models.CharField(max_length=100)
    label = models.CharField(max_length=200)
    label_fr = models.CharField(max_length=200, blank=True, default="")
    display_order = models.IntegerField(default=-1)
    archived = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["object_type", "name"], name="uniq_property_group")
        ]
        ordering = ["object_type", "display_order", "name"]

    def __str__(self) -> str:
        return f"{self.object_type}.{self.name}"


class PropertyDefinition(models.Model):
    object_type = models.CharField(max_length=32)
    name = models.CharField(max_length=100)
    label = models.CharField(max_length=200)
    label_fr = models.CharField(max_length=200, blank=True, default="")
    description = models.TextField(blank=True, default="")
    group_name = models.CharField(max_length=100)
    type = models.CharField(max_length=20, choices=PropertyType.choices)
    field_type = models.CharField(max_length=30, choices=FieldType.choices)
    # [{"label", "label_fr", "value", "displayOrder", "hidden", "description"}]
    options = models.JSONField(default=list, blank=True)
    options_source = models.CharField(
        max_length=20, choices=OptionsSource.choices, blank=True, default=""
    )
    display_order = models.IntegerField(default=-1)
    hidden = models.BooleanField(default=False)
    form_field = models.BooleanField(default=True)
    has_unique_value = models.BooleanField(default=False)
    hubspot_defined = models.BooleanField(default=False)
    calculated = models.BooleanField(default=False)
    # Value computed by Comptoir (hs_object_id, createdate...): callers' writes are ignored.
    read_only_value = models.BooleanField(default=False)
    read_only_definition = models.BooleanField(default=False)
    archivable = models.BooleanField(default=True)
    show_currency_symbol = models.BooleanField(default=False)
    referenced_object_type = models.CharField(max_length=32, blank=True, default="")
    # Attribute name on the model when the value is a real column, "" when it is in JSON.
    column = models.CharField(max_length=64, blank=True, default="")
    max_length = models.IntegerField(default=65536)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by_id = models.BigIntegerField(null=True, blank=True)
    updated_by_id = models.BigIntegerField(null=True, blank=True)
    archived = models.BooleanField(default=False)
    archived_at = models.DateTimeField(null=True, blank=True)
    # Name of the on-demand expression index built for filtering/sorting, "" if none.
    index_name = models.CharField(max_length=100, blank=True, default="")
    # Name of the substring index serving "contains" filters (SQLite: the FTS5 trigram
    # table; PostgreSQL: the GIN index), "" if none (core/properties/substring_indexes.py).
    substring_index = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["object_type", "name"], name="uniq_property_name")
        ]
        ordering = ["object_type", "display_order", "name"]

    def __str__(self) -> str:
        return f"{self.object_type}.{self.name}"

    @property
    def kind(self) -> PropertyKind:
        """Everything that depends on the property's type (core/properties/kinds)."""
        return kind_for(self.type)

    @property
    def is_multi(self) -> bool:
        return self.kind.is_multi(self)

    def option_values(self) -> list[str]:
        return [option["value"] for option in self.options]


class IndexStatus(models.TextChoices):
    COUNTING = "", _("Counting queries")  # not asked for yet: repeated queries are counted
    PENDING = "pending", _("Pending")
    BUILDING = "building", _("Building")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")
    REFUSED = "refused", _("Refused")  # the per-type cap was reached
    DROPPED = "dropped", _("Dropped")


class IndexReason(models.TextChoices):
    NONE = "", "—"
    SAVED_VIEW = "saved_view", _("Saved view")
    QUERIES = "queries", _("Repeated queries")
    ADMIN = "admin", _("Administrator")


class PropertyIndexRequest(models.Model):
    """An on-demand expression index asked for one property (comptoir.core.properties.
    index_requests): who asked and how far the worker got. One row per property; before
    anyone asks, the row counts the list pages and API searches that filtered or sorted on
    the unindexed property within a window (in the database: every server process counts
    together)."""

    object_type = models.CharField(max_length=32)
    property_name = models.CharField(max_length=100)
    status = models.CharField(
        max_length=10, choices=IndexStatus.choices, blank=True, default=IndexStatus.COUNTING
    )
    reason = models.CharField(
        max_length=12, choices=IndexReason.choices, blank=True, default=IndexReason.NONE
    )
    error = models.TextField(blank=True, default="")
    hits = models.PositiveIntegerField(default=0)
    window_start = models.DateTimeField(null=True, blank=True)
    # Who asked last (a saved view's owner, the administrator), None for repeated queries.
    actor_id = models.BigIntegerField(null=True, blank=True)
    saved_view_id = models.BigIntegerField(null=True, blank=True)
    requested_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["object_type", "property_name"], name="uniq_property_index_request"
            )
        ]

    def __str__(self) -> str:
        return f"{self.object_type}.{self.property_name}: {self.status or 'counting'}"
