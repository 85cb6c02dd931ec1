"""The same URL set for every object type's pages."""

from django.urls import path

from comptoir.core.ui import (
    association_cards,
    deleted,
    inline_edit,
    personal_data,
    property_history,
    record_page,
    record_timeline,
    views,
)


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
        path("deleted/", deleted.deleted_list, kw, name="deleted"),
        path("deleted/restore/", deleted.deleted_restore, kw, name="deleted_restore"),
        path("<id:pk>/preview/", views.record_preview, kw, name="preview"),
        *record_urls(kw),
    ]


def record_urls(kw: dict) -> list:
    """The record page (UI-3, UI-4, ACT-1): core/ui/record_page.py and the modules of the
    parts htmx swaps (inline_edit, property_history, association_cards, record_timeline)."""
    page, edit, cards, tl = record_page, inline_edit, association_cards, record_timeline
    hist = property_history
    prop = "<id:pk>/properties/<str:name>/"
    card = "<id:pk>/associations/<str:target>/"
    return [
        path("<id:pk>/", page.record_detail, kw, name="detail"),
        path("<id:pk>/properties/", page.all_properties, kw, name="properties"),
        path(
            "<id:pk>/personal-data/",
            personal_data.export_personal_data,
            kw,
            name="personal_data",
        ),
        path(prop, edit.property_value, kw, name="property"),
        path(f"{prop}edit/", edit.property_edit, kw, name="property_edit"),
        path(f"{prop}history/", hist.property_history_view, kw, name="property_history"),
        path(card, cards.association_card, kw, name="assoc_card"),
        path(f"{card}search/", cards.association_search, kw, name="assoc_search"),
        path(f"{card}add/", cards.association_add, kw, name="assoc_add"),
        path(f"{card}create/", cards.association_create, kw, name="assoc_create"),
        path(f"{card}<id:to_id>/remove/", cards.association_remove, kw, name="assoc_remove"),
        path(f"{card}<id:to_id>/primary/", cards.association_primary, kw, name="assoc_primary"),
        path(f"{card}<id:to_id>/labels/", cards.association_labels, kw, name="assoc_labels"),
        path("<id:pk>/timeline/", tl.record_timeline, kw, name="timeline"),
        path("<id:pk>/log/<str:kind>/", tl.composer_log, kw, name="log"),
    ]
