"""Archive, restore, purge and merge (OBJ-5)."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from comptoir.core.associations.services import associated_ids, primary_company_id
from comptoir.core.history.models import PropertyChange
from comptoir.core.history.services import property_history
from comptoir.core.properties.errors import DuplicateValue, RecordNotFound, ValidationFailed
from comptoir.core.records.merge import merge_records
from comptoir.core.records.reads import get_record
from comptoir.core.records.writes import (
    archive_record,
    purge_records,
    restore_record,
    update_record,
)
from comptoir.core.search.compiler import search
from comptoir.core.testing.factories import (
    UI,
    make_activity,
    make_company,
    make_contact,
    make_deal,
)
from comptoir.core.timeline.models import TimelineEvent

pytestmark = pytest.mark.django_db


def test_restore_refuses_when_the_email_was_taken_meanwhile():
    contact = make_contact(email="taken@example.com")
    archive_record("contacts", contact.pk, source=UI)
    newer = make_contact(email="taken@example.com")
    with pytest.raises(DuplicateValue) as caught:
        restore_record("contacts", contact.pk, source=UI)
    assert caught.value.existing_id == newer.pk


def test_purge_task_deletes_old_archives_with_their_history(monkeypatch):
    old = make_contact(email="old@example.com")
    recent = make_contact(email="recent@example.com")
    archive_record("contacts", old.pk, source=UI, at=timezone.now() - dt.timedelta(days=91))
    archive_record("contacts", recent.pk, source=UI, at=timezone.now() - dt.timedelta(days=89))
    from comptoir.core.tasks import purge_archived_records

    result = purge_archived_records.enqueue()
    # The worker closes idle connections between tasks; here that would be the test's own.
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    call_command("worker", batch=True, no_scheduler=True, verbosity=0)
    result.refresh()
    assert result.return_value == 1
    assert not PropertyChange.objects.filter(object_type="0-1", object_id=old.pk).exists()
    assert PropertyChange.objects.filter(object_type="0-1", object_id=recent.pk).exists()
    restore_record("contacts", recent.pk, source=UI)


def test_worker_scheduler_enqueues_each_periodic_job_once_across_workers():
    from comptoir.core.scheduling.scheduler import PERIODIC_JOBS, tick

    enqueued = tick("worker-a")
    assert "send_due_emails" in enqueued and "rollups_came_due" in enqueued
    assert sorted(enqueued) == sorted(PERIODIC_JOBS)  # every job, each once
    assert tick("worker-b") == []


def test_gdpr_purge_erases_record_history_and_associations():
    company = make_company(name="Acme", domain="acme.fr")
    contact = make_contact(email="erase@acme.fr")
    purge_records("contacts", [contact.pk])
    assert not PropertyChange.objects.filter(object_type="0-1", object_id=contact.pk).exists()
    assert associated_ids("companies", company.pk, "contacts") == []
    assert search("contacts", {"query": "erase"}).total == 0


def test_merge_keeps_primary_values_fills_gaps_and_moves_everything():
    company = make_company(name="Acme")
    primary = make_contact(email="jean@gmail.com", firstname="Jean", jobtitle="CEO")
    other = make_contact(
        email="j.dupont@gmail.com",
        firstname="Jeannot",
        lastname="Dupont",
        phone="+33 6 00 00 00 00",
        associations=[("companies", company.pk, [1])],
    )
    deal = make_deal(associations=[("contacts", other.pk, None)])
    note = make_activity(
        "notes", hs_note_body="call back", associations=[("contacts", other.pk, None)]
    )
    update_record("contacts", other.pk, {"jobtitle": "Founder"}, source=UI)

    survivor = merge_records("contacts", primary.pk, other.pk, source=UI)

    assert (survivor.firstname, survivor.lastname) == ("Jean", "Dupont")
    assert survivor.properties["jobtitle"] == "CEO"
    assert survivor.properties["hs_additional_emails"] == "j.dupont@gmail.com"
    assert associated_ids("contacts", survivor.pk, "deals") == [deal.pk]
    assert associated_ids("contacts", survivor.pk, "notes") == [note.pk]
    assert primary_company_id("contacts", survivor.pk) == company.pk
    history = property_history("0-1", [survivor.pk], ["lastname", "jobtitle"])[survivor.pk]
    assert history["lastname"][0].source_type == "MERGE"
    assert history["jobtitle"][0].value == "CEO"  # newest history is the value kept
    merged = get_record("contacts", other.pk, archived=True)
    assert merged.merged_into_id == survivor.pk
    assert TimelineEvent.objects.filter(object_id=survivor.pk, event_type="merged").exists()
    assert search("contacts", {"query": "j.dupont@gmail.com"}).records == [survivor]


@pytest.mark.parametrize("pair", ["same", "missing", "notes"])
def test_bad_merges_are_refused(pair):
    a = make_contact(email="a@gmail.com")
    with pytest.raises((ValidationFailed, RecordNotFound)):
        if pair == "same":
            merge_records("contacts", a.pk, a.pk, source=UI)
        elif pair == "missing":
            merge_records("contacts", a.pk, 999999, source=UI)
        else:
            merge_records("notes", 1, 2, source=UI)
    a.refresh_from_db()
    assert not a.archived
