"""Sentences that name an object type, written out in full for each type (UI-7).

Building "Create {{ kind }}" from a label only works in English: French makes the article,
the adjectives and the participles agree with the noun ("Créer une entreprise", "Aucune
transaction associée", "Contact « Léa » créé" but "Entreprise « Acme » créée").
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from comptoir.core.properties.errors import DuplicateValue, RecordNotFound

PHRASES = {
    # The index page's create button and the create dialog's title.
    "create": {
        "contacts": _("Create contact"),
        "companies": _("Create company"),
        "deals": _("Create deal"),
        "tasks": _("Create task"),
    },
    # The empty table.
    "none_yet": {
        "contacts": _("No contacts yet"),
        "companies": _("No companies yet"),
        "deals": _("No deals yet"),
        "tasks": _("No tasks yet"),
    },
    # The association cards of a record page.
    "add": {
        "contacts": _("Add contacts"),
        "companies": _("Add companies"),
        "deals": _("Add deals"),
        "tasks": _("Add tasks"),
    },
    "search_existing": {
        "contacts": _("Search existing contacts"),
        "companies": _("Search existing companies"),
        "deals": _("Search existing deals"),
        "tasks": _("Search existing tasks"),
    },
    "create_new": {
        "contacts": _("Create a new contact"),
        "companies": _("Create a new company"),
        "deals": _("Create a new deal"),
        "tasks": _("Create a new task"),
    },
    "none_associated": {
        "contacts": _("No associated contacts."),
        "companies": _("No associated companies."),
        "deals": _("No associated deals."),
        "tasks": _("No associated tasks."),
    },
    # The message after the create dialog.
    "created": {
        "contacts": _("Contact “%(name)s” created."),
        "companies": _("Company “%(name)s” created."),
        "deals": _("Deal “%(name)s” created."),
        "tasks": _("Task “%(name)s” created."),
    },
    # The built-in views (tabs) of the index pages: "All" is "Tous les contacts" but
    # "Toutes les entreprises".
    "view_all": {
        "contacts": pgettext_lazy("contacts view", "All"),
        "companies": pgettext_lazy("companies view", "All"),
        "deals": pgettext_lazy("deals view", "All"),
        "tasks": pgettext_lazy("tasks view", "All tasks"),
    },
    "view_mine": {
        "contacts": pgettext_lazy("contacts view", "My records"),
        "companies": pgettext_lazy("companies view", "My records"),
        "deals": pgettext_lazy("deals view", "My records"),
        "tasks": pgettext_lazy("tasks view", "My records"),
    },
    "view_unassigned": {
        "contacts": pgettext_lazy("contacts view", "Unassigned"),
        "companies": pgettext_lazy("companies view", "Unassigned"),
        "deals": pgettext_lazy("deals view", "Unassigned"),
        "tasks": pgettext_lazy("tasks view", "Unassigned"),
    },
    "view_recent": {
        "contacts": pgettext_lazy("contacts view", "Recently created"),
        "companies": pgettext_lazy("companies view", "Recently created"),
        "deals": pgettext_lazy("deals view", "Recently created"),
        "tasks": pgettext_lazy("tasks view", "Recently created"),
    },
}


def phrase(key: str, ot, default="", **values) -> str:
    """The sentence `key` for object type `ot` (an ObjectType or its name), in the current
    language, with %(name)s-style `values` filled in."""
    text = PHRASES[key].get(getattr(ot, "name", ot)) or default
    text = str(text)
    return text % values if values else text


# -- refused values ---------------------------------------------------------------------------
# The services word their errors in English for the API (HubSpot's messages, with the value
# and the rule). The browser shows them as they are in English, and in other languages a
# translated sentence chosen by the error's code.
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


def _english() -> bool:
    from django.utils import translation

    return (translation.get_language() or "en").startswith("en")


def error_text(error) -> str:
    """Why one value was refused (a PropertyError), in the user's language."""
    if _english():
        return error.message
    return str(FIELD_ERRORS.get(error.code, error.message))


def errors_text(exc) -> str:
    """Why a record was refused (ValidationFailed, DuplicateValue…), as one sentence."""
    if _english():
        return str(getattr(exc, "message", exc))

    if isinstance(exc, DuplicateValue):
        return str(FIELD_ERRORS["DUPLICATE_VALUE"])
    if isinstance(exc, RecordNotFound):
        return str(FIELD_ERRORS["OBJECT_NOT_FOUND"])
    texts = [error_text(e) for e in getattr(exc, "errors", ())]
    return " ".join(dict.fromkeys(texts)) or str(getattr(exc, "message", exc))


def view_label(view, ot) -> str:
    """A built-in view's tab name for one object type ("Tous les contacts", "Toutes les
    entreprises")."""
    return phrase(f"view_{view.key}", ot, default=view.label)
