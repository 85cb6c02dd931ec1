"""Errors raised when property values or definitions are refused, and their codes in words."""

from django.utils.translation import gettext_lazy as _

# A refused value's code as a translated sentence: the pages show it in languages other than
# English, the import error files in every language.
FIELD_ERRORS = {
    "REQUIRED": _("This field is required."),
    "INVALID_EMAIL": _("Enter a valid email address."),
    "INVALID_DOMAIN": _("Enter a valid domain name, such as acme.fr."),
    "INVALID_NUMBER": _("Enter a number."),
    "INVALID_DATE": _("Enter a valid date."),
    "INVALID_DATETIME": _("Enter a valid date and time."),
    "INVALID_BOOLEAN": _("Choose yes or no."),
    "INVALID_STRING": _("Enter text."),
    "INVALID_OPTION": _("Choose one of the listed values."),
    "INVALID_STAGE": _("This stage is not part of the deal's pipeline."),
    "TOO_LONG": _("This text is too long."),
    "DUPLICATE_VALUE": _("This value is already used by another record."),
    "PROPERTY_DOESNT_EXIST": _("This property no longer exists."),
    "INVALID_ASSOCIATION": _("These records cannot be associated."),
    "INVALID_ASSOCIATION_TYPE": _("This association label no longer exists."),
    "OBJECT_NOT_FOUND": _("That record no longer exists."),
}


class PropertyError(Exception):
    """One refused value: which property, a HubSpot-style code and a readable reason."""

    def __init__(self, name: str, code: str, message: str, value=None):
        self.name = name
        self.code = code
        self.message = message
        self.value = value
        super().__init__(message)

    def as_dict(self) -> dict:
        return {"name": self.name, "code": self.code, "message": self.message}


class ValidationFailed(Exception):
    """A record (or definition) was refused; nothing of it was saved."""

    def __init__(self, errors: list[PropertyError], message: str | None = None):
        self.errors = errors
        if message is None:
            reasons = "; ".join(f"{e.name}: {e.message}" for e in errors)
            message = f"Property values were not valid: {reasons}"
        self.message = message
        super().__init__(message)


class DuplicateValue(Exception):
    """A unique property (contact email, company domain, custom unique) is already taken.

    `existing_id` is None when the caller may not see the record that holds the value: the
    refusal then names no id, so the record stays hidden (only its value is known taken)."""

    def __init__(self, object_type, name: str, value, existing_id: int | None):
        self.object_type = object_type
        self.name = name
        self.value = value
        self.existing_id = existing_id
        self.message = duplicate_message(object_type, name, value, existing_id)
        super().__init__(self.message)


def duplicate_message(object_type, name: str, value, existing_id: int | None) -> str:
    """HubSpot's words for a taken value, naming the existing record when it may be named."""
    if existing_id is None:
        return f"A {object_type.singular} with this {name} already exists."
    if object_type.name == "contacts" and name == "email":
        return f"Contact already exists. Existing ID: {existing_id}"
    return (
        f"A {object_type.singular} with {name}={value!r} already exists. Existing ID: {existing_id}"
    )


class RecordNotFound(LookupError):
    def __init__(self, object_type, record_id):
        self.object_type = object_type
        self.record_id = record_id
        super().__init__(f"No {object_type.singular} with id {record_id}.")
