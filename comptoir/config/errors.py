"""The project's 404 and 500 pages (config/urls.py's handlers): HubSpot's JSON errors under
the API paths, plain text elsewhere."""

from django.http import HttpResponse

from comptoir.core.api_paths import is_api_path
from comptoir.hubspot_api.errors import ApiError, error_response


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
