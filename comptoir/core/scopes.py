"""HubSpot private-app scopes that Comptoir understands."""

OBJECT_SCOPES = {
    "contacts": "crm.objects.contacts",
    "companies": "crm.objects.companies",
    "deals": "crm.objects.deals",
    # HubSpot guards engagements with the contacts scopes.
    "tasks": "crm.objects.contacts",
    "notes": "crm.objects.contacts",
    "calls": "crm.objects.contacts",
    "emails": "crm.objects.contacts",
    "meetings": "crm.objects.contacts",
}

ALL_SCOPES = sorted(
    {f"{base}.{mode}" for base in set(OBJECT_SCOPES.values()) for mode in ("read", "write")}
    | {
        f"crm.schemas.{name}.{mode}"
        for name in ("contacts", "companies", "deals")
        for mode in ("read", "write")
    }
    | {"crm.objects.owners.read", "crm.import", "crm.export", "crm.pipelines.orders.read"}
)


def object_scope(object_type_name: str, write: bool) -> str:
    return f"{OBJECT_SCOPES[object_type_name]}.{'write' if write else 'read'}"


def schema_scope(object_type_name: str, write: bool) -> str:
    base = (
        object_type_name if object_type_name in ("contacts", "companies", "deals") else "contacts"
    )
    return f"crm.schemas.{base}.{'write' if write else 'read'}"
