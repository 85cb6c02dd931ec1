"""Template helpers of the browser app: icons, initials, property values per locale."""

from babel import numbers as babel_numbers
from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from comptoir.core import i18n
from comptoir.core.objects.registry import OBJECT_TYPES
from comptoir.core.portal.services import portal
from comptoir.core.properties.formatting import format_date, format_datetime_short
from comptoir.core.ui.phrases import phrase

register = template.Library()

# Inline SVG paths (24x24, stroke icons), kept here rather than pulled from a CDN; object
# types bring their own (ObjectType.icon_svg).
ICONS = {
    "dashboard": '<path d="M3 13h8V3H3zM13 21h8V11h-8zM3 21h8v-6H3zM13 3v6h8V3z"/>',
    "search": '<circle cx="11" cy="11" r="7"/><path d="M21 21l-4.3-4.3"/>',
    "plus": '<path d="M12 5v14M5 12h14"/>',
    "menu": '<path d="M3 6h18M3 12h18M3 18h18"/>',
    "close": '<path d="M6 6l12 12M18 6L6 18"/>',
    "note": '<path d="M4 4h16v12l-4 4H4z"/><path d="M16 20v-4h4"/>',
    "call": '<path d="M22 16.9v3a2 2 0 0 1-2.2 2 19.8 19.8 0 0 1-8.6-3.1 19.5 19.5 0 0 1-6-6A19.8 19.8 0 0 1 2.1 4.2 2 2 0 0 1 4.1 2h3a2 2 0 0 1 2 1.7c.1.9.4 1.8.7 2.7a2 2 0 0 1-.5 2.1L8 9.8a16 16 0 0 0 6 6l1.3-1.3a2 2 0 0 1 2.1-.5c.9.3 1.8.6 2.7.7a2 2 0 0 1 1.7 2z"/>',
    "email": '<rect x="2" y="4" width="20" height="16" rx="2"/><path d="M22 7l-10 6L2 7"/>',
    "meeting": '<rect x="3" y="4" width="18" height="18" rx="2"/><path d="M16 2v4M8 2v4M3 10h18"/>',
    "history": '<path d="M3 12a9 9 0 1 0 3-6.7L3 8"/><path d="M3 3v5h5M12 7v5l3 3"/>',
    "eye": '<path d="M1 12s4-8 11-8 11 8 11 8-4 8-11 8S1 12 1 12z"/><circle cx="12" cy="12" r="3"/>',
    "link": '<path d="M10 13a5 5 0 0 0 7.5.5l3-3a5 5 0 0 0-7-7l-1.7 1.7"/>'
    '<path d="M14 11a5 5 0 0 0-7.5-.5l-3 3a5 5 0 0 0 7 7l1.7-1.7"/>',
    "columns": '<rect x="3" y="3" width="18" height="18" rx="2"/><path d="M9 3v18M15 3v18"/>',
    "filter": '<path d="M22 3H2l8 9.5V19l4 2v-8.5z"/>',
    "logo": '<path d="M4 20V10l8-6 8 6v10z"/><path d="M9 20v-6h6v6"/>',
    "trash": '<path d="M3 6h18M8 6V4h8v2M19 6l-1 14H6L5 6"/>',
    "pencil": '<path d="M17 3l4 4L8 20H4v-4z"/><path d="M14 6l4 4"/>',
    "board": '<rect x="3" y="3" width="5" height="18" rx="1"/><rect x="10" y="3" width="5" height="12" rx="1"/><rect x="17" y="3" width="4" height="8" rx="1"/>',
    "settings": '<circle cx="12" cy="12" r="3"/><path d="M19.4 15a1.7 1.7 0 0 0 .3 1.8l.1.1a2 2 0 1 1-2.8 2.8l-.1-.1a1.7 1.7 0 0 0-1.8-.3 1.7 1.7 0 0 0-1 1.5V21a2 2 0 1 1-4 0v-.1a1.7 1.7 0 0 0-1.1-1.5 1.7 1.7 0 0 0-1.8.3l-.1.1a2 2 0 1 1-2.8-2.8l.1-.1a1.7 1.7 0 0 0 .3-1.8 1.7 1.7 0 0 0-1.5-1H3a2 2 0 1 1 0-4h.1a1.7 1.7 0 0 0 1.5-1.1 1.7 1.7 0 0 0-.3-1.8l-.1-.1a2 2 0 1 1 2.8-2.8l.1.1a1.7 1.7 0 0 0 1.8.3H9a1.7 1.7 0 0 0 1-1.5V3a2 2 0 1 1 4 0v.1a1.7 1.7 0 0 0 1 1.5 1.7 1.7 0 0 0 1.8-.3l.1-.1a2 2 0 1 1 2.8 2.8l-.1.1a1.7 1.7 0 0 0-.3 1.8V9a1.7 1.7 0 0 0 1.5 1H21a2 2 0 1 1 0 4h-.1a1.7 1.7 0 0 0-1.5 1z"/>',
    "tools": '<path d="M14.7 6.3a4 4 0 0 0-5.4 5.4L3 18l3 3 6.3-6.3a4 4 0 0 0 5.4-5.4l-2.5 2.5-2.4-.6-.6-2.4z"/>',
    "bell": '<path d="M18 8A6 6 0 0 0 6 8c0 7-3 9-3 9h18s-3-2-3-9"/><path d="M13.7 21a2 2 0 0 1-3.4 0"/>',
    "table": '<rect x="3" y="4" width="18" height="16" rx="2"/><path d="M3 10h18M3 15h18M9 4v16"/>',
}


def _type_icon(name: str) -> str:
    """The glyph an object type brings (its `icon_svg`), by the type's icon or name."""
    return next((ot.icon_svg for ot in OBJECT_TYPES if name in (ot.icon, ot.name)), "")


@register.simple_tag
def icon(name: str, label: str = ""):
    path = ICONS.get(name) or _type_icon(name) or ICONS["note"]
    aria = format_html(' role="img" aria-label="{}"', label) if label else ' aria-hidden="true"'
    return mark_safe(
        f'<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" '
        f'stroke-linecap="round" stroke-linejoin="round"{aria}>{path}</svg>'
    )


@register.filter
def initials(text) -> str:
    words = [w for w in str(text or "").replace("@", " ").split() if w[:1].isalnum()]
    return "".join(w[0] for w in words[:2]).upper() or "?"


@register.filter
def sort_url(state, name):
    # "?" rather than "": an empty href would stay on the current page.
    return state.sort_url(name) or "?"


@register.simple_tag
def type_phrase(key: str, ot, **values) -> str:
    """A sentence naming an object type, agreed per language (core/ui/phrases.py)."""
    return phrase(key, ot, **values)


@register.simple_tag
def other_language() -> tuple[str, str]:
    """(code, name) of the language the user menu offers ({% other_language as other %})."""
    return i18n.other_language()


@register.filter
def type_label(ot, singular=False) -> str:
    """The object type's name in the current language ("Entreprises")."""
    return i18n.type_label(ot, plural=not singular)


@register.filter
def local_datetime(moment, style: str = "datetime") -> str:
    """A moment as people read it on every page: the portal's report time zone, the
    reader's locale (Babel), like the record pages; style "date" drops the time."""
    if not moment:
        return ""

    tz = portal().report_time_zone
    return format_date(moment, tz) if style == "date" else format_datetime_short(moment, tz)


@register.filter
def percentage(share) -> str:
    """A share (0..1) as a whole percentage in the reader's language (Babel): “50 %” in
    French (a no-break space), “50%” in English."""
    return babel_numbers.format_percent(share, locale=i18n.babel_locale())
