"""Documents in Chromium, in French and English, at 1280 and 390 px (TOOL-4): upload a PDF,
create a share link for a contact, open it as the recipient in another browser context (the
pages drawn by pdf.js on canvases, the reading beacons recorded), then see the figures on
the document's page and the view on the contact's timeline; insert a link from the composer.
While the reader stays, periodic beacons add to the time per page; leaving sends the last
seconds with navigator.sendBeacon."""

import re
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from comptoir.core.testing.factories import make_contact
from comptoir.documents import services
from comptoir.documents.models import Document, PageTime, ShareLink, ViewSession
from comptoir.documents.tests.pdfs import make_pdf
from comptoir.mail import delivery
from comptoir.mail.models import OutboundEmail
from comptoir.mail.tests.test_sending import connect
from tests.browser.conftest import screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


WORDS = {
    "fr": {
        "open": "Ouvrir les documents",
        "none_yet": "Aucun document pour l'instant",
        "limit": "25 Mo au maximum",
        "too_big": "Ce fichier pèse plus de 1 Mo, la limite.",
        "file": "Fichier",
        "title": "Titre (facultatif)",
        "upload": "Importer",
        "uploaded": "Document « Offre 2027 » importé.",
        "pages": "PDF, 3 pages",
        "recipient": "E-mail du destinataire",
        "create": "Créer le lien",
        "created": "Lien de partage créé",
        "download": "Télécharger",
        "page_of": "Page 1 sur 3",
        "analytics": "Statistiques",
        "per_page": "Temps par page",
        "timeline": "lea@acme.fr a consulté le document « Offre 2027 »",
        "email_tab": "E-mail",
        "search": "Rechercher des documents",
        "body": "Corps de l'e-mail",
        "locale": "fr-FR",
    },
    "en": {
        "open": "Open documents",
        "none_yet": "No document yet",
        "limit": "At most 25 MB",
        "too_big": "This file weighs more than 1 MB, the limit.",
        "file": "File",
        "title": "Title (optional)",
        "upload": "Upload",
        "uploaded": "Document “Offre 2027” uploaded.",
        "pages": "PDF, 3 pages",
        "recipient": "Recipient's email",
        "create": "Create the link",
        "created": "Share link created",
        "download": "Download",
        "page_of": "Page 1 of 3",
        "analytics": "Analytics",
        "per_page": "Time per page",
        "timeline": "lea@acme.fr viewed the document “Offre 2027”",
        "email_tab": "Email",
        "search": "Search documents",
        "body": "Email body",
        "locale": "en-US",
    },
}


# The offer's first page, as a rep would send it.
OFFER = (
    "Proposition commerciale pour Acme SAS",
    "Préparée par Camille Martin, Comptoir",
    "",
    "1. Licences Comptoir Pro : 25 utilisateurs",
    "2. Accompagnement au déploiement : 3 jours",
    "3. Formation des équipes commerciales : 2 sessions",
    "",
    "Total annuel : 14 250 EUR HT",
    "Validité de l'offre : 30 jours",
)


@pytest.fixture
def lea(seller):
    return make_contact(
        email="lea@acme.fr", firstname="Léa", lastname="Lefèvre", hubspot_owner_id=seller.owner.pk
    )


@pytest.fixture
def rep_page(browser, live_server, seller, language, width):
    """The rep's page in a browser speaking their language (its date fields too)."""
    phone = {"is_mobile": True, "has_touch": True} if width < 600 else {}
    context = browser.new_context(
        viewport={"width": width, "height": 900}, locale=WORDS[language]["locale"], **phone
    )
    yield sign_in(context, live_server)
    context.close()


@pytest.mark.parametrize("language, width", [("fr", 1280), ("fr", 390), ("en", 1280), ("en", 390)])
def test_upload_share_view_and_see_the_figures(
    seller, lea, rep_page, browser, live_server, tmp_path, settings, language, width
):
    page = rep_page
    seller.language = language
    seller.save(update_fields=["language"])
    w = WORDS[language]
    shot = "" if language == "fr" else "-en"
    pdf = tmp_path / "Offre Acme.pdf"
    pdf.write_bytes(make_pdf(3, title="Offre Acme", lines=OFFER))
    page.goto(f"{live_server.url}/sales-tools/")
    page.get_by_role("link", name=w["open"]).click()
    expect(page.get_by_role("heading", level=1, name="Documents")).to_be_visible()
    expect(page.get_by_text(w["none_yet"])).to_be_visible()
    expect(page.get_by_text(w["limit"])).to_be_visible()  # the limit, before uploading
    # Over the limit: said at once, before anything is sent (the server checks again).
    settings.COMPTOIR_DOCUMENTS_MAX_MB = 1
    page.reload()
    big = tmp_path / "big.pdf"
    big.write_bytes(b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 1))
    page.get_by_label(w["file"]).set_input_files(str(big))
    expect(page.get_by_text(w["too_big"])).to_be_visible()
    settings.COMPTOIR_DOCUMENTS_MAX_MB = 25
    page.reload()
    page.get_by_label(w["file"]).set_input_files(str(pdf))
    page.get_by_label(w["title"]).fill("Offre 2027")
    screenshot(page, f"documents-library-{width}{shot}")
    page.get_by_role("button", name=w["upload"]).click()
    expect(page.get_by_text(w["uploaded"])).to_be_visible()
    expect(page.get_by_text(w["pages"])).to_be_visible()

    page.get_by_label(w["recipient"]).fill("lea@acme.fr")
    page.get_by_role("button", name=w["create"]).click()
    expect(page.get_by_text(w["created"])).to_be_visible()
    url = page.locator("[data-share-url]").first.input_value()
    assert "/d/" in url

    # The recipient, in a browser of their own.
    context = browser.new_context(
        viewport={"width": width, "height": 844}, locale=w["locale"], is_mobile=width < 500
    )
    viewer = context.new_page()
    errors = []
    viewer.on("pageerror", lambda exc: errors.append(str(exc)))
    viewer.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    viewer.goto(url)
    expect(viewer.get_by_role("heading", level=1, name="Offre 2027")).to_be_visible()
    expect(viewer.locator("canvas")).to_have_count(3, timeout=20_000)
    expect(viewer.locator("[data-page='1'][data-drawn=true]")).to_have_count(1, timeout=20_000)
    painted = viewer.evaluate(
        """() => {
          const c = document.querySelector("[data-page='1'] canvas");
          const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
          for (let i = 0; i < d.length; i += 4) if (d[i] < 200) return true;
          return false;
        }"""
    )
    assert painted  # pdf.js drew the page (its text and its band), not a blank canvas
    expect(viewer.get_by_role("link", name=w["download"])).to_be_visible()
    expect(viewer.get_by_text(w["page_of"])).to_be_visible()
    if (language, width) == ("fr", 1280):
        screenshot(viewer, "documents-viewer")  # the README's: the first page, drawn
    with viewer.expect_response("**/beacon/", timeout=20_000) as beacon:
        viewer.wait_for_timeout(3000)
        viewer.locator("[data-page='2']").scroll_into_view_if_needed()
    assert beacon.value.status == 204
    screenshot(viewer, f"documents-viewer-{width}{shot}")
    assert viewer.evaluate("document.documentElement.scrollWidth") <= width
    if width == 390 and language == "fr":
        # A link asking for the viewer's email first (the form posts with its CSRF token).
        document = Document.objects.get()
        gated = services.create_link(seller, document, ask_email=True, allow_download=False)
        other = context.new_page()
        other.goto(f"{live_server.url}/d/{gated.token}/")
        other.get_by_label("Votre adresse e-mail").fill(
            "paul@acme"
        )  # the browser takes it, the server does not
        other.get_by_role("button", name="Voir le document").click()
        expect(other.get_by_text("Saisissez une adresse e-mail valide")).to_be_visible()
        other.get_by_label("Votre adresse e-mail").fill("paul@acme.fr")
        other.get_by_role("button", name="Voir le document").click()
        expect(other.locator("canvas")).to_have_count(3, timeout=20_000)
        expect(other.get_by_role("link", name=w["download"])).to_have_count(0)
        screenshot(other, "documents-viewer-gated-390")
        other.close()
        ViewSession.objects.filter(link=gated).delete()
    context.close()  # leaving: the last seconds go with sendBeacon
    assert not errors, errors
    session = ViewSession.objects.get()
    assert session.contact_id == lea.pk and session.seconds > 0
    assert session.confirmed_at is not None  # counted: the page's first beacon
    assert PageTime.objects.filter(session=session).exists()

    page.reload()
    figures = page.get_by_role("region", name=w["analytics"])
    expect(figures.locator("[data-figure=views]")).to_have_text("1")
    expect(figures.get_by_text(w["per_page"])).to_be_visible()
    expect(figures.get_by_text("lea@acme.fr")).to_be_visible()
    screenshot(page, f"documents-analytics-{width}{shot}")
    if (language, width) == ("fr", 1280):
        page.evaluate("window.scrollTo(0, 0)")  # the reload kept the scroll: from the title
        screenshot(page, "documents-analytics")  # the README's
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    page.goto(f"{live_server.url}/contacts/{lea.pk}/")
    expect(page.get_by_text(w["timeline"])).to_be_visible()
    if width != 1280:
        return
    # From the email composer: the document picker inserts a link for Léa.
    page.get_by_role("tab", name=w["email_tab"]).click()
    panel = page.locator("#composer-panel-email")
    hidden_log = panel.locator("details.composer-log:not([open]) > summary")
    if hidden_log.count() and not panel.locator("[data-document-picker]:visible").count():
        hidden_log.click()
    picker = panel.locator("[data-document-picker]:visible").first
    form = picker.locator("xpath=ancestor::form")
    picker.get_by_text("Documents", exact=True).click()
    picker.get_by_label(w["search"]).fill("offre")
    picker.get_by_role("button", name="Offre 2027").click()
    # The send form's rich editor gets a link; the log form's plain body the address.
    editor = form.locator("[data-rich-editor]")
    if editor.count():
        expect(editor.get_by_role("link", name="Offre 2027")).to_be_visible()
        href = editor.get_by_role("link", name="Offre 2027").get_attribute("href")
    else:
        body = form.get_by_label(w["body"])
        expect(body).to_have_value(re.compile(r"^Offre 2027: http.*/d/"))
        href = body.input_value().split(": ", 1)[1]
    assert "/d/" in href and href != url  # Léa's composer link: one made by the composer
    screenshot(page, f"documents-composer{shot}")
    assert Document.objects.count() == 1


@pytest.mark.slow
def test_a_document_link_inserted_in_the_send_form_goes_out_and_opens(
    seller, lea, page, browser, live_server, mail_settings
):
    seller.language = "fr"
    seller.save(update_fields=["language"])
    connect(seller, mail_settings)
    document = services.upload_document(
        seller, SimpleUploadedFile("offre.pdf", make_pdf(2)), name="Offre 2027"
    )
    page.goto(f"{live_server.url}/contacts/{lea.pk}/?compose=email")
    form = page.locator("#send-form")
    form.get_by_label("Objet", exact=True).fill("Votre offre")
    form.locator("#send-editor").click()
    page.keyboard.type("Bonjour Léa, voici l'offre : ")
    picker = form.locator("[data-document-picker]")
    picker.get_by_text("Documents", exact=True).click()
    picker.get_by_label("Rechercher des documents").fill("offre")
    picker.get_by_role("button", name="Offre 2027").click()
    link = form.locator("#send-editor").get_by_role("link", name="Offre 2027")
    expect(link).to_be_visible()
    href = link.get_attribute("href")
    share = ShareLink.objects.get(document=document)
    assert href.endswith(f"/d/{share.token}/") and share.contact_id == lea.pk
    screenshot(page, "documents-send-form")
    form.get_by_role("button", name="Envoyer", exact=True).click()
    expect(page.get_by_text("E-mail en cours d'envoi.")).to_be_attached()
    assert delivery.send_due() == 1
    outbound = OutboundEmail.objects.get()
    assert share.token in outbound.html or any(share.token in u for u in outbound.tracked_links)
    viewer = browser.new_context(locale="fr-FR").new_page()
    viewer.goto(href)
    expect(viewer.locator("canvas")).to_have_count(2, timeout=20_000)
    viewer.context.close()
    assert ViewSession.objects.get().contact_id == lea.pk


# Counts the page's calls of navigator.sendBeacon (still Chromium's own, which it calls).
SEND_BEACON_CALLS = """
const send = navigator.sendBeacon.bind(navigator);
navigator.sendBeacon = (url, data) => {
  const key = "sendBeacon calls";
  sessionStorage.setItem(key, String(Number(sessionStorage.getItem(key) || 0) + 1));
  return send(url, data);
};
"""


def _reading(browser, live_server, seller, settings, flush_seconds):
    """A PDF shared with Léa's address, opened by her in a browser of her own: the viewer's
    page (pages drawn) and the list of its beacon requests, as Chromium sent them."""
    settings.COMPTOIR_DOCUMENTS_BEACON_SECONDS = flush_seconds
    document = services.upload_document(
        seller, SimpleUploadedFile("offre.pdf", make_pdf(3)), name="Offre 2027"
    )
    link = services.create_link(seller, document, email="lea@acme.fr")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    context.add_init_script(SEND_BEACON_CALLS)
    viewer = context.new_page()
    beacons = []
    viewer.on("request", lambda r: beacons.append(r) if r.url.endswith("/beacon/") else None)
    viewer.goto(f"{live_server.url}/d/{link.token}/")
    expect(viewer.locator("[data-page='1'][data-drawn=true]")).to_have_count(1, timeout=20_000)
    return viewer, beacons


def _page_one_seconds() -> int:
    return PageTime.objects.filter(page=1).values_list("seconds", flat=True).first() or 0


def _wait_until(page, check, what: str, seconds: float = 30):
    """Polls the database (written by the live server's thread) until `check()` holds,
    waiting through the page (Playwright hands over the page's events meanwhile)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        page.wait_for_timeout(200)
    raise AssertionError(f"{what}: still not so after {seconds} s")


def test_the_viewer_sends_periodic_beacons_while_the_reader_stays(
    browser, live_server, seller, settings
):
    """The reader stays on page 1: every period (1 s here, 10 s in production) a beacon
    adds the seconds read, and the page's time grows in the database while the page is
    open (not only when it is left)."""
    viewer, beacons = _reading(browser, live_server, seller, settings, flush_seconds=1)
    answered = []
    viewer.on(
        "response", lambda r: answered.append(r.status) if r.url.endswith("/beacon/") else None
    )
    _wait_until(viewer, lambda: _page_one_seconds() >= 1, "the first second's beacon")
    first = _page_one_seconds()
    sent = len(beacons)
    _wait_until(viewer, lambda: len(answered) >= sent + 3, "three more periodic beacons")
    _wait_until(viewer, lambda: _page_one_seconds() >= first + 2, "the time of page 1 growing")
    assert set(answered) == {204}, answered  # each one accepted, none refused
    assert all(r.resource_type == "fetch" for r in beacons)  # periodic: the page's fetch
    session = ViewSession.objects.get()
    assert session.confirmed_at is not None and session.seconds >= first + 2
    assert not viewer.is_closed()  # all this while the page stays open
    viewer.context.close()


def test_leaving_the_viewer_sends_the_last_seconds_with_send_beacon(
    browser, live_server, seller, settings
):
    """No periodic beacon comes in this reading (every 120 s): the seconds read after the
    first one reach the database only with the beacon the page sends as the reader leaves
    (navigator.sendBeacon on pagehide)."""
    viewer, beacons = _reading(browser, live_server, seller, settings, flush_seconds=120)
    _wait_until(viewer, lambda: _page_one_seconds() >= 1, "the first second's beacon")
    before = _page_one_seconds()
    assert len(beacons) == 1
    viewer.wait_for_timeout(3500)  # the reader reads on; nothing is sent meanwhile
    assert len(beacons) == 1 and _page_one_seconds() == before
    assert viewer.evaluate("sessionStorage.getItem('sendBeacon calls')") is None
    viewer.goto(f"{live_server.url}/login/")  # the reader leaves (the same tab, same site)
    # Chromium's sendBeacon was called once, as the page went (counted by SEND_BEACON_CALLS
    # in the tab's sessionStorage, which the next page of the site still reads).
    assert viewer.evaluate("sessionStorage.getItem('sendBeacon calls')") == "1"
    _wait_until(viewer, lambda: _page_one_seconds() > before, "the time sent on leaving recorded")
    assert ViewSession.objects.get().seconds == _page_one_seconds() >= before + 2
    viewer.context.close()
