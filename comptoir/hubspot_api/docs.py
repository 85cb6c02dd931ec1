"""Request-body schemas for /api/docs. Bodies are parsed by the handlers themselves (to
answer HubSpot-shaped errors), so these models exist only to describe the API."""

from typing import Any, Literal

from pydantic import BaseModel, Field

from comptoir.core.objects.registry import OBJECT_TYPES
from comptoir.hubspot_api import response_models


class AssociationSpec(BaseModel):
    associationCategory: str = Field(examples=["HUBSPOT_DEFINED"])
    associationTypeId: int = Field(examples=[279])


class PublicObjectId(BaseModel):
    id: str


class InlineAssociation(BaseModel):
    to: PublicObjectId
    types: list[AssociationSpec]


class Create(BaseModel):
    properties: dict[str, Any] = Field(examples=[{"email": "jean@acme.fr", "firstname": "Jean"}])
    associations: list[InlineAssociation] = []


class Update(BaseModel):
    properties: dict[str, Any]


class BatchCreateInput(Create):
    objectWriteTraceId: str | None = None


class BatchCreate(BaseModel):
    inputs: list[BatchCreateInput] = Field(max_length=100)


class BatchUpdateInput(Update):
    id: str
    idProperty: str | None = None
    objectWriteTraceId: str | None = None


class BatchUpdate(BaseModel):
    inputs: list[BatchUpdateInput] = Field(max_length=100)


class BatchUpsertInput(Update):
    id: str
    idProperty: str = Field(examples=["email"])
    objectWriteTraceId: str | None = None


class BatchUpsert(BaseModel):
    inputs: list[BatchUpsertInput] = Field(max_length=100)


class BatchIds(BaseModel):
    inputs: list[PublicObjectId] = Field(max_length=100)


class BatchRead(BatchIds):
    properties: list[str] = []
    propertiesWithHistory: list[str] = []
    idProperty: str | None = None


class Filter(BaseModel):
    propertyName: str
    operator: str = Field(examples=["EQ"])
    value: Any = None
    highValue: Any = None
    values: list[Any] | None = None


class FilterGroup(BaseModel):
    filters: list[Filter] = Field(max_length=6)


class SearchRequest(BaseModel):
    filterGroups: list[FilterGroup] = Field(default=[], max_length=5)
    sorts: list[Any] = []
    query: str | None = None
    properties: list[str] = []
    limit: int = Field(default=10, le=200)
    after: str | None = None


class Merge(BaseModel):
    primaryObjectId: str
    objectIdToMerge: str


class GdprDelete(BaseModel):
    objectId: str
    idProperty: str | None = None


class PropertyOption(BaseModel):
    label: str
    value: str
    displayOrder: int | None = None
    hidden: bool = False
    description: str | None = None


class PropertyCreate(BaseModel):
    name: str
    label: str
    type: str = Field(examples=["string"])
    fieldType: str = Field(examples=["text"])
    groupName: str = Field(examples=["contactinformation"])
    options: list[PropertyOption] = []
    description: str | None = None
    hasUniqueValue: bool = False
    hidden: bool = False
    formField: bool = True
    displayOrder: int | None = None


class PropertyUpdate(BaseModel):
    label: str | None = None
    type: str | None = None
    fieldType: str | None = None
    groupName: str | None = None
    description: str | None = None
    options: list[PropertyOption] | None = None
    displayOrder: int | None = None
    hidden: bool | None = None
    formField: bool | None = None


class BatchPropertyCreate(BaseModel):
    inputs: list[PropertyCreate] = Field(max_length=100)


class PropertyName(BaseModel):
    name: str


class BatchPropertyNames(BaseModel):
    inputs: list[PropertyName] = Field(max_length=100)


class BatchPropertyRead(BaseModel):
    archived: bool = False
    inputs: list[PropertyName] = Field(max_length=1000)


class PropertyGroupCreate(BaseModel):
    name: str
    label: str
    displayOrder: int | None = None


class PropertyGroupUpdate(BaseModel):
    label: str | None = None
    displayOrder: int | None = None


class PipelineStageInput(BaseModel):
    label: str
    displayOrder: int
    metadata: dict[str, str] = Field(examples=[{"probability": "0.2", "isClosed": "false"}])


class PipelineInput(BaseModel):
    label: str
    displayOrder: int
    stages: list[PipelineStageInput]


class PipelineStagePatchInput(BaseModel):
    label: str | None = None
    displayOrder: int | None = None
    metadata: dict[str, str] | None = None
    archived: bool | None = None


class PipelinePatchInput(BaseModel):
    label: str | None = None
    displayOrder: int | None = None
    archived: bool | None = None


class AssociationBatch(BaseModel):
    inputs: list[dict[str, Any]]


class LabelCreate(BaseModel):
    label: str
    name: str
    inverseLabel: str | None = None


MODELS = {
    m.__name__: m
    for m in (
        Create,
        Update,
        BatchCreate,
        BatchUpdate,
        BatchUpsert,
        BatchIds,
        BatchRead,
        SearchRequest,
        Merge,
        GdprDelete,
        PropertyCreate,
        PropertyGroupCreate,
        PipelineInput,
        PipelineStageInput,
        AssociationBatch,
        LabelCreate,
        PropertyUpdate,
        BatchPropertyCreate,
        BatchPropertyNames,
        BatchPropertyRead,
        PropertyGroupUpdate,
        PipelinePatchInput,
        PipelineStagePatchInput,
    )
}


# -- associations (v4 and legacy v3) ----------------------------------------------------------


class AssociationPair(BaseModel):
    from_: PublicObjectId = Field(alias="from")
    to: PublicObjectId


class AssociationMultiPost(AssociationPair):
    types: list[AssociationSpec]


class BatchAssociationCreate(BaseModel):
    inputs: list[AssociationMultiPost] = Field(max_length=2000)


class BatchAssociationDefault(BaseModel):
    inputs: list[AssociationPair] = Field(max_length=2000)


class FetchAssociations(BaseModel):
    id: str
    after: str | None = None


class BatchAssociationRead(BaseModel):
    inputs: list[FetchAssociations] = Field(max_length=1000)


class AssociationMultiArchive(BaseModel):
    from_: PublicObjectId = Field(alias="from")
    to: list[PublicObjectId]


class BatchAssociationArchive(BaseModel):
    inputs: list[AssociationMultiArchive] = Field(max_length=2000)


class LabelUpdate(BaseModel):
    associationTypeId: int
    label: str
    inverseLabel: str | None = None


class AssociationV3(AssociationPair):
    type: str = Field(examples=["contact_to_company"])


class BatchAssociationV3(BaseModel):
    inputs: list[AssociationV3]


class LimitInput(BaseModel):
    category: str = Field(examples=["USER_DEFINED"])
    typeId: int = Field(examples=[1000])
    maxToObjectIds: int = Field(examples=[1], ge=1, le=10000)


class BatchLimitCreate(BaseModel):
    inputs: list[LimitInput] = Field(max_length=100)


class LimitType(BaseModel):
    category: str = Field(examples=["USER_DEFINED"])
    typeId: int = Field(examples=[1000])


class BatchLimitPurge(BaseModel):
    inputs: list[LimitType] = Field(max_length=100)


MODELS.update(
    {
        m.__name__: m
        for m in (
            BatchLimitCreate,
            BatchLimitPurge,
            AssociationSpec,
            BatchAssociationCreate,
            BatchAssociationDefault,
            BatchAssociationRead,
            BatchAssociationArchive,
            LabelUpdate,
            BatchAssociationV3,
        )
    }
)


# -- imports (multipart: importRequest as JSON, and the files) ----------------------------------


class ForeignKeyType(BaseModel):
    associationTypeId: int | None = None
    associationCategory: str | None = None


class ColumnMapping(BaseModel):
    columnObjectTypeId: str = Field("0-1", examples=["0-1"])
    columnName: str = Field(examples=["Email"])
    propertyName: str | None = Field(None, examples=["email"])
    idColumnType: str | None = Field(None, examples=["HUBSPOT_ALTERNATE_ID"])
    toColumnObjectTypeId: str | None = None
    foreignKeyType: ForeignKeyType | None = None


class FileImportPage(BaseModel):
    hasHeader: bool = True
    columnMappings: list[ColumnMapping]


class ImportFile(BaseModel):
    fileName: str = Field(examples=["contacts.csv"])
    fileFormat: str = Field("CSV", examples=["CSV", "SPREADSHEET"])
    dateFormat: str | None = None
    fileImportPage: FileImportPage


class ImportRequest(BaseModel):
    name: str = Field(examples=["Salon 2026"])
    importOperations: dict[str, Literal["CREATE", "UPDATE", "UPSERT"]] = Field(
        {}, examples=[{"0-1": "UPSERT"}]
    )
    dateFormat: Literal["DAY_MONTH_YEAR", "MONTH_DAY_YEAR", "YEAR_MONTH_DAY"] = "MONTH_DAY_YEAR"
    files: list[ImportFile]


def import_form() -> dict:
    """openapi_extra of POST /crm/v3/imports: a multipart form whose importRequest part is
    HubSpot's ImportRequest as JSON text, with one `files` part per entry of its files."""
    schema = ImportRequest.model_json_schema()
    form = {
        "type": "object",
        "required": ["importRequest", "files"],
        "properties": {
            "importRequest": _inline(schema, schema.get("$defs", {})),
            "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
        },
    }
    media = {"schema": form, "encoding": {"importRequest": {"contentType": "application/json"}}}
    return {"requestBody": {"required": True, "content": {"multipart/form-data": media}}}


def _inline(node, definitions):
    """Replace "$ref": "#/$defs/X" by X itself, so each schema stands alone in OpenAPI."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if ref and ref.startswith("#/$defs/"):
            return _inline(definitions[ref.rsplit("/", 1)[1]], definitions)
        return {k: _inline(v, definitions) for k, v in node.items() if k != "$defs"}
    if isinstance(node, list):
        return [_inline(v, definitions) for v in node]
    return node


class Throttling(BaseModel):
    maxConcurrentRequests: int = Field(ge=5, le=20, examples=[10])


class WebhookSettingsChange(BaseModel):
    targetUrl: str = Field(examples=["https://example.com/hubspot/webhooks"])
    throttling: Throttling | None = None


class SubscriptionCreate(BaseModel):
    eventType: str = Field(examples=["contact.propertyChange", "object.creation"])
    propertyName: str | None = Field(None, examples=["email"])
    objectTypeId: str | None = Field(None, examples=["0-27"])
    active: bool = True


class SubscriptionPatch(BaseModel):
    active: bool


class SubscriptionBatchInput(BaseModel):
    id: int
    active: bool


class SubscriptionBatchUpdate(BaseModel):
    inputs: list[SubscriptionBatchInput] = Field(max_length=100)


MODELS.update(
    {
        m.__name__: m
        for m in (
            WebhookSettingsChange,
            SubscriptionCreate,
            SubscriptionPatch,
            SubscriptionBatchUpdate,
        )
    }
)


def body(name: str, *, array_of: bool = False) -> dict:
    """openapi_extra for an operation whose JSON body is model `name` (or a list of them)."""
    schema = MODELS[name].model_json_schema()
    schema = _inline(schema, schema.get("$defs", {}))
    if array_of:
        schema = {"type": "array", "items": schema}
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


# -- query parameters, success codes and errors ----------------------------------------------
# Handlers read the query string themselves (params.py), so each route names here the
# parameters it reads and its success codes; `finish` turns that into OpenAPI for every
# operation at once, with HubSpot's error body on every 4xx.

_NAMES = {"type": "array", "items": {"type": "string"}}
_FLAG = {"type": "boolean", "default": False}
QUERY = {
    "limit": ({"type": "integer", "minimum": 1}, "The most results on one page."),
    "after": ({"type": "string"}, "Paging cursor: `paging.next.after` of the previous page."),
    "properties": (_NAMES, "Properties to return (repeat the key or separate with commas)."),
    "propertiesWithHistory": (_NAMES, "Properties to return with their value history."),
    "associations": (_NAMES, "Object types whose associated ids to return."),
    "archived": (_FLAG, "Only archived items (true) or only live ones (false)."),
    "idProperty": (
        {"type": "string"},
        "A unique property whose value the id in the path is (e.g. email); default: the id.",
    ),
    "locale": ({"type": "string", "examples": ["fr"]}, "fr returns labels in French."),
    "validateReferencesBeforeDelete": (_FLAG, "Accepted for compatibility (always checked)."),
    "validateDealStageUsagesBeforeDelete": (
        _FLAG,
        "Accepted for compatibility: stages holding deals are never removed.",
    ),
    "email": ({"type": "string"}, "Only the owner with this email."),
    "includeErrorMessage": (_FLAG, "Include each error's message."),
    "includeRowData": (_FLAG, "Include each failed row's data."),
    # legacy endpoints (legacy.py)
    "offset": ({"type": "integer", "minimum": 0}, "Paging: `offset` of the previous page."),
    "count": ({"type": "integer", "minimum": 1}, "The most results on one page."),
    "vidOffset": ({"type": "integer", "minimum": 0}, "Paging: `vid-offset` of the previous page."),
    "property": (_NAMES, "Properties to return (repeat the key)."),
    "since": ({"type": "integer"}, "Only engagements modified since (epoch milliseconds)."),
    "includeAssociations": (_FLAG, "Include each deal's associated ids."),
    "includeInactive": (_FLAG, "Include archived owners."),
    "showListMemberships": (_FLAG, "Include each contact's list memberships (none here)."),
}
LIST_RECORDS = ("limit", "after", "properties", "propertiesWithHistory", "associations", "archived")
READ_RECORD = ("properties", "propertiesWithHistory", "associations", "archived", "idProperty")
DELETE_FLAGS = ("validateReferencesBeforeDelete", "validateDealStageUsagesBeforeDelete")
PAGE = ("limit", "after")

SUCCESS = {
    200: "OK",
    201: "Created",
    204: "No content",
    207: "Multi-status: some inputs failed (the body has numErrors and errors)",
}
ERROR = {
    "type": "object",
    "description": "HubSpot's error body, with an HTTP status of 400, 401, 403, 404, 409, "
    "413, 415 or 429 (429 adds policyName and a Retry-After header).",
    "required": ["status", "message", "correlationId", "category"],
    "properties": {
        "status": {"type": "string", "examples": ["error"]},
        "message": {"type": "string"},
        "correlationId": {"type": "string", "format": "uuid"},
        "category": {"type": "string", "examples": ["VALIDATION_ERROR", "OBJECT_NOT_FOUND"]},
        "subCategory": {"type": "string"},
        "context": {"type": "object", "additionalProperties": {"type": "array"}},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "message": {"type": "string"},
                    "code": {"type": "string"},
                    "in": {"type": "string"},
                    "context": {"type": "object"},
                },
            },
        },
    },
}
BUSY = (
    "The database is busy (a lock wait timed out, or a deadlock): nothing was written; "
    "try again after Retry-After seconds (category SERVICE_UNAVAILABLE)."
)
_SUCCESS_KEY = "x-comptoir-success"
_ANSWER_KEY = "x-comptoir-answer"


def op(
    *,
    body: str | None = None,
    array_of: bool = False,
    query: tuple[str, ...] = (),
    ok: int | None = None,
    partial: bool = False,
    answer: str | None = None,
) -> dict:
    """openapi_extra of one route: its JSON body model, the query parameters it reads (names
    from QUERY), its success status (default 200, 204 for DELETE), whether it answers
    207 when some batch inputs fail, and the model of its success body (response_models)."""
    extra = globals()["body"](body, array_of=array_of) if body else {}
    if answer is not None:
        if answer not in response_models.NAMES:
            raise LookupError(f"No response model {answer!r}.")
        extra[_ANSWER_KEY] = answer
    if query:
        extra["parameters"] = [
            {
                "name": name,
                "in": "query",
                "required": False,
                "schema": QUERY[name][0],
                "description": QUERY[name][1],
                **({"style": "form", "explode": True} if QUERY[name][0] is _NAMES else {}),
            }
            for name in query
        ]
    if ok is not None or partial:
        extra[_SUCCESS_KEY] = [ok, 207] if partial else [ok]
    return extra


def _json(name: str) -> dict:
    return {"content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}}


def finish(schema: dict) -> dict:
    """Give every operation its real success code(s) with their body, HubSpot's error body,
    and its path parameters' real types (PATH)."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.update(response_models.component_schemas())
    components["Error"] = ERROR
    for path, methods in schema.get("paths", {}).items():
        for method, operation in methods.items():
            codes = operation.pop(_SUCCESS_KEY, None) or [None]
            answer = operation.pop(_ANSWER_KEY, None)
            default = 204 if method == "delete" else 200
            codes = [default if code is None else code for code in codes]
            responses = {}
            for code in codes:
                responses[str(code)] = {"description": SUCCESS[code]}
                if code != 204:
                    if answer is None:
                        raise LookupError(f"{method.upper()} {path} documents no {code} body.")
                    responses[str(code)].update(_json(answer))
            responses["4XX"] = {"description": "HubSpot-shaped error", **_json("Error")}
            responses["503"] = {"description": BUSY, **_json("Error")}
            operation["responses"] = responses
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path":
                    parameter["schema"] = path_schema(path, parameter["name"])
    return schema


# -- path parameters --------------------------------------------------------------------------
# Handlers take every path parameter as text and answer 400/404 for what they cannot use;
# these are the values that can succeed.


def _type_names(types) -> list[str]:
    return [key for ot in types for key in (ot.name, ot.singular, ot.type_id)]


OBJECT_TYPE = {
    "type": "string",
    "enum": _type_names(OBJECT_TYPES),
    "description": "An object type: plural or singular name, or type id (0-1, 0-2, ...).",
}
PIPELINE_OBJECT_TYPE = {
    **OBJECT_TYPE,
    "enum": _type_names(ot for ot in OBJECT_TYPES if ot.has_pipelines),
    "description": "An object type with pipelines.",
}
RECORD_ID = {"type": "string", "pattern": "^[0-9]+$", "description": "A record id."}
INTEGER_ID = {"type": "integer", "format": "int64", "minimum": 1}
TEXT = {"type": "string", "minLength": 1}
PATH = {
    "object_type": OBJECT_TYPE,
    "from_type": OBJECT_TYPE,
    "to_type": OBJECT_TYPE,
    "object_id": RECORD_ID,
    "to_id": RECORD_ID,
    "association_type_id": INTEGER_ID,
    "owner_id": INTEGER_ID,
    "import_id": INTEGER_ID,
    "user_id": INTEGER_ID,
    "pipeline_id": TEXT,
    "stage_id": TEXT,
    "group_name": TEXT,
    "property_name": TEXT,
    "app_id": {"type": "string", "pattern": "^[0-9]+$", "description": "The app (token) id."},
    "subscription_id": {"type": "string", "pattern": "^[0-9]+$"},
}
READ_BY_ID = {
    "type": "string",
    "minLength": 1,
    "description": "A record id, or the value of the unique property named by idProperty.",
}


def path_schema(path: str, name: str) -> dict:
    """The schema of path parameter `name` of `path` (KeyError for an undescribed one)."""
    if name == "object_type" and path.startswith("/crm/v3/pipelines/"):
        return PIPELINE_OBJECT_TYPE
    if name == "object_id" and path == "/crm/v3/objects/{object_type}/{object_id}":
        return READ_BY_ID
    return PATH[name]
