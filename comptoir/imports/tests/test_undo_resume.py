"""An undo is claimed before it runs, shows it is running, and when its worker is killed
is run again by itself until the import is fully reverted (issue 13). In-process, the kill
is an exception nothing catches, raised between two records; test_locks.py kills a real
worker."""

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from comptoir.core.records.values import base_queryset
from comptoir.core.records.writes import update_record
from comptoir.core.testing.factories import UI, make_contact
from comptoir.hubspot_api.imports import import_body
from comptoir.imports import undo
from comptoir.imports.models import Import, ImportState, stall_after
from comptoir.imports.tasks import undo_import
from comptoir.imports.tests.helpers import csv_bytes, run_import, upload

pytestmark = pytest.mark.django_db


class Killed(BaseException):
    """The process stops here: no `except Exception` runs."""


def undo_jobs():
    return DBTaskResult.objects.filter(task_path="comptoir.imports.tasks.undo_import")


def test_a_killed_undo_shows_undoing_and_the_recovery_finishes_it_exactly(
    client, importer_user, monkeypatch, django_capture_on_commit_callbacks
):
    kept = make_contact(email="kept@example.com", firstname="Avant")
    touched = make_contact(email="touched@example.com", firstname="Avant")
    rows = [["Email", "First name"], ["kept@example.com", "Après"]]
    rows += [["touched@example.com", "Après"], ["new1@example.com", "N"]]
    rows += [["new2@example.com", "N"]]
    imp = run_import(upload(importer_user, csv_bytes(rows)))
    update_record("contacts", touched.pk, {"firstname": "Changé"}, source=UI)
    client.force_login(importer_user)
    # A double click: one undo is claimed and queued, the second click is told so.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/imports/{imp.pk}/undo/")
        second = client.post(f"/imports/{imp.pk}/undo/", follow=True)
    assert "already being undone" in second.content.decode()
    assert undo_jobs().count() == 1
    imp.refresh_from_db()
    assert (imp.state, imp.shown_state_label) == (ImportState.UNDOING, "Undoing")

    archive, archived = undo.archive_record, []

    def killed_at_the_second(*args, **kwargs):
        archived.append(args)
        if len(archived) == 2:
            raise Killed
        return archive(*args, **kwargs)

    monkeypatch.setattr(undo, "archive_record", killed_at_the_second)
    with pytest.raises(Killed):
        undo_import.call(imp.pk, importer_user.pk)
    monkeypatch.setattr(undo, "archive_record", archive)
    # Half reverted, and saying so: undoing in the UI, still at work for the API.
    imp.refresh_from_db()
    assert imp.state == ImportState.UNDOING
    assert import_body(imp)["state"] == "PROCESSING"
    page = client.get(f"/imports/{imp.pk}/").content.decode()
    assert "Undoing" in page and "Undo the import" not in page
    assert base_queryset("contacts").filter(email__startswith="new").count() == 1
    # Its worker is silent: the API says so, and the scheduler queues it again, once.
    Import.objects.filter(pk=imp.pk).update(updated_at=timezone.now() - 2 * stall_after())
    imp.refresh_from_db()
    assert import_body(imp)["state"] == "DEFERRED"
    later = timezone.now() + 2 * stall_after()
    assert undo.resume_interrupted(later) == [imp.pk]
    assert undo.resume_interrupted(later) == []
    undo_import.call(imp.pk, importer_user.pk)
    imp.refresh_from_db()
    assert imp.state == ImportState.REVERTED
    # What the first run put back is not a conflict; the value changed since still is.
    assert imp.undo_conflicts == [
        {"object_type": "contacts", "id": touched.pk, "property": "firstname", "value": "Après"}
    ]
    kept.refresh_from_db()
    touched.refresh_from_db()
    assert (kept.firstname, touched.firstname) == ("Avant", "Changé")
    assert not base_queryset("contacts").filter(email__startswith="new").exists()
    assert undo.resume_interrupted(later + 2 * stall_after()) == []
    assert undo_import.call(imp.pk, importer_user.pk) == "not claimed"


def test_an_undo_that_fails_gives_the_import_back(importer_user, monkeypatch):
    imp = run_import(upload(importer_user, csv_bytes([["Email"], ["a@example.com"]])))
    assert undo.start(imp, importer_user)
    assert not undo.start(imp, importer_user)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(undo, "archive_record", broken)
    with pytest.raises(RuntimeError):
        undo_import.call(imp.pk, importer_user.pk)
    imp.refresh_from_db()
    assert imp.state == ImportState.DONE and undo.undoable(imp)
