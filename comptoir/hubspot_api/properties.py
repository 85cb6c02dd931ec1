"""`/crm/v3/properties/{objectType}`: property definitions and property groups
(reference §2.3). Handlers only translate; comptoir.core.properties.services decides."""

from django.db import transaction
from django.utils import timezone
from ninja import Router

from comptoir.core.i18n import localised_label, wants_french
from comptoir.core.pipelines.models import Pipeline, PipelineStage
from comptoir.core.properties import registry
from comptoir.core.properties import services as props
from comptoir.core.properties.errors import ValidationFailed
from comptoir.core.properties.models import PropertyGroup
from comptoir.hubspot_api import docs
from comptoir.hubspot_api.auth import api_source, schema_object_type
from comptoir.hubspot_api.body import inputs, json_body
from comptoir.hubspot_api.errors import ApiError, standard_error
from comptoir.hubspot_api.fields import check, check_all, invalid, service_errors
from comptoir.hubspot_api.params import boolean, multi
from comptoir.hubspot_api.responses import batch_response, respond
from comptoir.hubspot_api.serializers import timestamp
from comptoir.users.models import Owner

router = Router(tags=["Properties"])

NOT_FOUND_CODES = {"PROPERTY_DOESNT_EXIST", "GROUP_DOESNT_EXIST"}
CONFLICT_CODES = {"PROPERTY_EXISTS", "GROUP_EXISTS"}

PROPERTY_FIELDS = {
    "name": str,
    "label": str,
    "type": str,
    "fieldType": str,
    "groupName": str,
    "description": str,
    "options": list,
    "displayOrder": int,
    "hidden": bool,
    "formField": bool,
    "hasUniqueValue": bool,
    "label_fr": str,
}
OPTION_FIELDS = {
    "label": str,
    "value": str,
    "displayOrder": int,
    "hidden": bool,
    "description": str,
    "label_fr": str,
}
GROUP_FIELDS = {"name": str, "label": str, "displayOrder": int, "label_fr": str}


def _translated(name=None):
    context = {"name": [str(name)]} if name is not None else None
    return service_errors(not_found=NOT_FOUND_CODES, conflict=CONFLICT_CODES, context=context)


def _french(request) -> bool:
    return wants_french(request.GET.get("locale"))


def _checked_property(data: dict, *, create: bool) -> dict:
    required = ("name", "label", "type", "fieldType", "groupName") if create else ()
    check_all(data, PROPERTY_FIELDS, required=required)
    for i, option in enumerate(data.get("options") or []):
        if not isinstance(option, dict):
            raise invalid(f"options[{i}]", f"options[{i}] must be an object with label and value.")
        check_all(option, OPTION_FIELDS, prefix=f"options[{i}].")
    return data


# -- JSON shapes -------------------------------------------------------------------------------


class Options:
    """Options of enumerations whose values live elsewhere (owners, pipelines, stages),
    loaded at most once per request."""

    def __init__(self, french: bool):
        self.french = french
        self._loaded: dict = {}

    def for_definition(self, defn) -> list[dict]:
        source = defn.options_source
        if not source:
            return [
                {
                    "label": localised_label(o, french=self.french),
                    "value": o["value"],
                    "displayOrder": o.get("displayOrder", i),
                    "hidden": bool(o.get("hidden", False)),
                    "description": o.get("description") or "",
                }
                for i, o in enumerate(defn.options)
            ]
        key = (source, defn.object_type)
        if key not in self._loaded:
            rows = getattr(self, f"_{source}")(defn.object_type)
            self._loaded[key] = [
                {
                    "label": label,
                    "value": value,
                    "displayOrder": i,
                    "hidden": False,
                    "description": description,
                }
                for i, (label, value, description) in enumerate(rows)
            ]
        return self._loaded[key]

    def _owners(self, object_type):
        for owner in Owner.objects.filter(archived=False).order_by("pk"):
            name = f"{owner.first_name} {owner.last_name}".strip()
            yield name or owner.email or str(owner.pk), str(owner.pk), owner.email or ""

    def _pipelines(self, object_type):
        for p in Pipeline.objects.filter(object_type=object_type, archived=False).order_by(
            "display_order", "id"
        ):
            yield localised_label(p, french=self.french), p.pipeline_id, ""

    def _stages(self, object_type):
        stages = (
            PipelineStage.objects.filter(
                pipeline__object_type=object_type, archived=False, pipeline__archived=False
            )
            .select_related("pipeline")
            .order_by("pipeline__display_order", "pipeline__id", "display_order", "id")
        )
        for s in stages:
            yield (
                localised_label(s, french=self.french),
                s.stage_id,
                localised_label(s.pipeline, french=self.french),
            )


def _editable_options(defn) -> bool:
    return defn.kind.takes_options and not defn.options_source and not defn.read_only_definition


def property_flags(defn) -> dict:
    """The fields a property's body has in every API version (v3 and the legacy v1/v2)."""
    return {
        "displayOrder": defn.display_order,
        "hidden": defn.hidden,
        "hasUniqueValue": defn.has_unique_value,
        "formField": defn.form_field,
        "calculated": defn.calculated,
        "externalOptions": bool(defn.referenced_object_type and defn.options_source),
        "hubspotDefined": defn.hubspot_defined,
    }


def property_body(defn, options: Options) -> dict:
    body = {
        "name": defn.name,
        "label": localised_label(defn, french=options.french),
        "type": defn.type,
        "fieldType": defn.field_type,
        "groupName": defn.group_name,
        "description": defn.description or "",
        "options": options.for_definition(defn),
        **property_flags(defn),
        "showCurrencySymbol": defn.show_currency_symbol,
        "modificationMetadata": {
            "archivable": defn.archivable and not defn.hubspot_defined,
            "readOnlyDefinition": defn.read_only_definition,
            "readOnlyValue": defn.read_only_value,
            "readOnlyOptions": not _editable_options(defn),
        },
        "createdAt": timestamp(defn.created_at),
        "updatedAt": timestamp(defn.updated_at),
        "archived": defn.archived,
    }
    if defn.archived:
        body["archivedAt"] = timestamp(defn.archived_at)
    if defn.referenced_object_type:
        body["referencedObjectType"] = defn.referenced_object_type
    if defn.created_by_id:
        body["createdUserId"] = str(defn.created_by_id)
    if defn.updated_by_id:
        body["updatedUserId"] = str(defn.updated_by_id)
    return body


def group_body(group, french: bool) -> dict:
    return {
        "name": group.name,
        "label": localised_label(group, french=french),
        "displayOrder": group.display_order,
        "archived": group.archived,
    }


def _find(ot, name: str, *, archived: bool = False):
    """The definition called `name` (archived ones only when asked), or 404."""
    defn = registry.definitions(ot, include_archived=True).get(name)
    if defn is None or defn.archived != archived:
        state = "archived " if archived else ""
        raise ApiError(
            404,
            f'No {state}property "{name}" exists on {ot.name}.',
            "OBJECT_NOT_FOUND",
            context={"propertyName": [name]},
        )
    return defn


# -- groups (literal paths first: they must win over /{propertyName}) -------------------------


@router.get(
    "/{object_type}/groups",
    summary="List property groups",
    openapi_extra=docs.op(query=("locale",), answer="CollectionResponsePropertyGroup"),
)
def groups_get_all(request, object_type: str):
    ot = schema_object_type(request, object_type, write=False)
    groups = PropertyGroup.objects.filter(object_type=ot.name, archived=False).order_by(
        "display_order", "name"
    )
    french = _french(request)
    return respond({"results": [group_body(g, french) for g in groups]})


@router.post(
    "/{object_type}/groups",
    summary="Create a property group",
    openapi_extra=docs.op(
        body="PropertyGroupCreate", query=("locale",), ok=201, answer="PropertyGroup"
    ),
)
def groups_create(request, object_type: str):
    ot = schema_object_type(request, object_type, write=True)
    data = json_body(request)
    check_all(data, GROUP_FIELDS, required=("name", "label"))
    with _translated(data["name"]):
        group = props.create_group(ot, data)
    return respond(group_body(group, _french(request)), status=201)


def _group(ot, name: str):
    group = PropertyGroup.objects.filter(object_type=ot.name, name=name, archived=False).first()
    if group is None:
        raise ApiError(
            404,
            f'No property group "{name}" exists on {ot.name}.',
            "OBJECT_NOT_FOUND",
            context={"groupName": [name]},
        )
    return group


@router.get(
    "/{object_type}/groups/{group_name}",
    summary="Read a property group",
    openapi_extra=docs.op(query=("locale",), answer="PropertyGroup"),
)
def groups_get_by_name(request, object_type: str, group_name: str):
    ot = schema_object_type(request, object_type, write=False)
    return respond(group_body(_group(ot, group_name), _french(request)))


@router.patch(
    "/{object_type}/groups/{group_name}",
    summary="Update a property group",
    openapi_extra=docs.op(body="PropertyGroupUpdate", query=("locale",), answer="PropertyGroup"),
)
def groups_update(request, object_type: str, group_name: str):
    ot = schema_object_type(request, object_type, write=True)
    data = json_body(request)
    check_all(data, GROUP_FIELDS)
    with _translated():
        group = props.update_group(ot, group_name, data)
    return respond(group_body(group, _french(request)))


@router.delete("/{object_type}/groups/{group_name}", summary="Archive a property group")
def groups_archive(request, object_type: str, group_name: str):
    ot = schema_object_type(request, object_type, write=True)
    with _translated():
        props.archive_group(ot, group_name)
    return respond(None, status=204)


# -- batches -----------------------------------------------------------------------------------


def _names(items) -> list[str]:
    names = []
    for i, item in enumerate(items):
        names.append(check(item, "name", str, required=True, prefix=f"inputs[{i}]."))
    return names


@router.post(
    "/{object_type}/batch/create",
    summary="Create a batch of properties",
    openapi_extra=docs.op(
        body="BatchPropertyCreate",
        query=("locale",),
        ok=201,
        partial=True,
        answer="BatchResponseProperty",
    ),
)
def batch_create(request, object_type: str):
    """Each input stands alone: 201 when all were created, else 207 listing the refusals."""
    ot = schema_object_type(request, object_type, write=True)
    items = inputs(json_body(request))
    source = api_source(request)
    started = timezone.now()
    created, errors = [], []
    for item in items:
        try:
            with transaction.atomic(), _translated(item.get("name")):
                created.append(
                    props.create_property(ot, _checked_property(item, create=True), source=source)
                )
        except (ApiError, ValidationFailed) as exc:
            category = getattr(exc, "category", "VALIDATION_ERROR")
            errors.append(
                standard_error(
                    getattr(exc, "message", str(exc)), category, {"name": [str(item.get("name"))]}
                )
            )
    options = Options(_french(request))
    results = [property_body(defn, options) for defn in created]
    return batch_response(results, errors, started, ok_status=201)


@router.post(
    "/{object_type}/batch/read",
    summary="Read a batch of properties",
    openapi_extra=docs.op(
        body="BatchPropertyRead", query=("locale",), partial=True, answer="BatchResponseProperty"
    ),
)
def batch_read(request, object_type: str):
    ot = schema_object_type(request, object_type, write=False)
    data = json_body(request)
    archived = bool(check(data, "archived", bool))
    names = _names(inputs(data, maximum=1000))
    started = timezone.now()
    defs = registry.definitions(ot, include_archived=True)
    options = Options(_french(request))
    results, missing = [], []
    for name in dict.fromkeys(names):
        defn = defs.get(name)
        if defn is None or defn.archived != archived:
            missing.append(name)
        else:
            results.append(property_body(defn, options))
    errors = []
    if missing:
        errors.append(
            standard_error(
                f"Could not find some {ot.name} properties: {', '.join(missing)}.",
                "OBJECT_NOT_FOUND",
                {"names": missing},
            )
        )
    return batch_response(results, errors, started, ok_status=200)


@router.post(
    "/{object_type}/batch/archive",
    summary="Archive a batch of properties",
    openapi_extra=docs.op(body="BatchPropertyNames", ok=204),
)
def batch_archive(request, object_type: str):
    """All or nothing; names that do not exist (or are already archived) are skipped."""
    ot = schema_object_type(request, object_type, write=True)
    names = _names(inputs(json_body(request)))
    active = registry.definitions(ot)
    with transaction.atomic(), _translated():
        for name in dict.fromkeys(names):
            if name in active:
                props.archive_property(ot, name, source=api_source(request))
    return respond(None, status=204)


# -- properties --------------------------------------------------------------------------------


@router.get(
    "/{object_type}",
    summary="List properties",
    openapi_extra=docs.op(
        query=("archived", "properties", "locale"), answer="CollectionResponseProperty"
    ),
)
def get_all(request, object_type: str):
    ot = schema_object_type(request, object_type, write=False)
    archived = boolean(request, "archived")
    wanted = set(multi(request, "properties"))
    options = Options(_french(request))
    results = [
        property_body(defn, options)
        for defn in registry.definitions(ot, include_archived=archived).values()
        if defn.archived == archived and (not wanted or defn.name in wanted)
    ]
    return respond({"results": results})


@router.post(
    "/{object_type}",
    summary="Create a property",
    openapi_extra=docs.op(body="PropertyCreate", query=("locale",), ok=201, answer="Property"),
)
def create(request, object_type: str):
    ot = schema_object_type(request, object_type, write=True)
    data = _checked_property(json_body(request), create=True)
    with _translated(data["name"]):
        defn = props.create_property(ot, data, source=api_source(request))
    return respond(property_body(defn, Options(_french(request))), status=201)


@router.get(
    "/{object_type}/{property_name}",
    summary="Read a property",
    openapi_extra=docs.op(query=("archived", "locale"), answer="Property"),
)
def get_by_name(request, object_type: str, property_name: str):
    ot = schema_object_type(request, object_type, write=False)
    defn = _find(ot, property_name, archived=boolean(request, "archived"))
    return respond(property_body(defn, Options(_french(request))))


@router.patch(
    "/{object_type}/{property_name}",
    summary="Update a property",
    openapi_extra=docs.op(body="PropertyUpdate", query=("locale",), answer="Property"),
)
def update(request, object_type: str, property_name: str):
    ot = schema_object_type(request, object_type, write=True)
    data = _checked_property(json_body(request), create=False)
    _find(ot, property_name)
    with _translated():
        defn = props.update_property(ot, property_name, data, source=api_source(request))
    return respond(property_body(defn, Options(_french(request))))


@router.delete("/{object_type}/{property_name}", summary="Archive a property")
def archive(request, object_type: str, property_name: str):
    ot = schema_object_type(request, object_type, write=True)
    _find(ot, property_name)
    with _translated():
        props.archive_property(ot, property_name, source=api_source(request))
    return respond(None, status=204)
