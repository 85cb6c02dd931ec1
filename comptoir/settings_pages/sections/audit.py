"""Routes of Settings > Audit log."""

from django.urls import path

from comptoir.settings_pages import audit as views

urlpatterns = [path("", views.audit_log, name="audit")]
