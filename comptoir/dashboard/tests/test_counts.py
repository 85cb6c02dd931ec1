"""The dashboard's per-day activity counters equal a recount from the activities after every
write path, in time zones with and without daylight saving; figures read from them equal
the figures counted live; a changed report time zone is read live until rebuilt."""

import datetime as dt
import zoneinfo

import pytest
from django.test import RequestFactory
from django.utils import timezone

from comptoir.core.portal.services import update_portal
from comptoir.core.records.bulk import bulk_create_records
from comptoir.core.records.merge import merge_records
from comptoir.core.records.writes import (
    archive_record,
    create_record,
    purge_records,
    restore_record,
    update_record,
)
from comptoir.core.testing.factories import UI, make_user
from comptoir.dashboard import counts, figures
from comptoir.dashboard.filters import DashboardFilters
from comptoir.users.roles import SALES_REP_PRIVATE

pytestmark = pytest.mark.django_db

# Around midnight and the daylight-saving changes of 2026 in Europe and America, and a
# zone 45 minutes off the hour.
EDGES = [
    "2026-03-28T23:30:00Z",
    "2026-03-29T00:59:59Z",
    "2026-03-29T01:00:00Z",
    "2026-03-29T22:30:00Z",
    "2026-03-08T06:59:00Z",
    "2026-03-08T07:00:00Z",
    "2026-10-25T00:30:00Z",
    "2026-10-25T01:00:00Z",
    "2026-11-01T04:30:00Z",
    "2026-11-01T05:30:00Z",
    "2026-12-31T18:14:59Z",
    "2026-12-31T18:15:00Z",
    "2026-12-31T23:30:00Z",
]
ZONES = ["Europe/Paris", "America/New_York", "Asia/Kathmandu", "UTC"]


def assert_counters_exact():
    zone = counts.kept_zone()
    assert zone, "the counters are kept"
    assert counts.stored() == counts.recount(zone)


@pytest.fixture
def people(db):
    alice = make_user("alice@example.com", first_name="Alice")
    bob = make_user("bob@example.com", first_name="Bob", role=SALES_REP_PRIVATE)
    return alice, bob, str(alice.owner.pk), str(bob.owner.pk)


def some_activities(a, b):
    made = []
    for i, when in enumerate(EDGES):
        owner = (a, b, None)[i % 3]
        props = {"hs_timestamp": when}
        if owner:
            props["hubspot_owner_id"] = owner
        made.append(create_record("calls", props, source=UI))
        made.append(
            create_record(
                "emails",
                {**props, "hs_email_direction": ("EMAIL", "INCOMING_EMAIL")[i % 2]},
                source=UI,
            )
        )
        outcome = ("COMPLETED", "CANCELED", None)[i % 3]
        made.append(
            create_record(
                "meetings",
                {**props, **({"hs_meeting_outcome": outcome} if outcome else {})},
                source=UI,
            )
        )
        made.append(
            create_record(
                "tasks",
                {**props, "hs_task_subject": f"t{i}", "hs_task_status": "COMPLETED"},
                source=UI,
                at=dt.datetime.fromisoformat(when),
            )
        )
        made.append(create_record("notes", {**props, "hs_note_body": "n"}, source=UI))
    return made


@pytest.mark.parametrize("zone", ZONES)
def test_every_write_path_keeps_the_counters_exact(people, zone):
    _alice, _bob, a, b = people
    update_portal(report_time_zone=zone)
    counts.rebuild()
    made = some_activities(a, b)
    assert_counters_exact()
    assert counts.stored(), "something was counted"
    call, email, meeting, task = made[0], made[6], made[2], made[3]
    update_record("calls", call.pk, {"hubspot_owner_id": b}, source=UI)
    update_record("calls", call.pk, {"hs_timestamp": "2026-10-25T00:59:00Z"}, source=UI)
    update_record("emails", email.pk, {"hs_email_direction": "EMAIL"}, source=UI)
    update_record("meetings", meeting.pk, {"hs_meeting_outcome": "NO_SHOW"}, source=UI)
    update_record("tasks", task.pk, {"hs_task_status": "IN_PROGRESS"}, source=UI)
    update_record(
        "tasks", made[8].pk, {"hs_task_status": "NOT_STARTED"}, source=UI
    )  # then completed again, at another time
    update_record(
        "tasks",
        made[8].pk,
        {"hs_task_status": "COMPLETED"},
        source=UI,
        at=dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC),
    )
    assert_counters_exact()
    archive_record("calls", made[5].pk, source=UI)
    archive_record("meetings", made[7].pk, source=UI)
    assert_counters_exact()
    restore_record("calls", made[5].pk, source=UI)
    assert_counters_exact()
    purge_records("calls", [made[5].pk])  # live
    purge_records("meetings", [made[7].pk])  # archived
    assert_counters_exact()
    result = bulk_create_records(
        "tasks",
        [
            {"hs_timestamp": EDGES[0], "hs_task_status": "COMPLETED", "hubspot_owner_id": a},
            {"hs_timestamp": EDGES[1], "hubspot_owner_id": b},
        ],
        source=UI,
        times=[dt.datetime(2026, 3, 29, 0, 30, tzinfo=dt.UTC)] * 2,
    )
    bulk_create_records(
        "calls",
        [{"hs_timestamp": when, "hubspot_owner_id": b} for when in EDGES],
        source=UI,
    )
    assert result.created == 2
    assert_counters_exact()


def test_hand_over_and_merge_keep_the_counters_exact(people):
    from comptoir.users.deactivation import hand_over

    alice, bob, a, b = people
    counts.rebuild()
    some_activities(a, b)
    k1 = create_record("contacts", {"email": "k1@example.com"}, source=UI)
    k2 = create_record("contacts", {"email": "k2@example.com"}, source=UI)
    create_record(
        "calls",
        {"hs_timestamp": EDGES[0], "hubspot_owner_id": a},
        source=UI,
        associations=[("contacts", k2.pk, None)],
    )
    merge_records("contacts", k1.pk, k2.pk, source=UI)
    hand_over(bob, alice, source=UI)
    assert_counters_exact()


def test_a_changed_time_zone_is_read_live_until_rebuilt(people, django_capture_on_commit_callbacks):
    alice, _bob, a, b = people
    update_portal(report_time_zone="Europe/Paris")
    counts.rebuild()
    some_activities(a, b)
    request = RequestFactory().get("/dashboard/", {"period": "this_year"})
    request.user = alice
    with django_capture_on_commit_callbacks() as callbacks:
        update_portal(report_time_zone="America/New_York")
    assert len(callbacks) == 1  # the rebuild is queued for the worker
    now = timezone.now()  # one instant for both pages: meetings count once held
    filters = DashboardFilters.from_request(request, now=now)
    assert not figures.counts_ready(filters)
    live = figures.productivity(filters, alice)
    counts.rebuild()
    filters = DashboardFilters.from_request(request, now=now)  # the next page asks again
    assert figures.counts_ready(filters)
    assert counts.kept_zone() == "America/New_York"
    counted = figures.productivity(filters, alice)
    assert counted == live


def _figures(user, now=None, **params):
    request = RequestFactory().get("/dashboard/", params)
    request.user = user
    return figures.productivity(DashboardFilters.from_request(request, now=now), user)


@pytest.mark.parametrize("zone", ["Europe/Paris", "Asia/Kathmandu"])
def test_counted_figures_equal_live_figures(people, zone, monkeypatch):
    alice, bob, a, b = people
    update_portal(report_time_zone=zone)
    counts.rebuild()
    some_activities(a, b)
    combos = [
        {"period": "custom", "from": "2026-01-01", "to": "2026-12-31"},
        {"period": "custom", "from": "2026-03-29", "to": "2026-03-29"},
        {"period": "custom", "from": "2026-03-28", "to": "2026-11-01"},
        {"period": "custom", "from": "2026-12-31", "to": "2027-01-01", "who": f"owner:{a}"},
        {"period": "custom", "from": "2024-01-01", "to": "2026-12-31", "who": f"owner:{b}"},
    ]
    # Meetings count once held: "now" on a day with meetings before and after it, and today.
    moments = [
        dt.datetime(2026, 3, 29, 0, 30, tzinfo=dt.UTC),
        dt.datetime(2026, 12, 31, 18, 14, 59, 500_000, tzinfo=dt.UTC),
        timezone.now(),
    ]
    for user in (alice, bob):
        for params in combos:
            for now in moments:
                counted = _figures(user, now, **params)
                monkeypatch.setattr(figures, "counts_ready", lambda f: False)
                live = _figures(user, now, **params)
                monkeypatch.undo()
                assert counted == live, (user, params, now)
                assert counted.weekly == live.weekly


def assert_contact_counters_exact():
    assert counts.contacts_stored() == {o: n for o, n in counts.contact_recount().items() if n}


def test_contact_write_paths_keep_the_owner_counters_exact(people):
    from comptoir.users.deactivation import hand_over

    alice, bob, a, b = people
    k1 = create_record("contacts", {"email": "k1@example.com", "hubspot_owner_id": a}, source=UI)
    k2 = create_record("contacts", {"email": "k2@example.com", "hubspot_owner_id": b}, source=UI)
    k3 = create_record("contacts", {"email": "k3@example.com"}, source=UI)
    assert_contact_counters_exact()
    update_record("contacts", k3.pk, {"hubspot_owner_id": b}, source=UI)
    update_record("contacts", k1.pk, {"hubspot_owner_id": ""}, source=UI)
    assert_contact_counters_exact()
    archive_record("contacts", k1.pk, source=UI)
    assert_contact_counters_exact()
    restore_record("contacts", k1.pk, source=UI)
    assert_contact_counters_exact()
    merge_records("contacts", k2.pk, k3.pk, source=UI)
    assert_contact_counters_exact()
    bulk_create_records(
        "contacts",
        [
            {"email": f"bulk{i}@example.com", "hubspot_owner_id": (a, b, "")[i % 3]}
            for i in range(7)
        ],
        source=UI,
    )
    assert_contact_counters_exact()
    hand_over(bob, alice, source=UI)
    assert_contact_counters_exact()
    archive_record("contacts", k2.pk, source=UI)
    purge_records("contacts", [k2.pk, k1.pk])  # one archived, one live
    assert_contact_counters_exact()
    assert counts.contacts_stored()


def test_contacts_with_an_owner_equal_the_contacts_lists(people):
    from django.db.models import Count

    from comptoir.core.records.values import base_queryset

    alice, bob, a, b = people
    for i, owner in enumerate([a, a, b, "", b, ""]):
        props = {"email": f"c{i}@example.com"}
        if owner:
            props["hubspot_owner_id"] = owner
        create_record("contacts", props, source=UI)
    for user in (alice, bob):
        for who in ("", f"owner:{a}", f"owner:{b}"):
            request = RequestFactory().get("/dashboard/", {"who": who})
            request.user = user
            filters = DashboardFilters.from_request(request)
            visible = base_queryset("contacts", user=user)
            if filters.owner_ids is not None:
                owned = visible.filter(hubspot_owner_id__in=filters.owner_ids)
            else:
                owned = visible.filter(hubspot_owner_id__isnull=False)
            assert figures.contact_counts(filters, user) == (
                visible.aggregate(n=Count("pk"))["n"],
                owned.count(),
            ), (user, who)


def test_the_rebuild_command_recounts_in_the_report_time_zone(people):
    from io import StringIO

    from django.core.management import call_command

    _alice, _bob, a, b = people
    some_activities(a, b)
    update_portal(report_time_zone="Asia/Kathmandu")
    out = StringIO()
    call_command("rebuild_dashboard_counts", stdout=out)
    assert "day counters" in out.getvalue()
    assert counts.kept_zone() == "Asia/Kathmandu"
    assert_counters_exact()


# -- deals ---------------------------------------------------------------------------------------

STAGES = ["appointmentscheduled", "contractsent", "closedwon", "closedlost"]


def assert_deal_counters_exact():
    assert counts.deals_stored() == counts.deal_recount(counts.kept_zone())


def _at(when: str) -> dt.datetime:
    return dt.datetime.fromisoformat(when.replace("Z", "+00:00"))


def some_deals(a, b):
    """Deals closing and created at every edge, amounts with cents, some without an owner,
    an amount or a close date."""
    owners = [a, b, ""]
    made = []
    for i, when in enumerate(EDGES):
        props = {
            "dealname": f"Deal {i}",
            "pipeline": "default",
            "dealstage": STAGES[i % len(STAGES)],
            "hubspot_owner_id": owners[i % 3],
        }
        if i % 5:
            props["amount"] = f"{1000 + i * 37}.{i:02d}"
        if i % 6:
            props["closedate"] = EDGES[(i + 3) % len(EDGES)]
        made.append(create_record("deals", props, source=UI, at=_at(when)))
    return made


@pytest.mark.parametrize("zone", ZONES)
def test_deal_write_paths_keep_the_day_counters_exact(people, zone):
    from comptoir.users.deactivation import hand_over

    alice, bob, a, b = people
    update_portal(report_time_zone=zone)
    counts.rebuild()
    made = some_deals(a, b)
    assert_deal_counters_exact()
    assert counts.deals_stored(), "something was counted"
    update_record("deals", made[1].pk, {"dealstage": "closedwon"}, source=UI)
    update_record("deals", made[2].pk, {"amount": "99.99"}, source=UI)
    update_record("deals", made[3].pk, {"amount": ""}, source=UI)
    update_record("deals", made[4].pk, {"closedate": "2026-03-29T00:59:59Z"}, source=UI)
    update_record("deals", made[5].pk, {"hubspot_owner_id": ""}, source=UI)
    update_record(
        "deals", made[7].pk, {"hubspot_owner_id": b, "dealstage": "closedlost"}, source=UI
    )
    assert_deal_counters_exact()
    archive_record("deals", made[8].pk, source=UI)
    archive_record("deals", made[9].pk, source=UI)
    assert_deal_counters_exact()
    restore_record("deals", made[8].pk, source=UI)
    purge_records("deals", [made[8].pk, made[9].pk])  # one live, one archived
    assert_deal_counters_exact()
    result = bulk_create_records(
        "deals",
        [
            {
                "dealname": f"Bulk {i}",
                "pipeline": "default",
                "dealstage": STAGES[i % 4],
                "amount": f"{i}.5",
                "closedate": when,
                "hubspot_owner_id": (a, b, "")[i % 3],
            }
            for i, when in enumerate(EDGES)
        ],
        source=UI,
        times=[_at(when) for when in reversed(EDGES)],
    )
    assert result.created == len(EDGES)
    assert_deal_counters_exact()
    merge_records("deals", made[10].pk, made[11].pk, source=UI)
    assert_deal_counters_exact()
    hand_over(bob, alice, source=UI)
    assert_deal_counters_exact()


def _deal_figures(user, **params):
    request = RequestFactory().get("/dashboard/", params)
    request.user = user
    filters = DashboardFilters.from_request(request)
    forecast = figures.forecast(filters, user)
    created = {f.label: f.count for f in figures.pipeline_figures(filters, user, forecast)}
    return forecast, created["Deals created"]


@pytest.mark.parametrize("zone", ["Europe/Paris", "Asia/Kathmandu"])
def test_counted_deal_figures_equal_live_figures(people, zone, monkeypatch):
    alice, bob, a, b = people
    update_portal(report_time_zone=zone)
    counts.rebuild()
    some_deals(a, b)
    combos = [
        {"period": "custom", "from": "2026-01-01", "to": "2026-12-31"},
        {"period": "custom", "from": "2026-03-29", "to": "2026-03-29"},
        {"period": "custom", "from": "2026-03-28", "to": "2026-11-01"},
        {"period": "custom", "from": "2026-12-31", "to": "2027-01-01", "who": f"owner:{a}"},
        {"period": "custom", "from": "2024-01-01", "to": "2026-12-31", "who": f"owner:{b}"},
        # whole months read from the month rows, edge days from the day rows
        {"period": "custom", "from": "2026-02-01", "to": "2026-02-28"},
        {"period": "custom", "from": "2026-03-08", "to": "2026-04-30"},
        {"period": "custom", "from": "2026-03-01", "to": "2026-03-29"},
        {"period": "custom", "from": "2025-12-31", "to": "2026-11-01"},
    ]
    for user in (alice, bob):
        for params in combos:
            counted = _deal_figures(user, **params)
            monkeypatch.setattr(figures, "counts_ready", lambda f: False)
            live = _deal_figures(user, **params)
            monkeypatch.undo()
            assert counted == live, (user, params)
    forecast, created = _deal_figures(
        alice, period="custom", **{"from": "2026-01-01", "to": "2026-12-31"}
    )
    in_2026 = sum(_at(e).astimezone(zoneinfo.ZoneInfo(zone)).year == 2026 for e in EDGES)
    assert created == in_2026  # deals created at 23:30 UTC on 31 December are in 2027 there
    assert forecast.won_count and forecast.open_amount
