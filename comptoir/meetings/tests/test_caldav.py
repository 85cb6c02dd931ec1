"""The host's calendar over CalDAV (TOOL-7), against a real Radicale: connected from the
Meetings page with its password encrypted at rest; its busy times leave the booking page; a
booking is written into it and a cancel removes it; a calendar that is down or refuses the
password gives the visitor the CRM's slots and the host a clear notice, never a 500."""

import datetime as dt
import re

import caldav
import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from comptoir.core.testing.mailservers import free_port
from comptoir.meetings.models import WEEKDAYS, Booking, CalendarConnection, MeetingLink
from comptoir.meetings.public_views import SLOT_FORMAT
from comptoir.meetings.tests.radicale import PASSWORD, USER

pytestmark = pytest.mark.django_db

ALL_DAY = {day: [["00:00", "24:00"]] for day in WEEKDAYS}


def later() -> str:
    """A day with a full day of free times, whatever the hour the test runs at."""
    return (timezone.now() + dt.timedelta(days=2)).date().isoformat()


def offered(html: str) -> list[str]:
    return re.findall(r"slot=(\d{8}T\d{4}Z)", html)


def slot_time(slot: str) -> dt.datetime:
    return dt.datetime.strptime(slot, SLOT_FORMAT).replace(tzinfo=dt.UTC)


def calendar(url: str):
    client = caldav.DAVClient(url=url, username=USER, password=PASSWORD)
    return client.calendar(url=url)


def events(url: str, start: dt.datetime, end: dt.datetime) -> list:
    found = calendar(url).search(start=start, end=end, event=True, expand=True)
    return [c for e in found for c in e.icalendar_instance.walk("VEVENT")]


@pytest.fixture
def link(user):
    return MeetingLink.objects.create(
        user=user, slug="claire", title="Découverte", hours=ALL_DAY, minimum_notice_minutes=60
    )


@pytest.fixture
def calendar_url(radicale, request):
    return radicale.make_calendar(f"cal-{abs(hash(request.node.name)) % 10**8}")


def test_connecting_keeps_the_password_encrypted(client_in, user, calendar_url):
    response = client_in.post(
        "/sales-tools/meetings/calendar/",
        {"url": calendar_url, "username": USER, "password": PASSWORD},
        follow=True,
    )
    assert "Calendar connected" in response.content.decode()
    conn = CalendarConnection.objects.get(user=user)
    assert conn.password == PASSWORD and not conn.last_error
    with connection.cursor() as cursor:
        cursor.execute("select password from meetings_calendarconnection")
        stored = cursor.fetchone()[0]
    assert PASSWORD not in stored
    # Saved again without a password: the stored one stays.
    client_in.post("/sales-tools/meetings/calendar/", {"url": calendar_url, "username": USER})
    conn.refresh_from_db()
    assert conn.password == PASSWORD
    client_in.post("/sales-tools/meetings/calendar/disconnect/")
    assert not CalendarConnection.objects.exists()


def test_a_bad_address_is_named(client_in, user):
    for url in ("ftp://cal.example/x", "javascript:alert(1)", "", "http://:99999/"):
        response = client_in.post(
            "/sales-tools/meetings/calendar/", {"url": url, "username": "", "password": "x"}
        )
        assert response.status_code == 400, url
        assert re.search(r'name="url"[^>]*aria-invalid="true"', response.content.decode())
    assert not CalendarConnection.objects.exists()


def test_busy_times_leave_the_page_and_bookings_go_into_the_calendar(user, link, calendar_url):
    CalendarConnection.objects.create(user=user, url=calendar_url, username=USER, password=PASSWORD)
    visitor = Client()
    before = offered(visitor.get(f"/meet/claire/?day={later()}").content.decode())
    busy_start, busy_end = slot_time(before[2]), slot_time(before[2]) + dt.timedelta(hours=1)
    calendar(calendar_url).save_event(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
        "UID:busy-1\r\nDTSTAMP:20270101T000000Z\r\n"
        f"DTSTART:{busy_start:%Y%m%dT%H%M%SZ}\r\nDTEND:{busy_end:%Y%m%dT%H%M%SZ}\r\n"
        "SUMMARY:Dentiste\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    after = offered(visitor.get(f"/meet/claire/?day={later()}").content.decode())
    gone = [s for s in before if s not in after]
    # A 30-minute meeting cannot start from 30 minutes before the busy hour to its end.
    assert gone and all(
        busy_start - dt.timedelta(minutes=30) < slot_time(s) < busy_end for s in gone
    )
    assert before[2] not in after
    # A booking of a busy time is refused, even forged.
    response = visitor.post(
        "/meet/claire/", {"slot": before[2], "name": "Zoé", "email": "zoe@example.org"}
    )
    assert response.status_code == 409
    # A free one is booked and written into the calendar; the cancel removes it.
    response = visitor.post(
        "/meet/claire/", {"slot": after[0], "name": "Zoé", "email": "zoe@example.org"}
    )
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert booking.calendar_event_url
    start = slot_time(after[0])
    written = events(calendar_url, start, start + dt.timedelta(minutes=30))
    assert [str(e["SUMMARY"]) for e in written] == ["Découverte – Zoé"]  # noqa: RUF001
    visitor.post(f"/meet/booking/{booking.token}/cancel/")
    assert events(calendar_url, start, start + dt.timedelta(minutes=30)) == []


def test_a_calendar_down_or_refusing_gives_crm_slots_and_tells_the_host(
    client_in, user, link, calendar_url
):
    down = f"http://127.0.0.1:{free_port()}/claire/work/"
    for url, password in ((down, PASSWORD), (calendar_url, "wrong")):
        CalendarConnection.objects.update_or_create(
            user=user,
            defaults={"url": url, "username": USER, "password": password, "last_error": ""},
        )
        page = Client().get(f"/meet/claire/?day={later()}")
        assert page.status_code == 200 and offered(page.content.decode())
        conn = CalendarConnection.objects.get(user=user)
        assert conn.last_error and conn.last_error_at
        html = client_in.get("/sales-tools/meetings/").content.decode()
        assert "Your calendar could not be read" in html
        # The visitor still books (the event is not written, the booking stands).
        slot = offered(page.content.decode())[0]
        response = Client().post(
            "/meet/claire/", {"slot": slot, "name": "Zoé", "email": f"zoe{password}@example.org"}
        )
        assert response.status_code == 302
        assert Booking.objects.filter(start=slot_time(slot), calendar_event_url="").exists()
    # While it fails, it is left alone for a minute (the pages stay fast); then tried again,
    # and once it answers, the notice goes.
    conn = CalendarConnection.objects.get(user=user)
    conn.password = PASSWORD
    conn.save()
    Client().get(f"/meet/claire/?day={later()}")
    conn.refresh_from_db()
    assert conn.last_error
    CalendarConnection.objects.update(last_error_at=timezone.now() - dt.timedelta(minutes=2))
    Client().get(f"/meet/claire/?day={later()}")
    conn.refresh_from_db()
    assert conn.last_error == ""
