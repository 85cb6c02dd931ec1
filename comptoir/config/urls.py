from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from comptoir.core import pwa
from comptoir.core.metrics import metrics
from comptoir.core.objects.registry import page_types
from comptoir.core.ui.urls import type_urls
from comptoir.core.views import healthz, readyz
from comptoir.dashboard import views as dashboard_views
from comptoir.hubspot_api.api import register
from comptoir.users import sign_in_code
from comptoir.users import views as user_views

api = register()


def _public(patterns):
    """The API authenticates with tokens, not sessions: no sign-in page for it."""
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            _public(pattern.url_patterns)
        else:
            pattern.callback = login_not_required(pattern.callback)
    return patterns


api_patterns, api_app, api_namespace = api.urls
urlpatterns = [
    path("", dashboard_views.dashboard, name="home"),
    path("healthz", login_not_required(healthz), name="healthz"),
    path("readyz", login_not_required(readyz), name="readyz"),
    path("metrics", login_not_required(metrics), name="metrics"),
    path("manifest.webmanifest", pwa.manifest, name="pwa_manifest"),
    path("sw.js", pwa.service_worker, name="pwa_service_worker"),
    path("offline/", pwa.offline, name="pwa_offline"),
    path("login/", user_views.LoginView.as_view(), name="login"),
    path("login/code/", sign_in_code.login_code, name="login_code"),
    path("logout/", auth_views.LogoutView.as_view(next_page="/login/"), name="logout"),
    path("password-reset/", user_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        user_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        user_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        user_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "invitation/<uidb64>/<token>/",
        user_views.InvitationAcceptView.as_view(),
        name="invitation_accept",
    ),
    path("language/", user_views.set_language_pref, name="set_language_pref"),
    path("search/", include("comptoir.core.ui.search_urls")),
    path("dashboard/", include("comptoir.dashboard.urls")),
    # Each object type with pages: /contacts/, /companies/, /deals/, /tasks/...
    *(path(f"{ot.name}/", include(type_urls(ot))) for ot in page_types()),
    path("sales-tools/templates/", include("comptoir.emailtemplates.urls")),
    path("sales-tools/documents/", include("comptoir.documents.urls")),
    path("sales-tools/sequences/", include("comptoir.sequences.urls")),
    path("sales-tools/meetings/", include("comptoir.meetings.urls")),
    path("meet/", include("comptoir.meetings.public_urls")),
    path("sales-tools/prospects/", include("comptoir.prospects.urls")),
    path("sales-tools/", include("comptoir.salestools.urls")),
    path("settings/", include("comptoir.settings_pages.urls")),
    path("imports/", include("comptoir.imports.urls")),
    path("notifications/", include("comptoir.notifications.urls")),
    path("mail/", include("comptoir.mail.urls")),
    # The open pixel and click redirect of tracked emails: public, short (they are in mail).
    path("t/", include("comptoir.mail.tracking_urls")),
    # Shared documents (TOOL-4): the public viewer of a share link, its file and beacons.
    path("d/", include("comptoir.documents.public_urls")),
    path("", (_public(api_patterns), api_app, api_namespace)),
]

handler403 = "comptoir.config.errors.permission_denied"
handler404 = "comptoir.config.errors.not_found"
handler500 = "comptoir.config.errors.server_error"
