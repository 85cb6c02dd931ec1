"""Meetings (TOOL-7) in Chromium, in French and English, at 1280 and 390 px: a rep creates
a booking link in Sales tools > Meetings; a visitor in Toronto opens it, sees the times in
their own time zone (detected by the page) and format, books one, gets the confirmation, and
both sides receive the iCalendar invitation (METHOD:REQUEST)."""

import datetime as dt
import http.server
import re
import threading
import time
import zoneinfo

import pytest
from django.core import mail
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from comptoir.meetings.models import Booking, MeetingLink
from tests.browser.conftest import screenshot, sign_in
from tests.browser.settings_helpers import no_sideways_scroll, review_shot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    """The worker's tasks (the invitations) run at once, in the live server's thread too
    (a changed TASKS setting resets the backends of every thread)."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def website(html: str) -> http.server.HTTPServer:
    """A company's website on another origin (a real server: Chromium lets a loopback page
    load Comptoir's script, not a page it cannot place)."""

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(html.encode())

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


DAYS = ("Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi", "Dimanche")

WORDS = {
    "fr": {
        "locale": "fr-FR",
        "days": DAYS,
        "meetings": "Réunions",
        "new": "Nouveau lien de réservation",
        "title": "Titre",
        "location": "Lieu ou lien de visioconférence",
        "questions": "Questions, une par ligne",
        "save": "Enregistrer le lien",
        "created": "Lien de réservation créé.",
        "copy": "Copier le lien de Découverte",
        "zone": "Horaires affichés dans le fuseau horaire",
        "choose": "Choisissez un horaire",
        "name": "Votre nom",
        "email": "Votre adresse e-mail",
        "book": "Réserver la réunion",
        "invalid": "Saisissez une adresse e-mail valide.",
        "booked": "Votre réunion est réservée",
        "reschedule": "Reprogrammer",
        "subject": "Invitation : Découverte avec Zoé Tremblay",
    },
    "en": {
        "locale": "en-US",
        "days": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        "meetings": "Meetings",
        "new": "New booking link",
        "title": "Title",
        "location": "Location or video link",
        "questions": "Questions, one per line",
        "save": "Save link",
        "created": "Booking link created.",
        "copy": "Copy the link of Découverte",
        "zone": "Times shown in the time zone",
        "choose": "Choose a time",
        "name": "Your name",
        "email": "Your email",
        "book": "Book the meeting",
        "invalid": "Enter a valid email address.",
        "booked": "Your meeting is booked",
        "reschedule": "Reschedule",
        "subject": "Invitation: Découverte with Zoé Tremblay",
    },
}


def slot_text(local: dt.datetime, language: str) -> re.Pattern:
    """A time as the visitor reads it: 14:30 in French, 2:30 PM in English."""
    if language == "fr":
        return re.compile(rf"^{local:%H:%M}$")
    return re.compile(rf"^{local.hour % 12 or 12}:{local:%M}\s?{local:%p}$")


@pytest.mark.parametrize(
    ("language", "width"), [("fr", 1280), ("fr", 390), ("en", 1280), ("en", 390)]
)
def test_a_rep_creates_a_link_and_a_visitor_books_it(
    browser, live_server, seller, settings, language, width
):
    w = WORDS[language]
    shot = f"{width}" if language == "fr" else f"{width}-en"
    settings.COMPTOIR_BASE_URL = live_server.url
    seller.language = language
    seller.save(update_fields=["language"])
    phone = {"is_mobile": True, "has_touch": True} if width < 600 else {}

    # 1. The rep creates the link.
    context = browser.new_context(
        viewport={"width": width, "height": 900}, locale=w["locale"], **phone
    )
    page = sign_in(context, live_server)
    page.goto(f"{live_server.url}/sales-tools/meetings/")
    expect(page.get_by_role("heading", name=w["meetings"], exact=True)).to_be_visible()
    page.get_by_role("link", name=w["new"]).first.click()
    page.get_by_label(w["title"]).fill("Découverte")
    page.get_by_label(w["location"]).fill("https://visio.example/camille")
    for day in w["days"]:
        page.get_by_label(day, exact=True).fill("00:00-24:00")
    page.get_by_label(w["questions"]).fill("Votre entreprise ? *")
    review_shot(page, f"meetings-edit-{shot}")
    page.get_by_role("button", name=w["save"]).click()
    expect(page.get_by_text(w["created"])).to_be_visible()
    link = MeetingLink.objects.get(user=seller)
    assert link.slug == "decouverte"
    expect(page.get_by_role("button", name=w["copy"])).to_be_visible()
    if width < 600:
        no_sideways_scroll(page)
    review_shot(page, f"meetings-links-{shot}")
    if (language, width) == ("fr", 1280):
        screenshot(page, "meetings-links")
    context.close()

    # 2. A visitor in Toronto books it.
    visitor = browser.new_context(
        viewport={"width": width, "height": 900},
        locale=w["locale"],
        timezone_id="America/Toronto",
        **phone,
    )
    page = visitor.new_page()
    page.goto(f"{live_server.url}/meet/decouverte/")
    page.wait_for_url(re.compile(r"tz=America"))  # the page asked again in the visitor's zone
    expect(page.get_by_label(w["zone"])).to_have_value("America/Toronto")
    expect(page.get_by_role("heading", name=w["choose"])).to_be_visible()
    if width < 600:
        no_sideways_scroll(page)
    review_shot(page, f"meetings-slots-{shot}")
    if (language, width) == ("fr", 1280):
        screenshot(page, "meetings-booking")
    first = page.locator(".meet-slot").first
    slot = re.search(r"slot=(\w+)", first.get_attribute("href")).group(1)
    start = dt.datetime.strptime(slot, "%Y%m%dT%H%MZ").replace(tzinfo=dt.UTC)
    local = start.astimezone(zoneinfo.ZoneInfo("America/Toronto"))
    expect(first).to_have_text(slot_text(local, language))  # shown in the visitor's zone
    first.click()
    page.get_by_label(w["name"]).fill("Zoé Tremblay")
    page.get_by_label(w["email"]).fill("pas-un-email")
    page.get_by_label("Votre entreprise ?").fill("Érable & Cie")
    page.get_by_role("button", name=w["book"]).click()
    expect(page.get_by_text(w["invalid"])).to_be_visible()
    expect(page.get_by_label(w["email"])).to_have_attribute("aria-invalid", "true")
    page.get_by_label(w["email"]).fill("zoe@erable.ca")
    page.get_by_role("button", name=w["book"]).click()
    expect(page.get_by_role("heading", name=w["booked"])).to_be_visible()
    expect(page.get_by_role("heading", name=w["booked"])).to_be_focused()
    expect(page.get_by_text("America/Toronto")).to_be_visible()
    expect(page.get_by_role("link", name=w["reschedule"])).to_be_visible()
    if width < 600:
        no_sideways_scroll(page)
    review_shot(page, f"meetings-booked-{shot}")

    booking = Booking.objects.get()
    assert booking.start == start and booking.answers == {"Votre entreprise ?": "Érable & Cie"}
    # 3. Both sides received the invitation.
    assert sorted(m.to[0] for m in mail.outbox) == ["camille@example.com", "zoe@erable.ca"]
    for message in mail.outbox:
        calendar = next(
            p for p in message.message().walk() if p.get_content_type() == "text/calendar"
        )
        assert calendar.get_param("method") == "REQUEST"
    to_host = next(m for m in mail.outbox if m.to == ["camille@example.com"])
    assert to_host.subject == w["subject"]  # in the host's language
    visitor.close()


def test_the_widget_resizes_and_a_visitor_cancels_in_english(
    browser, live_server, seller, settings
):
    settings.COMPTOIR_BASE_URL = live_server.url
    MeetingLink.objects.create(
        user=seller, slug="demo", title="Demo", minimum_notice_minutes=0,
        hours={d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
    )  # fmt: skip
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    # A company's website (another origin than Comptoir's: 127.0.0.1, not localhost) with
    # the widget's script tag.
    site = f'<h1>Acme</h1><script src="{live_server.url}/meet/demo/embed.js" async></script>'
    server = website(site)
    page.goto(f"http://127.0.0.1:{server.server_port}/")
    frame_element = page.locator("iframe")
    expect(frame_element).to_have_count(1)
    frame = page.frame_locator("iframe")
    expect(frame.get_by_role("heading", name="Choose a time")).to_be_visible()
    # The iframe takes its page's height (posted by the page: embed.js), whatever the
    # number of times left today (the hour the test runs at) makes it.
    booking = next(f for f in page.frames if "/meet/demo" in f.url)

    def resized() -> bool:
        try:
            height = booking.evaluate("document.documentElement.scrollHeight")
        except PlaywrightError:  # the booking page navigating (its time zone): ask again
            return False
        return page.evaluate("document.querySelector('iframe').style.height") == f"{height}px"

    deadline = time.monotonic() + 30
    while not resized():
        assert time.monotonic() < deadline, "the iframe never took its page's height"
        page.wait_for_timeout(200)
    frame.locator(".meet-slot").first.click()
    frame.get_by_label("Your name").fill("Zoe Smith")
    frame.get_by_label("Your email").fill("zoe@example.org")
    frame.get_by_role("button", name="Book the meeting").click()
    expect(frame.get_by_role("heading", name="Your meeting is booked")).to_be_visible()
    review_shot(page, "meetings-widget-1280")
    frame.get_by_role("link", name="Cancel the meeting").click()
    frame.get_by_role("button", name="Yes, cancel the meeting").click()
    expect(frame.get_by_role("heading", name="This meeting is cancelled")).to_be_visible()
    assert Booking.objects.get().status == Booking.CANCELLED
    methods = sorted(
        next(p for p in m.message().walk() if p.get_content_type() == "text/calendar").get_param(
            "method"
        )
        for m in mail.outbox
    )
    assert methods == ["CANCEL", "CANCEL", "REQUEST", "REQUEST"]
    context.close()
    server.shutdown()


GROUP_WORDS = {
    "fr": {
        "days": DAYS,
        "meetings": "Réunions",
        "new": "Nouveau lien de réservation",
        "title": "Titre",
        "kind": "Type de lien",
        "group": "Réunion de groupe : vous et les membres ensemble, à une heure où vous êtes "
        "tous libres",
        "save": "Enregistrer le lien",
        "created": "Lien de réservation créé.",
        "badge": "Réunion de groupe",
        "choose": "Choisissez un horaire",
        "name": "Votre nom",
        "email": "Votre adresse e-mail",
        "book": "Réserver la réunion",
        "booked": "Votre réunion est réservée",
        "upcoming": "Prochaines réunions réservées",
        "member_of": "Liens d’équipe dont vous faites partie",  # noqa: RUF001
    },
    "en": {
        "days": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        "meetings": "Meetings",
        "new": "New booking link",
        "title": "Title",
        "kind": "Kind of link",
        "group": "Group meeting: you and the members together, at a time when all of you are free",
        "save": "Save link",
        "created": "Booking link created.",
        "badge": "Group meeting",
        "choose": "Choose a time",
        "name": "Your name",
        "email": "Your email",
        "book": "Book the meeting",
        "booked": "Your meeting is booked",
        "upcoming": "Upcoming meetings booked",
        "member_of": "Team links you take part in",
    },
}


@pytest.mark.parametrize(
    ("language", "width"), [("fr", 1280), ("fr", 390), ("en", 1280), ("en", 390)]
)
def test_a_rep_makes_a_group_link_and_a_visitor_books_all_of_them(
    browser, live_server, seller, settings, language, width
):
    """A group meeting (HubSpot's "group" link): the rep ticks two colleagues; the visitor
    is offered the times when all three are free, books one, and every member has it."""
    from comptoir.core.testing.factories import make_activity, make_user

    words = GROUP_WORDS[language]
    settings.COMPTOIR_BASE_URL = live_server.url
    paul = make_user("paul@example.com", first_name="Paul", last_name="Durand")
    lea = make_user("lea@example.com", first_name="Léa", last_name="Petit")
    make_user("hugo@example.com", first_name="Hugo", last_name="Bernard")  # not chosen
    for person in (seller, paul, lea):
        person.language = language
        person.save(update_fields=["language"])
    phone = {"is_mobile": True, "has_touch": True} if width < 600 else {}
    locale = "fr-FR" if language == "fr" else "en-US"

    # 1. The rep makes the link, ticking Paul and Léa by their labels.
    context = browser.new_context(viewport={"width": width, "height": 900}, locale=locale, **phone)
    page = sign_in(context, live_server)
    page.goto(f"{live_server.url}/sales-tools/meetings/")
    expect(page.get_by_role("heading", name=words["meetings"], exact=True)).to_be_visible()
    page.get_by_role("link", name=words["new"]).first.click()
    page.get_by_label(words["title"]).fill("Démo équipe")
    for day in words["days"]:
        page.get_by_label(day, exact=True).fill("00:00-24:00")
    page.get_by_label(words["kind"]).select_option(label=words["group"])
    for name in ("Paul Durand", "Léa Petit"):
        page.locator("label.field-check", has_text=name).click()
        expect(page.get_by_label(name)).to_be_checked()
    expect(page.get_by_label("Camille Martin")).to_be_checked()  # the maker, ticked first
    expect(page.get_by_label("Hugo Bernard")).not_to_be_checked()
    if width < 600:
        no_sideways_scroll(page)
    review_shot(page, f"meetings-group-edit-{language}-{width}")
    page.get_by_role("button", name=words["save"]).click()
    expect(page.get_by_text(words["created"])).to_be_visible()
    expect(page.locator(".meeting-link .badge", has_text=words["badge"])).to_be_visible()
    link = MeetingLink.objects.get(user=seller)
    assert link.kind == MeetingLink.GROUP and link.slug == "demo-equipe"
    assert {u.email for u in link.members.all()} == {seller.email, paul.email, lea.email}
    context.close()

    # Léa has a meeting in the CRM tomorrow at the first hour the visitor would see.
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    busy = soon.replace(hour=10, minute=0, second=0, microsecond=0)
    make_activity(
        "meetings",
        hs_meeting_start_time=f"{busy:%Y-%m-%dT%H:%M:%SZ}",
        hs_meeting_end_time=f"{busy + dt.timedelta(hours=1):%Y-%m-%dT%H:%M:%SZ}",
        hubspot_owner_id=str(lea.owner.pk),
    )

    # 2. A visitor books it, seeing all three names.
    visitor = browser.new_context(
        viewport={"width": width, "height": 900},
        locale=locale,
        timezone_id="Europe/Paris",
        **phone,
    )
    page = visitor.new_page()
    page.goto(f"{live_server.url}/meet/demo-equipe/?day={busy:%Y-%m-%d}")
    expect(page.get_by_role("heading", name=words["choose"])).to_be_visible()
    expect(page.get_by_text("Camille Martin, Paul Durand, Léa Petit")).to_be_visible()
    offered = [
        re.search(r"slot=(\w+)", a.get_attribute("href")).group(1)
        for a in page.locator(".meet-slot").all()
    ]
    assert f"{busy:%Y%m%dT%H%MZ}" not in offered  # Léa is busy, so the group is
    assert f"{busy - dt.timedelta(minutes=30):%Y%m%dT%H%MZ}" in offered
    if width < 600:
        no_sideways_scroll(page)
    review_shot(page, f"meetings-group-slots-{language}-{width}")
    first = page.locator(".meet-slot").first
    slot = re.search(r"slot=(\w+)", first.get_attribute("href")).group(1)
    first.click()
    page.get_by_label(words["name"]).fill("Zoé Tremblay")
    page.get_by_label(words["email"]).fill("zoe@erable.ca")
    page.get_by_role("button", name=words["book"]).click()
    expect(page.get_by_role("heading", name=words["booked"])).to_be_visible()
    expect(page.locator(".meet-summary")).to_contain_text("Camille Martin, Paul Durand, Léa Petit")
    if width < 600:
        no_sideways_scroll(page)
    review_shot(page, f"meetings-group-booked-{language}-{width}")
    visitor.close()

    start = dt.datetime.strptime(slot, "%Y%m%dT%H%MZ").replace(tzinfo=dt.UTC)
    rows = Booking.objects.filter(start=start, status=Booking.CONFIRMED)
    assert {r.host.email for r in rows} == {seller.email, paul.email, lea.email}
    # 3. Everyone received the invitation, every member attending.
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        ["zoe@erable.ca", seller.email, paul.email, lea.email]
    )
    for message in mail.outbox:
        calendar = next(
            p for p in message.message().walk() if p.get_content_type() == "text/calendar"
        )
        assert calendar.get_param("method") == "REQUEST"
        assert calendar.get_payload(decode=True).count(b"ATTENDEE") == 4

    # 4. Paul, a member, sees it among his upcoming meetings.
    context = browser.new_context(viewport={"width": width, "height": 900}, locale=locale, **phone)
    page = sign_in(context, live_server, email=paul.email)
    page.goto(f"{live_server.url}/sales-tools/meetings/")
    upcoming = page.locator("section", has=page.get_by_role("heading", name=words["upcoming"]))
    expect(upcoming).to_contain_text("Zoé Tremblay")
    expect(upcoming).to_contain_text("Démo équipe")
    member_of = page.locator("section", has=page.get_by_role("heading", name=words["member_of"]))
    expect(member_of).to_contain_text("Démo équipe")
    expect(member_of.locator("input[readonly]")).to_have_value(
        f"{live_server.url}/meet/demo-equipe/"
    )
    if width < 600:
        no_sideways_scroll(page)
    review_shot(page, f"meetings-group-member-{language}-{width}")
    context.close()
