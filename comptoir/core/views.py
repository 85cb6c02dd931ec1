from django.http import HttpResponse, JsonResponse


def home(request):
    return HttpResponse("Comptoir is running.", content_type="text/plain")


def healthz(request):
    """For load balancers (and the API benchmark's bare-view baseline): no database."""
    return JsonResponse({"status": "ok"})


def not_found(request, exception=None):
    """404 for unknown URLs: HubSpot's JSON under the API paths, plain text elsewhere."""
    if request.path.startswith(("/crm/", "/api/")):
        from comptoir.hubspot_api.errors import ApiError, error_response

        return error_response(ApiError(404, f"No endpoint at {request.path}.", "OBJECT_NOT_FOUND"))
    return HttpResponse("Not found.", status=404, content_type="text/plain")


def server_error(request):
    if request.path.startswith(("/crm/", "/api/")):
        from comptoir.hubspot_api.errors import ApiError, error_response

        return error_response(
            ApiError(500, "Internal error; it has been logged.", "INTERNAL_ERROR")
        )
    return HttpResponse("Server error.", status=500, content_type="text/plain")
