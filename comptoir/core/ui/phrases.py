"""Sentences that name an object type, written out in full for each type (UI-7).

Building "Create {{ kind }}" from a label only works in English: French makes the article,
the adjectives and the participles agree with the noun ("Créer une entreprise", "Aucune
transaction associée", "Contact « Léa » créé" but "Entreprise « Acme » créée").
"""

from comptoir.core.i18n import is_english
from comptoir.core.objects.registry import UnknownObjectType, get_object_type
from comptoir.core.properties.errors import FIELD_ERRORS, DuplicateValue, RecordNotFound

# Each type with pages writes its sentences in its `pages.phrases` (contacts/objecttype.py):
# "create" (the index page's create button and the create dialog's title), "none_yet" (the
# empty table), "add", "search_existing", "create_new", "none_associated" (the association
# cards of a record page), "created" (the message after the create dialog), and "view_all",
# "view_mine", "view_unassigned", "view_recent" (the built-in views' tabs: "All" is "Tous
# les contacts" but "Toutes les entreprises").


def phrase(key: str, ot, default="", **values) -> str:
    """The sentence `key` for object type `ot` (an ObjectType or its name), in the current
    language, with %(name)s-style `values` filled in."""
    try:
        pages = get_object_type(ot).pages
    except UnknownObjectType:
        pages = None
    text = (pages.phrases.get(key) if pages else None) or default
    text = str(text)
    return text % values if values else text


# -- refused values ---------------------------------------------------------------------------
# The services word their errors in English for the API (HubSpot's messages, with the value
# and the rule). The browser shows them as they are in English, and in other languages a
# translated sentence chosen by the error's code (FIELD_ERRORS, beside the errors: the import
# error files write them too).


def error_text(error) -> str:
    """Why one value was refused (a PropertyError), in the user's language."""
    if is_english():
        return error.message
    return str(FIELD_ERRORS.get(error.code, error.message))


def errors_text(exc) -> str:
    """Why a record was refused (ValidationFailed, DuplicateValue…), as one sentence."""
    if is_english():
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
