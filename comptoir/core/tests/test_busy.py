"""A write that meets a database locked longer than the lock timeout (issue 13): the
request waits for the timeout (COMPTOIR_DB_LOCK_TIMEOUT, 1 s here), then answers 503 with
Retry-After, in the API and the pages, and the server goes on once the lock is gone.
A real server process; the lock really held by another process (SQLite's write lock, a
table lock on PostgreSQL)."""

import json
import urllib.parse

import pytest

from comptoir.core.busy import is_busy
from comptoir.core.testing.processes import wait_for

pytestmark = pytest.mark.slow

CSRF = "k" * 32


def _hold(site):
    ready, release = site.root / "ready", site.root / "release"
    code = (
        "from pathlib import Path\n"
        "from comptoir.core.objects.registry import get_object_type\n"
        "from comptoir.core.testing.processes import hold_lock\n"
        f"hold_lock(Path({str(ready)!r}), Path({str(release)!r}), "
        "[get_object_type('contacts').model])"
    )
    holder = site.start("shell", "-c", code, log="holder.log")
    wait_for(lambda: ready.exists() or holder.poll() is not None, "the lock is held")
    assert ready.exists(), site.log("holder.log")
    return holder, release


def _page_post(site, path, data, session):
    headers = {
        "Cookie": f"sessionid={session}; csrftoken={CSRF}; django_language=en",
        "X-CSRFToken": CSRF,
        "Content-Type": "application/x-www-form-urlencoded",
    }
    return site.request("POST", path, headers=headers, data=urllib.parse.urlencode(data).encode())


def test_a_write_on_a_locked_database_answers_503_with_retry_after(site):
    session = site.session()
    site.serve()
    status, _, body = site.request(
        "POST", "/crm/v3/objects/contacts", {"properties": {"email": "lock@example.com"}}
    )
    assert status == 201, body
    pk = json.loads(body)["id"]
    holder, release = _hold(site)
    patch = {"properties": {"firstname": "Blocked"}}
    status, headers, body = site.request("PATCH", f"/crm/v3/objects/contacts/{pk}", patch)
    assert (status, headers["Retry-After"]) == (503, "5"), body
    error = json.loads(body)
    assert error["category"] == "SERVICE_UNAVAILABLE"
    assert error["message"] == "The database is busy with other work. Try again in a few seconds."
    status, headers, body = _page_post(
        site, f"/contacts/{pk}/properties/firstname/", {"firstname": "Blocked"}, session
    )
    assert (status, headers["Retry-After"]) == (503, "5"), body
    assert body == "The database is busy with other work. Try again in a few seconds."
    release.write_text("go")
    assert holder.wait(timeout=60) == 0
    # Nothing was written; the server is still there and the same write now succeeds.
    status, _, body = site.request("GET", f"/crm/v3/objects/contacts/{pk}")
    assert json.loads(body)["properties"]["firstname"] is None
    status, _, body = site.request("PATCH", f"/crm/v3/objects/contacts/{pk}", patch)
    assert status == 200, body
    status, _, body = _page_post(
        site, f"/contacts/{pk}/properties/lastname/", {"lastname": "Free"}, session
    )
    assert status in (200, 302), body
    status, _, body = site.request("GET", f"/crm/v3/objects/contacts/{pk}?properties=lastname")
    assert json.loads(body)["properties"]["lastname"] == "Free"
    assert site.processes[0].poll() is None  # the server


def test_only_a_busy_database_counts_as_busy():
    """SQLite's lock messages and PostgreSQL's lock timeout, deadlock and serialization
    failure are busy; a constraint or a missing table is a real error."""
    from django.db import IntegrityError, OperationalError

    assert is_busy(OperationalError("database is locked"))
    assert is_busy(OperationalError("database table is locked: contacts_contact"))
    assert not is_busy(OperationalError("no such table: contacts_contact"))
    assert not is_busy(IntegrityError("UNIQUE constraint failed"))
    assert not is_busy(RuntimeError("database is locked"))
