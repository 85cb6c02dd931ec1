"""What can be subscribed to (API-4), in HubSpot's words.

Contacts, companies and deals keep HubSpot's legacy names (`contact.creation`,
`company.propertyChange`, `deal.associationChange`...); every other CRM type (tasks, notes,
calls, emails, meetings, custom types) uses HubSpot's generic form, `object.creation` with
the type in `objectTypeId` ("0-27")."""

from django.utils.translation import pgettext_lazy

from comptoir.core.objects.registry import OBJECT_TYPES, UnknownObjectType, get_object_type

CREATION = "creation"
DELETION = "deletion"
PROPERTY_CHANGE = "propertyChange"
ASSOCIATION_CHANGE = "associationChange"
MERGE = "merge"
RESTORE = "restore"
# A person's record erased for good at their request (GDPR): HubSpot's contact-only event.
PRIVACY_DELETION = "privacyDeletion"

ACTIONS = {
    CREATION: pgettext_lazy("webhook event", "Created"),
    DELETION: pgettext_lazy("webhook event", "Deleted"),
    PROPERTY_CHANGE: pgettext_lazy("webhook event", "Property changed"),
    ASSOCIATION_CHANGE: pgettext_lazy("webhook event", "Association changed"),
    MERGE: pgettext_lazy("webhook event", "Merged"),
    RESTORE: pgettext_lazy("webhook event", "Restored"),
    PRIVACY_DELETION: pgettext_lazy("webhook event", "Erased for privacy (GDPR)"),
}
# HubSpot's own prefixes for the types that had webhooks before the generic form.
LEGACY = {"contacts": "contact", "companies": "company", "deals": "deal"}
GENERIC = "object"


class UnknownEventType(ValueError):
    pass


def applies(ot, action: str) -> bool:
    """Whether records of `ot` have this event: privacy deletions are of people's records."""
    return action != PRIVACY_DELETION or ot.personal_data


def subscription_type(object_type: str, action: str) -> str:
    """HubSpot's name of an event: "contact.creation", "object.propertyChange"."""
    return f"{LEGACY.get(object_type, GENERIC)}.{action}"


def subscribable_types():
    """The object types events can be had of: the CRM records and the activities."""
    return list(OBJECT_TYPES)


def parse(event_type: str, object_type_id: str | None = None) -> tuple[str, str]:
    """(object type name, action) of HubSpot's `eventType` (plus `objectTypeId` for the
    generic form); UnknownEventType when Comptoir has no such event."""
    prefix, _sep, action = (event_type or "").partition(".")
    if action not in ACTIONS:
        raise UnknownEventType(event_type)
    if prefix == GENERIC:
        try:
            ot = get_object_type(object_type_id or "")
        except UnknownObjectType:
            raise UnknownEventType(event_type) from None
        if ot not in subscribable_types() or not applies(ot, action):
            raise UnknownEventType(event_type)
        return ot.name, action
    for name, legacy in LEGACY.items():
        if legacy == prefix:
            try:
                ot = get_object_type(name)
            except UnknownObjectType:
                break
            if not applies(ot, action):
                break
            return name, action
    raise UnknownEventType(event_type)
