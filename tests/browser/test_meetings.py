"""Meetings (TOOL-7) in Chromium, in French, at 1280 and 390 px: a rep creates a booking
link in Sales tools > Meetings; a visitor in Toronto opens it, sees the times in their own
time zone (detected by the page), books one, gets the confirmation, and both sides receive
the iCalendar invitation (METHOD:REQUEST)."""

import datetime as dt
import http.server
import re
import threading
import zoneinfo

import pytest
from django.core import mail
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


@pytest.mark.parametrize("width", [1280, 390])
def test_a_rep_creates_a_link_and_a_visitor_books_it(browser, live_server, seller, settings, width):
    settings.COMPTOIR_BASE_URL = live_server.url
    seller.language = "fr"
    seller.save(update_fields=["language"])
    phone = {"is_mobile": True, "has_touch": True} if width < 600 else {}

    # 1. The rep creates the link.
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="fr-FR", **phone)
    page = sign_in(context, live_server)
    page.goto(f"{live_server.url}/sales-tools/meetings/")
    expect(page.get_by_role("heading", name="Réunions", exact=True)).to_be_visible()
    page.get_by_role("link", name="Nouveau lien de réservation").first.click()
    page.get_by_label("Titre").fill("Découverte")
    page.get_by_label("Lieu ou lien de visioconférence").fill("https://visio.example/camille")
    for day in DAYS:
        page.get_by_label(day, exact=True).fill("00:00-24:00")
    page.get_by_label("Questions, une par ligne").fill("Votre entreprise ? *")
    review_shot(page, f"meetings-edit-{width}")
    page.get_by_role("button", name="Enregistrer le lien").click()
    expect(page.get_by_text("Lien de réservation créé.")).to_be_visible()
    link = MeetingLink.objects.get(user=seller)
    assert link.slug == "decouverte"
    expect(page.get_by_role("button", name="Copier le lien de Découverte")).to_be_visible()
    if width < 600:
        no_sideways_scroll(page)
    review_shot(page, f"meetings-links-{width}")
    context.close()

    # 2. A visitor in Toronto books it.
    visitor = browser.new_context(
        viewport={"width": width, "height": 900},
        locale="fr-FR",
        timezone_id="America/Toronto",
        **phone,
    )
    page = visitor.new_page()
    page.goto(f"{live_server.url}/meet/decouverte/")
    page.wait_for_url(re.compile(r"tz=America"))  # the page asked again in the visitor's zone
    expect(page.get_by_label("Horaires affichés dans le fuseau horaire")).to_have_value(
        "America/Toronto"
    )
    expect(page.get_by_role("heading", name="Choisissez un horaire")).to_be_visible()
    if width < 600:
        no_sideways_scroll(page)
    review_shot(page, f"meetings-slots-{width}")
    if width == 1280:
        screenshot(page, "meetings-booking")
    first = page.locator(".meet-slot").first
    slot = re.search(r"slot=(\w+)", first.get_attribute("href")).group(1)
    start = dt.datetime.strptime(slot, "%Y%m%dT%H%MZ").replace(tzinfo=dt.UTC)
    local = start.astimezone(zoneinfo.ZoneInfo("America/Toronto"))
    expect(first).to_have_text(f"{local:%H:%M}")  # shown in the visitor's zone
    first.click()
    page.get_by_label("Votre nom").fill("Zoé Tremblay")
    page.get_by_label("Votre adresse e-mail").fill("pas-un-email")
    page.get_by_label("Votre entreprise ?").fill("Érable & Cie")
    page.get_by_role("button", name="Réserver la réunion").click()
    expect(page.get_by_text("Saisissez une adresse e-mail valide.")).to_be_visible()
    expect(page.get_by_label("Votre adresse e-mail")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("Votre adresse e-mail").fill("zoe@erable.ca")
    page.get_by_role("button", name="Réserver la réunion").click()
    expect(page.get_by_role("heading", name="Votre réunion est réservée")).to_be_visible()
    expect(page.get_by_role("heading", name="Votre réunion est réservée")).to_be_focused()
    expect(page.get_by_text("America/Toronto")).to_be_visible()
    expect(page.get_by_role("link", name="Reprogrammer")).to_be_visible()
    if width < 600:
        no_sideways_scroll(page)
    review_shot(page, f"meetings-booked-{width}")

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
    assert to_host.subject == "Invitation : Découverte avec Zoé Tremblay"  # the host's French
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
    page.wait_for_function("document.querySelector('iframe').offsetHeight > 600")
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
