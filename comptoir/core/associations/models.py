"""Generic associations between any two records (OBJ-4)."""

from django.db import models


class Association(models.Model):
    """One direction of one labelled association; its mirror row has the inverse type id."""

    from_type = models.CharField(max_length=32)  # object type name, "contacts"
    from_id = models.BigIntegerField()
    to_type = models.CharField(max_length=32)
    to_id = models.BigIntegerField()
    type_id = models.IntegerField()
    category = models.CharField(max_length=24, default="HUBSPOT_DEFINED")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["from_type", "from_id", "to_type", "to_id", "type_id"],
                name="uniq_association",
            )
        ]

    def __str__(self) -> str:
        return f"{self.from_type}/{self.from_id} -[{self.type_id}]-> {self.to_type}/{self.to_id}"


class AssociationLabel(models.Model):
    """A custom (USER_DEFINED) label for one direction of an object pair."""

    from_type = models.CharField(max_length=32)
    to_type = models.CharField(max_length=32)
    type_id = models.IntegerField(unique=True)
    inverse_type_id = models.IntegerField()
    label = models.CharField(max_length=200)
    name = models.CharField(max_length=100)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["from_type", "to_type", "name"], name="uniq_association_label_name"
            )
        ]

    def __str__(self) -> str:
        return f"{self.from_type}->{self.to_type}: {self.label}"


class AssociationLimit(models.Model):
    """HubSpot's "association definition configuration": at most `max_to_object_ids`
    records of `to_type` per `from_type` record with this association type (label)."""

    from_type = models.CharField(max_length=32)
    to_type = models.CharField(max_length=32)
    type_id = models.IntegerField()
    category = models.CharField(max_length=24, default="HUBSPOT_DEFINED")
    max_to_object_ids = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["from_type", "to_type", "type_id"], name="uniq_association_limit"
            )
        ]

    def __str__(self) -> str:
        return f"{self.from_type}->{self.to_type} [{self.type_id}] ≤ {self.max_to_object_ids}"
