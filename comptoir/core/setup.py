"""Setup data kept in step with the code after every migrate: default property groups
and properties (HubSpot's), the default deal and task pipelines, the portal settings row."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from comptoir.core.objects.registry import OBJECT_TYPES
from comptoir.core.portal.models import PortalSettings
from comptoir.core.properties import registry
from comptoir.core.properties.indexes import (
    builtin_index_name,
    builtin_indexed_properties,
    existing_indexes,
)
from comptoir.core.properties.models import PropertyDefinition, PropertyGroup
from comptoir.core.properties.substring_indexes import (
    existing_index_names,
    standard_index_names,
)
from comptoir.core.records import live_counts

EPOCH = timezone.datetime(1970, 1, 1, tzinfo=timezone.UTC)

DEFAULT_DEAL_STAGES = (
    # stage id, label, French label, probability, closed
    ("appointmentscheduled", "Appointment Scheduled", "Rendez-vous programmé", "0.2", False),
    ("qualifiedtobuy", "Qualified To Buy", "Qualifié pour l'achat", "0.4", False),
    ("presentationscheduled", "Presentation Scheduled", "Présentation programmée", "0.6", False),
    ("decisionmakerboughtin", "Decision Maker Bought-In", "Décisionnaire convaincu", "0.8", False),
    ("contractsent", "Contract Sent", "Contrat envoyé", "0.9", False),
    ("closedwon", "Closed Won", "Conclue gagnée", "1.0", True),
    ("closedlost", "Closed Lost", "Conclue perdue", "0.0", True),
)

# HubSpot's default task pipeline ("Task Pipeline") and its stage ids; each stage stands
# for one hs_task_status, which TaskBehavior keeps in step with hs_pipeline_stage.
# HubSpot ships Not Started, Waiting, Completed and Deferred; Comptoir's status list also
# has IN_PROGRESS (as HubSpot's UI does), so its stage comes with the default pipeline.
DEFAULT_TASK_PIPELINE_ID = "3d314325-1b2a-4225-9388-375f49c57ec3"
DEFAULT_TASK_STAGES = (
    # stage id, label, French label, closed, hs_task_status
    ("af0e6a5c-2ea3-4c72-b69f-7c6cb3fdb591", "Not Started", "Non commencée", False, "NOT_STARTED"),
    ("6b5a3c1e-0d4f-4a8e-9c2b-7f1e5d3a9b40", "In progress", "En cours", False, "IN_PROGRESS"),
    ("dd5826e4-c976-4654-a527-b59ada542e52", "Waiting", "En attente", False, "WAITING"),
    ("61bafb31-e7fa-46ed-aaa9-1322438d6e67", "Completed", "Terminée", True, "COMPLETED"),
    ("fc8148fb-3a2d-4b59-834e-69b7859347cb", "Deferred", "Reportée", False, "DEFERRED"),
)
TASK_STAGE_BY_STATUS = {status: stage_id for stage_id, *_, status in DEFAULT_TASK_STAGES}
TASK_STATUS_BY_STAGE = {stage_id: status for status, stage_id in TASK_STAGE_BY_STATUS.items()}


def _options(default) -> list[dict]:
    return [
        {
            "label": label,
            "label_fr": label_fr,
            "value": value,
            "displayOrder": i,
            "hidden": False,
            "description": "",
        }
        for i, (value, label, label_fr) in enumerate(default.options)
    ]


def sync_default_properties() -> None:
    built = existing_index_names()
    for ot in OBJECT_TYPES:
        for order, (name, label, label_fr) in enumerate(ot.property_groups):
            PropertyGroup.objects.update_or_create(
                object_type=ot.name,
                name=name,
                defaults={"label": label, "label_fr": label_fr, "display_order": order},
            )
        existing = {
            d.name: d
            for d in PropertyDefinition.objects.filter(object_type=ot.name, hubspot_defined=True)
        }
        missing = []
        # What the migrations built (SQLite always; PostgreSQL when pg_trgm is there).
        substring = standard_index_names(ot, built)
        # Their indexes come with the migrations (core/properties/indexes.py): recorded
        # once the database has them, so the registry never counts on a missing one.
        present = existing_indexes(ot.model._meta.db_table)
        indexed = {
            name
            for name in builtin_indexed_properties(ot)
            if builtin_index_name(ot, name) in present
        }
        for order, default in enumerate(ot.properties):
            fields = {
                "label": default.label,
                "label_fr": default.label_fr,
                "description": default.description,
                "group_name": default.group or ot.group_name,
                "type": default.type,
                "field_type": default.field_type,
                "options": _options(default),
                "options_source": default.options_source,
                "display_order": order,
                "hidden": default.hidden,
                "has_unique_value": default.unique,
                "hubspot_defined": True,
                "calculated": default.calculated,
                "read_only_value": default.read_only,
                "read_only_definition": True,
                "archivable": False,
                "show_currency_symbol": default.show_currency_symbol,
                "referenced_object_type": default.referenced_object_type,
                "column": default.column,
                "substring_index": substring.get(default.name, ""),
            }
            if default.name in indexed:
                fields["index_name"] = builtin_index_name(ot, default.name)
            current = existing.get(default.name)
            if current is None:
                missing.append(PropertyDefinition(object_type=ot.name, name=default.name, **fields))
            elif any(getattr(current, k) != v for k, v in fields.items()):
                for key, value in fields.items():
                    setattr(current, key, value)
                current.save()
        # One INSERT per type: after a fresh migrate (and each test-case flush) every
        # definition is missing, and saving them one by one was most of the flush's time.
        PropertyDefinition.objects.bulk_create(missing)


def _default_pipeline(object_type, pipeline_id, label, label_fr, stages, apps=None) -> None:
    """Create a default pipeline with its stages once; admins own it from then on.
    `apps`: a migration's historical models, when a data migration calls it."""
    if apps is None:  # the current models; a migration passes its historical ones
        from comptoir.core.pipelines.models import Pipeline, PipelineStage
    else:
        Pipeline = apps.get_model("core", "Pipeline")
        PipelineStage = apps.get_model("core", "PipelineStage")

    pipeline, created = Pipeline.objects.get_or_create(
        object_type=object_type,
        pipeline_id=pipeline_id,
        defaults={
            "label": label,
            "label_fr": label_fr,
            "display_order": 0,
            "created_at": EPOCH,
            "updated_at": EPOCH,
        },
    )
    if not created:
        return
    for order, (stage_id, label, label_fr, probability, closed) in enumerate(stages):
        PipelineStage.objects.create(
            pipeline=pipeline,
            stage_id=stage_id,
            label=label,
            label_fr=label_fr,
            display_order=order,
            probability=Decimal(probability),
            is_closed=closed,
            created_at=EPOCH,
            updated_at=EPOCH,
        )


def sync_default_task_pipeline(apps=None) -> None:
    stages = [(sid, label, fr, "0", closed) for sid, label, fr, closed, _ in DEFAULT_TASK_STAGES]
    _default_pipeline(
        "tasks", DEFAULT_TASK_PIPELINE_ID, "Task Pipeline", "Pipeline des tâches", stages, apps
    )


def sync_default_pipeline() -> None:
    _default_pipeline(
        "deals", "default", "Sales Pipeline", "Pipeline des ventes", DEFAULT_DEAL_STAGES
    )
    sync_default_task_pipeline()


def sync_defaults(using="default", **kwargs) -> None:
    with transaction.atomic(using=using):
        sync_default_properties()
        sync_default_pipeline()
        PortalSettings.objects.get_or_create(pk=1)
        registry.invalidate()
    live_counts.initialize()  # types without a kept count yet (a new type, a flushed test)
