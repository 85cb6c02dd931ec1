"""HubSpot's legacy read-only endpoints that data connectors still call (issue 15, point 6),
in their own shapes and paging (Airbyte's source-hubspot reads each of them):

* `/properties/v2/{type}/properties`: a JSON list of properties;
* `/crm-pipelines/v1/pipelines/{type}`: `{"results": [pipeline]}`;
* `/engagements/v1/engagements/paged`: `{"results", "hasMore", "offset"}`, asked with
  `limit` (or `count`, Airbyte's) ≤ 250 and `offset`;
* `/engagements/v1/engagements/recent/modified`: the same plus `total`, with `since` (ms);
* `/contacts/v1/lists/all/contacts/all`: `{"contacts", "has-more", "vid-offset"}`, asked
  with `count` ≤ 100 and `vidOffset`, `property` repeated;
* `/companies/v2/companies/paged`: `{"companies", "has-more", "offset"}`, `limit` ≤ 250;
* `/deals/v1/deal/paged`: `{"deals", "hasMore", "offset"}`, `limit` ≤ 250,
  `includeAssociations`;
* `/owners/v2/owners`: a JSON list of owners (`email`, `includeInactive`).

Auth and permissions are the v3 API's: the same tokens, the same scopes (an object's
read scope; properties and pipelines also take its schema scope), and records are read
through `base_queryset(..., user=)`: a record the token's user may not see is absent, and
so is its id in another record's associations. Offsets are record ids (the next page
holds ids above it), timestamps epoch milliseconds, as in HubSpot's v1 and v2 APIs."""

import datetime as dt

from ninja import Router

from comptoir.core.associations.services import associations_by_target
from comptoir.core.inputs import MAX_ID
from comptoir.core.objects.registry import (
    OBJECT_TYPES,
    AbsentObjectType,
    crm_types,
    get_object_type,
)
from comptoir.core.pipelines import services as pipes
from comptoir.core.properties import registry
from comptoir.core.records.values import api_properties, base_queryset
from comptoir.core.scopes import object_scope
from comptoir.hubspot_api import docs
from comptoir.hubspot_api.auth import require_scope, schema_object_type
from comptoir.hubspot_api.errors import ApiError
from comptoir.hubspot_api.owners import _teams
from comptoir.hubspot_api.params import boolean, cursor, integer, multi
from comptoir.hubspot_api.pipelines import PORTAL_ID, stage_metadata
from comptoir.hubspot_api.properties import Options, property_flags
from comptoir.hubspot_api.responses import respond
from comptoir.users.models import Owner

router = Router(tags=["Legacy"])


def millis(value) -> int | None:
    return None if value is None else int(value.timestamp() * 1000)


def _read(request, object_type: str):
    ot = get_object_type(object_type)
    require_scope(request, object_scope(ot.name, False))
    return ot


def _offset(request, name: str) -> int:
    """A paging offset (a record id); past any id, an empty page rather than a database
    error."""
    value = cursor(request.GET.get(name))
    return 0 if value is None else min(value, MAX_ID)


def _page(qs, offset: int, limit: int) -> tuple[list, bool]:
    rows = list(qs.filter(pk__gt=offset).order_by("pk")[: limit + 1])
    return rows[:limit], len(rows) > limit


def _v1_properties(ot, record, names: list[str]) -> dict:
    """{name: {"value": text, ...}} of the set properties among `names` (v1/v2 shape)."""
    stamp = str(millis(record.updated_at))
    return {
        name: {"value": value, "timestamp": stamp, "source": "API", "sourceId": None}
        for name, value in api_properties(ot, record, names).items()
        if value is not None
    }


def _wanted(request, ot, *keys: str) -> list[str]:
    defs = registry.definitions(ot)
    names = []
    for key in keys:
        names += multi(request, key)
    return [n for n in dict.fromkeys(names) if n in defs]


def _linked(from_type, ids, to_type, user) -> dict[int, list[int]]:
    """{record id: [ids of its `to_type` records the user may see]}."""
    found = associations_by_target(from_type, ids, to_type, user=user)
    return {pk: sorted(targets) for pk, targets in found.items()}


# -- properties and pipelines -----------------------------------------------------------------


def _record_properties(standard) -> list[dict]:
    """The properties every HubSpot record has, for a standard type Comptoir holds none of
    (a connector builds its schema from them; an empty list breaks Airbyte's)."""
    found = []
    for order, (name, label, kind, field) in enumerate(
        (
            ("hs_object_id", "Record ID", "number", "number"),
            ("hs_createdate", "Create date", "datetime", "date"),
            ("hs_lastmodifieddate", "Last modified date", "datetime", "date"),
        )
    ):
        found.append(
            {
                "name": name,
                "label": label,
                "description": "",
                "groupName": f"{standard.singular}information",
                "type": kind,
                "fieldType": field,
                "options": [],
                "displayOrder": order,
                "hidden": False,
                "hasUniqueValue": name == "hs_object_id",
                "formField": False,
                "calculated": False,
                "externalOptions": False,
                "hubspotDefined": True,
                "readOnlyValue": True,
                "readOnlyDefinition": True,
                "mutableDefinitionNotDeletable": True,
                "showCurrencySymbol": False,
                "deleted": False,
                "favorited": False,
                "createdAt": 0,
                "updatedAt": 0,
                "createdUserId": None,
                "updatedUserId": None,
                "referencedObjectType": None,
            }
        )
    return found


@router.get(
    "/properties/v2/{object_type}/properties",
    summary="List properties (legacy v2)",
    openapi_extra=docs.op(answer="LegacyPropertyList"),
)
def properties_v2(request, object_type: str):
    try:
        ot = schema_object_type(request, object_type, write=False)
    except AbsentObjectType as exc:  # a standard type with no records here
        return respond(_record_properties(exc.standard))
    options = Options(False)
    body = []
    for defn in registry.definitions(ot).values():
        body.append(
            {
                "name": defn.name,
                "label": defn.label,
                "description": defn.description or "",
                "groupName": defn.group_name,
                "type": defn.type,
                "fieldType": defn.field_type,
                "options": [
                    {**option, "readOnly": False} for option in options.for_definition(defn)
                ],
                **property_flags(defn),
                "readOnlyValue": defn.read_only_value,
                "readOnlyDefinition": defn.read_only_definition,
                "mutableDefinitionNotDeletable": defn.hubspot_defined,
                "showCurrencySymbol": defn.show_currency_symbol,
                "deleted": False,
                "favorited": False,
                "createdAt": millis(defn.created_at),
                "updatedAt": millis(defn.updated_at),
                "createdUserId": defn.created_by_id,
                "updatedUserId": defn.updated_by_id,
                "referencedObjectType": defn.referenced_object_type or None,
            }
        )
    return respond(body)


@router.get(
    "/crm-pipelines/v1/pipelines/{object_type}",
    summary="List pipelines (legacy v1)",
    openapi_extra=docs.op(answer="LegacyPipelines"),
)
def pipelines_v1(request, object_type: str):
    ot = schema_object_type(request, object_type, write=False)
    results = []
    for pipeline in pipes.list_pipelines(ot):
        stages = [s for s in pipeline.stages.all() if not s.archived]
        results.append(
            {
                "pipelineId": pipeline.pipeline_id,
                "objectType": ot.hubspot_name,
                "objectTypeId": ot.type_id,
                "label": pipeline.label,
                "displayOrder": pipeline.display_order,
                "active": True,
                "default": pipeline.pipeline_id == "default",
                "stages": [
                    {
                        "stageId": stage.stage_id,
                        "label": stage.label,
                        "displayOrder": stage.display_order,
                        "metadata": stage_metadata(stage),
                        "active": True,
                        "createdAt": millis(stage.created_at),
                        "updatedAt": millis(stage.updated_at),
                    }
                    for stage in sorted(stages, key=lambda s: (s.display_order, s.pk))
                ],
                "createdAt": millis(pipeline.created_at),
                "updatedAt": millis(pipeline.updated_at),
            }
        )
    return respond({"results": results})


# -- engagements -------------------------------------------------------------------------------


def _activity_types():
    return [ot for ot in OBJECT_TYPES if ot.is_activity]


def _engagements(request, records_by_type: dict) -> list[dict]:
    """Engagement bodies of {type: [records]}, in id order."""
    user = request.user
    out = []
    for ot, records in records_by_type.items():
        ids = [r.pk for r in records]
        # contactIds, companyIds, dealIds: the CRM records an engagement links to.
        linked = {f"{target.singular}Ids": _linked(ot, ids, target, user) for target in crm_types()}
        keys = ot.extra.get("legacy_metadata", {})
        for record in records:
            values = api_properties(ot, record, list(keys.values()))
            metadata = {key: values.get(prop) for key, prop in keys.items()}
            owner = record.hubspot_owner_id
            timestamp = getattr(record, "hs_timestamp", None)
            out.append(
                {
                    "engagement": {
                        "id": record.pk,
                        "portalId": PORTAL_ID,
                        "active": not record.archived,
                        "createdAt": millis(record.created_at),
                        "lastUpdated": millis(record.updated_at),
                        "ownerId": owner,
                        "type": ot.hubspot_name,
                        "timestamp": millis(timestamp) or millis(record.created_at),
                        "bodyPreview": metadata.get("body") or metadata.get("text"),
                    },
                    "associations": {
                        **{key: found.get(record.pk, []) for key, found in linked.items()},
                        "ownerIds": [owner] if owner else [],
                        "workflowIds": [],
                        "ticketIds": [],
                    },
                    "attachments": [],
                    "metadata": {k: v for k, v in metadata.items() if v is not None},
                }
            )
    out.sort(key=lambda body: body["engagement"]["id"])
    return out


def _engagement_page(request, *, limit: int, offset: int, since=None):
    """The next `limit` engagements the user may see above id `offset`, over every type."""
    require_scope(request, object_scope("contacts", False))  # engagements: contacts' scope
    candidates = []
    for ot in _activity_types():
        qs = base_queryset(ot, user=request.user)
        if since is not None:
            qs = qs.filter(updated_at__gte=since)
        rows, _ = _page(qs, offset, limit + 1)
        candidates += [(r.pk, ot, r) for r in rows]
    candidates.sort(key=lambda row: row[0])
    more = len(candidates) > limit
    chosen = candidates[:limit]
    by_type: dict = {}
    for _, ot, record in chosen:
        by_type.setdefault(ot, []).append(record)
    results = _engagements(request, by_type)
    next_offset = chosen[-1][0] if chosen else offset
    return results, more, next_offset


def _limit(request, maximum: int, default: int) -> int:
    name = "limit" if request.GET.get("limit") not in (None, "") else "count"
    return integer(request, name, default, maximum=maximum)


@router.get(
    "/engagements/v1/engagements/paged",
    summary="Page through engagements (legacy v1)",
    openapi_extra=docs.op(query=("limit", "count", "offset"), answer="LegacyEngagementsPage"),
)
def engagements_paged(request):
    results, more, offset = _engagement_page(
        request, limit=_limit(request, 250, 100), offset=_offset(request, "offset")
    )
    return respond({"results": results, "hasMore": more, "offset": offset})


@router.get(
    "/engagements/v1/engagements/recent/modified",
    summary="Recently modified engagements (legacy v1)",
    openapi_extra=docs.op(
        query=("limit", "count", "offset", "since"), answer="LegacyEngagementsPage"
    ),
)
def engagements_recent(request):
    since = request.GET.get("since")
    moment = None
    if since not in (None, ""):
        ms = cursor(since)
        try:
            moment = dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC)
        except (OverflowError, OSError, ValueError):
            raise ApiError(400, f"since={since!r} is not a time in epoch milliseconds.") from None
    results, more, offset = _engagement_page(
        request, limit=_limit(request, 100, 20), offset=_offset(request, "offset"), since=moment
    )
    return respond({"results": results, "hasMore": more, "offset": offset, "total": len(results)})


# -- contacts, companies, deals ----------------------------------------------------------------

CONTACT_DEFAULTS = ["firstname", "lastname", "company", "lastmodifieddate"]


@router.get(
    "/contacts/v1/lists/all/contacts/all",
    summary="Page through contacts (legacy v1)",
    openapi_extra=docs.op(
        query=("count", "vidOffset", "property", "showListMemberships"),
        answer="LegacyContactsPage",
    ),
)
def contacts_all(request):
    ot = _read(request, "contacts")
    count = integer(request, "count", 20, maximum=100)
    names = _wanted(request, ot, "property") or [
        n for n in CONTACT_DEFAULTS if n in registry.definitions(ot)
    ]
    memberships = boolean(request, "showListMemberships")
    rows, more = _page(base_queryset(ot, user=request.user), _offset(request, "vidOffset"), count)
    contacts = []
    for record in rows:
        email = getattr(record, "email", None)
        identities = [
            {"type": "LEAD_GUID", "value": str(record.pk), "timestamp": millis(record.created_at)}
        ]
        if email:
            identities.insert(
                0,
                {
                    "type": "EMAIL",
                    "value": email,
                    "timestamp": millis(record.created_at),
                    "is-primary": True,
                },
            )
        body = {
            "vid": record.pk,
            "canonical-vid": record.pk,
            "merged-vids": [],
            "portal-id": PORTAL_ID,
            "is-contact": True,
            "addedAt": millis(record.created_at),
            "properties": _v1_properties(ot, record, names),
            "form-submissions": [],
            "identity-profiles": [
                {
                    "vid": record.pk,
                    "saved-at-timestamp": millis(record.updated_at),
                    "deleted-changed-timestamp": 0,
                    "identities": identities,
                }
            ],
        }
        if memberships:
            body["list-memberships"] = []  # Comptoir has no contact lists
        contacts.append(body)
    vid_offset = rows[-1].pk if rows else _offset(request, "vidOffset")
    return respond({"contacts": contacts, "has-more": more, "vid-offset": vid_offset})


@router.get(
    "/companies/v2/companies/paged",
    summary="Page through companies (legacy v2)",
    openapi_extra=docs.op(
        query=("limit", "offset", "properties", "property"), answer="LegacyCompaniesPage"
    ),
)
def companies_paged(request):
    ot = _read(request, "companies")
    limit = integer(request, "limit", 100, maximum=250)
    names = _wanted(request, ot, "properties", "property")
    rows, more = _page(base_queryset(ot, user=request.user), _offset(request, "offset"), limit)
    companies = [
        {
            "portalId": PORTAL_ID,
            "companyId": record.pk,
            "isDeleted": False,
            "properties": _v1_properties(ot, record, names),
            "additionalDomains": [],
            "stateChanges": [],
            "mergeAudits": [],
        }
        for record in rows
    ]
    offset = rows[-1].pk if rows else _offset(request, "offset")
    return respond({"companies": companies, "has-more": more, "offset": offset})


@router.get(
    "/deals/v1/deal/paged",
    summary="Page through deals (legacy v1)",
    openapi_extra=docs.op(
        query=("limit", "offset", "properties", "property", "includeAssociations"),
        answer="LegacyDealsPage",
    ),
)
def deals_paged(request):
    ot = _read(request, "deals")
    limit = integer(request, "limit", 100, maximum=250)
    names = _wanted(request, ot, "properties", "property")
    associations = boolean(request, "includeAssociations")
    rows, more = _page(base_queryset(ot, user=request.user), _offset(request, "offset"), limit)
    ids = [r.pk for r in rows]
    linked = {}
    if associations:
        linked = {
            "associatedVids": _linked(ot, ids, "contacts", request.user),
            "associatedCompanyIds": _linked(ot, ids, "companies", request.user),
            "associatedDealIds": _linked(ot, ids, "deals", request.user),
        }
    deals = []
    for record in rows:
        body = {
            "portalId": PORTAL_ID,
            "dealId": record.pk,
            "isDeleted": False,
            "properties": _v1_properties(ot, record, names),
            "imports": [],
            "stateChanges": [],
        }
        if associations:
            body["associations"] = {
                **{key: found.get(record.pk, []) for key, found in linked.items()},
                "associatedTicketIds": [],
            }
        deals.append(body)
    offset = rows[-1].pk if rows else _offset(request, "offset")
    return respond({"deals": deals, "hasMore": more, "offset": offset})


# -- owners ------------------------------------------------------------------------------------


@router.get(
    "/owners/v2/owners",
    summary="List owners (legacy v2)",
    openapi_extra=docs.op(query=("email", "includeInactive"), answer="LegacyOwnerList"),
)
@router.get("/owners/v2/owners/", include_in_schema=False)
def owners_v2(request):
    require_scope(request, "crm.objects.owners.read")
    qs = Owner.objects.select_related("user").order_by("pk")
    if not boolean(request, "includeInactive"):
        qs = qs.filter(archived=False)
    email = (request.GET.get("email") or "").strip()
    if email:
        qs = qs.filter(email__iexact=email)
    owners = list(qs)
    teams = _teams(owners)
    body = []
    for owner in owners:
        user = owner.user
        active = user is not None and user.is_active and not owner.archived
        body.append(
            {
                "portalId": PORTAL_ID,
                "ownerId": owner.pk,
                "type": owner.type,
                "firstName": owner.first_name,
                "lastName": owner.last_name,
                "email": owner.email or (user.email if user else None),
                "createdAt": millis(owner.created_at),
                "updatedAt": millis(owner.updated_at),
                "remoteList": [
                    {
                        "portalId": PORTAL_ID,
                        "ownerId": owner.pk,
                        "remoteId": str(user.pk if user else owner.pk),
                        "remoteType": "HUBSPOT",
                        "active": active,
                    }
                ],
                "hasContactsAccess": active,
                "activeUserId": user.pk if active else None,
                "userIdIncludingInactive": user.pk if user is not None else None,
                "isActive": active,
                "teams": teams.get(owner.user_id, []) if owner.user_id else [],
            }
        )
    return respond(body)
