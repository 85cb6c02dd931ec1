"""Group meeting links (TOOL-7) through their pages: created in Sales tools > Meetings by
their owner only; a visitor books every member at once on /meet/<slug>/; the invitation
(every member an ATTENDEE) reaches the visitor and each member through a real SMTP server
(aiosmtpd), the event lands in each member's own calendar (a real Radicale); a time taken
meanwhile from one member, a deactivated member and another user's link are answered in
words or as missing, never with a 500."""

import datetime as dt
import re

import icalendar
import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from comptoir.core.records.values import base_queryset
from comptoir.core.testing.factories import make_user
from comptoir.core.testing.mailservers import free_port
from comptoir.core.testing.smtp import smtp_server
from comptoir.meetings.models import WEEKDAYS, Booking, CalendarConnection, MeetingLink
from comptoir.meetings.public_views import SLOT_FORMAT
from comptoir.meetings.tests.radicale import PASSWORD, USER
from comptoir.meetings.tests.test_caldav import calendar, events
from comptoir.meetings.tests.test_group import crm_meeting
from comptoir.meetings.tests.test_pages import later, link_form, offered

pytestmark = pytest.mark.django_db

ALL_DAY = {day: [["00:00", "24:00"]] for day in WEEKDAYS}
VISITOR = {"tz": "Europe/Paris", "name": "Zoé Martin", "email": "zoe@example.org"}


def slot_time(slot: str) -> dt.datetime:
    return dt.datetime.strptime(slot, SLOT_FORMAT).replace(tzinfo=dt.UTC)


@pytest.fixture
def paul(db):
    paul = make_user("paul@example.com", first_name="Paul", last_name="Durand")
    paul.language = "fr"
    paul.save(update_fields=["language"])
    return paul


@pytest.fixture
def group(user, paul):
    link = MeetingLink.objects.create(
        user=user, slug="equipe", title="Démo", kind=MeetingLink.GROUP, hours=ALL_DAY,
        minimum_notice_minutes=60, location="https://visio.example/equipe",
    )  # fmt: skip
    link.members.set([user, paul])
    return link


def calendar_part(message) -> tuple[str, icalendar.Event]:
    part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    payload = part.get_payload(decode=True)
    event = next(iter(icalendar.Calendar.from_ical(payload).walk("VEVENT")))
    return part.get_param("method"), event


def attendees(event) -> set[str]:
    found = event.get("ATTENDEE")
    found = found if isinstance(found, list) else [found]
    return {str(a).removeprefix("mailto:") for a in found}


# -- Sales tools > Meetings ------------------------------------------------------------------


def test_a_rep_makes_a_group_link_with_chosen_colleagues(client_in, user, paul):
    blank = client_in.get("/sales-tools/meetings/new/").content.decode()
    assert re.search(rf'name="members" value="{user.pk}" checked', blank)  # the maker first
    assert not re.search(rf'name="members" value="{paul.pk}" checked', blank)
    form = link_form(
        slug="equipe", kind="group", members=[str(paul.pk)], questions="",
        **{f"hours_{d}": "00:00-24:00" for d in WEEKDAYS},
    )  # fmt: skip
    assert client_in.post("/sales-tools/meetings/new/", form).status_code == 302
    link = MeetingLink.objects.get(slug="equipe")
    # The rep did not tick themselves: a group meeting always has its owner.
    assert link.kind == "group" and {u.pk for u in link.members.all()} == {user.pk, paul.pk}
    assert "Group meeting" in client_in.get("/sales-tools/meetings/").content.decode()
    edit = client_in.get(f"/sales-tools/meetings/{link.pk}/edit/").content.decode()
    assert '<option value="group" selected>' in edit
    for pk in (user.pk, paul.pk):
        assert re.search(rf'name="members" value="{pk}" checked', edit)
    page = Client().get(f"/meet/equipe/?day={later()}").content.decode()
    assert "Sam Seller, Paul Durand" in page and offered(page)
    # Paul finds the link among those he takes part in (to copy, not to change).
    member = Client()
    member.force_login(paul)
    html = member.get("/sales-tools/meetings/").content.decode()
    assert "Liens d’équipe dont vous faites partie" in html  # noqa: RUF001
    assert "/meet/equipe/" in html and "Créé par Sam Seller" in html
    assert f"/sales-tools/meetings/{link.pk}/edit/" not in html
    link.active = False
    link.save(update_fields=["active"])
    assert "/meet/equipe/" not in member.get("/sales-tools/meetings/").content.decode()


def test_group_members_must_be_active_people(client_in, user, paul):
    gone = make_user("parti@example.com")
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    for members, message in (
        ([], "at least one other member"),
        ([str(user.pk)], "at least one other member"),
        ([str(paul.pk), str(gone.pk)], "from the list"),
        ([str(paul.pk), "-1"], "from the list"),
        ([str(paul.pk), "1 or 1=1"], "from the list"),
    ):
        response = client_in.post(
            "/sales-tools/meetings/new/", link_form(kind="group", members=members)
        )
        html = response.content.decode()
        assert response.status_code == 400 and message in html, members
        assert re.search(r'class="team-members"[^>]*aria-invalid="true"', html)
    assert not MeetingLink.objects.exists()


def test_another_users_group_link_answers_404_even_to_its_members(client_in, user, paul):
    theirs = MeetingLink.objects.create(
        user=paul, slug="chez-paul", title="Chez Paul", kind=MeetingLink.GROUP, hours=ALL_DAY
    )
    theirs.members.set([paul, user])  # the signed-in user is a member, not the owner
    stranger = make_user("intrus@example.com")
    edit = f"/sales-tools/meetings/{theirs.pk}/edit/"
    assert client_in.get(edit).status_code == 404
    forged = link_form(title="Volé", kind="group", members=[str(user.pk), str(stranger.pk)])
    assert client_in.post(edit, forged).status_code == 404
    active = f"/sales-tools/meetings/{theirs.pk}/active/"
    assert client_in.post(active, {"active": "0"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.title == "Chez Paul" and theirs.active
    assert {u.pk for u in theirs.members.all()} == {paul.pk, user.pk}


# -- The public pages ------------------------------------------------------------------------


def test_a_visitor_books_every_member_and_each_gets_the_invitation(user, paul, group, settings):
    other_rep = make_user("autre@example.com")
    with smtp_server(settings) as inbox:
        visitor = Client(HTTP_ACCEPT_LANGUAGE="fr")
        slot = offered(visitor.get(f"/meet/equipe/?day={later()}").content.decode())[0]
        response = visitor.post("/meet/equipe/", {**VISITOR, "slot": slot})
        assert response.status_code == 302
        booking = Booking.objects.get(main=None)
        rows = Booking.objects.filter(start=slot_time(slot), status=Booking.CONFIRMED)
        assert sorted(rows.values_list("host_id", flat=True)) == sorted([user.pk, paul.pk])
        done = visitor.get(response["Location"]).content.decode()
        assert "Votre réunion est réservée" in done and "Sam Seller, Paul Durand" in done

        # The visitor and each member: one email each, the same event, every one attending.
        assert sorted(m["To"] for m in inbox.messages) == sorted(
            ["zoe@example.org", user.email, paul.email]
        )
        for message in inbox.messages:
            method, event = calendar_part(message)
            assert method == "REQUEST"
            assert attendees(event) == {"zoe@example.org", user.email, paul.email}
            assert str(event["ORGANIZER"]) == f"mailto:{user.email}"
        to_paul = next(m for m in inbox.messages if m["To"] == paul.email)
        assert to_paul["Subject"] == "Invitation : Démo avec Zoé Martin"  # Paul's French
        to_visitor = next(m for m in inbox.messages if m["To"] == "zoe@example.org")
        assert to_visitor["Subject"] == "Invitation : Démo avec Sam Seller, Paul Durand"
        assert "Avec: Sam Seller, Paul Durand" in to_visitor.get_body(("plain",)).get_content()

        # Each member sees it in their feed and upcoming meetings; another rep does not.
        for member in (user, paul):
            client = Client()
            client.force_login(member)
            feed = client.get("/sales-tools/activity/?kind=meeting&part=feed").content.decode()
            assert "Zoé Martin" in feed
            assert "Zoé Martin" in client.get("/sales-tools/meetings/").content.decode()
        client = Client()
        client.force_login(other_rep)
        assert "Zoé" not in client.get("/sales-tools/activity/?part=feed").content.decode()

        # The visitor cancels: every member is free again and told (METHOD:CANCEL).
        inbox.messages.clear()
        assert visitor.post(f"/meet/booking/{booking.token}/cancel/").status_code == 302
        assert not Booking.objects.filter(status=Booking.CONFIRMED).exists()
        meeting = base_queryset("meetings").get(pk=booking.meeting_id)
        assert meeting.properties["hs_meeting_outcome"] == "CANCELED"
        assert len(inbox.messages) == 3
        assert {calendar_part(m)[0] for m in inbox.messages} == {"CANCEL"}
        assert slot in offered(visitor.get(f"/meet/equipe/?day={later()}").content.decode())
    # A member's own row gives no way in: only the booking's token does.
    member_row = Booking.objects.get(host=paul)
    assert Client().get(f"/meet/booking/{member_row.token}/").status_code == 404


def test_a_time_taken_meanwhile_from_one_member_says_choose_another(user, paul, group):
    visitor = Client()
    slots = offered(visitor.get(f"/meet/equipe/?day={later()}").content.decode())
    crm_meeting(paul, slot_time(slots[0]))  # Paul's colleague puts a meeting there
    response = visitor.post("/meet/equipe/", {**VISITOR, "slot": slots[0]})
    assert response.status_code == 409
    html = response.content.decode()
    assert "just taken" in html and slots[0] not in offered(html) and offered(html)
    assert not Booking.objects.exists() and not mail.outbox
    # A time Paul has but the owner has not is never offered, and refused when forged.
    crm_meeting(user, slot_time(slots[8]))
    page = offered(visitor.get(f"/meet/equipe/?day={later()}").content.decode())
    assert slots[8] not in page
    assert visitor.post("/meet/equipe/", {**VISITOR, "slot": slots[8]}).status_code == 409
    # The personal link of a member loses the group's times once booked, and the group
    # loses a member's personal bookings.
    paul_link = MeetingLink.objects.create(user=paul, slug="paul", title="Paul", hours=ALL_DAY)
    assert visitor.post("/meet/paul/", {**VISITOR, "slot": slots[12]}).status_code == 302
    assert slots[12] not in offered(visitor.get(f"/meet/equipe/?day={later()}").content.decode())
    assert visitor.post("/meet/equipe/", {**VISITOR, "slot": slots[16]}).status_code == 302
    assert slots[16] not in offered(visitor.get(f"/meet/paul/?day={later()}").content.decode())
    assert paul_link.bookings.count() == 1


def test_a_deactivated_member_is_no_longer_booked_nor_told(user, paul, group):
    from comptoir.users.services import deactivate_user

    visitor = Client()
    slots = offered(visitor.get(f"/meet/equipe/?day={later()}").content.decode())
    crm_meeting(paul, slot_time(slots[0]))
    assert slots[0] not in offered(visitor.get(f"/meet/equipe/?day={later()}").content.decode())
    deactivate_user(paul)
    page = visitor.get(f"/meet/equipe/?day={later()}").content.decode()
    assert "Paul Durand" not in page and slots[0] in offered(
        page
    )  # Paul's meetings no longer count
    assert visitor.post("/meet/equipe/", {**VISITOR, "slot": slots[0]}).status_code == 302
    assert list(Booking.objects.values_list("host_id", flat=True)) == [user.pk]
    assert sorted(m.to[0] for m in mail.outbox) == sorted(["zoe@example.org", user.email])
    # The owner deactivated: their links take no booking at all (as a missing link).
    deactivate_user(user)
    assert visitor.get("/meet/equipe/").status_code == 404
    assert visitor.post("/meet/equipe/", {**VISITOR, "slot": slots[4]}).status_code == 404
    assert visitor.get("/meet/equipe/embed.js").status_code == 404


def test_the_event_goes_into_each_members_calendar(user, paul, group, radicale, request):
    name = f"grp-{abs(hash(request.node.name)) % 10**8}"
    urls = {member: radicale.make_calendar(f"{name}-{member.pk}") for member in (user, paul)}
    for member, url in urls.items():
        CalendarConnection.objects.create(user=member, url=url, username=USER, password=PASSWORD)
    visitor = Client()
    before = offered(visitor.get(f"/meet/equipe/?day={later()}").content.decode())
    busy = slot_time(before[2])
    calendar(urls[paul]).save_event(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
        "UID:busy-paul\r\nDTSTAMP:20270101T000000Z\r\n"
        f"DTSTART:{busy:%Y%m%dT%H%M%SZ}\r\nDTEND:{busy + dt.timedelta(hours=1):%Y%m%dT%H%M%SZ}\r\n"
        "SUMMARY:Dentiste\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    after = offered(visitor.get(f"/meet/equipe/?day={later()}").content.decode())
    assert before[2] not in after and before[0] in after  # Paul's calendar counts for all
    assert visitor.post("/meet/equipe/", {**VISITOR, "slot": before[2]}).status_code == 409
    assert visitor.post("/meet/equipe/", {**VISITOR, "slot": before[0]}).status_code == 302
    start = slot_time(before[0])
    for member, url in urls.items():
        row = Booking.objects.get(host=member)
        assert row.calendar_event_url
        (written,) = events(url, start, start + dt.timedelta(minutes=30))
        assert attendees(written) == {"zoe@example.org", user.email, paul.email}
    booking = Booking.objects.get(main=None)
    visitor.post(f"/meet/booking/{booking.token}/cancel/")
    for url in urls.values():
        assert events(url, start, start + dt.timedelta(minutes=30)) == []


def test_a_members_calendar_down_gives_crm_times_and_tells_that_member(client, user, paul, group):
    down = f"http://127.0.0.1:{free_port()}/claire/work/"
    CalendarConnection.objects.create(user=paul, url=down, username=USER, password=PASSWORD)
    page = Client().get(f"/meet/equipe/?day={later()}")
    assert page.status_code == 200
    slots = offered(page.content.decode())
    assert slots
    response = Client().post("/meet/equipe/", {**VISITOR, "slot": slots[0]})
    assert response.status_code == 302  # booked; Paul's event could not be written
    assert Booking.objects.get(host=paul).calendar_event_url == ""
    assert CalendarConnection.objects.get(user=paul).last_error
    client.force_login(paul)  # in his French
    page = client.get("/sales-tools/meetings/").content.decode()
    assert "pas pu être lu" in page and 'lang="fr"' in page
    client.force_login(user)
    assert "could not be read" not in client.get("/sales-tools/meetings/").content.decode()


def test_an_invitation_a_member_missed_is_tried_again_for_that_member_only(
    user, paul, group, settings
):
    from django.tasks import task_backends
    from django_tasks_db.models import DBTaskResult

    from comptoir.meetings import tasks
    from comptoir.meetings.booking import book_link

    start = timezone.now().replace(second=0, microsecond=0) + dt.timedelta(days=2)
    start -= dt.timedelta(minutes=start.minute % 15)
    booking = book_link(group, start, {"name": "Zoé", "email": "zoe@example.org"})
    locmem = settings.MAILERS
    settings.MAILERS = {
        "default": {
            "BACKEND": "comptoir.mail.backend.PortalBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 2},
        }
    }
    del task_backends["default"]  # the real worker's queue, which can wait
    assert tasks.send_invitations.call(booking.pk, "REQUEST", "fr") == 0
    (queued,) = DBTaskResult.objects.all()
    sides = ["visitor", "host", f"host:{paul.pk}"]
    assert queued.args_kwargs["args"] == [booking.pk, "REQUEST", "fr", 1, sides]
    settings.MAILERS = locmem
    assert tasks.send_invitations.call(booking.pk, "REQUEST", "fr", 1, [f"host:{paul.pk}"]) == 1
    assert [m.to for m in mail.outbox] == [[paul.email]]
    assert "Zoé" in mail.outbox[0].subject
    # A side naming someone who is not in the booking reaches nobody.
    stranger = make_user("x@example.com")
    assert tasks.send_invitations.call(booking.pk, "REQUEST", "fr", 1, [f"host:{stranger.pk}"]) == 0
    assert len(mail.outbox) == 1
