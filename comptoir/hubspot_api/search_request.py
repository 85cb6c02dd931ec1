"""The JSON types of a search body (HubSpot's PublicObjectSearchRequest), checked before the
search compiler reads it, so a wrong type is a 400 naming the field, never a 500.

The compiler decides meaning (which properties, operators and values, how many filters);
this only makes sure each field has the type HubSpot's model declares."""

import json

from comptoir.hubspot_api.fields import check, invalid


def _strings(data: dict, field: str) -> None:
    values = data.get(field)
    if values is None:
        return
    if not isinstance(values, list):
        raise invalid(field, f"{field} must be an array of strings.")
    for i, value in enumerate(values):
        if not isinstance(value, str):
            shown = json.dumps(value)[:60]
            raise invalid(f"{field}[{i}]", f"{field}[{i}] must be a string, not {shown}.")


def _sorts(sorts) -> None:
    if sorts is None:
        return
    if not isinstance(sorts, list):
        raise invalid("sorts", "sorts must be an array.")
    for i, sort in enumerate(sorts):
        if isinstance(sort, str):
            continue
        if not isinstance(sort, dict):
            raise invalid(f"sorts[{i}]", f"sorts[{i}] must be a property name or an object.")
        check(sort, "propertyName", str, required=True, prefix=f"sorts[{i}].")
        check(sort, "direction", str, prefix=f"sorts[{i}].")


def _filter_groups(groups) -> None:
    if groups is None:
        return
    if not isinstance(groups, list):
        raise invalid("filterGroups", "filterGroups must be an array of filter groups.")
    for g, group in enumerate(groups):
        where = f"filterGroups[{g}]"
        if not isinstance(group, dict) or not isinstance(group.get("filters"), list):
            raise invalid(where, f"{where} must be an object with a filters array.")
        _filters(group["filters"], f"{where}.filters")


def _filters(filters, where: str) -> None:
    if not isinstance(filters, list):
        raise invalid(where, f"{where} must be an array of filters.")
    for f, flt in enumerate(filters):
        if not isinstance(flt, dict):
            raise invalid(f"{where}[{f}]", f"{where}[{f}] must be an object.")
        for field in ("propertyName", "operator"):
            check(flt, field, str, required=True, prefix=f"{where}[{f}].")


def check_search_request(data: dict) -> None:
    check(data, "query", str)
    check(data, "limit", int)
    after = data.get("after")
    if after is not None and (not isinstance(after, str | int) or isinstance(after, bool)):
        raise invalid("after", "after must be a string (the paging cursor of the last page).")
    _strings(data, "properties")
    _sorts(data.get("sorts"))
    _filter_groups(data.get("filterGroups"))
    if data.get("filters") is not None:  # HubSpot also takes one ANDed list, no group
        _filters(data["filters"], "filters")
