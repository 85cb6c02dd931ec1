"""Language helpers: the reader's language, its Babel locale, and the label to show when a
fact has an English and a French label (a property, an option, a group, a pipeline, a stage,
an object type). The one place that makes the choice: core/tests/test_code_style.py fails
when it is written again elsewhere."""

from django.utils import translation

from comptoir.core.objects.registry import get_object_type

# The languages Comptoir speaks (a user's or the portal's choice is one of these).
LANGUAGES = ("en", "fr")
BABEL_LOCALES = {"fr": "fr_FR", "en": "en_US"}


def is_french() -> bool:
    """True when the active language is French."""
    return (translation.get_language() or "en").startswith("fr")


def is_english() -> bool:
    """True when the active language is English (the engine's own messages are English)."""
    return (translation.get_language() or "en").startswith("en")


def wants_french(locale) -> bool:
    """True for a locale asked for by name ("fr", "fr-FR"), such as the API's `locale`."""
    return str(locale or "").strip().lower().startswith("fr")


def other_language() -> tuple[str, str]:
    """(code, name) of the language the user menu offers to switch to: the one not active."""
    return ("en", "English") if is_french() else ("fr", "Français")


def babel_locale() -> str:
    """The Babel locale of the active language (dates, numbers, amounts)."""
    return BABEL_LOCALES.get((translation.get_language() or "en")[:2], "en_US")


def localised(label: str, label_fr, *, french: bool | None = None) -> str:
    """`label_fr` for a French reader when there is one, else `label`. `french`: the
    choice made by the caller (an API `locale`); None: the active language."""
    if french is None:
        french = is_french()
    return label_fr if french and label_fr else label


def localised_label(item, *, french: bool | None = None) -> str:
    """The label of anything with `label` and `label_fr`, attributes or keys (an option)."""
    if isinstance(item, dict):
        return localised(item["label"], item.get("label_fr"), french=french)
    return localised(item.label, item.label_fr, french=french)


def label_field(item) -> str:
    """The field a label typed in the reader's language goes to: "label_fr" when French
    and the item has a French label (the one shown), else "label"."""
    label_fr = item.get("label_fr") if isinstance(item, dict) else item.label_fr
    return "label_fr" if is_french() and label_fr else "label"


def type_label(ot, *, plural: bool = True) -> str:
    """An object type's name in the reader's language ("Entreprises", "Entreprise")."""
    ot = get_object_type(ot)
    if plural:
        return localised(ot.label, ot.label_fr)
    return localised(ot.singular_label, ot.singular_label_fr)
