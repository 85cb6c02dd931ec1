"""What a record page shows: the "About" properties, formatted for the reader (UI-3)."""

from django.http import Http404

from comptoir.core.objects.registry import UnknownObjectType, get_object_type
from comptoir.core.portal.services import portal
from comptoir.core.properties import registry
from comptoir.core.records.values import read_value
from comptoir.core.ui.formatting import babel_locale, format_value

PAGE_TYPES = ("contacts", "companies", "deals", "tasks")


def page_type(object_type):
    """The object type named in a UI path, if it has pages; else 404 (never a 500)."""
    try:
        ot = get_object_type(object_type)
    except UnknownObjectType:
        raise Http404 from None
    if ot.name not in PAGE_TYPES:
        raise Http404
    return ot


ABOUT = {
    "contacts": [
        "email",
        "phone",
        "mobilephone",
        "jobtitle",
        "hubspot_owner_id",
        "lifecyclestage",
        "hs_lead_status",
        "city",
        "country",
        "createdate",
        "notes_last_updated",
    ],
    "companies": [
        "domain",
        "name",
        "industry",
        "type",
        "hubspot_owner_id",
        "phone",
        "city",
        "country",
        "numberofemployees",
        "annualrevenue",
        "lifecyclestage",
        "createdate",
    ],
    "deals": [
        "amount",
        "dealstage",
        "pipeline",
        "closedate",
        "hubspot_owner_id",
        "dealtype",
        "hs_priority",
        "hs_deal_stage_probability",
        "createdate",
    ],
    "tasks": [
        "hs_task_subject",
        "hs_timestamp",
        "hs_task_status",
        "hs_task_priority",
        "hs_task_type",
        "hubspot_owner_id",
    ],
}


def label(defn) -> str:
    return defn.label_fr if babel_locale().startswith("fr") and defn.label_fr else defn.label


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
                "label": label(defn),
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
    names = chosen if chosen else ABOUT.get(ot.name, list(ot.default_properties))
    defs = registry.definitions(ot)
    return [name for name in names if name in defs]


def about_properties(ot, record) -> list[dict]:
    return property_rows(ot, record, about_names(ot))
