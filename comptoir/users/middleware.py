"""The signed-in user's language wins over the browser's (UI-7); who acts, and from where,
for the audit log (comptoir/core/audit/log.py); two-factor sign-in when the portal requires
it (comptoir/users/two_factor.py)."""

from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation

from comptoir.core.audit import log as audit
from comptoir.users import two_factor
from comptoir.users.throttle import client_address


class UserLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user and user.is_authenticated else ""
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)


class AuditContextMiddleware:
    """The request's user and address, read by audit.record() in the services it calls."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        token = audit.acting(
            user if user and user.is_authenticated else None, client_address(request)
        )
        try:
            return self.get_response(request)
        finally:
            audit.done_acting(token)


class TwoFactorRequiredMiddleware:
    """When the portal requires two-factor sign-in, a signed-in user without an
    authenticator app sees only the page that sets one up (and can sign out). Pages open
    to everyone (the API, which signs in with tokens, the sign-in pages) are left alone."""

    ALLOWED = {"two_factor", "two_factor_off", "logout", "set_language_pref"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if not getattr(view_func, "login_required", True):
            return None
        match = request.resolver_match
        if match is not None and match.url_name in self.ALLOWED:
            return None
        if not two_factor.is_required() or two_factor.is_enabled(user):
            return None
        target = reverse("settings:two_factor")
        if getattr(request, "htmx", False):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return redirect(target)
