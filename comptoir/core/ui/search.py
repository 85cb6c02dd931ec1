"""The top bar's search: the CRM records (contacts, companies, deals) at once, as you type."""

from django.shortcuts import render
from django.urls import reverse

from comptoir.core.i18n import type_label
from comptoir.core.objects.registry import crm_types
from comptoir.core.properties import registry
from comptoir.core.properties.formatting import format_value
from comptoir.core.records.values import base_queryset, display_name, read_value
from comptoir.core.search.compiler import filtered_queryset
from comptoir.core.search.text import query_tokens

PER_TYPE = 5


def global_search(request):
    query = request.GET.get("q", "").strip()[:100]
    groups = []
    if query_tokens(query):
        for ot in crm_types():
            visible = base_queryset(ot, user=request.user)
            rows = list(filtered_queryset(ot, query=query, base=visible).order_by("-pk")[:PER_TYPE])
            if rows:
                defn = registry.definitions(ot)[ot.search_detail]
                groups.append(
                    {
                        "ot": ot,
                        "label": type_label(ot),
                        "items": [
                            {
                                "name": display_name(ot, r),
                                "detail": _secondary(defn, r),
                                "url": reverse(f"{ot.name}:detail", args=[r.pk]),
                            }
                            for r in rows
                        ],
                    }
                )
    template = "search/_results.html" if request.htmx else "search/page.html"
    return render(request, template, {"query": query, "groups": groups})


def _secondary(defn, record) -> str:
    return format_value(defn, read_value(record, defn))
