"""Booking through a link (TOOL-7): one transaction making the contact and the meeting
engagement; the same slot booked twice at once gives one booking and one "just taken"
(real concurrent transactions on PostgreSQL); bad input named."""

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from comptoir.core.associations.services import associated_ids
from comptoir.core.history.models import PropertyChange
from comptoir.core.objects.registry import get_object_type
from comptoir.core.records.values import base_queryset
from comptoir.core.testing.factories import make_contact, make_user
from comptoir.meetings.booking import BookingError, book
from comptoir.meetings.models import Booking, MeetingLink

UTC = dt.UTC
NOW = dt.datetime(2027, 1, 1, tzinfo=UTC)
SLOT = dt.datetime(2027, 1, 4, 9, 0, tzinfo=UTC)  # Monday 10:00 in Paris


def make_link(**extra):
    host = make_user(extra.pop("email", "host@example.com"))
    return MeetingLink.objects.create(
        user=host, slug=extra.pop("slug", "host"), title="Découverte", minimum_notice_minutes=0,
        horizon_days=60, location="https://visio.example/host", **extra,
    )  # fmt: skip


VISITOR = {"name": "Zoé Martin", "email": "Zoe@Example.org", "time_zone": "America/Montreal"}


@pytest.mark.django_db
def test_a_booking_makes_the_contact_and_the_meeting_on_its_timeline():
    link = make_link(questions=[{"label": "Votre besoin ?", "required": True}])
    booking = book(link, SLOT, {**VISITOR, "q0": "Un <b>CRM</b>"}, now=NOW)
    assert booking.email == "zoe@example.org" and booking.time_zone == "America/Montreal"
    contact = base_queryset("contacts").get(pk=booking.contact_id)
    assert (contact.firstname, contact.lastname, contact.email) == (
        "Zoé",
        "Martin",
        "zoe@example.org",
    )
    meeting = base_queryset("meetings").get(pk=booking.meeting_id)
    assert meeting.properties["hs_meeting_outcome"] == "SCHEDULED"
    assert "&lt;b&gt;CRM&lt;/b&gt;" in meeting.properties["hs_meeting_body"]
    assert meeting.hubspot_owner_id == link.user.owner.pk
    assert associated_ids("meetings", meeting.pk, "contacts") == [contact.pk]
    sources = set(
        PropertyChange.objects.filter(
            object_type=get_object_type("meetings").type_id, object_id=meeting.pk
        ).values_list("source_type", "source_id")
    )
    assert sources == {("SALES", f"meeting-link:{link.pk}")}
    # The slot is no longer offered, and a second booking of it is refused in words.
    with pytest.raises(BookingError) as taken:
        book(link, SLOT, {**VISITOR, "email": "other@example.org", "q0": "x"}, now=NOW)
    assert taken.value.code == "taken" and taken.value.field == "start"


@pytest.mark.django_db
def test_an_existing_contact_is_used_and_bad_input_is_named():
    link = make_link(questions=[{"label": "Votre besoin ?", "required": True}])
    known = make_contact(email="zoe@example.org", firstname="Zoé")
    for data, field in (
        ({**VISITOR, "name": "  "}, "name"),
        ({**VISITOR, "email": "pas-un-email"}, "email"),
        ({**VISITOR, "email": "a@b.c\r\nBcc: x@y.z"}, "email"),
        (VISITOR, "q0"),
    ):
        with pytest.raises(BookingError) as error:
            book(link, SLOT, data, now=NOW)
        assert error.value.field == field
    with pytest.raises(BookingError) as off_hours:
        book(link, SLOT.replace(hour=3), {**VISITOR, "q0": "x"}, now=NOW)
    assert off_hours.value.code == "taken"
    assert not Booking.objects.exists()
    booking = book(link, SLOT, {**VISITOR, "time_zone": "Mars/Olympus", "q0": "x"}, now=NOW)
    assert booking.contact_id == known.pk and booking.time_zone == ""
    # Updated: the blank last name filled from what the visitor typed, with its history;
    # the CRM's first name kept.
    known.refresh_from_db()
    typed_last = VISITOR["name"].partition(" ")[2]
    assert (known.firstname, known.lastname) == ("Zoé", typed_last)
    change = PropertyChange.objects.filter(property="lastname", object_id=known.pk).latest("pk")
    assert change.value == typed_last


@pytest.mark.django_db(transaction=True)
def test_two_visitors_booking_one_slot_at_once_get_one_booking():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions waiting on a row lock: PostgreSQL")
    link = make_link()
    barrier = threading.Barrier(2)
    outcomes = []

    def visit(n):
        try:
            barrier.wait()
            book(link, SLOT, {**VISITOR, "email": f"visitor{n}@example.org"}, now=NOW)
            outcomes.append("booked")
        except BookingError as exc:
            outcomes.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=visit, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["booked", "taken"]
    assert Booking.objects.count() == 1
    assert base_queryset("meetings").count() == 1  # the loser left nothing behind
