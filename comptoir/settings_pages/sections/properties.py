"""Routes of Settings > Properties (SET-1, SET-2)."""

from django.urls import path

from comptoir.settings_pages import properties as views

urlpatterns = [
    path("", views.property_list, name="properties"),
    path("new/", views.property_create, name="property_create"),
    path("groups/new/", views.group_create, name="property_group_create"),
    path("about/", views.about, name="properties_about"),
    path("<str:object_type>/<str:name>/", views.property_edit, name="property_edit"),
    path("<str:object_type>/<str:name>/archive/", views.property_archive, name="property_archive"),
    path("<str:object_type>/<str:name>/restore/", views.property_restore, name="property_restore"),
]
