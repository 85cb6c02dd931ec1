from django import template

from comptoir.users.permissions import has_right

register = template.Library()


@register.filter
def may(user, right: str) -> bool:
    """{% if user|may:"can_export" %}: a role right (comptoir.users.permissions)."""
    return has_right(user, right)
