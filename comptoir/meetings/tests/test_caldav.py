"""The host's calendar over CalDAV (TOOL-7), against a real Radicale: connected from the
Meetings page with its password encrypted at rest; its busy times leave the booking page; a
booking is written into it and a cancel removes it; a calendar that is down, refuses the
password or takes the connection and never answers gives the visitor the CRM's slots and
the host a clear notice, never a 500 nor a page (or a worker's job) waiting for ever."""

import datetime as dt
import re
import socket
import threading

import caldav
import pytest
from django.core import mail
from django.db import connection, connections
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


class HangingServer:
    """A "calendar server" that accepts every connection and never answers a byte; its
    connections are closed when the test ends (what is still waiting on it then fails)."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/claire/work/"
        self.accepted: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                conn, _address = self.listener.accept()
            except OSError:  # closed
                return
            self.accepted.append(conn)

    def close(self):
        self.listener.close()
        for conn in self.accepted:
            conn.close()
        self.thread.join(timeout=10)


@pytest.fixture
def hanging():
    server = HangingServer()
    yield server
    server.close()


def within(seconds: float, call):
    """`call()`'s result, run in a thread the test waits for at most `seconds` (far more
    than the calendar's timeout): a call still waiting then fails the test, never hangs it."""
    result: list = []

    def run():
        try:
            result.append(call())
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout=seconds)
    assert not thread.is_alive() and result, "still waiting for the calendar"
    return result[0]


@pytest.mark.django_db(transaction=True)  # the pages' threads see the test's rows
def test_a_calendar_that_never_answers_is_given_up_after_the_timeout(
    client_in, user, link, hanging, settings
):
    from django.tasks import task_backends
    from django_tasks_db.models import DBTaskResult

    from comptoir.meetings import tasks

    settings.COMPTOIR_CALDAV_TIMEOUT = 1
    CalendarConnection.objects.create(user=user, url=hanging.url, username=USER, password="x")
    page = within(60, lambda: Client().get(f"/meet/claire/?day={later()}"))
    # The page asked the calendar (which took the connection), gave up after the timeout
    # and offered the times free in the CRM; the host is told why.
    assert page.status_code == 200 and offered(page.content.decode())
    assert hanging.accepted
    conn = CalendarConnection.objects.get(user=user)
    assert conn.last_error == "The calendar could not be reached (no answer within 1 second)."
    html = client_in.get("/sales-tools/meetings/").content.decode()
    assert "Your calendar could not be read: The calendar could not be reached (no answer" in html
    # In French too (a minute later, when the calendar is tried again).
    CalendarConnection.objects.update(last_error_at=timezone.now() - dt.timedelta(minutes=2))
    french = within(60, lambda: Client(HTTP_ACCEPT_LANGUAGE="fr").get("/meet/claire/"))
    assert french.status_code == 200 and 'lang="fr"' in french.content.decode()
    conn.refresh_from_db()
    assert "pas de réponse en 1 seconde" in conn.last_error

    # A booking meanwhile: the page does not wait for the calendar again (left alone for a
    # minute after a failure), the booking stands, the event is the worker's job.
    del task_backends["default"]  # the real worker's queue (each thread makes its own)
    assert task_backends["default"].supports_defer
    asked = len(hanging.accepted)
    slot = offered(page.content.decode())[0]
    response = within(
        60,
        lambda: Client().post(
            "/meet/claire/", {"slot": slot, "name": "Zoé", "email": "zoe@example.org"}
        ),
    )
    assert response.status_code == 302 and len(hanging.accepted) == asked
    booking = Booking.objects.get()
    (job,) = DBTaskResult.objects.all()
    # The worker's job tries the calendar, gives up after the timeout, sends both
    # invitations all the same and ends; the booking stands without the calendar's event.
    mail.outbox.clear()
    sent = within(60, lambda: tasks.send_invitations.call(*job.args_kwargs["args"]))
    assert sent == 2 and len(mail.outbox) == 2
    assert len(hanging.accepted) > asked
    booking.refresh_from_db()
    assert booking.status == Booking.CONFIRMED and booking.calendar_event_url == ""
    conn.refresh_from_db()
    assert conn.last_error == "The calendar could not be reached (no answer within 1 second)."
