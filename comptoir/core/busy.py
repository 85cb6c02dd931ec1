"""A database too busy to write now, told apart from real errors.

A writer that finds the database locked waits for it (SQLite's busy timeout, PostgreSQL's
lock_timeout: COMPTOIR_DB_LOCK_TIMEOUT, config/env.py). Past that wait, or on a PostgreSQL
deadlock or serialization failure, nothing was written: the request answers 503 with
Retry-After so the client tries again (HubSpot's SDK retries 503s when asked to), the
worker tries the batch again, and the process goes on."""

import sqlite3

from django.db import DatabaseError
from django.http import HttpResponse
from django.utils.translation import gettext as _

RETRY_AFTER = 5  # seconds
# lock_not_available (lock_timeout), deadlock_detected, serialization_failure
BUSY_SQLSTATES = {"55P03", "40P01", "40001"}
SQLITE_BUSY = ("database is locked", "database table is locked", "database schema is locked")


def is_busy(exc: BaseException | None) -> bool:
    """Whether `exc` (or what caused it) says the database was busy, not broken. Raw
    driver errors count too: a COPY (core/records/bulk.py) is not wrapped by Django."""
    while exc is not None:
        if getattr(exc, "sqlstate", None) in BUSY_SQLSTATES:
            return True
        sqlite_busy = str(exc).lower().startswith(SQLITE_BUSY)
        if sqlite_busy and isinstance(exc, DatabaseError | sqlite3.Error):
            return True
        exc = exc.__cause__
    return False


def busy_message() -> str:
    return _("The database is busy with other work. Try again in a few seconds.")


class BusyDatabaseMiddleware:
    """Pages (the API has its own handler, hubspot_api/api.py): 503 with Retry-After."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_busy(exception):
            return None
        response = HttpResponse(busy_message(), status=503, content_type="text/plain")
        response["Retry-After"] = str(RETRY_AFTER)
        return response
