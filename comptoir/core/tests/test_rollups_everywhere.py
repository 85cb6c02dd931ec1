"""Rollups kept by every write (issue 14, point 3): demo data and imports compute them like
any other write, an activity dated in the future is no "last activity" until its time has
come, and `comptoir recompute_rollups` repairs every record in short batches."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from comptoir.contacts.models import Contact
from comptoir.core.associations.models import Association
from comptoir.core.history.models import PropertyChange
from comptoir.core.history.source import ChangeSource
from comptoir.core.properties import registry
from comptoir.core.properties.coercion import format_datetime
from comptoir.core.records import rollups
from comptoir.core.records.reads import get_record
from comptoir.core.records.values import read_value
from comptoir.core.records.writes import archive_record
from comptoir.core.testing.factories import (
    make_activity,
    make_company,
    make_contact,
    make_deal,
    make_user,
)

pytestmark = pytest.mark.django_db

DATES = ("notes_last_updated", "notes_last_contacted", "hs_last_sales_activity_timestamp")


def props(object_type, pk, *names):
    record = get_record(object_type, pk)
    defs = registry.definitions(object_type)
    return tuple(read_value(record, defs[n]) for n in names)


def stamp(moment) -> str:
    return format_datetime(moment)


def test_future_activities_are_no_last_activity_until_their_time_comes():
    now = timezone.now().replace(microsecond=0)
    past, soon = now - dt.timedelta(days=2), now + dt.timedelta(days=9)
    lea = make_contact(firstname="Léa")
    make_activity(
        "notes",
        hs_timestamp=stamp(past),
        hs_note_body="vu",
        associations=[("contacts", lea.pk, None)],
    )
    make_activity(
        "tasks", hs_timestamp=stamp(soon), hs_task_subject="Relancer",
        associations=[("contacts", lea.pk, None)],
    )  # fmt: skip
    make_activity(
        "meetings", hs_timestamp=stamp(soon), hs_meeting_title="Démo",
        associations=[("contacts", lea.pk, None)],
    )  # fmt: skip

    assert props("contacts", lea.pk, *DATES) == (stamp(past), None, stamp(past))
    # Only what happened counts, as HubSpot counts activities logged: the note.
    assert props("contacts", lea.pk, "num_notes", "num_contacted_notes") == (1, 0)

    # Nine days later the worker's job sees the meeting and the task have come due.
    later = soon + dt.timedelta(minutes=5)
    rolled = rollups.came_due(
        ChangeSource(type="AUTOMATION", id="rollups"), soon - dt.timedelta(hours=1), later
    )
    assert rolled == 2
    # The job's clock is the real one for the services: compute as of `later`.
    then = rollups.activity_rollups("contacts", [lea.pk], now=later)[lea.pk]
    assert then["notes_last_contacted"] == stamp(soon)
    # The meeting is a contact now, and all three are counted.
    assert (then["num_notes"], then["num_contacted_notes"]) == (3, 1)


def test_the_periodic_job_rolls_up_activities_that_came_due():
    from comptoir.core.scheduling.scheduler import PERIODIC_JOBS

    assert PERIODIC_JOBS["rollups_came_due"][1] == "comptoir.core.tasks.rollups_came_due"
    lea = make_contact(firstname="Léa")
    just_now = timezone.now() - dt.timedelta(minutes=10)
    meeting = make_activity(
        "meetings", hs_timestamp=stamp(just_now), hs_meeting_title="Démo",
        associations=[("contacts", lea.pk, None)],
    )  # fmt: skip
    # As it stood before the meeting was held (rolled up while it was still planned).
    Contact.objects.filter(pk=lea.pk).update(properties={"firstname": "Léa", "num_notes": 1})
    from comptoir.core.tasks import rollups_came_due

    rollups_came_due.call()
    assert props("contacts", lea.pk, "notes_last_contacted") == (stamp(meeting.hs_timestamp),)


def test_the_periodic_job_starts_where_its_last_run_ended():
    """A worker stopped for three hours: the meeting held two hours ago still rolls up,
    and the next run looks back only to where this one ended."""
    from comptoir.core.scheduling.models import PeriodicJob
    from comptoir.core.tasks import rollups_came_due

    now = timezone.now()
    PeriodicJob.objects.create(
        name="rollups_came_due", interval_seconds=900, next_run_at=now,
        covered_until=now - dt.timedelta(hours=3),
    )  # fmt: skip
    lea = make_contact(firstname="Léa")
    meeting = make_activity(
        "meetings", hs_timestamp=stamp(now - dt.timedelta(hours=2)), hs_meeting_title="Démo",
        associations=[("contacts", lea.pk, None)],
    )  # fmt: skip
    Contact.objects.filter(pk=lea.pk).update(properties={"firstname": "Léa", "num_notes": 1})

    assert rollups_came_due.call() == 1
    assert props("contacts", lea.pk, "notes_last_contacted") == (stamp(meeting.hs_timestamp),)
    mark = PeriodicJob.objects.get(name="rollups_came_due").covered_until
    assert now <= mark <= timezone.now()
    assert rollups_came_due.call() == 0  # nothing came due since


def test_seed_demo_computes_rollups_like_any_other_write(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command(
        "seed_demo", contacts=60, companies=10, deals=25, activities=150, seed=3,
        stdout=io.StringIO(),
    )  # fmt: skip
    now = timezone.now()
    activities = rollups.activity_rollups("contacts", Contact.objects.values_list("pk", flat=True))
    with_past = [pk for pk, v in activities.items() if v["notes_last_updated"] is not None]
    assert len(with_past) > 20
    for pk in with_past:
        assert props("contacts", pk, "notes_last_updated", "num_notes") == (
            activities[pk]["notes_last_updated"],
            activities[pk]["num_notes"],
        )
        assert activities[pk]["notes_last_updated"] <= stamp(now)
    deals_of = {}
    for contact_id in Association.objects.filter(from_type="contacts", to_type="deals").values_list(
        "from_id", flat=True
    ):
        deals_of[contact_id] = deals_of.get(contact_id, 0) + 1
    assert deals_of
    for contact_id, count in deals_of.items():
        assert props("contacts", contact_id, "num_associated_deals") == (count,)


def test_an_import_counts_the_contacts_of_the_companies_it_links(settings, tmp_path):
    from comptoir.imports.tests.helpers import csv_bytes, run_import, upload

    settings.MEDIA_ROOT = tmp_path / "media"
    importer_user = make_user("importer@example.com", role="Super admin")
    acme = make_company(name="Acme", domain="acme.fr")
    rows = [["Email", "Company domain"], ["a@acme.fr", "acme.fr"], ["b@acme.fr", "acme.fr"]]
    run_import(upload(importer_user, csv_bytes(rows), objects="contacts+companies"))

    assert props("companies", acme.pk, "num_associated_contacts") == (2,)


def test_the_repair_command_recomputes_every_record_in_batches():
    acme = make_company(name="Acme")
    lea = make_contact(firstname="Léa", associations=[("companies", acme.pk, None)])
    make_deal(dealname="D1", associations=[("contacts", lea.pk, None)])
    make_deal(dealname="D2", associations=[("contacts", lea.pk, None)])
    note = make_activity(
        "notes", hs_timestamp="2026-01-05T09:00:00Z", hs_note_body="x",
        associations=[("contacts", lea.pk, None)],
    )  # fmt: skip
    # A bug (or a restore from an old backup) left them wrong.
    Contact.objects.filter(pk=lea.pk).update(properties={"firstname": "Léa", "num_notes": 9})
    out = io.StringIO()

    call_command("recompute_rollups", batch_size=1, stdout=out)

    assert props("contacts", lea.pk, "num_notes", "notes_last_updated", "num_associated_deals") == (
        1,
        stamp(note.hs_timestamp),
        2,
    )
    assert "contacts: 1 records changed" in out.getvalue()
    change = PropertyChange.objects.filter(
        object_type="0-1", object_id=lea.pk, property="num_notes"
    ).last()
    assert (change.source_type, change.source_id, change.value) == ("AUTOMATION", "rollups", "1")
    # Nothing left to change: a second run writes nothing.
    call_command("recompute_rollups", stdout=out)
    assert out.getvalue().endswith("0 records changed.\n")


def test_association_counts_count_live_records_only():
    """Archived contacts do not count (a lookup per link, whatever the contacts table holds)."""
    acme = make_company(name="Acme")
    globex = make_company(name="Globex")
    lea, tom, ana = (
        make_contact(firstname=name, associations=[("companies", acme.pk, None)])
        for name in ("Léa", "Tom", "Ana")
    )
    make_contact(firstname="Max", associations=[("companies", globex.pk, None)])
    archive_record("contacts", tom.pk, source=ChangeSource(type="AUTOMATION", id="test"))
    counts = rollups.association_counts("companies", [acme.pk, globex.pk], {"contacts"})
    assert counts == {
        acme.pk: {"num_associated_contacts": 2},
        globex.pk: {"num_associated_contacts": 1},
    }
    assert props("companies", acme.pk, "num_associated_contacts") == (2,)
    assert {lea.pk, ana.pk} < set(Contact.objects.values_list("pk", flat=True))
