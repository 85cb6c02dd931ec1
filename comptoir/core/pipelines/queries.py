"""Cached lookups over pipelines and stages, used by validation and derived properties."""

from dataclasses import dataclass
from decimal import Decimal

from comptoir.core.i18n import localised
from comptoir.core.objects.registry import get_object_type
from comptoir.core.pipelines.models import Pipeline, PipelineStage
from comptoir.core.properties.registry import cached


@dataclass(frozen=True)
class StageInfo:
    stage_id: str
    pipeline_id: str
    label: str
    probability: Decimal
    is_closed: bool
    label_fr: str = ""

    @property
    def is_won(self) -> bool:
        return self.is_closed and self.probability >= 1


def stages(object_type="deals") -> dict[str, StageInfo]:
    """{stage id: StageInfo} over the object type's active pipelines."""
    name = get_object_type(object_type).name

    def load():
        rows = (
            PipelineStage.objects.filter(
                pipeline__object_type=name, archived=False, pipeline__archived=False
            )
            .select_related("pipeline")
            .order_by("pipeline__display_order", "display_order")
        )
        return {
            s.stage_id: StageInfo(
                s.stage_id,
                s.pipeline.pipeline_id,
                s.label,
                s.probability,
                s.is_closed,
                s.label_fr,
            )
            for s in rows
        }

    return cached(f"stages:{name}", load)


def pipeline_ids(object_type="deals") -> list[str]:
    name = get_object_type(object_type).name
    return cached(
        f"pipelines:{name}",
        lambda: list(
            Pipeline.objects.filter(object_type=name, archived=False)
            .order_by("display_order", "id")
            .values_list("pipeline_id", flat=True)
        ),
    )


def default_pipeline_id(object_type="deals") -> str | None:
    ids = pipeline_ids(object_type)
    return ids[0] if ids else None


def pipeline_labels(object_type="deals", *, french: bool = False) -> dict[str, str]:
    """{pipeline id: label}; with `french`, the French label where there is one."""
    name = get_object_type(object_type).name
    rows = cached(
        f"pipeline_labels:{name}",
        lambda: list(
            Pipeline.objects.filter(object_type=name).values_list(
                "pipeline_id", "label", "label_fr"
            )
        ),
    )
    return {pid: localised(label, label_fr, french=french) for pid, label, label_fr in rows}
