"""An export whose worker died does not stay "In progress": it shows it was interrupted and
the scheduler starts it again; a run thought dead that wakes up finishes nothing."""

import csv
from pathlib import Path
from unittest.mock import patch

import pytest
from django.conf import settings
from django.db import OperationalError
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from comptoir.core.files.stored import local_path
from comptoir.core.scheduling import scheduler
from comptoir.core.testing.factories import make_contact, make_user
from comptoir.imports import exports
from comptoir.imports.models import BUSY_RETRIES, Export, ExportState, stall_after

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep():
    return make_user("exporter@example.com", role="Sales manager")


def rows(path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_an_export_whose_worker_died_shows_so_and_is_queued_again(rep, client):
    make_contact(email="a@example.com", firstname="Ana")
    export = exports.start_export(rep, "contacts", "", "CSV")
    later = timezone.now() + 2 * stall_after()
    # Its job was lost while waiting: queued again, still waiting.
    assert exports.resume_interrupted(later) == [export.pk]
    running = Export.objects.filter(pk=export.pk)
    running.update(state=ExportState.PROCESSING, updated_at=timezone.now())
    export.refresh_from_db()
    assert (export.interrupted, export.shown_state_label) == (False, "In progress")
    # Its worker was killed: no heartbeat for longer than stall_after().
    running.update(updated_at=timezone.now() - 2 * stall_after())
    export.refresh_from_db()
    assert export.interrupted
    assert export.shown_state_label == "Interrupted, resuming automatically"
    client.force_login(rep)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("imports:export", args=[export.pk])).content.decode()
    assert "Interrupted, resuming automatically" in page and "state-deferred" in page
    # The scheduler's tick queues it again, and the next run writes the whole file.
    assert exports.resume_interrupted(timezone.now()) == [export.pk]
    export.refresh_from_db()
    assert export.state == ExportState.STARTED
    assert exports.run(export.pk) == ExportState.DONE
    export.refresh_from_db()
    assert (export.state, export.row_count, export.attempt) == (ExportState.DONE, 1, 1)
    written = rows(local_path(export.file_path))
    assert len(written) == 2 and written[1][0].startswith("Ana")


def test_the_scheduler_recovers_exports_on_every_tick(rep, monkeypatch):
    export = exports.start_export(rep, "contacts", "", "CSV")
    Export.objects.filter(pk=export.pk).update(
        state=ExportState.PROCESSING, updated_at=timezone.now() - 2 * stall_after()
    )
    scheduler.tick("test-worker")
    export.refresh_from_db()
    assert export.state == ExportState.STARTED


def test_a_run_thought_dead_that_wakes_up_finishes_nothing(rep, monkeypatch):
    for i in range(5):
        make_contact(email=f"p{i}@example.com")
    export = exports.start_export(rep, "contacts", "", "CSV")
    monkeypatch.setattr(exports, "CHUNK", 2)
    outcomes = []
    write = exports._write

    def taken_over(export_, user, heartbeat):
        def beat():
            if not outcomes:
                outcomes.append("thought dead")
                later = timezone.now() + 2 * stall_after()
                assert exports.resume_interrupted(later) == [export.pk]
                outcomes.append(exports.run(export.pk))  # another worker, start to end
            heartbeat()

        return write(export_, user, heartbeat=beat)

    monkeypatch.setattr(exports, "_write", taken_over)
    assert exports.run(export.pk) == "superseded"
    export.refresh_from_db()
    assert outcomes == ["thought dead", ExportState.DONE]
    assert (export.state, export.attempt, export.row_count) == (ExportState.DONE, 2, 5)
    assert len(rows(local_path(export.file_path))) == 6  # header and five contacts, written once
    final = Path(local_path(export.file_path))
    assert [p.name for p in final.parent.iterdir()] == [final.name]  # no partial file left


def test_a_heartbeat_that_meets_a_busy_database_does_not_fail_the_export(rep, monkeypatch):
    """A beat is a write: it may wait the lock timeout (stall_after() allows for that) and
    fail busy. The export goes on (before: FAILED "database is locked")."""
    for i in range(5):
        make_contact(email=f"p{i}@example.com")
    export = exports.start_export(rep, "contacts", "", "CSV")
    monkeypatch.setattr(exports, "CHUNK", 2)
    write, busy = exports._write, []

    def locked_once(export_, user, heartbeat):
        def beat():
            if not busy:
                busy.append("locked")
                with patch.object(QuerySet, "update", side_effect=locked):
                    heartbeat()
            heartbeat()

        return write(export_, user, heartbeat=beat)

    def locked(**_fields):
        raise OperationalError("database is locked")

    monkeypatch.setattr(exports, "_write", locked_once)
    assert exports.run(export.pk) == ExportState.DONE
    export.refresh_from_db()
    assert (busy, export.state, export.row_count) == (["locked"], ExportState.DONE, 5)
    assert stall_after().total_seconds() > BUSY_RETRIES * settings.COMPTOIR_DB_LOCK_TIMEOUT
