"""Sales tools > Meetings and the public booking pages (TOOL-7): links created, edited,
deactivated by their owner only; a visitor books in their time zone, gets a confirmation and
an iCalendar invitation (METHOD:REQUEST, to both sides), cancels (METHOD:CANCEL) or
reschedules; hostile input, forged and taken slots answer in words, never a 500."""

import datetime as dt
import re
import zoneinfo

import icalendar
import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from comptoir.core.history.models import PropertyChange
from comptoir.core.objects.registry import get_object_type
from comptoir.core.records.values import base_queryset
from comptoir.core.testing.factories import make_user
from comptoir.core.testing.mailservers import free_port
from comptoir.meetings.models import WEEKDAYS, Booking, MeetingLink
from comptoir.meetings.public_views import SLOT_FORMAT

pytestmark = pytest.mark.django_db

ALL_DAY = {day: [["00:00", "24:00"]] for day in WEEKDAYS}


def make_link(user, **kw):
    kw.setdefault("slug", "claire")
    kw.setdefault("title", "Découverte")
    kw.setdefault("hours", ALL_DAY)
    kw.setdefault("minimum_notice_minutes", 60)
    kw.setdefault("location", "https://visio.example/claire")
    return MeetingLink.objects.create(user=user, **kw)


def later() -> str:
    """A day with a full day of free times, whatever the hour the test runs at."""
    return (timezone.now() + dt.timedelta(days=2)).date().isoformat()


def offered(html: str) -> list[str]:
    return re.findall(r"slot=(\d{8}T\d{4}Z)", html)


def link_form(**kw):
    data = {
        "title": "Démo produit",
        "slug": "",
        "duration_minutes": "45",
        "location": "Paris",
        "description": "Une démo",
        "time_zone": "Europe/Paris",
        "buffer_before_minutes": "0",
        "buffer_after_minutes": "15",
        "minimum_notice_minutes": "120",
        "horizon_days": "30",
        "questions": "Votre entreprise ? *\nVotre besoin",
        **{f"hours_{d}": "" for d in WEEKDAYS},
        "hours_mon": "09:00-12:00, 14:00-18:00",
        "hours_tue": "9:00-17:00",
    }
    data.update(kw)
    return data


# -- Sales tools > Meetings ----------------------------------------------------------------


def test_a_rep_creates_edits_and_deactivates_a_link(client_in, user):
    html = client_in.get("/sales-tools/meetings/").content.decode()
    assert "No booking link yet" in html
    assert 'href="/sales-tools/meetings/"' in client_in.get("/sales-tools/").content.decode()
    response = client_in.post("/sales-tools/meetings/new/", link_form())
    assert response.status_code == 302
    link = MeetingLink.objects.get(user=user)
    assert (link.slug, link.duration_minutes, link.buffer_after_minutes) == ("demo-produit", 45, 15)
    assert link.hours == {
        "mon": [["09:00", "12:00"], ["14:00", "18:00"]],
        "tue": [["09:00", "17:00"]],
    }
    assert link.questions == [
        {"label": "Votre entreprise ?", "required": True},
        {"label": "Votre besoin", "required": False},
    ]
    html = client_in.get("/sales-tools/meetings/").content.decode()
    assert "/meet/demo-produit/" in html and "Copy link" in html and "embed.js" in html
    edit = client_in.get(f"/sales-tools/meetings/{link.pk}/edit/").content.decode()
    assert "09:00-12:00, 14:00-18:00" in edit and "Votre entreprise ? *" in edit
    response = client_in.post(
        f"/sales-tools/meetings/{link.pk}/edit/", link_form(slug="rdv-claire", title="RDV")
    )
    assert response.status_code == 302
    link.refresh_from_db()
    assert (link.slug, link.title) == ("rdv-claire", "RDV")
    client_in.post(f"/sales-tools/meetings/{link.pk}/active/", {"active": "0"})
    link.refresh_from_db()
    assert not link.active
    assert Client().get("/meet/rdv-claire/").status_code == 404
    client_in.post(f"/sales-tools/meetings/{link.pk}/active/", {"active": "1"})
    assert Client().get("/meet/rdv-claire/").status_code == 200


def test_form_errors_name_their_field_and_save_nothing(client_in, user):
    make_link(make_user(), slug="pris")
    cases = {
        "title": {"title": "  "},
        "slug": {"slug": "Pas Valide!"},
        "duration_minutes": {"duration_minutes": "deux"},
        "time_zone": {"time_zone": "Mars/Olympus"},
        "hours_mon": {"hours_mon": "9h-midi"},
        "hours_tue": {"hours_tue": "17:00-09:00"},
        "buffer_before_minutes": {"buffer_before_minutes": "-5"},
        "horizon_days": {"horizon_days": "99999999999999999999999"},
        "location": {"location": "x" * 600},
        "questions": {"questions": "\n".join(f"Q{i}" for i in range(20))},
    }
    for field, change in cases.items():
        response = client_in.post("/sales-tools/meetings/new/", link_form(**change))
        assert response.status_code == 400, field
        html = response.content.decode()
        assert "Nothing was saved" in html
        assert re.search(rf'name="{field}"[^>]*aria-invalid="true"', html), field
    taken = client_in.post("/sales-tools/meetings/new/", link_form(slug="pris"))
    assert "This address is taken" in taken.content.decode()
    nul = client_in.post("/sales-tools/meetings/new/", link_form(title="a\x00b"))
    assert nul.status_code == 400
    assert not MeetingLink.objects.filter(user=user).exists()


def test_a_link_goes_on_the_profile(client_in, user):
    link = make_link(user, slug="sam-30")
    html = client_in.get("/sales-tools/meetings/").content.decode()
    assert "Put Découverte on your profile" in html
    done = client_in.post(f"/sales-tools/meetings/{link.pk}/profile/", follow=True)
    user.refresh_from_db()
    assert user.meeting_link.endswith("/meet/sam-30/") and user.meeting_link.startswith("http")
    html = done.content.decode()
    assert "is now the meeting link of your profile" in html and "On your profile" in html
    # Another user's link, or a deactivated one, is not put there.
    other = make_link(make_user(), slug="autre")
    assert client_in.post(f"/sales-tools/meetings/{other.pk}/profile/").status_code == 404
    MeetingLink.objects.filter(pk=link.pk).update(active=False)
    assert client_in.post(f"/sales-tools/meetings/{link.pk}/profile/").status_code == 404


def test_another_users_link_answers_404(client_in, user):
    other = make_link(make_user(), slug="autre")
    for url in (f"/sales-tools/meetings/{other.pk}/edit/", "/sales-tools/meetings/999999/edit/"):
        assert client_in.get(url).status_code == 404
    assert (
        client_in.post(f"/sales-tools/meetings/{other.pk}/active/", {"active": "0"}).status_code
        == 404
    )
    assert (
        client_in.post(
            f"/sales-tools/meetings/{other.pk}/edit/", link_form(title="Volé")
        ).status_code
        == 404
    )
    other.refresh_from_db()
    assert other.active and other.title == "Découverte"
    assert "autre" not in client_in.get("/sales-tools/meetings/").content.decode()
    assert Client().get("/sales-tools/meetings/").status_code == 302  # sign-in first


# -- The public booking page ---------------------------------------------------------------


def test_a_visitor_books_in_their_time_zone_and_both_sides_get_the_invitation(user):
    make_link(user, questions=[{"label": "Votre besoin ?", "required": True}])
    visitor = Client(HTTP_ACCEPT_LANGUAGE="fr")
    page = visitor.get(f"/meet/claire/?tz=America/Montreal&day={later()}")
    html = page.content.decode()
    assert page.status_code == 200 and 'lang="fr"' in html
    assert "Choisissez un horaire" in html or "Choose a time" in html
    assert 'value="America/Montreal" selected' in html
    slot = offered(html)[0]
    start = dt.datetime.strptime(slot, SLOT_FORMAT).replace(tzinfo=dt.UTC)
    local = start.astimezone(zoneinfo.ZoneInfo("America/Montreal"))
    form = visitor.get(f"/meet/claire/?tz=America/Montreal&slot={slot}").content.decode()
    assert f"{local:%H:%M}" in form and 'name="q0"' in form and "Votre besoin ?" in form
    response = visitor.post(
        "/meet/claire/",
        {"slot": slot, "tz": "America/Montreal", "name": "Zoé Martin", "email": "zoe@example.org",
         "q0": "Un CRM"},
    )  # fmt: skip
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert booking.start == start and booking.time_zone == "America/Montreal"
    done = visitor.get(response["Location"]).content.decode()
    assert "zoe@example.org" in done and f"{local:%H:%M}" in done
    assert f"/meet/booking/{booking.token}/cancel/" in done
    # The invitations: one to the visitor, one to the host, each with METHOD:REQUEST.
    assert sorted(m.to[0] for m in mail.outbox) == sorted(["zoe@example.org", user.email])
    for message in mail.outbox:
        parts = [p for p in message.message().walk() if p.get_content_type() == "text/calendar"]
        assert parts and parts[0].get_param("method") == "REQUEST"
        cal = icalendar.Calendar.from_ical(parts[0].get_payload(decode=True))
        event = next(iter(cal.walk("VEVENT")))
        assert str(cal["METHOD"]) == "REQUEST"
        assert event["DTSTART"].dt == start
        assert f"/meet/booking/{booking.token}/reschedule/" in str(event["DESCRIPTION"])
    to_visitor = next(m for m in mail.outbox if m.to == ["zoe@example.org"])
    assert "Invitation" in to_visitor.subject and booking.token in to_visitor.body
    # The slot is gone from the page; the meeting is on the contact.
    assert slot not in offered(
        visitor.get(f"/meet/claire/?tz=America/Montreal&day={later()}").content.decode()
    )
    meeting = base_queryset("meetings").get(pk=booking.meeting_id)
    assert meeting.properties["hs_meeting_outcome"] == "SCHEDULED"


def test_the_visitors_time_zone_and_language_in_english(user):
    make_link(user)
    html = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/meet/claire/?day={later()}").content.decode()
    assert 'lang="en"' in html and "Choose a time" in html
    assert 'value="Europe/Paris" selected' in html  # the host's zone until the script says
    assert "data-meet-zone" in html and "js/meet.js" in html
    assert 'aria-current="date"' in html  # the first day with free times, chosen
    bogus = Client().get("/meet/claire/?tz=<script>alert(1)</script>&from=9999-99-99")
    assert bogus.status_code == 200 and b"<script>alert" not in bogus.content


def test_bad_input_is_named_and_nothing_is_booked(user):
    link = make_link(user, questions=[{"label": "Votre besoin ?", "required": True}])
    visitor = Client()
    slot = offered(visitor.get(f"/meet/claire/?day={later()}").content.decode())[0]
    base = {
        "slot": slot,
        "tz": "Europe/Paris",
        "name": "Zoé",
        "email": "zoe@example.org",
        "q0": "x",
    }
    for change, field in (
        ({"email": "pas-un-email"}, "email"),
        ({"email": "a@b.c\r\nBcc: x@y.z"}, "email"),
        ({"name": ""}, "name"),
        ({"q0": ""}, "q0"),
    ):
        response = visitor.post("/meet/claire/", {**base, **change})
        assert response.status_code == 400
        html = response.content.decode()
        assert re.search(rf'name="{field}"[^>]*aria-invalid="true"', html), field
    # A forged slot (off hours, not on the grid, garbage) and one in the past.
    off_grid = (dt.datetime.strptime(slot, SLOT_FORMAT) + dt.timedelta(minutes=7)).strftime(
        SLOT_FORMAT
    )
    for forged in (off_grid, "20200101T0900Z", "garbage", "99999999T9999Z", ""):
        response = visitor.post("/meet/claire/", {**base, "slot": forged})
        assert response.status_code in (400, 409)
        html = response.content.decode()
        assert "Choose a time from the list" in html or "just taken" in html
    shown = visitor.get(f"/meet/claire/?slot={off_grid}").content.decode()
    assert "no longer offered" in shown
    assert not Booking.objects.exists() and not mail.outbox
    assert not base_queryset("meetings").exists()
    assert Client().get("/meet/nobody/").status_code == 404
    assert link.active


def test_a_slot_taken_meanwhile_says_just_taken(user):
    make_link(user)
    first, second = Client(), Client()
    slot = offered(first.get(f"/meet/claire/?day={later()}").content.decode())[0]
    data = {"slot": slot, "tz": "Europe/Paris", "name": "Zoé", "email": "zoe@example.org"}
    assert first.post("/meet/claire/", data).status_code == 302
    response = second.post("/meet/claire/", {**data, "email": "other@example.org"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "just taken" in html and slot not in offered(html) and offered(html)
    assert Booking.objects.count() == 1


def test_cancel_marks_the_engagement_and_sends_the_cancellation(user):
    link = make_link(user)
    visitor = Client()
    slot = offered(visitor.get(f"/meet/claire/?day={later()}").content.decode())[0]
    visitor.post("/meet/claire/", {"slot": slot, "name": "Zoé", "email": "zoe@example.org"})
    booking = Booking.objects.get()
    mail.outbox.clear()
    page = visitor.get(f"/meet/booking/{booking.token}/cancel/").content.decode()
    assert "Yes, cancel the meeting" in page
    assert Booking.objects.get().status == Booking.CONFIRMED  # a GET changes nothing
    response = visitor.post(f"/meet/booking/{booking.token}/cancel/")
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == Booking.CANCELLED
    meeting = base_queryset("meetings").get(pk=booking.meeting_id)
    assert meeting.properties["hs_meeting_outcome"] == "CANCELED"
    changes = PropertyChange.objects.filter(
        object_type=get_object_type("meetings").type_id,
        object_id=meeting.pk,
        property="hs_meeting_outcome",
    )
    assert [c.value for c in changes.order_by("pk")] == ["SCHEDULED", "CANCELED"]
    assert {c.source_id for c in changes} == {f"meeting-link:{link.pk}"}
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        part = next(p for p in message.message().walk() if p.get_content_type() == "text/calendar")
        assert part.get_param("method") == "CANCEL"
        assert b"STATUS:CANCELLED" in part.get_payload(decode=True)
    # The slot is free again; a second cancel does nothing more.
    assert slot in offered(visitor.get(f"/meet/claire/?day={later()}").content.decode())
    visitor.post(f"/meet/booking/{booking.token}/cancel/")
    assert len(mail.outbox) == 2
    assert (
        "This meeting is cancelled"
        in visitor.get(f"/meet/booking/{booking.token}/").content.decode()
    )


def test_reschedule_moves_the_booking_in_one_go(user):
    make_link(user)
    visitor = Client()
    slots = offered(visitor.get(f"/meet/claire/?day={later()}").content.decode())
    visitor.post("/meet/claire/", {"slot": slots[0], "name": "Zoé", "email": "zoe@example.org"})
    old = Booking.objects.get()
    mail.outbox.clear()
    page = visitor.get(f"/meet/booking/{old.token}/reschedule/").content.decode()
    assert "Reschedule" in page and slots[0] not in offered(page)
    response = visitor.post(f"/meet/booking/{old.token}/reschedule/", {"slot": slots[4]})
    assert response.status_code == 302
    old.refresh_from_db()
    new = Booking.objects.get(status=Booking.CONFIRMED)
    assert old.status == Booking.CANCELLED and new.pk != old.pk
    assert new.start.strftime(SLOT_FORMAT) == slots[4] and new.email == "zoe@example.org"
    assert (
        base_queryset("meetings").get(pk=old.meeting_id).properties["hs_meeting_outcome"]
        == "RESCHEDULED"
    )
    methods = sorted(
        next(p for p in m.message().walk() if p.get_content_type() == "text/calendar").get_param(
            "method"
        )
        for m in mail.outbox
    )
    assert methods == ["CANCEL", "CANCEL", "REQUEST", "REQUEST"]
    # A taken target changes nothing: the booking stays where it was.
    other = Client()
    other.post("/meet/claire/", {"slot": slots[8], "name": "Léo", "email": "leo@example.org"})
    response = visitor.post(f"/meet/booking/{new.token}/reschedule/", {"slot": slots[8]})
    assert response.status_code == 409
    new.refresh_from_db()
    assert new.status == Booking.CONFIRMED
    # Tokens: a wrong one is a 404, an old one cannot reschedule again.
    assert visitor.get("/meet/booking/not-a-token/").status_code == 404
    assert visitor.get(f"/meet/booking/{old.token}/reschedule/").status_code == 302


def test_the_widget_script_and_the_embedded_page(user):
    make_link(user)
    script = Client().get("/meet/claire/embed.js")
    assert script.status_code == 200 and script["Content-Type"].startswith("text/javascript")
    body = script.content.decode()
    assert "/meet/claire/?embed=1" in body and "comptoirMeetHeight" in body
    page = Client().get("/meet/claire/?embed=1")
    assert "X-Frame-Options" not in page
    assert "frame-ancestors http: https:" in page["Content-Security-Policy"]
    assert "data-meet-embed" in page.content.decode()
    # The CRM's own pages still refuse to be framed.
    assert "frame-ancestors 'none'" in Client().get("/login/")["Content-Security-Policy"]
    assert Client().get("/meet/nobody/embed.js").status_code == 404


def test_hostile_visitor_input_is_escaped_cut_or_refused(user):
    make_link(user, questions=[{"label": "Besoin", "required": False}])
    visitor = Client()
    slot = offered(visitor.get(f"/meet/claire/?day={later()}").content.decode())[0]
    base = {"slot": slot, "name": "Zoé", "email": "zoe@example.org"}
    nul = visitor.post("/meet/claire/", {**base, "name": "Zo\x00é"})
    assert nul.status_code == 400 and b"name" in nul.content
    for hostile in ({"tz": "../../etc/passwd"}, {"embed": "<x>"}, {"q7": "extra"}):
        assert visitor.get(f"/meet/claire/?day={later()}", hostile).status_code == 200
    response = visitor.post(
        "/meet/claire/",
        {**base, "name": "<script>alert(1)</script>" + "x" * 5000, "q0": "<img src=x>" * 1000,
         "tz": "Nowhere/Land"},
    )  # fmt: skip
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert len(booking.name) == 200 and booking.time_zone == "Europe/Paris"  # the host's
    assert len(booking.answers["Besoin"]) == 2000
    page = visitor.get(response["Location"]).content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page
    meeting = base_queryset("meetings").get(pk=booking.meeting_id)
    assert "<img" not in meeting.properties["hs_meeting_body"]
    # A token is no way in: long, odd or another booking's.
    for token in ("x" * 500, "%00", "' or 1=1 --"):
        assert visitor.get(f"/meet/booking/{token}/").status_code in (400, 404)
        assert visitor.post(f"/meet/booking/{token}/cancel/").status_code in (400, 404)
    assert Booking.objects.get().status == Booking.CONFIRMED


def test_a_team_link_books_its_members_in_turn(client_in, user):
    colleague = make_user("paul@example.com", first_name="Paul")
    response = client_in.post(
        "/sales-tools/meetings/new/",
        link_form(
            slug="equipe", kind="round_robin", members=[str(user.pk), str(colleague.pk)],
            **{f"hours_{d}": "00:00-24:00" for d in WEEKDAYS}, minimum_notice_minutes="60",
        ),
    )  # fmt: skip
    assert response.status_code == 302
    link = MeetingLink.objects.get(slug="equipe")
    assert link.kind == "round_robin" and {u.pk for u in link.hosts()} == {user.pk, colleague.pk}
    assert "Team (round robin)" in client_in.get("/sales-tools/meetings/").content.decode()
    page = Client().get(f"/meet/equipe/?day={later()}").content.decode()
    assert "Paul" in page
    slots = offered(page)
    data = {"slot": slots[0], "q0": "Acme"}
    hosts = []
    for n in range(2):
        response = Client().post("/meet/equipe/", {**data, "name": f"V{n}", "email": f"v{n}@x.org"})
        assert response.status_code == 302
        hosts.append(Booking.objects.latest("pk").host_id)
    assert sorted(hosts) == sorted([user.pk, colleague.pk])  # both members, one slot
    assert slots[0] not in offered(Client().get(f"/meet/equipe/?day={later()}").content.decode())
    third = Client().post("/meet/equipe/", {**data, "name": "V3", "email": "v3@x.org"})
    assert third.status_code == 409 and "just taken" in third.content.decode()
    # In turn: the next slot goes to the member with the fewest bookings (a tie: the first).
    Client().post("/meet/equipe/", {**data, "slot": slots[8], "name": "V4", "email": "v4@x.org"})
    Client().post("/meet/equipe/", {**data, "slot": slots[12], "name": "V5", "email": "v5@x.org"})
    counts = [Booking.objects.filter(link=link, host=h).count() for h in (user, colleague)]
    assert counts == [2, 2]
    # The colleague's meeting is theirs: owned by them, on the contact.
    booked = Booking.objects.filter(host=colleague).first()
    meeting = base_queryset("meetings").get(pk=booked.meeting_id)
    assert meeting.hubspot_owner_id == colleague.owner.pk


def test_team_members_must_be_real_people(client_in, user):
    other = make_user()
    for members, message in (
        ([str(user.pk)], "at least two"),
        ([str(user.pk), "999999"], "from the list"),
        ([str(user.pk), "x; drop table"], "from the list"),
    ):
        response = client_in.post(
            "/sales-tools/meetings/new/", link_form(kind="round_robin", members=members)
        )
        assert response.status_code == 400 and message in response.content.decode()
    response = client_in.post("/sales-tools/meetings/new/", link_form(kind="tyrant"))
    assert response.status_code == 400
    assert not MeetingLink.objects.exists()
    assert other.is_active


def test_the_widget_posts_without_the_csrf_cookie(user):
    make_link(user)
    framed = Client(enforce_csrf_checks=True)  # the iframe gets no SameSite cookie
    slot = offered(framed.get(f"/meet/claire/?day={later()}&embed=1").content.decode())[0]
    response = framed.post(
        "/meet/claire/", {"slot": slot, "name": "Zoé", "email": "zoe@example.org", "embed": "1"}
    )
    assert response.status_code == 302 and "embed=1" in response["Location"]
    token = Booking.objects.get().token
    assert framed.post(f"/meet/booking/{token}/cancel/", {"embed": "1"}).status_code == 302
    # The signed-in pages keep their CSRF check.
    assert Client(enforce_csrf_checks=True).post("/login/", {}).status_code == 403


def test_a_mail_server_down_loses_the_email_not_the_booking(user, settings):
    settings.MAILERS = {
        "default": {
            "BACKEND": "comptoir.mail.backend.PortalBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 2},
        }
    }
    make_link(user)
    visitor = Client()
    slot = offered(visitor.get(f"/meet/claire/?day={later()}").content.decode())[0]
    response = visitor.post("/meet/claire/", {"slot": slot, "name": "Zoé", "email": "z@x.org"})
    assert response.status_code == 302
    assert Booking.objects.get().status == Booking.CONFIRMED
    assert "Your meeting is booked" in visitor.get(response["Location"]).content.decode()


def test_an_invitation_the_mail_server_refused_is_tried_again_later(user, settings):
    from django.tasks import task_backends
    from django_tasks_db.models import DBTaskResult

    from comptoir.meetings import tasks
    from comptoir.meetings.booking import book

    link = make_link(user)
    start = timezone.now().replace(second=0, microsecond=0) + dt.timedelta(days=2)
    start -= dt.timedelta(minutes=start.minute % 15)
    booking = book(link, start, {"name": "Zoé", "email": "zoe@example.org"})
    mail.outbox.clear()
    locmem = settings.MAILERS
    down = {
        "default": {
            "BACKEND": "comptoir.mail.backend.PortalBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 2},
        }
    }
    settings.MAILERS = down
    del task_backends["default"]  # the real worker's queue, which can wait
    before = timezone.now()
    assert tasks.send_invitations.call(booking.pk, "REQUEST", "fr") == 0
    (queued,) = DBTaskResult.objects.all()
    assert queued.args_kwargs["args"] == [booking.pk, "REQUEST", "fr", 1, ["visitor", "host"]]
    assert queued.run_after >= before + tasks.RETRY_DELAYS[0]

    settings.MAILERS = locmem  # the server is back: the next try reaches both sides
    assert tasks.send_invitations.call(*queued.args_kwargs["args"]) == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(["zoe@example.org", user.email])
    assert DBTaskResult.objects.count() == 1  # nothing more queued

    settings.MAILERS = down
    last = len(tasks.RETRY_DELAYS)
    assert tasks.send_invitations.call(booking.pk, "REQUEST", "fr", last, ["host"]) == 0
    assert DBTaskResult.objects.count() == 1  # the last try: given up (logged)
