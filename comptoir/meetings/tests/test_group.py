"""Group meeting links (TOOL-7, HubSpot's "group" links): a time is offered only when every
member is free (their hours of the link, minus each one's bookings, CRM meetings and
calendar); a booking takes every member's slot at once, in one transaction, under locks
taken in the order of the users' ids: two visitors, or a group and a personal booking of
one member, never both get one time (real concurrent transactions on PostgreSQL)."""

import datetime as dt
import threading
import zoneinfo

import pytest
from django.db import connection, connections

from comptoir.core.associations.services import associated_ids
from comptoir.core.records.values import base_queryset
from comptoir.core.testing.factories import make_activity, make_user
from comptoir.meetings.availability import Interval, is_free, link_slots
from comptoir.meetings.booking import BookingError, book, book_link, cancel, reschedule
from comptoir.meetings.models import Booking, MeetingLink

UTC = dt.UTC
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
NOW = dt.datetime(2027, 1, 1, tzinfo=UTC)
MONDAY = dt.date(2027, 1, 4)
VISITOR = {"name": "Zoé Martin", "email": "zoe@example.org", "time_zone": "Europe/Paris"}


def paris(h, minute=0, day=MONDAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(h, minute), tzinfo=PARIS).astimezone(UTC)


def hhmm(starts) -> list[str]:
    return [s.astimezone(PARIS).strftime("%H:%M") for s in starts]


def team_link(owner, members, *, kind=MeetingLink.GROUP, slug="equipe", **kw):
    kw.setdefault("hours", {"mon": [["09:00", "11:00"]]})
    link = MeetingLink.objects.create(
        user=owner, slug=slug, title="Démo", kind=kind, minimum_notice_minutes=0,
        horizon_days=60, **kw,
    )  # fmt: skip
    link.members.set(members)
    return link


def personal_link(user, slug, **kw):
    kw.setdefault("hours", {"mon": [["09:00", "11:00"]]})
    return MeetingLink.objects.create(
        user=user, slug=slug, title="Perso", minimum_notice_minutes=0, horizon_days=60, **kw
    )


def crm_meeting(user, start: dt.datetime, minutes=30):
    return make_activity(
        "meetings",
        hs_meeting_title="Déjà pris",
        hs_meeting_start_time=start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        hs_meeting_end_time=(start + dt.timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        hubspot_owner_id=str(user.owner.pk),
    )


@pytest.fixture
def team(db):
    owner = make_user("claire@example.com", first_name="Claire")
    paul = make_user("paul@example.com", first_name="Paul")
    lea = make_user("lea@example.com", first_name="Léa")
    return owner, paul, lea


# -- Availability ----------------------------------------------------------------------------


def test_a_time_is_offered_only_when_every_member_is_free(team):
    owner, paul, lea = team
    group = team_link(owner, [owner, paul, lea])
    robin = team_link(owner, [owner, paul, lea], kind=MeetingLink.ROUND_ROBIN, slug="tour")
    everything = ["09:00", "09:15", "09:30", "09:45", "10:00", "10:15", "10:30"]
    assert hhmm(link_slots(group, MONDAY, 1, now=NOW)[MONDAY]) == everything
    crm_meeting(owner, paris(9))  # the owner: 9:00-9:30 in the CRM
    book(personal_link(paul, "paul"), paris(10), VISITOR, now=NOW)  # Paul: booked 10:00-10:30
    # Léa is free all morning; the owner from 9:30, Paul but 10:00-10:30.
    assert hhmm(link_slots(group, MONDAY, 1, now=NOW)[MONDAY]) == ["09:30", "10:30"]
    # A round robin of the same people offers a time while one of them is free.
    assert hhmm(link_slots(robin, MONDAY, 1, now=NOW)[MONDAY]) == everything


def test_one_members_calendar_or_buffer_takes_the_time_from_all(team):
    owner, paul, lea = team
    group = team_link(owner, [owner, paul, lea], buffer_after_minutes=15)
    lea_busy = [Interval(paris(10), paris(10, 30))]  # Léa's own calendar (CalDAV)
    free = hhmm(link_slots(group, MONDAY, 1, now=NOW, busy={lea.pk: lea_busy})[MONDAY])
    # 30 minutes + 15 after must not touch 10:00-10:30: 9:15 ends 9:45+15 = 10:00, fits.
    assert free == ["09:00", "09:15", "10:30"]
    assert not is_free(group.for_host(lea), paris(9, 45), now=NOW, extra_busy=lea_busy)
    assert is_free(group.for_host(paul), paris(9, 45), now=NOW)
    # The minimum notice and horizon hold for the group as for one host.
    group.minimum_notice_minutes = 60
    assert hhmm(link_slots(group, MONDAY, 1, now=paris(9, 10))[MONDAY]) == ["10:15", "10:30"]
    group.horizon_days = 1
    assert (
        link_slots(group, MONDAY, 1, now=paris(9, 0, MONDAY - dt.timedelta(days=3)))[MONDAY] == []
    )


def test_a_deactivated_member_is_left_out_and_the_owner_is_always_in(team):
    from comptoir.users.services import deactivate_user

    owner, paul, lea = team
    group = team_link(owner, [paul, lea])  # the owner not ticked: a member all the same
    assert [h.pk for h in group.hosts()] == sorted([owner.pk, paul.pk, lea.pk])
    crm_meeting(lea, paris(9), minutes=120)  # Léa is busy all morning
    assert link_slots(group, MONDAY, 1, now=NOW)[MONDAY] == []
    deactivate_user(lea)
    group = MeetingLink.objects.get(pk=group.pk)
    assert [h.pk for h in group.hosts()] == sorted([owner.pk, paul.pk])
    assert len(link_slots(group, MONDAY, 1, now=NOW)[MONDAY]) == 7
    booking = book_link(group, paris(9), VISITOR, now=NOW)
    assert sorted(h.pk for h in booking.hosts()) == sorted([owner.pk, paul.pk])


# -- Booking ---------------------------------------------------------------------------------


def test_a_group_booking_takes_each_members_slot_with_one_engagement(team):
    owner, paul, lea = team
    group = team_link(owner, [owner, paul, lea])
    booking = book_link(group, paris(9), VISITOR, now=NOW)
    rows = Booking.objects.filter(status=Booking.CONFIRMED).order_by("host_id")
    assert [r.host_id for r in rows] == sorted([owner.pk, paul.pk, lea.pk])
    assert booking.host_id == owner.pk and booking.main is None
    assert {r.main_id for r in rows if r.pk != booking.pk} == {booking.pk}
    assert {(r.meeting_id, r.contact_id, r.start) for r in rows} == {
        (booking.meeting_id, booking.contact_id, paris(9))
    }
    # One engagement, owned by the link's user, every member an attendee, on the contact.
    (meeting,) = base_queryset("meetings")
    assert meeting.pk == booking.meeting_id and meeting.hubspot_owner_id == owner.owner.pk
    attendees = meeting.properties["hs_attendee_owner_ids"].split(";")
    assert sorted(attendees) == sorted(str(u.owner.pk) for u in (owner, paul, lea))
    assert associated_ids("meetings", meeting.pk, "contacts") == [booking.contact_id]
    # Each member's time is taken: their personal link, a round robin and the group itself.
    paul_link = personal_link(paul, "paul")
    assert paris(9) not in link_slots(paul_link, MONDAY, 1, now=NOW)[MONDAY]
    with pytest.raises(BookingError) as taken:
        book(paul_link, paris(9, 15), {**VISITOR, "email": "leo@example.org"}, now=NOW)
    assert taken.value.code == "taken"
    robin = team_link(lea, [lea, paul], kind=MeetingLink.ROUND_ROBIN, slug="tour")
    assert paris(9) not in link_slots(robin, MONDAY, 1, now=NOW)[MONDAY]
    with pytest.raises(BookingError):
        book_link(group, paris(9), {**VISITOR, "email": "leo@example.org"}, now=NOW)
    assert Booking.objects.count() == 3 and base_queryset("meetings").count() == 1


def test_a_slot_no_longer_free_for_one_member_books_nobody(team):
    owner, paul, lea = team
    group = team_link(owner, [owner, paul, lea])
    crm_meeting(paul, paris(10))
    with pytest.raises(BookingError) as taken:
        book_link(group, paris(10), VISITOR, now=NOW)
    assert (taken.value.code, taken.value.field) == ("taken", "start")
    with pytest.raises(BookingError) as calendar:  # busy in Léa's calendar only
        book_link(group, paris(9), VISITOR, now=NOW, busy={lea.pk: [Interval(paris(9), paris(11))]})
    assert calendar.value.code == "taken"
    with pytest.raises(BookingError) as named:  # the visitor's mistake is told as such
        book_link(group, paris(9), {**VISITOR, "email": "nope"}, now=NOW)
    assert named.value.field == "email"
    assert not Booking.objects.exists()
    assert base_queryset("meetings").count() == 1 and not base_queryset("contacts").exists()


def test_cancel_and_reschedule_free_and_move_every_member(team):
    owner, paul, lea = team
    group = team_link(owner, [owner, paul, lea])
    booking = book_link(group, paris(9), VISITOR, now=NOW)
    moved = reschedule(booking, paris(10), now=NOW)
    assert set(Booking.objects.filter(start=paris(9)).values_list("status", flat=True)) == {
        Booking.CANCELLED
    }
    assert sorted(h.pk for h in moved.hosts()) == sorted([owner.pk, paul.pk, lea.pk])
    assert paris(9) in link_slots(group, MONDAY, 1, now=NOW)[MONDAY]
    assert paris(10) not in link_slots(group, MONDAY, 1, now=NOW)[MONDAY]
    assert cancel(moved, now=NOW)
    assert not Booking.objects.filter(status=Booking.CONFIRMED).exists()
    outcomes = sorted(m.properties["hs_meeting_outcome"] for m in base_queryset("meetings"))
    assert outcomes == ["CANCELED", "RESCHEDULED"]
    assert len(link_slots(group, MONDAY, 1, now=NOW)[MONDAY]) == 7


# -- At once, on PostgreSQL ------------------------------------------------------------------


def race(*attempts) -> list[str]:
    """Run each attempt (a function booking something) in its own thread and connection,
    all released together; their outcomes ("booked" or the error's code)."""
    barrier = threading.Barrier(len(attempts))
    outcomes = []

    def run(attempt):
        try:
            barrier.wait()
            attempt()
            outcomes.append("booked")
        except BookingError as exc:
            outcomes.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(a,)) for a in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions waiting on row locks: PostgreSQL")


@pytest.mark.django_db(transaction=True)
def test_two_visitors_booking_one_group_slot_at_once_get_one_booking():
    postgresql_only()
    owner, paul = make_user("claire@example.com"), make_user("paul@example.com")
    group = team_link(owner, [owner, paul])
    outcomes = race(
        *(
            lambda n=n: book_link(
                group, paris(9), {**VISITOR, "email": f"v{n}@example.org"}, now=NOW
            )
            for n in range(2)
        )
    )
    assert outcomes == ["booked", "taken"]
    assert Booking.objects.count() == 2  # the winner's two rows
    assert base_queryset("meetings").count() == 1  # the loser left nothing behind


@pytest.mark.django_db(transaction=True)
def test_a_group_and_a_personal_booking_of_one_member_never_both_succeed():
    postgresql_only()
    owner, paul = make_user("claire@example.com"), make_user("paul@example.com")
    group = team_link(owner, [owner, paul])
    paul_link = personal_link(paul, "paul")
    # Overlapping, not the same start: only the locks and the check under them can tell.
    for n, (group_at, paul_at) in enumerate(((paris(9), paris(9, 15)), (paris(10), paris(10)))):
        outcomes = race(
            lambda at=group_at: book_link(group, at, VISITOR, now=NOW),
            lambda at=paul_at, n=n: book(
                paul_link, at, {**VISITOR, "email": f"l{n}@x.org"}, now=NOW
            ),
        )
        assert outcomes == ["booked", "taken"]
    for start, end in Booking.objects.filter(host=paul).values_list("start", "end"):
        others = Booking.objects.filter(host=paul, start__lt=end, end__gt=start)
        assert others.count() == 1  # Paul is never booked twice at once


@pytest.mark.django_db(transaction=True)
def test_two_group_links_sharing_members_lock_them_in_one_order():
    """Claire's link and Paul's have the same two members: each locks them by id, never
    one waiting for the other crosswise (a deadlock would be a database error, a 500)."""
    postgresql_only()
    claire, paul = make_user("claire@example.com"), make_user("paul@example.com")
    hers = team_link(claire, [claire, paul], slug="a")
    his = team_link(paul, [claire, paul], slug="b")
    for hour in (9, 10):
        outcomes = race(
            lambda h=hour: book_link(hers, paris(h), VISITOR, now=NOW),
            lambda h=hour: book_link(his, paris(h), {**VISITOR, "email": "b@x.org"}, now=NOW),
        )
        assert outcomes == ["booked", "taken"]
    assert Booking.objects.count() == 4
