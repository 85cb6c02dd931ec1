"""`/crm/v3/objects/{objectType}`: list, get, create, update, archive, batch, search,
merge and GDPR delete (reference §2.1-§2.2). Handlers only translate; services decide."""

from contextlib import suppress

from django.db import transaction
from django.utils import timezone
from ninja import Router

from comptoir.core.associations import types as atypes
from comptoir.core.associations.services import check_targets
from comptoir.core.inputs import parse_id
from comptoir.core.objects.registry import AbsentObjectType, get_object_type
from comptoir.core.permissions import require_edit, with_default_owner
from comptoir.core.properties.errors import DuplicateValue, RecordNotFound, ValidationFailed
from comptoir.core.properties.index_requests import note_queries, used_properties
from comptoir.core.records import observers, reads, writes
from comptoir.core.records.bulk import bulk_create_records
from comptoir.core.records.merge import merge_records
from comptoir.core.records.values import base_queryset
from comptoir.core.scopes import object_scope
from comptoir.core.search.compiler import search
from comptoir.hubspot_api import docs
from comptoir.hubspot_api.auth import api_source, require_scope
from comptoir.hubspot_api.body import inputs, json_body
from comptoir.hubspot_api.errors import ApiError, not_found, standard_error
from comptoir.hubspot_api.fields import check, invalid
from comptoir.hubspot_api.params import boolean, cursor, integer, multi
from comptoir.hubspot_api.responses import batch_response, respond
from comptoir.hubspot_api.search_request import check_search_request
from comptoir.hubspot_api.serializers import records_to_bodies

router = Router(tags=["Objects"])
SEARCH_BODY_MAX = 3000


def _ot(request, object_type: str, *, write: bool):
    ot = get_object_type(object_type)
    require_scope(request, object_scope(ot.name, write))
    return ot


def _absent(object_type: str):
    """The standard HubSpot type `object_type` names when Comptoir holds none of it."""
    try:
        get_object_type(object_type)
    except AbsentObjectType as exc:
        return exc.standard
    return None


def _inline_associations(ot, raw) -> list:
    """[{"to": {"id"}, "types": [{associationCategory, associationTypeId}]}] → service form."""
    if raw in (None, []):
        return []
    if not isinstance(raw, list):
        raise ApiError(400, "associations must be a list.")
    result = []
    for i, item in enumerate(raw):
        to = item.get("to") if isinstance(item, dict) else None
        to_id = to.get("id") if isinstance(to, dict) else None
        types = item.get("types") if isinstance(item, dict) else None
        if not _is_id(to_id) or not isinstance(types, list) or not types:
            raise invalid(
                f"associations[{i}]",
                f"associations[{i}] needs to.id (a string) and a non-empty types list.",
            )
        targets = {}
        for spec in types:
            type_id = spec.get("associationTypeId") if isinstance(spec, dict) else None
            number = parse_id(type_id)  # type ids are positive integers, as record ids
            found = atypes.find_from(ot, number) if number is not None else None
            if found is None:
                raise ApiError(
                    400,
                    f"Association type {type_id} does not exist from {ot.name}.",
                    errors=[
                        {"message": "invalid associationTypeId", "code": "INVALID_ASSOCIATION_TYPE"}
                    ],
                )
            targets.setdefault(found.to_type, []).append(found.type_id)
        for to_type, type_ids in targets.items():
            result.append((to_type, to_id, type_ids))
    return result


def _properties(data: dict) -> dict:
    props = data.get("properties", {})
    if props is None:
        props = {}
    if not isinstance(props, dict):
        raise ApiError(400, "properties must be a JSON object of property names to values.")
    return props


def _is_id(value) -> bool:
    """A record id or unique value as JSON may send it: a string or a number, not empty."""
    return isinstance(value, str | int) and not isinstance(value, bool) and value != ""


def _checked_id(data: dict, field: str = "id", prefix: str = "") -> None:
    """A record id or unique value is a string (or a number): 400 naming the field if not."""
    if not _is_id(data.get(field)):
        name = f"{prefix}{field}"
        raise invalid(name, f"{name} is required and must be a string.")


def _checked_refs(items: list) -> None:
    """Each input's id and idProperty have HubSpot's JSON types (strings)."""
    for i, item in enumerate(items):
        check(item, "idProperty", str, prefix=f"inputs[{i}].")
        _checked_id(item, prefix=f"inputs[{i}].")


def _one(ot, record, written=()):
    """A written record as HubSpot answers it: default properties plus those written."""
    names = list(dict.fromkeys([*ot.default_properties, *written]))
    return records_to_bodies(ot, [record], properties=names)[0]


# -- literal paths first: they must win over /{objectId} ---------------------------------------


@router.post(
    "/{object_type}/search",
    summary="Search",
    openapi_extra=docs.op(body="SearchRequest", answer="SearchResults"),
)
def search_objects(request, object_type: str):
    if _absent(object_type):  # a standard type with no records: nothing matches
        check_search_request(json_body(request, max_chars=SEARCH_BODY_MAX))
        return respond({"total": 0, "results": []})
    ot = _ot(request, object_type, write=False)
    data = json_body(request, max_chars=SEARCH_BODY_MAX)
    check_search_request(data)
    result = search(ot, data, user=request.user)
    uses = used_properties(data.get("filterGroups"), data.get("filters"), data.get("sorts"))
    note_queries(ot, uses)  # repeated searches on an unindexed property ask for its index
    body = {
        "total": result.total,
        "results": records_to_bodies(ot, result.records, properties=data.get("properties")),
    }
    if result.next_after is not None:
        body["paging"] = {"next": {"after": result.next_after}}
    return respond(body)


@router.post(
    "/{object_type}/batch/read",
    summary="Read a batch",
    openapi_extra=docs.op(
        body="BatchRead",
        query=("archived",),
        partial=True,
        answer="BatchResponseSimplePublicObject",
    ),
)
def batch_read(request, object_type: str):
    standard = _absent(object_type)
    if standard is not None:  # none of these ids exists
        items = inputs(json_body(request))
        _checked_refs(items)
        return _missing_batch(standard, [str(i.get("id")) for i in items], timezone.now())
    ot = _ot(request, object_type, write=False)
    data = json_body(request)
    items = inputs(data)
    archived = boolean(request, "archived")
    id_property = check(data, "idProperty", str)
    _checked_refs(items)
    started = timezone.now()
    found, missing = [], []
    for item in items:
        try:
            found.append(
                reads.get_record_by(
                    ot, id_property, item.get("id"), archived=archived, user=request.user
                )
            )
        except (RecordNotFound, ValidationFailed):
            missing.append(str(item.get("id")))
    results = records_to_bodies(
        ot,
        found,
        properties=_list(data, "properties"),
        history=_list(data, "propertiesWithHistory"),
    )
    return _missing_batch(ot, missing, started, results)


def _missing_batch(ot, missing: list, started, results=()):
    errors = []
    if missing:
        errors.append(
            standard_error(
                f"Could not get some {ot.hubspot_name} objects, they may be deleted or not exist. "
                "Check that ids are valid.",
                "OBJECT_NOT_FOUND",
                {"ids": missing},
            )
        )
    return batch_response(list(results), errors, started, ok_status=200)


def _list(data, key):
    value = data.get(key)
    return [str(v) for v in value] if isinstance(value, list) else None


def _trace_ids(items) -> bool:
    return any(item.get("objectWriteTraceId") for item in items)


def _batch_write(ot, items, write_one, *, ok_status):
    """Run write_one(item) per input. Without objectWriteTraceId the batch is all or
    nothing (HubSpot answers the first error); with them, each input stands alone (207)."""
    started = timezone.now()
    results, errors = [], []
    partial = _trace_ids(items)
    # One notification per new owner for the batch, made after the commit.
    with observers.batch(), transaction.atomic():
        for item in items:
            if not partial:
                results.append(write_one(item))
                continue
            try:
                with transaction.atomic():
                    results.append(write_one(item))
            except (ValidationFailed, DuplicateValue, RecordNotFound) as exc:
                category = (
                    "CONFLICT"
                    if isinstance(exc, DuplicateValue)
                    else "OBJECT_NOT_FOUND"
                    if isinstance(exc, RecordNotFound)
                    else "VALIDATION_ERROR"
                )
                context = {"objectWriteTraceId": [str(item.get("objectWriteTraceId"))]}
                errors.append(standard_error(str(exc), category, context))
    return batch_response(results, errors, started, ok_status=ok_status)


@router.post(
    "/{object_type}/batch/create",
    summary="Create a batch",
    openapi_extra=docs.op(
        body="BatchCreate", ok=201, partial=True, answer="BatchResponseSimplePublicObject"
    ),
)
def batch_create(request, object_type: str):
    """Through the bulk path: one insert for the batch, automations batched too."""
    ot = _ot(request, object_type, write=True)
    items = inputs(json_body(request))
    source = api_source(request)
    started = timezone.now()
    partial = _trace_ids(items)
    rows, links, refused = [], [], {}
    for index, item in enumerate(items):
        rows.append(with_default_owner(request.user, ot, _properties(item)))
        try:
            item_links = _inline_associations(ot, item.get("associations"))
            check_targets(ot, item_links, user=request.user)
        except (ValidationFailed, ApiError) as exc:
            if not partial:
                raise
            refused[index] = exc
            item_links = []
        links.append(item_links)
    keep = [i for i in range(len(items)) if i not in refused]
    with transaction.atomic():
        result = bulk_create_records(
            ot,
            [rows[i] for i in keep],
            source=source,
            associations=[links[i] for i in keep],
            automations=True,
            user=request.user,
        )
        if result.errors and not partial:
            raise _first_error(ot, result.errors)  # rolls the whole batch back
    for position, errors in result.errors.items():
        refused[keep[position]] = ValidationFailed(errors)
    created = base_queryset(ot).in_bulk([pk for pk in result.ids if pk is not None])
    results = [
        _one(ot, created[pk], rows[keep[position]])
        for position, pk in enumerate(result.ids)
        if pk is not None
    ]
    errors = [
        standard_error(
            getattr(exc, "message", str(exc)),
            _category(exc),
            {"objectWriteTraceId": [str(items[index].get("objectWriteTraceId"))]},
        )
        for index, exc in sorted(refused.items())
    ]
    return batch_response(results, errors, started, ok_status=201)


def _first_error(ot, errors: dict):
    first = errors[min(errors)]
    duplicate = next((e for e in first if getattr(e, "taken", False)), None)
    if duplicate is not None:
        return DuplicateValue(ot, duplicate.name, duplicate.value, duplicate.existing_id)
    return ValidationFailed(first)


def _category(exc) -> str:
    if isinstance(exc, ValidationFailed) and any(getattr(e, "taken", False) for e in exc.errors):
        return "CONFLICT"
    if isinstance(exc, ApiError):
        return exc.category
    return "VALIDATION_ERROR"


@router.post(
    "/{object_type}/batch/update",
    summary="Update a batch",
    openapi_extra=docs.op(
        body="BatchUpdate", partial=True, answer="BatchResponseSimplePublicObject"
    ),
)
def batch_update(request, object_type: str):
    ot = _ot(request, object_type, write=True)
    items = inputs(json_body(request))
    _checked_refs(items)
    source = api_source(request)

    def update(item):
        record = reads.get_record_by(
            ot, item.get("idProperty"), item.get("id"), for_update=True, user=request.user
        )
        require_edit(request.user, ot, record)
        props = _properties(item)
        record = writes.update_record(ot, record, props, source=source, user=request.user)
        return _one(ot, record, props)

    return _batch_write(ot, items, update, ok_status=200)


@router.post(
    "/{object_type}/batch/upsert",
    summary="Create or update a batch by a unique property",
    openapi_extra=docs.op(
        body="BatchUpsert", partial=True, answer="BatchResponseSimplePublicUpsertObject"
    ),
)
def batch_upsert(request, object_type: str):
    ot = _ot(request, object_type, write=True)
    items = inputs(json_body(request))
    _checked_refs(items)
    source = api_source(request)

    def upsert(item):
        id_property = item.get("idProperty") or "hs_object_id"
        props = _properties(item)
        try:
            record = reads.get_record_by(
                ot, id_property, item.get("id"), for_update=True, user=request.user
            )
        except RecordNotFound:
            if id_property == "hs_object_id":
                raise
            record = writes.create_record(
                ot,
                with_default_owner(request.user, ot, {**props, id_property: item.get("id")}),
                source=source,
                user=request.user,
            )
            return {**_one(ot, record, props), "new": True}
        require_edit(request.user, ot, record)
        record = writes.update_record(ot, record, props, source=source, user=request.user)
        return {**_one(ot, record, props), "new": False}

    return _batch_write(ot, items, upsert, ok_status=200)


@router.post(
    "/{object_type}/batch/archive",
    summary="Archive a batch",
    openapi_extra=docs.op(body="BatchIds", ok=204),
)
def batch_archive(request, object_type: str):
    ot = _ot(request, object_type, write=True)
    items = inputs(json_body(request))
    _checked_refs(items)
    source = api_source(request)
    with transaction.atomic():
        for item in items:
            # Archiving is idempotent, as in HubSpot: missing ids are not an error.
            with suppress(RecordNotFound):
                _archive(request, ot, item.get("id"), source)
    return respond(None, status=204)


@router.post(
    "/{object_type}/merge",
    summary="Merge two records",
    openapi_extra=docs.op(body="Merge", answer="SimplePublicObject"),
)
def merge(request, object_type: str):
    ot = _ot(request, object_type, write=True)
    data = json_body(request)
    primary, other = data.get("primaryObjectId"), data.get("objectIdToMerge")
    if primary in (None, "") or other in (None, ""):
        raise ApiError(400, "primaryObjectId and objectIdToMerge are required.")
    for field in ("primaryObjectId", "objectIdToMerge"):
        _checked_id(data, field)
    for object_id in (primary, other):
        require_edit(request.user, ot, reads.get_record(ot, object_id, user=request.user))
    record = merge_records(ot, primary, other, source=api_source(request))
    return respond(_one(ot, record))


@router.post(
    "/{object_type}/gdpr-delete",
    summary="Erase a contact for good (GDPR)",
    openapi_extra=docs.op(body="GdprDelete", ok=204),
)
def gdpr_delete(request, object_type: str):
    ot = _ot(request, object_type, write=True)
    if ot.name != "contacts":
        raise ApiError(400, "GDPR delete exists only for contacts.")
    data = json_body(request)
    check(data, "idProperty", str)
    _checked_id(data, "objectId")
    record = reads.get_record_by(
        ot, data.get("idProperty"), data.get("objectId"), archived=None, user=request.user
    )
    require_edit(request.user, ot, record)
    writes.purge_records(ot, [record.pk], gdpr=True, source=api_source(request))
    return respond(None, status=204)


# -- collection and single records ----------------------------------------------------------------


@router.get(
    "/{object_type}",
    summary="List records",
    openapi_extra=docs.op(query=docs.LIST_RECORDS, answer="CollectionResponseSimplePublicObject"),
)
def list_objects(request, object_type: str):
    if _absent(object_type):  # a standard type with no records
        return respond({"results": []})
    ot = _ot(request, object_type, write=False)
    history = multi(request, "propertiesWithHistory")
    maximum = 50 if history else 100
    limit = min(integer(request, "limit", 10, maximum=10_000), maximum)
    after = cursor(request.GET.get("after"))
    qs = base_queryset(ot, archived=boolean(request, "archived"), user=request.user).order_by("pk")
    if after is not None:
        qs = qs.filter(pk__gte=after)
    page = list(qs[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    body = {
        "results": records_to_bodies(
            ot,
            page,
            properties=multi(request, "properties"),
            history=history,
            associations=_assoc_types(request),
            user=request.user,
        )
    }
    if more:
        next_id = str(qs.filter(pk__gt=page[-1].pk).values_list("pk", flat=True).first())
        link = request.build_absolute_uri(f"{request.path}?after={next_id}")
        body["paging"] = {"next": {"after": next_id, "link": link}}
    return respond(body)


def _assoc_types(request) -> list[str]:
    """The `associations` asked for; a standard type Comptoir holds none of has none
    (HubSpot leaves a type with no associations out of the answer)."""
    return [get_object_type(t).name for t in multi(request, "associations") if not _absent(t)]


@router.post(
    "/{object_type}",
    summary="Create a record",
    openapi_extra=docs.op(body="Create", ok=201, answer="SimplePublicObject"),
)
def create(request, object_type: str):
    ot = _ot(request, object_type, write=True)
    data = json_body(request)
    props = _properties(data)
    record = writes.create_record(
        ot,
        with_default_owner(request.user, ot, props),
        source=api_source(request),
        associations=_inline_associations(ot, data.get("associations")),
        user=request.user,
    )
    return respond(_one(ot, record, props), status=201)


def _resolve(ot, object_id, request, *, archived=False, for_update=False):
    id_property = request.GET.get("idProperty")
    try:
        return reads.get_record_by(
            ot,
            id_property,
            object_id,
            archived=archived,
            for_update=for_update,
            user=request.user,
        )
    except RecordNotFound:
        if archived or id_property:
            raise
        # A merged record answers with the record it was merged into, as HubSpot does.
        merged = (
            base_queryset(ot, archived=True)
            .filter(pk=parse_id(object_id))
            .values_list("merged_into_id", flat=True)
            .first()
        )
        if merged:
            return _resolve(ot, merged, request, for_update=for_update)
        raise


def _archive(request, ot, object_id, source) -> None:
    """Archive if the user may change the record; a missing or invisible one is a no-op
    (idempotent, as in HubSpot, and nothing leaks)."""
    try:
        record = reads.get_record(ot, object_id, user=request.user)
    except RecordNotFound:
        return
    require_edit(request.user, ot, record)
    writes.archive_record(ot, record.pk, source=source)


@router.get(
    "/{object_type}/{object_id}",
    summary="Read a record",
    openapi_extra=docs.op(query=docs.READ_RECORD, answer="SimplePublicObjectWithAssociations"),
)
def read(request, object_type: str, object_id: str):
    standard = _absent(object_type)
    if standard is not None:
        raise not_found(standard, object_id)
    ot = _ot(request, object_type, write=False)
    record = _resolve(ot, object_id, request, archived=boolean(request, "archived"))
    body = records_to_bodies(
        ot,
        [record],
        properties=multi(request, "properties"),
        history=multi(request, "propertiesWithHistory"),
        associations=_assoc_types(request),
        user=request.user,
    )[0]
    return respond(body)


@router.patch(
    "/{object_type}/{object_id}",
    summary="Update a record",
    openapi_extra=docs.op(body="Update", query=("idProperty",), answer="SimplePublicObject"),
)
def update(request, object_type: str, object_id: str):
    standard = _absent(object_type)
    if standard is not None:
        raise not_found(standard, object_id)
    ot = _ot(request, object_type, write=True)
    data = json_body(request)
    with transaction.atomic():
        record = _resolve(ot, object_id, request, for_update=True)
        require_edit(request.user, ot, record)
        props = _properties(data)
        record = writes.update_record(
            ot, record, props, source=api_source(request), user=request.user
        )
    return respond(_one(ot, record, props))


@router.delete("/{object_type}/{object_id}", summary="Archive a record")
def archive(request, object_type: str, object_id: str):
    if _absent(object_type):  # never existed: idempotent, as below
        return respond(None, status=204)
    ot = _ot(request, object_type, write=True)
    with suppress(RecordNotFound):  # idempotent: already archived or never existed
        _archive(request, ot, object_id, api_source(request))
    return respond(None, status=204)
