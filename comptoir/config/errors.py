"""The project's 404 and 500 pages (config/urls.py's handlers): HubSpot's JSON errors under
the API paths, plain text elsewhere."""

import re

from django.http import HttpResponse

from comptoir.hubspot_api.errors import ApiError, error_response

# HubSpot's API families (a client pointed at Comptoir may try any of them), and any
# `/<family>/v<n>/` path (`/contacts/v1/...`, `/settings/v3/...`): none is a page here.
API_PATH = re.compile(
    r"^/(?:crm|api|crm-[a-z-]+|properties|engagements|owners|oauth|email|marketing"
    r"|marketing-emails|form-integrations|automation|files|cms|events|conversations"
    r"|webhooks|communication-preferences|analytics|extensions|integrations|account-info"
    r"|business-units|media-bridge)(?:/|$)"
    r"|^/[a-z][a-z0-9-]*/v\d+(?:/|$)"
)


def is_api_path(path: str) -> bool:
    return API_PATH.match(path) is not None


def not_found(request, exception=None):
    """404 for unknown URLs."""
    if is_api_path(request.path):
        return error_response(ApiError(404, f"No endpoint at {request.path}.", "OBJECT_NOT_FOUND"))
    return HttpResponse("Not found.", status=404, content_type="text/plain")


def server_error(request):
    if is_api_path(request.path):
        return error_response(
            ApiError(500, "Internal error; it has been logged.", "INTERNAL_ERROR")
        )
    return HttpResponse("Server error.", status=500, content_type="text/plain")
