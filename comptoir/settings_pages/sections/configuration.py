"""Routes of Settings > Configuration (SET-8)."""

from django.urls import path

from comptoir.settings_pages import configuration

urlpatterns = [path("", configuration.configuration, name="configuration")]
