from django import template

from comptoir.core.permissions import has_right
from comptoir.imports.errorfile import reason_text

register = template.Library()


@register.filter
def may(user, right: str) -> bool:
    """{% if user|may:"can_export" %}: a role right (comptoir.core.permissions)."""
    return has_right(user, right)


@register.filter
def reason(failure) -> str:
    """Why a row was not imported, in the user's language (the stored reason is English)."""
    return reason_text(failure)
