"""The same URL set for every object type's pages."""

from django.urls import path

from comptoir.core.ui import record_views, views


def type_urls(ot) -> tuple[list, str]:
    """An object type's pages, namespaced by its name ("contacts:detail"): the generic set,
    or what the type's `pages.urls()` gives instead (the tasks page)."""
    patterns = ot.pages.urls() if ot.pages.urls else object_urls(ot.name)
    return patterns, ot.name


def object_urls(object_type: str) -> list:
    kw = {"object_type": object_type}
    return [
        path("", views.record_list, kw, name="list"),
        path("create/", views.record_create, kw, name="create"),
        path("bulk/", views.bulk_action, kw, name="bulk"),
        path("columns/", views.edit_columns, kw, name="columns"),
        path("views/", views.view_save, kw, name="view_save"),
        path("views/<id:view_id>/", views.view_change, kw, name="view_change"),
        path("<id:pk>/preview/", views.record_preview, kw, name="preview"),
        *record_urls(kw),
    ]


def record_urls(kw: dict) -> list:
    """The record page (UI-3, UI-4, ACT-1): core/ui/record_views.py."""
    rv = record_views
    prop = "<id:pk>/properties/<str:name>/"
    card = "<id:pk>/associations/<str:target>/"
    return [
        path("<id:pk>/", rv.record_detail, kw, name="detail"),
        path("<id:pk>/properties/", rv.all_properties, kw, name="properties"),
        path(prop, rv.property_value, kw, name="property"),
        path(f"{prop}edit/", rv.property_edit, kw, name="property_edit"),
        path(f"{prop}history/", rv.property_history_view, kw, name="property_history"),
        path(card, rv.association_card, kw, name="assoc_card"),
        path(f"{card}search/", rv.association_search, kw, name="assoc_search"),
        path(f"{card}add/", rv.association_add, kw, name="assoc_add"),
        path(f"{card}create/", rv.association_create, kw, name="assoc_create"),
        path(f"{card}<id:to_id>/remove/", rv.association_remove, kw, name="assoc_remove"),
        path(f"{card}<id:to_id>/primary/", rv.association_primary, kw, name="assoc_primary"),
        path(f"{card}<id:to_id>/labels/", rv.association_labels, kw, name="assoc_labels"),
        path("<id:pk>/timeline/", rv.record_timeline, kw, name="timeline"),
        path("<id:pk>/log/<str:kind>/", rv.composer_log, kw, name="log"),
    ]
