"""Filters kept relative in links and saved views ("in the last 7 days", owner "me", a day
of a date-time property) turned into the search request they mean now, for this user, in
the report time zone. Each property kind knows its own (`PropertyKind.resolve_filter`)."""

import datetime as dt
import zoneinfo

from django.utils import timezone

from comptoir.core.portal.services import portal
from comptoir.core.properties import registry
from comptoir.core.properties.kinds.base import FilterContext


def me_value(user) -> str:
    """The owner id "me" stands for ("0", nobody's, for a user without one)."""
    owner = getattr(user, "owner", None)
    return str(owner.pk) if owner else "0"


def _names_me(groups) -> bool:
    for group in groups:
        for flt in group.get("filters") or () if isinstance(group, dict) else ():
            if isinstance(flt, dict) and (
                flt.get("value") == "me"
                or (isinstance(flt.get("values"), list) and "me" in flt["values"])
            ):
                return True
    return False


def resolve(ot, groups, user, *, tz: str | None = None, today: dt.date | None = None) -> list:
    """filterGroups with relative values → filterGroups the search compiler takes. Anything
    malformed is passed through unchanged: the compiler names the problem."""
    if not groups or not isinstance(groups, list):
        return groups
    defs = registry.definitions(ot)
    tz = tz or portal().report_time_zone
    if today is None:
        today = timezone.now().astimezone(zoneinfo.ZoneInfo(tz)).date()
    ctx = FilterContext(tz=tz, today=today)
    me = me_value(user) if _names_me(groups) else "0"  # the owner costs a query: when asked
    resolved = []
    for group in groups:
        if not isinstance(group, dict) or not isinstance(group.get("filters"), list):
            resolved.append(group)
            continue
        filters = []
        for flt in group["filters"]:
            defn = defs.get(flt.get("propertyName")) if isinstance(flt, dict) else None
            if defn is not None and isinstance(flt.get("propertyName"), str):
                flt = defn.kind.resolve_filter(defn, flt, ctx, me)
            filters.append(flt)
        resolved.append({**group, "filters": filters})
    return resolved
