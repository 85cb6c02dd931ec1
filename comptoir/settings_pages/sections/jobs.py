"""Routes of Settings > Background jobs."""

from django.urls import path

from comptoir.settings_pages import jobs as views

urlpatterns = [path("", views.jobs, name="jobs")]
