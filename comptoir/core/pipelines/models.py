"""Pipelines and their stages for deals (and tasks)."""

from decimal import Decimal

from django.db import models


class Pipeline(models.Model):
    object_type = models.CharField(max_length=32, default="deals")
    pipeline_id = models.CharField(max_length=64)  # HubSpot's id: "default" or a number
    label = models.CharField(max_length=200)
    label_fr = models.CharField(max_length=200, blank=True, default="")
    display_order = models.IntegerField(default=0)
    archived = models.BooleanField(default=False)
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["object_type", "pipeline_id"], name="uniq_pipeline")
        ]
        ordering = ["display_order", "id"]

    def __str__(self) -> str:
        return self.label


class PipelineStage(models.Model):
    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages")
    stage_id = models.CharField(max_length=64)
    label = models.CharField(max_length=200)
    label_fr = models.CharField(max_length=200, blank=True, default="")
    display_order = models.IntegerField(default=0)
    probability = models.DecimalField(max_digits=3, decimal_places=2, default=Decimal("0"))
    is_closed = models.BooleanField(default=False)
    archived = models.BooleanField(default=False)
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["pipeline", "stage_id"], name="uniq_pipeline_stage")
        ]
        ordering = ["display_order", "id"]

    def __str__(self) -> str:
        return self.label

    @property
    def is_won(self) -> bool:
        return self.is_closed and self.probability >= 1


class PipelineAudit(models.Model):
    """One change to a pipeline or to one of its stages (HubSpot's pipeline audit):
    what happened, to what, by whom, when, and the object as it was after the change."""

    CREATE, UPDATE, DELETE = "CREATE", "UPDATE", "DELETE"
    ACTIONS = [(CREATE, "Create"), (UPDATE, "Update"), (DELETE, "Delete")]

    object_type = models.CharField(max_length=32)
    pipeline_id = models.CharField(max_length=64)
    stage_id = models.CharField(max_length=64, blank=True, default="")  # "" = the pipeline
    action = models.CharField(max_length=8, choices=ACTIONS)
    actor_id = models.IntegerField(null=True, blank=True)  # the user, when one acted
    source_type = models.CharField(max_length=32, blank=True, default="")
    message = models.CharField(max_length=300, blank=True, default="")
    raw_object = models.JSONField(default=dict)
    timestamp = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(
                fields=["object_type", "pipeline_id", "stage_id", "-timestamp"],
                name="pipeline_audit_lookup",
            )
        ]

    def __str__(self) -> str:
        target = f"{self.pipeline_id}/{self.stage_id}" if self.stage_id else self.pipeline_id
        return f"{self.action} {self.object_type} {target}"
