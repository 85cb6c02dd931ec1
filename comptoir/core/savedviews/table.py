"""What a list's table holds, as text: its column headers and, for each record, the display
value of each column (UI-1). The index pages and the tasks page render it; the exports write
it to CSV and XLSX (SET-6), which is why it lives below the UI (a contract in pyproject.toml
keeps it from importing core.ui)."""

from django.urls import reverse

from comptoir.core.i18n import localised_label
from comptoir.core.portal.services import portal
from comptoir.core.properties import registry
from comptoir.core.properties.formatting import format_cell, format_value
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


LONG_CELL = 18  # characters: about what 170 px show


def table_rows(ot, rows, names, user=None, *, cells: bool = False) -> list[dict]:
    """cells: the short forms a page's table shows (a day for a date and time, the full form
    as `title`); without, the full forms (exports)."""
    defs = registry.definitions(ot)
    settings = portal()
    companies = _company_names(rows, names, user)
    result = []
    for record in rows:
        shown = []
        for name in names:
            defn = defs[name]
            value = read_value(record, defn)
            title = link = ""
            if name == "associatedcompanyid" and value is not None:
                text = companies.get(int(value), "")
                link = reverse("companies:detail", args=[value]) if text else ""
            elif cells:
                text, title = format_cell(
                    defn, value, tz=settings.report_time_zone, currency=settings.currency
                )
                # A long value may be cut with an ellipsis by the column's width: whole on hover.
                title = title or (text if len(text) > LONG_CELL else "")
            else:
                text = format_value(
                    defn, value, tz=settings.report_time_zone, currency=settings.currency
                )
            numeric = defn.kind.numeric and name != "associatedcompanyid"
            shown.append(
                {"name": name, "text": text, "title": title, "link": link, "numeric": numeric}
            )
        result.append(
            {
                "pk": record.pk,
                "name": display_name(ot, record),
                "url": detail_url(ot, record.pk),
                "cells": shown,
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
