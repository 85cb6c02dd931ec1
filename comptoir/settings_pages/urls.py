"""/settings/...: each section's module adds its routes here."""

from django.urls import path

from comptoir.settings_pages import views

app_name = "settings"
urlpatterns = [
    path("", views.settings_home, name="home"),
]
