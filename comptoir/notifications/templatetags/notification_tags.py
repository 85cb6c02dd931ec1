import datetime as dt

from django import template
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

from comptoir.notifications.services import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    """The bell's number: one indexed COUNT per page, none for anonymous visitors."""
    user = getattr(context.get("request"), "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return unread_count(user)


@register.filter
def ago(moment) -> str:
    """ "just now", else "5 minutes ago" (the largest unit only)."""
    if timezone.now() - moment < dt.timedelta(minutes=1):
        return _("just now")
    return _("%(ago)s ago") % {"ago": timesince(moment, depth=1)}
