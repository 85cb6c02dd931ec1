"""What a record made in the browser starts with (issue 14, point 5), as HubSpot's create
forms: the person creating it as its owner, and for a type with pipelines the first
pipeline and its first stage. The API takes what it is given (comptoir.hubspot_api)."""

from comptoir.core.objects.registry import get_object_type
from comptoir.core.permissions import owner_id
from comptoir.core.pipelines.queries import default_pipeline_id, stages
from comptoir.core.properties import registry


def first_stage(object_type, pipeline_id) -> str | None:
    """The first stage of a pipeline, in display order."""
    return next(
        (s.stage_id for s in stages(object_type).values() if s.pipeline_id == pipeline_id),
        None,
    )


def new_record_defaults(object_type, user, given: dict | None = None) -> dict:
    """{property: value} a new record of the type gets from the browser unless `given`
    names it (a stage defaults to the first one of the pipeline given)."""
    ot = get_object_type(object_type)
    given = given or {}
    defs = registry.definitions(ot)
    defaults = {}
    mine = owner_id(user)
    if ot.assignable and mine and "hubspot_owner_id" in defs:
        defaults["hubspot_owner_id"] = str(mine)
    if ot.has_pipelines and ot.stage_properties and not ot.is_activity:
        pipeline_name, stage_name = ot.stage_properties
        pipeline = given.get(pipeline_name) or default_pipeline_id(ot.name)
        stage = first_stage(ot.name, pipeline) if pipeline else None
        if stage is not None and not given.get(stage_name):
            defaults[pipeline_name] = pipeline
            defaults[stage_name] = stage
    return {k: v for k, v in defaults.items() if k not in given}
