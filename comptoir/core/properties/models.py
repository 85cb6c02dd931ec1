"""Property registry storage (OBJ-2): definitions and groups, default and custom."""

from django.db import models

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
