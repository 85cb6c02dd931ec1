"""Email tracking and the activity feed in Chromium, in French on a desktop and a phone and
in English on a desktop (issue 17, points 3 and 4): an email sent through the real SMTP
server is opened and its link clicked by the recipient's browser (another browser context,
no session); the rep's Sales tools > Notifications page lists both, then a reply arrives
without a reload, the browser notifications switch reports the permission, the tally
writes "Ouvert 1 fois" ("Opened 1 time") on the contact's timeline, and a colleague's feed
stays empty with its explanation."""

import datetime as dt
import email
import email.policy
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from comptoir.core.testing.factories import make_contact, make_user
from comptoir.mail import delivery, events, sending
from comptoir.mail.models import EmailEvent, OutboundEmail
from comptoir.mail.sending import Draft
from comptoir.mail.tests.test_sending import connect
from comptoir.salestools import activity_views
from tests.browser.conftest import screenshot, sign_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


WORDS = {
    "fr": {
        "locale": "fr-FR",
        "open_feed": "Ouvrir le flux d'activité",
        "notifications": "Notifications",
        "clicked": "Anne Durand a cliqué sur un lien de « Votre devis »",
        "opened": "Anne Durand a ouvert « Votre devis »",
        "on": "Les notifications du navigateur sont activées.",
        "turn_on": "Activer les notifications du navigateur",
        "replied": "Anne Durand a répondu à « Votre devis »",
        "activity": "Activité",
        "clicks": "Clics",
        "all": "Toute l'activité",
        "contact": "Contact",
        "filter": "Filtrer",
        "opened_once": "Ouvert 1 fois, dernière ouverture le",
        "clicked_once": "Cliqué 1 fois, dernier clic le",
        "empty": "Pas encore d'activité sur vos e-mails",
    },
    "en": {
        "locale": "en-US",
        "open_feed": "Open the activity feed",
        "notifications": "Notifications",
        "clicked": "Anne Durand clicked a link in “Votre devis”",
        "opened": "Anne Durand opened “Votre devis”",
        "on": "Browser notifications are on.",
        "turn_on": "Turn on browser notifications",
        "replied": "Anne Durand replied to “Votre devis”",
        "activity": "Activity",
        "clicks": "Clicks",
        "all": "All activity",
        "contact": "Contact",
        "filter": "Filter",
        "opened_once": "Opened 1 time, last on",
        "clicked_once": "Clicked 1 time, last on",
        "empty": "No email activity yet",
    },
}


@pytest.mark.parametrize("language, width", [("fr", 1280), ("fr", 390), ("en", 1280)])
def test_opens_and_clicks_reach_the_feed_and_the_timeline(
    browser, live_server, seller, mail_settings, language, width, monkeypatch, settings
):
    seller.language = language
    seller.save(update_fields=["language"])
    w = WORDS[language]
    shot = "" if language == "fr" else "-en"
    monkeypatch.setattr(activity_views, "POLL_SECONDS", 1)
    settings.COMPTOIR_BASE_URL = live_server.url  # the tracking URLs' host
    connect(seller, mail_settings)
    contact = make_contact(email="anne@client.fr", firstname="Anne", lastname="Durand")
    target = f"{live_server.url}/healthz"
    outbound = sending.compose(
        seller,
        Draft(
            to="Anne Durand <anne@client.fr>",
            subject="Votre devis",
            html=f'<p>Voici <a href="{target}">le devis</a>.</p>',
            record=("contacts", contact.pk),
        ),
    )
    assert delivery.deliver(outbound.pk) == "sent"
    message = email.message_from_bytes(
        mail_settings.inbox.messages[-1], policy=email.policy.default
    )
    html = message.get_body(("html",)).get_content()
    click_url, pixel_url = re.findall(r'(?:href|src)="(http://[^"]+/t/[oc]/[^"]+)"', html)
    assert target not in html
    OutboundEmail.objects.filter(pk=outbound.pk).update(  # read a minute later
        accepted_at=timezone.now() - dt.timedelta(minutes=1)
    )

    # The recipient's browser: no Comptoir session; a desktop Chrome (headless Chromium
    # says "HeadlessChrome", which is a scanner's mark).
    reader = browser.new_context(
        locale=w["locale"],
        user_agent="Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36",
    )
    page = reader.new_page()
    assert page.goto(pixel_url).status == 200
    page.goto(click_url)
    expect(page).to_have_url(target)
    reader.close()
    assert sorted(EmailEvent.objects.values_list("kind", "automated")) == [
        ("click", False),
        ("open", False),
    ]

    phone = {"is_mobile": True, "has_touch": True} if width < 600 else {}
    context = browser.new_context(
        viewport={"width": width, "height": 900}, locale=w["locale"], **phone
    )
    context.grant_permissions(["notifications"], origin=live_server.url)
    page = sign_in(context, live_server)
    page.goto(f"{live_server.url}/sales-tools/")
    page.get_by_role("link", name=w["open_feed"]).click()
    expect(page.get_by_role("heading", name=w["notifications"], exact=True)).to_be_visible()
    feed = page.locator("#activity-feed")
    expect(feed).to_contain_text(w["clicked"])
    expect(feed).to_contain_text(w["opened"])
    expect(feed).to_contain_text(target)
    expect(page.get_by_text(w["on"])).to_be_visible()
    switch = page.get_by_role("button", name=w["turn_on"])
    expect(switch).to_be_hidden()

    # A reply arrives: the list shows it without a reload, newest first.
    events.record_event(outbound, "reply")
    first = feed.locator(".activity-item").first
    expect(first).to_contain_text(w["replied"], timeout=10_000)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, ("activity-feed" if width == 1280 else "activity-feed-390") + shot)

    # Filters: clicks only, then the contact.
    page.get_by_label(w["activity"], exact=True).select_option(label=w["clicks"])
    page.get_by_role("button", name=w["filter"]).click()
    expect(page.locator(".activity-item")).to_have_count(1)
    page.get_by_label(w["activity"], exact=True).select_option(label=w["all"])
    page.get_by_label(w["contact"], exact=True).select_option(label="Anne Durand")
    page.get_by_role("button", name=w["filter"]).click()
    expect(page.locator(".activity-item")).to_have_count(3)

    # The worker's tally: the counts on the email in the contact's timeline.
    events.tally()
    page.goto(f"{live_server.url}/contacts/{contact.pk}/")
    item = page.locator(".event-emails").filter(has_text="Votre devis")
    expect(item).to_contain_text(w["opened_once"])
    expect(item).to_contain_text(w["clicked_once"])
    context.close()

    # A colleague: nothing of Camille's, and the empty state says why.
    omar = make_user("omar@example.com", first_name="Omar")
    omar.language = language
    omar.save(update_fields=["language"])
    other = browser.new_context(viewport={"width": width, "height": 900}, locale=w["locale"])
    page = sign_in(other, live_server, email="omar@example.com")
    page.goto(f"{live_server.url}/sales-tools/activity/")
    expect(page.get_by_text(w["empty"])).to_be_visible()
    expect(page.get_by_text("Votre devis")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    other.close()
