"""What a list's table holds, as text: its column headers and, for each record, the display
value of each column (UI-1). The index pages and the tasks page render it; the exports write
it to CSV and XLSX (SET-6), which is why it lives below the UI (a contract in pyproject.toml
keeps it from importing core.ui)."""

from django.urls import reverse

from comptoir.core.i18n import localised_label
from comptoir.core.portal.services import portal
from comptoir.core.properties import registry
from comptoir.core.properties.formatting import format_value
from comptoir.core.records.values import base_queryset, display_name, read_value
from comptoir.core.savedviews.listing import ListState


def detail_url(ot, pk) -> str:
    return reverse(f"{ot.name}:detail", args=[pk])


def _company_names(rows, names, user) -> dict:
    """Primary-company column shows names (of companies the user may see): one query."""
    if "associatedcompanyid" not in names:
        return {}
    ids = {r.properties.get("associatedcompanyid") for r in rows} - {None}
    companies = base_queryset("companies", user=user).filter(pk__in=ids)
    return dict(companies.values_list("pk", "name"))


def table_rows(ot, rows, names, user=None) -> list[dict]:
    defs = registry.definitions(ot)
    settings = portal()
    companies = _company_names(rows, names, user)
    result = []
    for record in rows:
        cells = []
        for name in names:
            defn = defs[name]
            value = read_value(record, defn)
            if name == "associatedcompanyid" and value is not None:
                text = companies.get(int(value), "")
                link = reverse("companies:detail", args=[value]) if text else ""
            else:
                text = format_value(
                    defn, value, tz=settings.report_time_zone, currency=settings.currency
                )
                link = ""
            numeric = defn.kind.numeric and name != "associatedcompanyid"
            cells.append({"name": name, "text": text, "link": link, "numeric": numeric})
        result.append(
            {
                "pk": record.pk,
                "name": display_name(ot, record),
                "url": detail_url(ot, record.pk),
                "cells": cells,
            }
        )
    return result


def column_headers(state: ListState, names) -> list[dict]:
    defs = registry.definitions(state.ot)
    return [
        {
            "name": n,
            "label": state.column_labels.get(n) or localised_label(defs[n]),
            "numeric": defs[n].kind.numeric and n != "associatedcompanyid",
        }
        for n in names
    ]
