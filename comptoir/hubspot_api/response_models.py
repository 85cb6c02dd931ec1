"""Response-body schemas for /api/openapi.json, one per success body the handlers build.

Handlers build their JSON directly (responses.py); these models only describe it, named as
HubSpot's own models are. Every model forbids fields it does not list, so the API fuzz test
(tests/test_fuzz.py) fails when a body and its description drift apart. A field typed
`T = None` is absent or a T, never null; `T | None` may be null."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, RootModel, create_model
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


# -- legacy endpoints (legacy.py): epoch-millisecond timestamps, v1/v2 names ---------------


class LegacyOption(Option):
    readOnly: bool


class LegacyProperty(Model):
    name: str
    label: str
    description: str
    groupName: str
    type: str
    fieldType: str
    options: list[LegacyOption]
    displayOrder: int
    hidden: bool
    hasUniqueValue: bool
    formField: bool
    calculated: bool
    externalOptions: bool
    hubspotDefined: bool
    readOnlyValue: bool
    readOnlyDefinition: bool
    mutableDefinitionNotDeletable: bool
    showCurrencySymbol: bool
    deleted: bool
    favorited: bool
    createdAt: int | None
    updatedAt: int | None
    createdUserId: int | None
    updatedUserId: int | None
    referencedObjectType: str | None


class LegacyPropertyList(RootModel[list[LegacyProperty]]):
    pass


class LegacyStage(Model):
    stageId: str
    label: str
    displayOrder: int
    metadata: dict[str, str]
    active: bool
    createdAt: int | None
    updatedAt: int | None


class LegacyPipeline(Model):
    pipelineId: str
    objectType: str
    objectTypeId: str
    label: str
    displayOrder: int
    active: bool
    default: bool
    stages: list[LegacyStage]
    createdAt: int | None
    updatedAt: int | None


class LegacyPipelines(Model):
    results: list[LegacyPipeline]


class LegacyValue(Model):
    value: str
    timestamp: str
    source: str
    sourceId: str | None


class LegacyEngagementHead(Model):
    id: int
    portalId: int
    active: bool
    createdAt: int | None
    lastUpdated: int | None
    ownerId: int | None
    type: str
    timestamp: int | None
    bodyPreview: str | None


class LegacyEngagement(Model):
    engagement: LegacyEngagementHead
    associations: dict[str, list[int]]
    attachments: list[dict[str, Any]]
    metadata: dict[str, str]


class LegacyEngagementsPage(Model):
    results: list[LegacyEngagement]
    hasMore: bool
    offset: int
    total: int = None


class LegacyIdentity(Model):
    type: str
    value: str
    timestamp: int | None
    is_primary: bool = Field(None, alias="is-primary")


class LegacyIdentityProfile(Model):
    vid: int
    saved_at_timestamp: int | None = Field(alias="saved-at-timestamp")
    deleted_changed_timestamp: int = Field(alias="deleted-changed-timestamp")
    identities: list[LegacyIdentity]


class LegacyContact(Model):
    vid: int
    canonical_vid: int = Field(alias="canonical-vid")
    merged_vids: list[int] = Field(alias="merged-vids")
    portal_id: int = Field(alias="portal-id")
    is_contact: bool = Field(alias="is-contact")
    addedAt: int | None
    properties: dict[str, LegacyValue]
    form_submissions: list[dict[str, Any]] = Field(alias="form-submissions")
    identity_profiles: list[LegacyIdentityProfile] = Field(alias="identity-profiles")
    list_memberships: list[dict[str, Any]] = Field(None, alias="list-memberships")


class LegacyContactsPage(Model):
    contacts: list[LegacyContact]
    has_more: bool = Field(alias="has-more")
    vid_offset: int = Field(alias="vid-offset")


class LegacyCompany(Model):
    portalId: int
    companyId: int
    isDeleted: bool
    properties: dict[str, LegacyValue]
    additionalDomains: list[str]
    stateChanges: list[dict[str, Any]]
    mergeAudits: list[dict[str, Any]]


class LegacyCompaniesPage(Model):
    companies: list[LegacyCompany]
    has_more: bool = Field(alias="has-more")
    offset: int


class LegacyDeal(Model):
    portalId: int
    dealId: int
    isDeleted: bool
    properties: dict[str, LegacyValue]
    imports: list[dict[str, Any]]
    stateChanges: list[dict[str, Any]]
    associations: dict[str, list[int]] = None


class LegacyDealsPage(Model):
    deals: list[LegacyDeal]
    hasMore: bool
    offset: int


class LegacyRemote(Model):
    portalId: int
    ownerId: int
    remoteId: str
    remoteType: str
    active: bool


class LegacyOwner(Model):
    portalId: int
    ownerId: int
    type: str
    firstName: str
    lastName: str
    email: str | None
    createdAt: int | None
    updatedAt: int | None
    remoteList: list[LegacyRemote]
    hasContactsAccess: bool
    activeUserId: int | None
    userIdIncludingInactive: int | None
    isActive: bool
    teams: list[PublicTeam]


class LegacyOwnerList(RootModel[list[LegacyOwner]]):
    pass


class WebhookThrottling(Model):
    maxConcurrentRequests: int


class WebhookSettings(Model):
    targetUrl: str
    throttling: WebhookThrottling
    createdAt: datetime
    updatedAt: datetime | None


class SubscriptionResponse(Model):
    id: str
    eventType: str
    active: bool
    propertyName: str | None = None
    objectTypeId: str | None = None
    createdAt: datetime
    updatedAt: datetime | None


MODELS = [
    WebhookSettings,
    SubscriptionResponse,
    collection("SubscriptionListResponse", SubscriptionResponse),
    create_model(
        "BatchResponseSubscription",
        __base__=Model,
        status=(str, ...),
        results=(list[SubscriptionResponse], ...),
        startedAt=(datetime, ...),
        completedAt=(datetime, ...),
    ),
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
    LegacyPropertyList,
    LegacyPipelines,
    LegacyEngagementsPage,
    LegacyContactsPage,
    LegacyCompaniesPage,
    LegacyDealsPage,
    LegacyOwnerList,
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
