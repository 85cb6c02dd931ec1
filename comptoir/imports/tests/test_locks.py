"""Imports hold no lock while they read a file, and survive a worker killed mid-import
(issue 13). Real processes on a database of their own (comptoir/core/testing/processes.py):
on SQLite a write transaction locks the whole database file, which the suite's in-memory
database does not show."""

import json

import pytest

from comptoir.core.testing.processes import wait_for
from comptoir.imports.tests.runs import (
    assert_imported_exactly,
    create_contacts_import,
    import_state,
)

pytestmark = pytest.mark.slow

# Run in a Django shell on the site: each upload (API one file, API two files, wizard one
# file, wizard two files) is sent from a thread whose reading of the file pauses, and
# meanwhile this thread writes a contact from its own connection. The lock timeout is one
# second: a write waiting for a lock held during the read fails instead of waiting.
UPLOADS = """
import json, os, threading
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from comptoir.core.testing.factories import make_contact
from comptoir.core.testing.processes import ADMIN
from comptoir.imports import files
from comptoir.users.models import User

reading, resume = threading.Event(), threading.Event()
read = files.header_and_sample


def paused(*args, **kwargs):
    reading.set()
    resume.wait(60)
    return read(*args, **kwargs)


files.header_and_sample = paused
CONTACTS = b"Email,First name,Company domain\\r\\nana@globex.fr,Ana,globex.fr\\r\\n"
COMPANIES = b"Company name,Company domain\\r\\nGlobex,globex.fr\\r\\n"


def column(name, type_id, prop):
    return {"columnName": name, "columnObjectTypeId": type_id, "propertyName": prop}


def entry(name, *mappings):
    return {"fileName": name, "fileImportPage": {"columnMappings": list(mappings)}}


ONE = {"files": [entry("contacts.csv", column("Email", "0-1", "email"))]}
TWO = {"files": [
    entry("contacts.csv", column("Email", "0-1", "email"),
          {"columnName": "Company domain", "propertyName": None, "toColumnObjectTypeId": "0-2"}),
    entry("companies.csv", column("Company name", "0-2", "name"),
          column("Company domain", "0-2", "domain")),
]}


def api(request, **parts):
    token = open(os.path.join(os.environ["COMPTOIR_DATA_DIR"], "token")).read().strip()
    uploads = [SimpleUploadedFile(name, data) for name, data in parts.items()]
    return Client().post(
        "/crm/v3/imports",
        {"importRequest": json.dumps(request), "files": uploads},
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def wizard(**fields):
    client = Client()
    client.force_login(User.objects.get(email=ADMIN))
    return client.post("/imports/new/", fields)


def send(upload, number):
    reading.clear()
    resume.clear()
    answer = {}

    def run():
        try:
            answer["status"] = upload().status_code
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    assert reading.wait(60), "the file was never read"
    try:
        make_contact(email=f"meanwhile{number}@example.com")
        wrote = "written"
    except Exception as exc:
        wrote = f"{type(exc).__name__}: {exc}"
    resume.set()
    thread.join()
    return [wrote, answer.get("status")]


print(json.dumps([
    send(lambda: api(ONE, **{"contacts.csv": CONTACTS}), 1),
    send(lambda: api(TWO, **{"contacts.csv": CONTACTS, "companies.csv": COMPANIES}), 2),
    send(lambda: wizard(objects="contacts", file=SimpleUploadedFile("c.csv", CONTACTS)), 3),
    send(lambda: wizard(objects="files",
                        **{"file-contacts": SimpleUploadedFile("c.csv", CONTACTS),
                           "file-companies": SimpleUploadedFile("co.csv", COMPANIES)}), 4),
]))
"""


def test_other_writes_go_on_while_an_upload_is_read(site):
    outcomes = json.loads(site.python(UPLOADS).strip().splitlines()[-1])
    assert outcomes == [
        ["written", 200],  # API, one file
        ["written", 200],  # API, two files
        ["written", 302],  # wizard, one file
        ["written", 302],  # wizard, two files
    ]


ROWS = 10_000


def _page(site, path, session, language):
    cookie = f"sessionid={session}; django_language={language}"
    return site.request("GET", path, headers={"Cookie": cookie})[2]


def test_an_import_whose_worker_is_killed_resumes_by_itself_exactly(site, tmp_path):
    from hubspot import HubSpot

    site.env["COMPTOIR_IMPORT_HEARTBEAT"] = "1"  # silent 6 s + 3 lock timeouts (1 s): interrupted
    session = site.session()
    site.serve()
    hubspot = HubSpot(access_token=site.token, host=site.url)
    created = create_contacts_import(hubspot, tmp_path / "contacts.csv", ROWS, "Killed")
    first = site.start("worker", log="worker-1.log")
    # Once a batch is committed, the worker is killed at once: no time to clean up.
    state, done = wait_for(
        lambda: (found := import_state(hubspot, created.id))[1] and found, "a batch committed"
    )
    first.kill()
    first.wait()
    assert state == "PROCESSING" and 0 < done < ROWS
    # No heartbeat any more: the API and the page say so, in English and French.
    wait_for(lambda: import_state(hubspot, created.id)[0] == "DEFERRED", "shown interrupted")
    page = _page(site, f"/imports/{created.id}/", session, "en")
    assert "Interrupted, resuming automatically" in page
    assert "The import goes on by itself as soon as a worker is running." in page
    assert ">Resume<" not in page
    page = _page(site, f"/imports/{created.id}/", session, "fr")
    assert "Interrompu, reprise automatique" in page
    # A new worker's scheduler queues it again; it goes on after the last committed row.
    site.start("worker", log="worker-2.log")
    wait_for(lambda: import_state(hubspot, created.id)[0] == "DONE", "done", tries=6000)
    final = hubspot.crm.imports.core_api.get_by_id(created.id).metadata.counters
    assert (final["CREATED_OBJECTS"], final["ERRORS"], final["TOTAL_ROWS"]) == (ROWS, 0, ROWS)
    assert_imported_exactly(site, ROWS)
