"""The signed-in user's language wins over the browser's (UI-7); who acts, and from where,
for the audit log (comptoir/core/audit/log.py)."""

from django.utils import translation

from comptoir.core.audit import log as audit
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
