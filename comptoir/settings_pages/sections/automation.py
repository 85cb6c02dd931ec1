"""Routes of Settings > Automation (SET-3)."""

from django.urls import path

from comptoir.settings_pages import automation

urlpatterns = [path("", automation.automation, name="automation")]
