"""HubSpot private-app scopes that Comptoir understands: each object type names its own
(`ObjectType.scope`), and CRM records have schema scopes of their own."""

from comptoir.core.objects.registry import OBJECT_TYPES, crm_types, get_object_type

OTHER_SCOPES = ("crm.objects.owners.read", "crm.import", "crm.export", "crm.pipelines.orders.read")


def all_scopes() -> list[str]:
    return sorted(
        {f"{ot.scope}.{mode}" for ot in OBJECT_TYPES for mode in ("read", "write")}
        | {f"crm.schemas.{ot.name}.{mode}" for ot in crm_types() for mode in ("read", "write")}
        | set(OTHER_SCOPES)
    )


def object_scope(object_type_name: str, write: bool) -> str:
    return f"{get_object_type(object_type_name).scope}.{'write' if write else 'read'}"


def schema_scope(object_type_name: str, write: bool) -> str:
    crm = {ot.name for ot in crm_types()}
    base = object_type_name if object_type_name in crm else "contacts"
    return f"crm.schemas.{base}.{'write' if write else 'read'}"
