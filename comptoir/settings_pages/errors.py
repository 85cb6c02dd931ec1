"""Engine refusals (ValidationFailed from the property and pipeline services) as messages
next to the form fields of the settings pages, in the user's language."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from comptoir.core.properties.errors import ValidationFailed

# The engine's field names → the settings forms' field names.
FIELDS = {
    "name": "name",
    "label": "label",
    "stages.label": "label",
    "options": "options",
    "hasUniqueValue": "unique",
    "groupName": "group",
    "fieldType": "kind",
    "type": "kind",
    "moveTo": "move_to",
    "metadata.probability": "probability",
}

MESSAGES = {
    "PROPERTY_EXISTS": _("A property with this internal name already exists: choose another."),
    "INVALID_PROPERTY_NAME": _(
        "Use at most 50 lower-case letters, digits and underscores, starting with a letter."
    ),
    "INVALID_OPTION": _("Each option needs a label and a value; a value cannot contain “;”."),
    "DUPLICATE_OPTION": _("Two options have the same value."),
    "INVALID_UNIQUE": _("Only text and number properties can require unique values."),
    "INVALID_GROUP": _("Choose a group."),
    "INVALID_FIELD_TYPE": _("This field type does not fit the property."),
    "TYPE_CHANGE": _("The type of a property cannot change once created."),
    "READ_ONLY_DEFINITION": _(
        "This is a default property: only its labels and description change."
    ),
    "NOT_ARCHIVABLE": _("Default properties cannot be archived."),
    "PROPERTY_DOESNT_EXIST": _("This property no longer exists."),
    "INVALID_GROUP_NAME": _("Enter a group name."),
    "GROUP_EXISTS": _("A group with this name already exists."),
    "DESTINATION_REQUIRED": _("Deals are still in this stage: choose the stage they move to."),
    "INVALID_DESTINATION": _("Deals cannot move to a stage being deleted: choose another."),
    "STAGE_DOESNT_EXIST": _("That stage no longer exists: choose another."),
    "LAST_STAGE": _("A pipeline keeps at least one stage."),
    "LAST_PIPELINE": _("Deals keep at least one pipeline."),
    "DUPLICATE_LABEL": _("A pipeline with this name already exists."),
    "INVALID_NUMBER": _("Enter a probability between 0 and 100."),
    "OUT_OF_RANGE": _("Enter a probability between 0 and 100."),
    "PIPELINE_DOESNT_EXIST": _("This pipeline no longer exists."),
}
REQUIRED = {
    "options": _("Add at least one option."),
    "label": _("This field is required."),
    "stages.label": _("This field is required."),
    "stages": _("A pipeline needs at least one stage."),
    "metadata.probability": _("Enter a probability between 0 and 100."),
}


def field_errors(exc: ValidationFailed, overrides: dict | None = None) -> dict[str, str]:
    """{form field: message} for a refusal; "__all__" for what belongs to no field."""
    result: dict[str, str] = {}
    for error in exc.errors:
        field = FIELDS.get(error.name, "__all__")
        if overrides and error.code in overrides:
            text = overrides[error.code]
        elif error.code == "OPTION_IN_USE":
            count = error.value or 0
            text = ngettext(
                "%(count)d record still uses an option you removed: keep it, or change "
                "that record first.",
                "%(count)d records still use options you removed: keep them, or change "
                "those records first.",
                count,
            ) % {"count": count}
        elif error.code == "REQUIRED":
            text = REQUIRED.get(error.name, _("This field is required."))
        else:
            text = MESSAGES.get(error.code, error.message)
        result.setdefault(field, str(text))
    return result


def apply(form, exc: ValidationFailed, overrides: dict | None = None) -> None:
    """Put the refusal on a Django form's fields (unknown fields: the form's own errors)."""
    for field, text in field_errors(exc, overrides).items():
        form.add_error(field if field in form.fields else None, text)
