"""Refuse UI requests carrying text no database can store, before any view reads it."""

from django.http import HttpResponse
from django.utils.translation import gettext as _

from comptoir.core.api_paths import is_api_path
from comptoir.core.inputs import storable


class UnstorableInputMiddleware:
    """A NUL character in a UI path, query or form field answers 400 naming the field.

    PostgreSQL cannot store NUL in text (SQLite would), and any lookup with it fails in the
    driver; refusing it here keeps every page, form and filter alike on both databases.
    (Form and query values are decoded with replacement characters, so the other
    unstorable text, unpaired surrogates, cannot arrive this way.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_api_path(request.path):  # the API answers for itself, in HubSpot's JSON
            field = _unstorable_field(request)
            if field is not None:
                message = _("“%(field)s” contains a character that cannot be stored (NUL).")
                return HttpResponse(
                    message % {"field": field}, status=400, content_type="text/plain"
                )
        return self.get_response(request)


def _unstorable_field(request) -> str | None:
    if not storable(request.path):
        return "path"
    sources = [request.GET, request.POST] if request.method == "POST" else [request.GET]
    for data in sources:
        for name, values in data.lists():
            if not storable(name) or not all(storable(v) for v in values):
                return name if storable(name) else repr(name)
    return None
