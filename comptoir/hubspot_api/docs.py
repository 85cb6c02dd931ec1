"""Request-body schemas for /api/docs. Bodies are parsed by the handlers themselves (to
answer HubSpot-shaped errors), so these models exist only to describe the API."""

from typing import Any

from pydantic import BaseModel, Field


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


def body(name: str, *, array_of: bool = False) -> dict:
    """openapi_extra for an operation whose JSON body is model `name` (or a list of them)."""
    schema = MODELS[name].model_json_schema()
    schema = _inline(schema, schema.get("$defs", {}))
    if array_of:
        schema = {"type": "array", "items": schema}
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}
