"""Response-body schemas for /api/openapi.json, one per success body the handlers build.

Handlers build their JSON directly (responses.py); these models only describe it, named as
HubSpot's own models are. Every model forbids fields it does not list, so the API fuzz test
(tests/test_fuzz.py) fails when a body and its description drift apart. A field typed
`T = None` is absent or a T, never null; `T | None` may be null."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model
from pydantic.json_schema import models_json_schema


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- shared pieces ----------------------------------------------------------------------------


class NextPage(Model):
    after: str
    link: str = None


class Paging(Model):
    next: NextPage


class ErrorDetail(Model):
    message: str
    code: str = None
    in_: str = Field(None, alias="in")
    context: dict[str, list[str]] = None
    subCategory: str = None


class StandardError(Model):
    """One failed input of a batch (its `errors` list), as HubSpot's StandardError."""

    status: str
    category: str
    message: str
    context: dict[str, list[str]]
    links: dict[str, str]
    errors: list[ErrorDetail]
    subCategory: str = None


def batch(name: str, result) -> type[Model]:
    """BatchResponse<result>: 200/201 when every input worked, 207 with the errors if not."""
    return create_model(
        name,
        __base__=Model,
        status=(str, Field(examples=["COMPLETE"])),
        results=(list[result], ...),
        startedAt=(datetime, ...),
        completedAt=(datetime, ...),
        numErrors=(int, None),
        errors=(list[StandardError], None),
    )


def collection(name: str, result, *, paged: bool = False) -> type[Model]:
    """{"results": [...]} (with HubSpot's `paging` when a next page exists)."""
    fields = {"results": (list[result], ...)}
    if paged:
        fields["paging"] = (Paging, None)
    return create_model(name, __base__=Model, **fields)


# -- records ----------------------------------------------------------------------------------


class ValueWithTimestamp(Model):
    value: str
    timestamp: datetime
    sourceType: str
    sourceId: str = None
    updatedByUserId: int = None


class SimplePublicObject(Model):
    id: str
    properties: dict[str, str | None]
    propertiesWithHistory: dict[str, list[ValueWithTimestamp]] = None
    createdAt: datetime
    updatedAt: datetime
    archived: bool
    archivedAt: datetime = None


class AssociatedId(Model):
    id: str
    type: str


class AssociatedIds(Model):
    results: list[AssociatedId]


class SimplePublicObjectWithAssociations(SimplePublicObject):
    associations: dict[str, AssociatedIds] = None


class SimplePublicUpsertObject(SimplePublicObject):
    new: bool


class SearchResults(Model):
    total: int
    results: list[SimplePublicObject]
    paging: Paging = None


# -- properties -------------------------------------------------------------------------------


class Option(Model):
    label: str
    value: str
    displayOrder: int
    hidden: bool
    description: str


class PropertyModificationMetadata(Model):
    archivable: bool
    readOnlyDefinition: bool
    readOnlyValue: bool
    readOnlyOptions: bool


class Property(Model):
    name: str
    label: str
    type: str
    fieldType: str
    groupName: str
    description: str
    options: list[Option]
    displayOrder: int
    hidden: bool
    hasUniqueValue: bool
    formField: bool
    calculated: bool
    externalOptions: bool
    hubspotDefined: bool
    showCurrencySymbol: bool
    modificationMetadata: PropertyModificationMetadata
    createdAt: datetime
    updatedAt: datetime
    archived: bool
    archivedAt: datetime = None
    referencedObjectType: str = None
    createdUserId: str = None
    updatedUserId: str = None


class PropertyGroup(Model):
    name: str
    label: str
    displayOrder: int
    archived: bool


# -- pipelines --------------------------------------------------------------------------------


class PipelineStage(Model):
    id: str
    label: str
    displayOrder: int
    metadata: dict[str, str]
    createdAt: datetime
    updatedAt: datetime
    archived: bool
    archivedAt: datetime = None
    writePermissions: str


class Pipeline(Model):
    id: str
    label: str
    displayOrder: int
    stages: list[PipelineStage]
    createdAt: datetime
    updatedAt: datetime
    archived: bool
    archivedAt: datetime = None


class PublicAuditInfo(Model):
    identifier: str
    portalId: int
    action: str
    message: str
    timestamp: datetime
    rawObject: dict[str, Any]
    fromUserId: int = None


# -- owners -----------------------------------------------------------------------------------


class PublicTeam(Model):
    id: str
    name: str
    primary: bool


class PublicOwner(Model):
    id: str
    type: str
    archived: bool
    createdAt: datetime
    updatedAt: datetime
    email: str | None
    firstName: str
    lastName: str
    userId: int | None
    userIdIncludingInactive: int | None
    teams: list[PublicTeam]


# -- associations -----------------------------------------------------------------------------


class PublicObjectId(Model):
    id: str


class AssociationSpec(Model):
    associationCategory: str
    associationTypeId: int


class PublicDefaultAssociation(Model):
    from_: PublicObjectId = Field(alias="from")
    to: PublicObjectId
    associationSpec: AssociationSpec


class LabelsBetweenObjectPair(Model):
    fromObjectTypeId: str
    fromObjectId: int
    toObjectTypeId: str
    toObjectId: int
    labels: list[str]


class AssociationSpecWithLabel(Model):
    category: str
    typeId: int
    label: str | None


class MultiAssociatedObjectWithLabel(Model):
    toObjectId: int
    associationTypes: list[AssociationSpecWithLabel]


class PublicAssociationMultiWithLabel(Model):
    from_: PublicObjectId = Field(alias="from")
    to: list[MultiAssociatedObjectWithLabel]
    paging: Paging = None


class AssociationDefinitionConfiguration(Model):
    category: str
    typeId: int
    label: str | None
    userEnforcedMaxToObjectIds: int = None


class AssociationLimit(Model):
    category: str
    typeId: int
    userEnforcedMaxToObjectIds: int


class ReportCreationResponse(Model):
    userEmail: str
    userId: int
    enqueueTime: datetime


class PublicAssociationV3(Model):
    from_: PublicObjectId = Field(alias="from")
    to: PublicObjectId
    type: str


class AssociatedIdV3(Model):
    id: str
    type: str


class PublicAssociationMultiV3(Model):
    from_: PublicObjectId = Field(alias="from")
    to: list[AssociatedIdV3]


class AssociationTypeV3(Model):
    id: str
    name: str


# -- imports ----------------------------------------------------------------------------------


class ImportMetadata(Model):
    counters: dict[str, int]
    fileIds: list[str]
    objectLists: list[Any]


class PublicImportResponse(Model):
    id: str
    state: str
    createdAt: datetime
    updatedAt: datetime
    optOutImport: bool
    mappedObjectTypeIds: list[str]
    metadata: ImportMetadata
    importName: str
    importSource: str
    importRequestJson: dict[str, Any] | None


class ImportRowCore(Model):
    rowData: list[Any]
    lineNumber: int
    fileId: int
    containsEncryptedProperties: bool


class PublicImportError(Model):
    id: str
    createdAt: int
    errorType: str
    sourceData: ImportRowCore
    objectType: str
    invalidValue: str
    knownColumnNumber: int = None
    errorMessage: str = None


class ActionResponse(Model):
    status: str
    requestedAt: datetime
    startedAt: datetime
    completedAt: datetime
    links: dict[str, str]


class ObjectTypeDefinitionLabels(Model):
    singular: str
    plural: str


class ObjectSchema(Model):
    """A custom object type (GET /crm/v3/schemas)."""

    id: str
    objectTypeId: str
    name: str
    fullyQualifiedName: str
    labels: ObjectTypeDefinitionLabels
    primaryDisplayProperty: str | None
    secondaryDisplayProperties: list[str]
    searchableProperties: list[str]
    requiredProperties: list[str]
    properties: list[Property]
    associations: list[dict[str, Any]]
    metaType: str
    archived: bool
    createdAt: datetime | None
    updatedAt: datetime | None


MODELS = [
    SimplePublicObject,
    SimplePublicObjectWithAssociations,
    SimplePublicUpsertObject,
    SearchResults,
    collection(
        "CollectionResponseSimplePublicObject", SimplePublicObjectWithAssociations, paged=True
    ),
    batch("BatchResponseSimplePublicObject", SimplePublicObject),
    batch("BatchResponseSimplePublicUpsertObject", SimplePublicUpsertObject),
    Property,
    PropertyGroup,
    collection("CollectionResponseProperty", Property),
    collection("CollectionResponsePropertyGroup", PropertyGroup),
    batch("BatchResponseProperty", Property),
    Pipeline,
    PipelineStage,
    collection("CollectionResponsePipeline", Pipeline),
    collection("CollectionResponsePipelineStage", PipelineStage),
    collection("CollectionResponsePublicAuditInfo", PublicAuditInfo),
    PublicOwner,
    collection("CollectionResponsePublicOwner", PublicOwner, paged=True),
    batch("BatchResponsePublicDefaultAssociation", PublicDefaultAssociation),
    LabelsBetweenObjectPair,
    collection(
        "CollectionResponseMultiAssociatedObjectWithLabel",
        MultiAssociatedObjectWithLabel,
        paged=True,
    ),
    batch("BatchResponseLabelsBetweenObjectPair", LabelsBetweenObjectPair),
    batch("BatchResponsePublicAssociationMultiWithLabel", PublicAssociationMultiWithLabel),
    collection("CollectionResponseAssociationSpecWithLabel", AssociationSpecWithLabel),
    collection(
        "CollectionResponseAssociationDefinitionConfiguration", AssociationDefinitionConfiguration
    ),
    batch("BatchResponseAssociationDefinitionConfiguration", AssociationDefinitionConfiguration),
    batch("BatchResponseAssociationLimit", AssociationLimit),
    ReportCreationResponse,
    batch("BatchResponsePublicAssociationV3", PublicAssociationV3),
    batch("BatchResponsePublicAssociationMultiV3", PublicAssociationMultiV3),
    collection("CollectionResponseAssociationTypeV3", AssociationTypeV3),
    PublicImportResponse,
    collection("CollectionResponsePublicImportResponse", PublicImportResponse, paged=True),
    collection("CollectionResponsePublicImportError", PublicImportError, paged=True),
    ActionResponse,
    ObjectSchema,
    collection("CollectionResponseObjectSchemaNoPaging", ObjectSchema),
]
NAMES = {model.__name__ for model in MODELS}


def _without_defaults(node):
    """Defaults say nothing about a response (`T = None` means "may be absent")."""
    if isinstance(node, dict):
        return {k: _without_defaults(v) for k, v in node.items() if k != "default"}
    if isinstance(node, list):
        return [_without_defaults(v) for v in node]
    return node


def component_schemas() -> dict:
    """Every model above (and the models they use) as OpenAPI components, by name."""
    _, top = models_json_schema(
        [(model, "serialization") for model in MODELS],
        ref_template="#/components/schemas/{model}",
    )
    return _without_defaults(top["$defs"])
