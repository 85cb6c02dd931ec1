"""The project's 403, 404 and 500 pages (config/urls.py's handlers): HubSpot's JSON errors
under the API paths; for the browser, a page in the app's frame (navigation, a title, a way
back) in the user's language, or the sign-in frame for someone not signed in; for an htmx
request, one short plain sentence that the page's request-error banner shows (app.js)."""

import logging

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from comptoir.core.api_paths import is_api_path
from comptoir.hubspot_api.errors import ApiError, error_response

log = logging.getLogger(__name__)


def _texts(status: int) -> tuple[str, str, str]:
    """(title, sentence, icon) of an error page."""
    if status == 403:
        return (
            _("Access denied"),
            _("Your role does not allow you to see this page or do this."),
            "close",
        )
    if status == 404:
        return (
            _("Page not found"),
            _("This page does not exist, or you may not see it. Check the link."),
            "search",
        )
    return (
        _("Something went wrong"),
        _(
            "The server could not do this. Try again, and tell your administrator if it "
            "happens again."
        ),
        "history",
    )


def error_page(request, status: int, text: str | None = None) -> HttpResponse:
    title, default_text, icon = _texts(status)
    text = text or default_text
    if getattr(request, "htmx", False) or request.headers.get("HX-Request"):
        return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    template = "errors/error.html" if signed_in else "errors/error_auth.html"
    context = {"error": {"status": status, "title": title, "text": text, "icon": icon}}
    try:
        html = render_to_string(template, context, request)
    except Exception:  # the frame needs the database, which may be what failed
        if status != 500:
            raise
        log.exception("the 500 page could not be drawn in the app's frame")
        return HttpResponse(text, status=500, content_type="text/plain; charset=utf-8")
    return HttpResponse(html, status=status)


def not_found(request, exception=None):
    """404 for unknown URLs and records the user may not see."""
    if is_api_path(request.path):
        return error_response(ApiError(404, f"No endpoint at {request.path}.", "OBJECT_NOT_FOUND"))
    return error_page(request, 404)


def permission_denied(request, exception=None):
    if is_api_path(request.path):
        return error_response(ApiError(403, "Forbidden.", "FORBIDDEN"))
    return error_page(request, 403)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a form sent from a page whose security token no longer holds (signed
    out and in again in another tab, a page left open for days) gets the 403 page in the app's
    frame and the user's language, saying what to do, instead of Django's bare page."""
    if is_api_path(request.path):
        return error_response(ApiError(403, "Forbidden.", "FORBIDDEN"))
    return error_page(request, 403, _("This page has expired. Reload it and try again."))


def server_error(request):
    if is_api_path(request.path):
        return error_response(
            ApiError(500, "Internal error; it has been logged.", "INTERNAL_ERROR")
        )
    return error_page(request, 500)
