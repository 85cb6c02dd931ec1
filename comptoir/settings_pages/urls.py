"""/settings/...: one URL module per section of the side menu (comptoir.settings_pages.menu),
so each section's pages live apart; sections from other apps are included from there."""

from django.urls import include, path

from comptoir.settings_pages import views

app_name = "settings"
urlpatterns = [
    path("", views.settings_home, name="home"),
    path("properties/", include("comptoir.settings_pages.sections.properties")),
    path("pipelines/", include("comptoir.settings_pages.sections.pipelines")),
    path("automation/", include("comptoir.settings_pages.sections.automation")),
    path("team/", include("comptoir.settings_pages.sections.team")),
    path("import-export/", include("comptoir.imports.settings_urls")),
    path("configuration/", include("comptoir.settings_pages.sections.configuration")),
    path("indexes/", include("comptoir.settings_pages.sections.indexes")),
    path("jobs/", include("comptoir.settings_pages.sections.jobs")),
    path("audit/", include("comptoir.settings_pages.sections.audit")),
    path("notifications/", include("comptoir.notifications.settings_urls")),
    path("email/", include("comptoir.mail.settings_urls")),
    path("api-tokens/", include("comptoir.settings_pages.sections.tokens")),
    path("webhooks/", include("comptoir.webhooks.settings_urls")),
    path("prospects/", include("comptoir.prospects.settings_urls")),
    path("profile/", include("comptoir.settings_pages.sections.profile")),
]
