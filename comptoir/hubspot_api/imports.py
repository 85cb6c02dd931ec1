"""`/crm/v3/imports`: HubSpot's imports API (reference §2.6) over the same import engine
as the wizard. The SDK posts `importRequest` (a JSON string) and `files` as multipart;
the import then runs in the worker like any other."""

from django.db import transaction
from ninja import Router

from comptoir.core.inputs import parse_id
from comptoir.core.objects.registry import UnknownObjectType, get_object_type, import_types
from comptoir.core.permissions import NotAllowed
from comptoir.hubspot_api import docs, import_files
from comptoir.hubspot_api.auth import require_scope
from comptoir.hubspot_api.body import loads
from comptoir.hubspot_api.errors import ApiError
from comptoir.hubspot_api.import_request import ROOT, check_import_request
from comptoir.hubspot_api.params import boolean, cursor, integer
from comptoir.hubspot_api.responses import collection_root, next_page, respond
from comptoir.hubspot_api.serializers import timestamp
from comptoir.imports import services
from comptoir.imports.mapping import CONTACTS_AND_COMPANIES
from comptoir.imports.models import Import, ImportFailure, ImportState, Mode
from comptoir.imports.values import DATE_FORMATS

router = Router(tags=["Imports"])
SCOPE = "crm.import"
MAX_LIMIT = 500

# Our reasons → HubSpot's errorType values (the SDK checks them in strict mode).
ERROR_TYPES = {
    "INVALID_EMAIL": "INVALID_EMAIL",
    "INVALID_DOMAIN": "INVALID_DOMAIN",
    "TOO_LONG": "COLUMN_TOO_LARGE",
    "INVALID_NUMBER": "COULD_NOT_PARSE_NUMBER",
    "INVALID_DATE": "COULD_NOT_PARSE_DATE",
    "INVALID_DATETIME": "COULD_NOT_PARSE_DATE",
    "INVALID_OPTION": "INVALID_ENUMERATION_OPTION",
    "UNKNOWN_OWNER": "COULD_NOT_FIND_OWNER",
    "DUPLICATE_VALUE": "DUPLICATE_UNIQUE_PROPERTY_VALUE",
    "OBJECT_NOT_FOUND": "INVALID_RECORD_ID",
    "INVALID_OBJECT_ID": "INVALID_OBJECT_ID",
    "CREATE_ONLY_IMPORT_EXISTING_OBJECT": "CREATE_ONLY_IMPORT",
    "UPDATE_ONLY_IMPORT_NO_MATCH": "UPDATE_ONLY_IMPORT",
    "REQUIRED": "MISSING_REQUIRED_PROPERTY",
    "DUPLICATE_ROW": "DUPLICATE_ROW_CONTENT",
    "ASSOCIATION_NOT_FOUND": "ASSOCIATION_RECORD_NOT_FOUND",
}
OBJECT_NAMES = {"contacts": "CONTACT", "companies": "COMPANY", "deals": "DEAL"}


def import_body(imp: Import) -> dict:
    parts = imp.files
    type_ids = [get_object_type(ot).type_id for part in parts for ot in part.object_types]
    return {
        "id": str(imp.pk),
        "state": imp.api_state,
        "createdAt": timestamp(imp.created_at),
        "updatedAt": timestamp(imp.updated_at),
        "optOutImport": False,
        "mappedObjectTypeIds": type_ids,
        "metadata": {
            "counters": {
                "TOTAL_ROWS": imp.rows_done,
                "CREATED_OBJECTS": imp.created,
                "UPDATED_OBJECTS": imp.updated,
                "SKIPPED_ROWS": imp.skipped,
                "ERRORS": imp.failed,
            },
            "fileIds": [str(part.pk) for part in parts],
            "objectLists": [],
        },
        "importName": imp.name,
        "importSource": "API" if imp.source == "API" else "CRM_UI",
        "importRequestJson": imp.request_json,
    }


def _visible(request):
    require_scope(request, SCOPE)
    return services.visible_imports(request.user)


def _get(request, import_id: str) -> Import:
    qs = _visible(request)
    pk = parse_id(import_id)
    imp = qs.filter(pk=pk).first() if pk is not None else None
    if imp is None:
        raise ApiError(
            404, f"No import with id {import_id}.", "OBJECT_NOT_FOUND", context={"id": [import_id]}
        )
    return imp


def _parse_request(raw) -> dict:
    if not (raw or "").strip():
        raise ApiError(400, "importRequest is required: HubSpot's ImportRequest as JSON.")
    body = loads(raw, ROOT)
    if not isinstance(body, dict):
        raise ApiError(400, "importRequest must be a JSON object.")
    check_import_request(body)
    return body


def _object_types(mappings) -> list[str]:
    names = []
    for mapping in mappings:
        raw = mapping.get("columnObjectTypeId") or "0-1"
        try:
            name = get_object_type(raw).name
        except UnknownObjectType:
            raise ApiError(400, f"Unknown columnObjectTypeId {raw!r}.") from None
        if name not in names:
            names.append(name)
    return names


def _choice(names: list[str]) -> str:
    if set(names) == {"contacts", "companies"}:
        return CONTACTS_AND_COMPANIES
    if len(names) == 1 and names[0] in {ot.name for ot in import_types()}:
        return names[0]
    raise ApiError(
        400,
        "Comptoir imports contacts, companies, deals, or contacts with their companies; "
        f"not {', '.join(names)}.",
    )


def _create(request):
    """Every file is stored and read (its encoding, columns, mapping) before any
    transaction: a long read holds no lock. The drafts are then saved and queued in one
    short transaction, or not at all."""
    require_scope(request, SCOPE)
    body = _parse_request(request.POST.get("importRequest"))
    uploads = request.FILES.getlist("files")
    date_format = body.get("dateFormat") or "MONTH_DAY_YEAR"
    if date_format not in DATE_FORMATS:
        raise ApiError(400, f"dateFormat must be one of {', '.join(DATE_FORMATS)}.")
    drafts: list[Import] = []  # read so far, the main file's first
    try:
        if len(body.get("files") or []) > 1:
            _create_files(request, body, uploads, drafts)
        else:
            _create_one(request, body, uploads, drafts)
        main = drafts[0]
        for part in drafts:
            part.date_format = date_format
            part.decimal_comma = False  # HubSpot's API reads numbers with a decimal point
        main.name = str(body.get("name") or main.name)[:200]
        main.request_json = body
        with transaction.atomic():
            services.save_drafts(main, drafts[1:])
            imp = services.start(main, request.user)
    except services.ImportProblem as exc:
        services.discard(*drafts)
        raise ApiError(400, str(exc)) from None
    except BaseException:
        services.discard(*drafts)
        raise
    return respond(import_body(imp))


def _create_one(request, body, uploads, drafts) -> None:
    if len(uploads) != 1:
        raise ApiError(400, "Send exactly one file in the `files` part.")
    files = body.get("files") or [{}]
    page = (files[0] or {}).get("fileImportPage") or {}
    mappings = page.get("columnMappings") or []
    if not mappings:
        raise ApiError(400, "files[0].fileImportPage.columnMappings is required.")
    names = _object_types(mappings)
    choice = _choice(names)
    imp = _draft(request, uploads[0], choice, drafts)
    _map(imp, mappings, names[0])
    imp.mode = _mode(body, names[0] if choice != "contacts+companies" else "contacts")


def _create_files(request, body, uploads, drafts) -> None:
    """Several files joined by a common column (comptoir.hubspot_api.import_files)."""
    entries = import_files.read_entries(body, uploads)
    main = import_files.main_entry(entries)
    main.draft = _draft(request, main.upload, main.own, drafts)
    _map(main.draft, main.mappings, main.own, skip=main.foreign())
    main.draft.mode = _mode(body, main.own)
    by_type = {}
    for entry in entries:
        if entry is main:
            continue
        entry.draft = _draft(request, entry.upload, entry.own, drafts)
        _map(entry.draft, entry.mappings, entry.own)
        by_type[entry.own] = entry
    for mapping in main.foreign():
        target = import_files.foreign_target(mapping)
        if target not in by_type:
            raise ApiError(400, f"No file of the import holds the {target} of its common column.")
        import_files.link(main.draft, by_type[target], mapping)


def _draft(request, upload, choice, drafts) -> Import:
    try:
        draft = services.prepare_draft(request.user, upload, choice, source="API")
    except NotAllowed as exc:
        raise ApiError(403, str(exc), "FORBIDDEN") from None
    except services.ImportProblem as exc:
        raise ApiError(400, f"The file could not be read: {exc}") from None
    drafts.append(draft)
    return draft


def _mode(body, main_name) -> str:
    operations = body.get("importOperations") or {}
    main_type = get_object_type(main_name)
    mode = operations.get(main_type.type_id) or operations.get(main_type.name) or "UPSERT"
    if mode not in Mode.values:
        raise ApiError(400, f"importOperations values must be one of {', '.join(Mode.values)}.")
    return mode


def _map(imp, mappings, default_ot, skip=()) -> None:
    """The draft's mapping from HubSpot's column mappings (by column name, else position)."""
    by_name = {str(m.get("columnName", "")).strip().lower(): m for m in mappings}
    mapping = []
    for index, column in enumerate(imp.header):
        found = by_name.get(column.strip().lower())
        if found is None and index < len(mappings) and not mappings[index].get("columnName"):
            found = mappings[index]
        entry = {"column": column, "object_type": default_ot, "property": ""}
        if found and found.get("propertyName") and found not in skip:
            ot = get_object_type(found.get("columnObjectTypeId") or default_ot).name
            entry.update(object_type=ot, property=found["propertyName"])
        mapping.append(entry)
    imp.mapping = mapping


@collection_root(
    router,
    "POST",
    "Start an import (multipart: importRequest + files)",
    openapi_extra={**docs.import_form(), **docs.op(answer="PublicImportResponse")},
)
def create(request):
    return _create(request)


def _page(request):
    qs = _visible(request).order_by("-pk").prefetch_related("linked_files")
    limit = integer(request, "limit", 100, maximum=MAX_LIMIT)
    after = cursor(request.GET.get("after"))
    if after is not None:
        qs = qs.filter(pk__lte=after)
    page = list(qs[: limit + 1])
    body = {"results": [import_body(i) for i in page[:limit]]}
    if len(page) > limit:
        next_after = str(page[limit].pk)
        body["paging"] = next_page(request, next_after)
    return respond(body)


@collection_root(
    router,
    "GET",
    "List imports, newest first",
    openapi_extra=docs.op(query=docs.PAGE, answer="CollectionResponsePublicImportResponse"),
)
def get_page(request):
    return _page(request)


@router.get(
    "/{import_id}", summary="Read an import", openapi_extra=docs.op(answer="PublicImportResponse")
)
def get_by_id(request, import_id: str):
    return respond(import_body(_get(request, import_id)))


@router.post(
    "/{import_id}/cancel",
    summary="Cancel an import",
    openapi_extra=docs.op(answer="ActionResponse"),
)
def cancel(request, import_id: str):
    from django.utils import timezone

    imp = _get(request, import_id)
    requested = timezone.now()
    if imp.running:
        imp = services.cancel(imp)
    status = "CANCELED" if imp.state == ImportState.CANCELED else "COMPLETE"
    if imp.state == ImportState.PROCESSING:
        status = "PROCESSING"  # stops after the batch in flight
    return respond(
        {
            "status": status,
            "requestedAt": timestamp(requested),
            "startedAt": timestamp(requested),
            "completedAt": timestamp(timezone.now()),
            "links": {},
        }
    )


@router.get(
    "/{import_id}/errors",
    summary="The rows an import could not import",
    openapi_extra=docs.op(
        query=(*docs.PAGE, "includeErrorMessage", "includeRowData"),
        answer="CollectionResponsePublicImportError",
    ),
)
def get_errors(request, import_id: str):
    imp = _get(request, import_id)
    limit = integer(request, "limit", 100, maximum=MAX_LIMIT)
    with_message = boolean(request, "includeErrorMessage", False)
    with_row = boolean(request, "includeRowData", False)
    parts = {part.pk: part for part in imp.files}
    qs = ImportFailure.objects.filter(run__in=list(parts)).order_by("pk")
    after = cursor(request.GET.get("after"))
    if after is not None:
        qs = qs.filter(pk__gte=after)
    page = list(qs[: limit + 1])
    headers = {
        pk: {str(c).strip().lower(): i for i, c in enumerate(part.header)}
        for pk, part in parts.items()
    }
    results = []
    for failure in page[:limit]:
        columns = headers[failure.run_id]
        item = {
            "id": str(failure.pk),
            "createdAt": int(failure.created_at.timestamp() * 1000),
            "errorType": ERROR_TYPES.get(failure.error_type, "UNKNOWN_ERROR"),
            "sourceData": {
                "rowData": failure.row if with_row else [],
                "lineNumber": failure.line,
                "fileId": failure.run_id,
                "containsEncryptedProperties": False,
            },
            "objectType": OBJECT_NAMES.get(failure.object_type, "CONTACT"),
            "invalidValue": failure.value,
        }
        if failure.column.strip().lower() in columns:
            item["knownColumnNumber"] = columns[failure.column.strip().lower()] + 1
        if with_message:
            item["errorMessage"] = failure.reason
        results.append(item)
    body = {"results": results}
    if len(page) > limit:
        next_after = str(page[limit].pk)
        body["paging"] = next_page(request, next_after)
    return respond(body)
