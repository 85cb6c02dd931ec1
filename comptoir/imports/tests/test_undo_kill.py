"""An undo whose worker is killed (kill -9) is shown as such and finished by the next
worker, exactly (issue 13). Real processes on a database of their own
(comptoir/core/testing/processes.py); the in-process version is test_undo_resume.py."""

import json

import pytest

from comptoir.core.testing.processes import wait_for

pytestmark = pytest.mark.slow

CHANGED, NEW = 200, 1500
# Contacts the import changes, then an import that changes them and creates others; the
# undo is started (queued) with no worker running yet.
SETUP = f"""
from django.core.files.uploadedfile import SimpleUploadedFile
from comptoir.core.testing.factories import make_contact
from comptoir.core.testing.processes import ADMIN
from comptoir.imports import engine, services, undo
from comptoir.imports.models import Import
from comptoir.users.models import User
user = User.objects.get(email=ADMIN)
for i in range({CHANGED}):
    make_contact(email=f"old{{i}}@example.com", firstname="Avant")
rows = ["Email,First name"] + [f"old{{i}}@example.com,Après" for i in range({CHANGED})]
rows += [f"new{{i}}@example.com,New" for i in range({NEW})]
data = ("\\r\\n".join(rows) + "\\r\\n").encode()
imp = services.create_draft(user, SimpleUploadedFile("c.csv", data), "contacts")
services.start(imp, user)
engine.run(imp.pk)
assert undo.start(Import.objects.get(pk=imp.pk), user)
print(imp.pk)
"""
RESULT = """
import json
from comptoir.core.records.values import base_queryset
from comptoir.imports.models import Import
contacts = base_queryset("contacts")
imp = Import.objects.get()
print(json.dumps([
    imp.state, imp.undo_conflicts, contacts.filter(email__startswith="new").count(),
    base_queryset("contacts", archived=True).filter(email__startswith="new").count(),
    sorted(set(contacts.filter(email__startswith="old").values_list("firstname", flat=True))),
]))
"""
NEW_LEFT = {
    "filterGroups": [
        {"filters": [{"propertyName": "firstname", "operator": "EQ", "value": "New"}]}
    ],
    "limit": 1,
}


def test_an_undo_whose_worker_is_killed_is_finished_by_the_next_worker(site):
    site.env["COMPTOIR_IMPORT_HEARTBEAT"] = "1"  # silent six seconds: interrupted
    import_id = site.python(SETUP).strip().splitlines()[-1]
    session = site.session()
    site.serve()

    def state():
        return json.loads(site.request("GET", f"/crm/v3/imports/{import_id}")[2])["state"]

    def left():
        return json.loads(site.request("POST", "/crm/v3/objects/contacts/search", NEW_LEFT)[2])[
            "total"
        ]

    # Queued, waiting for a worker (DEFERRED once it has waited six seconds).
    assert state() in ("PROCESSING", "DEFERRED") and left() == NEW
    first = site.start("worker", log="worker-1.log")
    wait_for(lambda: left() < NEW, "some records archived", tries=3000)
    first.kill()  # SIGKILL: no time to clean up
    first.wait()
    assert 0 < left() < NEW
    wait_for(lambda: state() == "DEFERRED", "shown interrupted", tries=600)
    cookie = {"Cookie": f"sessionid={session}; django_language=fr"}
    page = site.request("GET", f"/imports/{import_id}/", headers=cookie)[2]
    assert "Annulation en cours" in page and "Annuler l&#x27;importation" not in page
    site.start("worker", log="worker-2.log")
    wait_for(lambda: state() == "REVERTED", "reverted", tries=6000)
    status, conflicts, new_left, new_archived, old_names = json.loads(
        site.python(RESULT).strip().splitlines()[-1]
    )
    assert (status, conflicts, new_left, new_archived) == ("REVERTED", [], 0, NEW)
    assert old_names == ["Avant"]
