"""What a record page shows: the "About" properties, formatted for the reader (UI-3)."""

from django.http import Http404

from comptoir.core.i18n import localised_label
from comptoir.core.objects.registry import UnknownObjectType, get_object_type
from comptoir.core.portal.services import portal
from comptoir.core.properties import registry
from comptoir.core.properties.formatting import format_value
from comptoir.core.records.values import read_value


def page_type(object_type):
    """The object type named in a UI path, if it has pages; else 404 (never a 500)."""
    try:
        ot = get_object_type(object_type)
    except UnknownObjectType:
        raise Http404 from None
    if ot.pages is None:
        raise Http404
    return ot


def property_rows(ot, record, names) -> list[dict]:
    defs = registry.definitions(ot)
    settings = portal()
    rows = []
    for name in names:
        defn = defs.get(name)
        if defn is None:
            continue
        value = read_value(record, defn)
        rows.append(
            {
                "name": name,
                "label": localised_label(defn),
                "display": format_value(
                    defn, value, tz=settings.report_time_zone, currency=settings.currency
                ),
                "editable": not defn.read_only_value,
            }
        )
    return rows


def about_names(ot) -> list[str]:
    """The "About" properties of an object type, in order: the admin's choice (Settings >
    Properties > About), else the built-in one. Archived properties drop out."""
    chosen = (portal().about_properties or {}).get(ot.name)
    names = chosen if chosen else list(ot.pages.about if ot.pages else ot.default_properties)
    defs = registry.definitions(ot)
    return [name for name in names if name in defs]


def about_properties(ot, record) -> list[dict]:
    return property_rows(ot, record, about_names(ot))
