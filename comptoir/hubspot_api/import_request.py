"""The JSON types of the imports API's `importRequest` (HubSpot's PublicImportRequest),
checked before it is read, so a wrong type is a 400 naming the field, never a 500.

comptoir.hubspot_api.imports and import_files decide meaning (object types, operations,
how files are joined); this only makes sure each field has the type HubSpot's model declares."""

from comptoir.hubspot_api.fields import check, invalid

ROOT = "importRequest"
MAPPING_TEXTS = ("columnObjectTypeId", "columnName", "propertyName", "idColumnType")


def _object(data: dict, field: str, prefix: str) -> dict:
    """data[field] if it is an object (absent or null: {}); 400 naming it otherwise."""
    value = data.get(field)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise invalid(f"{prefix}{field}", f"{prefix}{field} must be an object.")
    return value


def _objects(data: dict, field: str, prefix: str) -> list[dict]:
    """data[field] if it is an array of objects (absent or null: []); 400 naming it if not."""
    values = data.get(field)
    if values is None:
        return []
    if not isinstance(values, list):
        raise invalid(f"{prefix}{field}", f"{prefix}{field} must be an array of objects.")
    for i, value in enumerate(values):
        if not isinstance(value, dict):
            name = f"{prefix}{field}[{i}]"
            raise invalid(name, f"{name} must be an object.")
    return values


def _mapping(mapping: dict, prefix: str) -> None:
    for field in (*MAPPING_TEXTS, "toColumnObjectTypeId"):
        check(mapping, field, str, prefix=prefix)
    foreign = _object(mapping, "foreignKeyType", prefix)
    check(foreign, "associationTypeId", int, prefix=f"{prefix}foreignKeyType.")
    check(foreign, "associationCategory", str, prefix=f"{prefix}foreignKeyType.")


def check_import_request(body: dict) -> None:
    prefix = f"{ROOT}."
    for field in ("name", "dateFormat"):
        check(body, field, str, prefix=prefix)
    for object_type, operation in _object(body, "importOperations", prefix).items():
        if not isinstance(operation, str):
            name = f"{prefix}importOperations.{object_type}"
            raise invalid(name, f"{name} must be CREATE, UPDATE or UPSERT.")
    for i, entry in enumerate(_objects(body, "files", prefix)):
        where = f"{prefix}files[{i}]."
        for field in ("fileName", "fileFormat", "dateFormat"):
            check(entry, field, str, prefix=where)
        page = _object(entry, "fileImportPage", where)
        check(page, "hasHeader", bool, prefix=f"{where}fileImportPage.")
        mappings = _objects(page, "columnMappings", f"{where}fileImportPage.")
        for j, mapping in enumerate(mappings):
            _mapping(mapping, f"{where}fileImportPage.columnMappings[{j}].")
