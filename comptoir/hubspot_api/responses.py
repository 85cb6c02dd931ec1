"""JSON responses built directly (no schema round-trip on the hot path)."""

import json

from django.http import HttpResponse
from django.utils import timezone

from comptoir.hubspot_api.serializers import timestamp


def respond(body, status: int = 200) -> HttpResponse:
    if body is None:
        return HttpResponse(status=status)
    return HttpResponse(
        json.dumps(body, separators=(",", ":")),
        status=status,
        content_type="application/json;charset=utf-8",
    )


def batch_response(
    results: list, errors: list, started, *, ok_status: int, error_status: int = 207
) -> HttpResponse:
    """BatchResponse…: `error_status` (207) with numErrors/errors when some inputs failed;
    an operation without a 207 model passes its `ok_status` for both."""
    body = {
        "status": "COMPLETE",
        "results": results,
        "startedAt": timestamp(started),
        "completedAt": timestamp(timezone.now()),
    }
    if errors:
        body["numErrors"] = len(errors)
        body["errors"] = errors
        return respond(body, status=error_status)
    return respond(body, status=ok_status)


def next_page(request, after: str) -> dict:
    """HubSpot's `paging` for a page with more after it: the cursor, and the same request's
    link with only `after` changed."""
    params = request.GET.copy()
    params["after"] = after
    link = request.build_absolute_uri(f"{request.path}?{params.urlencode()}")
    return {"next": {"after": after, "link": link}}


def collection_root(router, method: str, summary: str, openapi_extra: dict | None = None):
    """Register a view at a collection's root both with and without the trailing slash: the
    SDK calls one, curl users type the other, and HubSpot answers both (never a redirect)."""

    def register(view):
        router.add_api_operation("/", [method], view, summary=summary, openapi_extra=openapi_extra)
        router.add_api_operation("", [method], view, summary=summary, include_in_schema=False)
        return view

    return register
