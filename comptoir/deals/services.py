"""Deal rules: stage belongs to pipeline, values derived from the stage, lifecycle sync."""

from django.utils import timezone

from comptoir.core.associations import services as associations
from comptoir.core.pipelines.derived import stage_values
from comptoir.core.pipelines.queries import stages
from comptoir.core.portal.services import automation_enabled
from comptoir.core.properties import registry
from comptoir.core.properties.coercion import format_datetime
from comptoir.core.properties.errors import PropertyError
from comptoir.core.records.behavior import RecordBehavior
from comptoir.core.records.lifecycle import advance_lifecycle
from comptoir.core.records.values import base_queryset, read_value


class DealBehavior(RecordBehavior):
    def clean(self, values, record, errors, now=None):
        defs = registry.definitions(self.ot)
        known = stages(self.ot)

        def current(name):
            if name in values:
                return values[name]
            return read_value(record, defs[name]) if record is not None else None

        stage_id, pipeline_id = current("dealstage"), current("pipeline")
        if stage_id is None:
            return  # required check reports a missing stage on create
        stage = known.get(stage_id)
        if stage is None:
            errors.append(
                PropertyError(
                    "dealstage",
                    "INVALID_OPTION",
                    f"{stage_id!r} is not a stage of any pipeline",
                    stage_id,
                )
            )
            return
        if pipeline_id is None:
            values["pipeline"] = pipeline_id = stage.pipeline_id
        if stage.pipeline_id != pipeline_id:
            errors.append(
                PropertyError(
                    "dealstage",
                    "INVALID_STAGE",
                    f"stage {stage_id!r} does not belong to pipeline {pipeline_id!r}",
                    stage_id,
                )
            )
            return
        if "dealstage" in values or "amount" in values or record is None:
            values.update(stage_values(stage, current("amount")))
        if stage.is_closed and current("closedate") is None:
            values["closedate"] = format_datetime(now or timezone.now())

    def after_create(self, record, changes, source):
        self._advance_lifecycles(record, source, created=True)

    def after_update(self, record, changes, old, source):
        if changes.get("hs_is_closed_won") == "true":
            self._advance_lifecycles(record, source, created=False)

    def after_associate(self, record_id, to_ot, to_id, source):
        if to_ot.name not in ("contacts", "companies"):
            return
        deal = base_queryset(self.ot).filter(pk=record_id).first()
        if deal is None:
            return
        stage = self._lifecycle_target(deal, created=True)
        if stage:
            advance_lifecycle(to_ot, [to_id], stage, source, "deal_lifecycle")

    def _lifecycle_target(self, deal, created):
        won = deal.properties.get("hs_is_closed_won") is True
        if won and automation_enabled("lifecycle_on_deal_won"):
            return "customer"
        if (
            created
            and not deal.properties.get("hs_is_closed")
            and automation_enabled("lifecycle_on_deal_created")
        ):
            return "opportunity"
        return None

    def _advance_lifecycles(self, deal, source, created):
        stage = self._lifecycle_target(deal, created)
        if not stage:
            return
        for to_type in ("contacts", "companies"):
            ids = associations.associated_ids(self.ot, deal.pk, to_type)
            advance_lifecycle(to_type, ids, stage, source, "deal_lifecycle")
