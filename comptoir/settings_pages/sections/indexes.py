"""Routes of Settings > Indexes."""

from django.urls import path

from comptoir.settings_pages import indexes as views

urlpatterns = [
    path("", views.indexes, name="indexes"),
    path("build/", views.build, name="index_build"),
    path("drop/", views.drop, name="index_drop"),
]
