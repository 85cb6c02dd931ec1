"""Setup data kept in step with the code after every migrate: default property groups
and properties (HubSpot's), the default deal pipeline, the portal settings row."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from comptoir.core.objects.registry import OBJECT_TYPES
from comptoir.core.properties import registry
from comptoir.core.properties.defaults import DEFAULTS, GROUPS

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
    from comptoir.core.properties.models import PropertyDefinition, PropertyGroup

    for ot in OBJECT_TYPES:
        for order, (name, label, label_fr) in enumerate(GROUPS[ot.name]):
            PropertyGroup.objects.update_or_create(
                object_type=ot.name,
                name=name,
                defaults={"label": label, "label_fr": label_fr, "display_order": order},
            )
        existing = {
            d.name: d
            for d in PropertyDefinition.objects.filter(object_type=ot.name, hubspot_defined=True)
        }
        for order, default in enumerate(DEFAULTS[ot.name]):
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
            }
            current = existing.get(default.name)
            if current is None:
                PropertyDefinition.objects.create(object_type=ot.name, name=default.name, **fields)
            elif any(getattr(current, k) != v for k, v in fields.items()):
                for key, value in fields.items():
                    setattr(current, key, value)
                current.save()


def sync_default_pipeline() -> None:
    from comptoir.core.pipelines.models import Pipeline, PipelineStage

    pipeline, created = Pipeline.objects.get_or_create(
        object_type="deals",
        pipeline_id="default",
        defaults={
            "label": "Sales Pipeline",
            "label_fr": "Pipeline des ventes",
            "display_order": 0,
            "created_at": EPOCH,
            "updated_at": EPOCH,
        },
    )
    if not created:
        return  # admins own it from now on
    for order, (stage_id, label, label_fr, probability, closed) in enumerate(DEFAULT_DEAL_STAGES):
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


def sync_defaults(using="default", **kwargs) -> None:
    from comptoir.core.portal.models import PortalSettings

    with transaction.atomic(using=using):
        sync_default_properties()
        sync_default_pipeline()
        PortalSettings.objects.get_or_create(pk=1)
        registry.invalidate()
