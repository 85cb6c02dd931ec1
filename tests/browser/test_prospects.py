"""Prospects in Chromium (issue 18, point 4; TOOL-6): the company's website, a page served
by a small http.server on another port and host (127.0.0.1; Comptoir at localhost),
includes the snippet; no cookie until the visitor accepts, then page views arrive with the
visitor's id; a browser sending Global Privacy Control sends nothing, one saying Do Not
Track neither (no cookie, no page view, even after consent); the worker attributes
the views (a configured network); the company appears on Sales tools > Prospects in French
and English at 1280 and 390 px, and the rep assigns it to themself. A shared document's PDF
links to the website: the viewer gives them the recipient contact's hint, the website's
snippet sends it back, the worker puts the visit on the contact. A company's page lists its
page views in visits (French and English at 1280 and 390 px)."""

import datetime as dt
import functools
import http.server
import threading
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import expect

from comptoir.core.records.values import base_queryset
from comptoir.core.testing.factories import make_company, make_contact
from comptoir.documents import services as documents
from comptoir.documents.models import ViewSession
from comptoir.documents.tests.pdfs import make_pdf
from comptoir.prospects import attribution, conf
from comptoir.prospects.models import PageView, Prospect, ProspectDay, Visitor
from comptoir.users.models import Owner
from tests.browser.conftest import screenshot, sign_in
from tests.browser.settings_helpers import no_sideways_scroll

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>{title}</title></head>
<body><h1>{title}</h1>
<button id="accept">Accepter les cookies</button>
<a id="next" href="/tarifs.html">Nos tarifs</a>
<script>window.comptoir=window.comptoir||function(){{(comptoir.q=comptoir.q||[]).push(arguments)}};</script>
<script async src="{crm}/p/snippet.js"></script>
<script>document.getElementById("accept").addEventListener("click", function () {{
  comptoir("consent", true); this.textContent = "OK"; }});</script>
</body></html>
"""


@pytest.fixture
def website(tmp_path, live_server):
    (tmp_path / "index.html").write_text(PAGE.format(title="Acme Shop", crm=live_server.url))
    (tmp_path / "tarifs.html").write_text(PAGE.format(title="Tarifs", crm=live_server.url))
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def wait_for_views(count, seconds=45):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if PageView.objects.count() >= count:
            return
        time.sleep(0.2)
    raise AssertionError(f"{PageView.objects.count()} page views, {count} expected")


LIST_WORDS = {
    "fr": {
        "locale": "fr-FR",
        "new": "Nouvelle",
        "owner_of": "Propriétaire de Durand SA",
        "owner_saved": "Propriétaire enregistré.",
        "visitors": "Visiteurs",
        "no_match": "Aucune entreprise ne correspond à ces filtres",
    },
    "en": {
        "locale": "en-US",
        "new": "New",
        "owner_of": "Owner of Durand SA",
        "owner_saved": "Owner saved.",
        "visitors": "Visitors",
        "no_match": "No company matches these filters",
    },
}


@pytest.mark.parametrize("language, width", [("fr", 1280), ("fr", 390), ("en", 1280), ("en", 390)])
def test_visits_reach_the_prospects_page(browser, live_server, seller, website, language, width):
    w = LIST_WORDS[language]
    seller.language = language
    seller.save(update_fields=["language"])
    # The website is served at 127.0.0.1 (the Comptoir server answers at localhost: another
    # origin; both on loopback, so Chromium's private network rules let the beacons go).
    conf.save("127.0.0.1", "127.0.0.0/8 durand.fr", 90, True)
    durand = make_company(name="Durand SA", domain="durand.fr")

    # A visitor whose browser sends Global Privacy Control: nothing is sent.
    private = browser.new_context(locale="fr-FR")
    private.add_init_script(
        "Object.defineProperty(navigator, 'globalPrivacyControl', {get: () => true})"
    )
    shy = private.new_page()
    shy.goto(website + "/index.html")
    expect(shy.get_by_role("heading", name="Acme Shop")).to_be_visible()
    shy.get_by_role("button", name="Accepter les cookies").click()  # consent changes nothing
    shy.wait_for_timeout(1500)
    assert PageView.objects.count() == 0
    assert not [c for c in private.cookies() if c["name"] == "_cmp_vid"]
    private.close()

    # A visitor who accepts cookies, then opens a second page.
    context = browser.new_context(locale="fr-FR")
    visit = context.new_page()
    visit.goto(website + "/index.html")
    wait_for_views(1)
    first = PageView.objects.get()
    assert first.visitor == "" and first.title == "Acme Shop"  # no consent yet: no id
    assert not [c for c in context.cookies() if c["name"] == "_cmp_vid"]
    visit.get_by_role("button", name="Accepter les cookies").click()
    expect(visit.locator("#accept")).to_have_text("OK")
    visit.get_by_role("link", name="Nos tarifs").click()
    expect(visit.get_by_role("heading", name="Tarifs")).to_be_visible()
    cookies = [c for c in context.cookies() if c["name"] == "_cmp_vid"]
    assert len(cookies) == 1 and cookies[0]["domain"] == "127.0.0.1"
    wait_for_views(2)
    second = PageView.objects.order_by("-pk").first()
    assert second.visitor == cookies[0]["value"] and second.url.endswith("/tarifs.html")
    context.close()

    assert attribution.attribute_all() == 2  # the worker's minute
    # Two other companies visited this week (as the worker counted them): the page has
    # several rows, one of them a domain without a company yet.
    now = timezone.now()
    martin = make_company(name="Martin & Fils", domain="martin-fils.fr")
    for domain, company_id, visits, views in (
        ("martin-fils.fr", martin.pk, 7, 23),
        ("boulangerie-lemoine.fr", None, 3, 5),
    ):
        other = Prospect.objects.create(
            domain=domain,
            company_id=company_id,
            first_seen_at=now - dt.timedelta(days=2),
            last_seen_at=now - dt.timedelta(hours=visits),
            visits=visits,
            page_views=views,
        )
        ProspectDay.objects.create(
            prospect=other, day=timezone.localdate(now), visits=visits, page_views=views
        )

    rep = browser.new_context(
        viewport={"width": width, "height": 900 if width > 600 else 844},
        locale=w["locale"],
        **({"is_mobile": True, "has_touch": True} if width < 600 else {}),
    )
    page = sign_in(rep, live_server)
    page.goto(f"{live_server.url}/sales-tools/prospects/")
    expect(page.get_by_role("heading", name="Prospects", exact=True)).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Durand SA")
    expect(row).to_be_visible()
    expect(row.get_by_text(w["new"], exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Durand SA", exact=True)).to_be_visible()
    if width < 600:
        no_sideways_scroll(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    screenshot(page, f"prospects-{width}{'' if language == 'fr' else '-en'}")
    if (language, width) == ("fr", 1280):
        screenshot(page, "prospects")  # the README's

    owner = Owner.objects.get(user=seller)
    row.get_by_label(w["owner_of"]).select_option(str(owner.pk))
    expect(page.get_by_text(w["owner_saved"])).to_be_visible()
    company = base_queryset("companies").get(pk=durand.pk)
    assert company.hubspot_owner_id == owner.pk
    page.get_by_label(w["visitors"]).select_option("returning")
    expect(page.get_by_text(w["no_match"])).to_be_visible()
    rep.close()


# Counts, in the tab's sessionStorage (kept from one page of the website to the next), the
# website page's calls that would send to Comptoir's /p/collect: navigator.sendBeacon and
# fetch, still the browser's own, which they call.
COLLECT_CALLS = """
(() => {
  const count = (url) => {
    if (!String(url).includes("/p/collect")) return;
    const n = Number(sessionStorage.getItem("collect calls") || 0) + 1;
    sessionStorage.setItem("collect calls", String(n));
  };
  const beacon = navigator.sendBeacon.bind(navigator);
  navigator.sendBeacon = (url, data) => { count(url); return beacon(url, data); };
  const fetched = window.fetch.bind(window);
  window.fetch = (url, options) => { count(url); return fetched(url, options); };
})();
"""


@pytest.mark.parametrize("honoured", ["do-not-track", "none"])
def test_a_browser_saying_do_not_track_sends_nothing(
    browser, live_server, seller, website, honoured
):
    """The visitor's browser says Do Not Track (the DNT header and navigator.doNotTrack):
    the snippet sets no cookie and sends no page view, even once the site calls consent, on
    this page or the next ("none": the same visit from a browser that does not say it, which
    sends them: the counting sees what the snippet does)."""
    saved, errors = conf.save("127.0.0.1", "", 90, True)
    assert saved is not None, errors
    context = browser.new_context(
        locale="fr-FR",
        **({"extra_http_headers": {"DNT": "1"}} if honoured == "do-not-track" else {}),
    )
    if honoured == "do-not-track":
        context.add_init_script("Object.defineProperty(navigator, 'doNotTrack', {get: () => '1'})")
    context.add_init_script(COLLECT_CALLS)
    visit = context.new_page()
    visit.goto(website + "/index.html")
    visit.wait_for_function("window.__comptoirSnippet === true")  # the snippet ran
    assert visit.evaluate("navigator.doNotTrack") == ("1" if honoured != "none" else None)
    visit.get_by_role("button", name="Accepter les cookies").click()
    expect(visit.locator("#accept")).to_have_text("OK")
    visit.evaluate("comptoir('identify', 'lea@durand.fr'); comptoir('page')")
    # Leaving a page sends what it queued (pagehide): two pages left, the second one after
    # consent was already given on the first.
    visit.get_by_role("link", name="Nos tarifs").click()
    expect(visit.get_by_role("heading", name="Tarifs")).to_be_visible()
    visit.wait_for_function("window.__comptoirSnippet === true")
    visit.evaluate("comptoir('consent', true)")
    visit.goto(website + "/index.html")
    visit.wait_for_function("window.__comptoirSnippet === true")
    calls = int(visit.evaluate("sessionStorage.getItem('collect calls') || '0'"))
    cookies = [c for c in context.cookies() if c["name"] == "_cmp_vid"]
    context.close()
    if honoured == "none":
        assert calls >= 2 and len(cookies) == 1
        wait_for_views(3)  # the two pages left, with the identify call's address
        return
    assert calls == 0 and cookies == []
    # The server got nothing either: a visitor without Do Not Track, after, is its first.
    other = browser.new_context(locale="fr-FR")
    other.new_page().goto(website + "/tarifs.html")
    wait_for_views(1)
    other.close()
    assert [v.title for v in PageView.objects.all()] == ["Tarifs"]


def test_the_empty_state_in_french(page, live_server, seller):
    seller.language = "fr"
    seller.save(update_fields=["language"])
    page.goto(f"{live_server.url}/sales-tools/prospects/")
    expect(page.get_by_text("Aucune visite pour l'instant")).to_be_visible()
    expect(page.get_by_label("Code à copier")).to_contain_text("/p/snippet.js")
    screenshot(page, "prospects-empty")


def test_settings_in_french_refuse_a_bad_domain(browser, live_server, db):
    from comptoir.core.testing.factories import make_user

    admin = make_user("admin@example.com", role="Super admin")
    admin.language = "fr"
    admin.save(update_fields=["language"])
    context = browser.new_context(viewport={"width": 1280, "height": 1100}, locale="fr-FR")
    page = sign_in(context, live_server, email="admin@example.com")
    page.goto(f"{live_server.url}/settings/prospects/")
    page.get_by_label("Domaines du site web").fill("acme-shop.fr\npas un domaine!")
    page.get_by_label("Conserver les pages vues brutes (jours)").fill("0")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("« domaine! » n'est pas un domaine.")).to_be_visible()
    expect(page.get_by_text("Saisissez un nombre de jours de 1 à 3650.")).to_be_visible()
    screenshot(page, "prospects-settings")
    page.get_by_label("Domaines du site web").fill("acme-shop.fr")
    page.get_by_label("Conserver les pages vues brutes (jours)").fill("30")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Paramètres des prospects enregistrés.")).to_be_visible()
    assert conf.conf().domains == ("acme-shop.fr",) and conf.conf().retention_days == 30
    context.close()


def test_a_document_link_makes_the_visitor_its_contact(browser, live_server, seller, website):
    """Léa, who accepted the website's cookies some day, opens the offer shared with her and
    clicks its link to the prices: the website knows her from then on."""
    seller.language = "fr"
    seller.save(update_fields=["language"])
    conf.save("127.0.0.1", "", 90, True)
    durand = make_company(name="Durand SA", domain="durand.fr")
    lea = make_contact(
        email="lea@durand.fr",
        firstname="Léa",
        lastname="Lefèvre",
        hubspot_owner_id=seller.owner.pk,
        associations=[("companies", durand.pk, None)],
    )
    pdf = make_pdf(2, title="Offre Durand", link=website + "/tarifs.html")
    document = documents.upload_document(
        seller, SimpleUploadedFile("offre.pdf", pdf), name="Offre 2027"
    )
    link = documents.create_link(seller, document, contact_id=lea.pk)

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    site = context.new_page()
    site.goto(website + "/index.html")
    site.get_by_role("button", name="Accepter les cookies").click()
    expect(site.locator("#accept")).to_have_text("OK")
    wait_for_views(1)
    site.close()
    vid = next(c["value"] for c in context.cookies() if c["name"] == "_cmp_vid")

    viewer = context.new_page()
    errors = []
    viewer.on("pageerror", lambda exc: errors.append(str(exc)))
    with viewer.expect_response("**/beacon/", timeout=20_000) as first_beacon:
        viewer.goto(f"{live_server.url}/d/{link.token}/")
        expect(viewer.locator("[data-page='1'][data-drawn=true]")).to_have_count(1, timeout=20_000)
    assert first_beacon.value.status == 204
    target = viewer.get_by_role("link", name=f"Lien vers {website}/tarifs.html")
    expect(target).to_be_visible()
    assert "_cmp=c." in target.get_attribute("href")
    # Over the line "Voir nos tarifs" of the page (x 66-300, y 650-690 of 595 x 842 points).
    box, canvas = target.bounding_box(), viewer.locator("[data-page='1'] canvas").bounding_box()
    scale = canvas["width"] / 595
    assert abs(box["x"] - canvas["x"] - 66 * scale) < 2
    assert abs(box["y"] - canvas["y"] - (842 - 690) * scale) < 2
    assert abs(box["width"] - 234 * scale) < 2 and abs(box["height"] - 40 * scale) < 2
    screenshot(viewer, "documents-viewer-website-link")
    with context.expect_page() as opened:
        target.click()
    landed = opened.value
    expect(landed.get_by_role("heading", name="Tarifs")).to_be_visible()
    expect(landed).to_have_url(website + "/tarifs.html")  # the snippet dropped the hint
    wait_for_views(2)
    hinted = PageView.objects.get(url=website + "/tarifs.html")
    assert (hinted.contact_id, hinted.visitor) == (lea.pk, vid)
    landed.get_by_role("link", name="Nos tarifs").click()  # later pages: no hint any more
    wait_for_views(3)
    assert PageView.objects.filter(contact_id__isnull=True).count() == 2
    context.close()
    assert not errors, errors
    assert ViewSession.objects.get().confirmed_at is not None  # and the view counted

    assert attribution.attribute_all() == 3  # the worker's minute
    assert Visitor.objects.get(key=f"v:{vid}").contact_id == lea.pk
    prospect = Prospect.objects.get()
    assert (prospect.domain, prospect.company_id, prospect.page_views) == (
        "durand.fr",
        durand.pk,
        3,
    )

    rep = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = sign_in(rep, live_server)
    page.goto(f"{live_server.url}/contacts/{lea.pk}/")
    expect(page.get_by_text("A visité votre site web")).to_be_visible()
    page.goto(f"{live_server.url}/sales-tools/prospects/")
    page.get_by_role("link", name="Pages vues de Durand SA").click()
    expect(page.get_by_role("heading", level=1, name="Durand SA")).to_be_visible()
    visit = page.locator(".prospect-visit").first
    expect(visit.get_by_role("link", name="Léa Lefèvre")).to_be_visible()
    expect(visit.get_by_text("3 pages")).to_be_visible()
    rep.close()


WORDS = {
    "fr": {
        "list_link": "Pages vues de Durand SA",
        "views": "Pages vues",
        "unknown": "Visiteur inconnu",
        "next": "Suivant",
        "page_2": "Page 2 sur 2",
        "zone": "Heures en America/Montreal",
        "locale": "fr-FR",
        "empty": "Aucune page vue conservée",
        "breadcrumb": "Prospects",
    },
    "en": {
        "list_link": "Page views of Durand SA",
        "views": "Page views",
        "unknown": "Unknown visitor",
        "next": "Next",
        "page_2": "Page 2 of 2",
        "zone": "Times in America/Montreal",
        "locale": "en-US",
        "empty": "No page view kept",
        "breadcrumb": "Prospects",
    },
}


@pytest.mark.parametrize("language, width", [("fr", 1280), ("fr", 390), ("en", 1280), ("en", 390)])
def test_a_companys_page_views(browser, live_server, seller, language, width):
    from comptoir.prospects.models import DigestSubscription

    seller.language = language
    seller.save(update_fields=["language"])
    w = WORDS[language]
    DigestSubscription.objects.create(user=seller, time_zone="America/Montreal")
    durand = make_company(name="Durand SA", domain="durand.fr")
    lea = make_contact(
        email="lea@durand.fr", firstname="Léa", lastname="Lefèvre", hubspot_owner_id=seller.owner.pk
    )
    now = timezone.now()
    prospect = Prospect.objects.create(
        domain="durand.fr",
        company_id=durand.pk,
        first_seen_at=now - dt.timedelta(days=3),
        last_seen_at=now,
        visits=12,
        page_views=60,
    )
    ProspectDay.objects.create(prospect=prospect, day=now.date(), visits=12, page_views=60)
    vid = "LeaLeaLeaLeaLeaLeaLeaL"
    Visitor.objects.create(key=f"v:{vid}", contact_id=lea.pk, last_seen_at=now)
    site = "https://www.acme-shop.fr"
    PageView.objects.bulk_create(
        [
            PageView(
                occurred_at=now - dt.timedelta(minutes=n * 7),
                visitor=vid if n < 5 else "",
                ip="198.51.100.7",
                user_agent="Mozilla/5.0",
                url=f"{site}/tarifs/offre-{n}?utm_source=newsletter-de-printemps-2027",
                title=f"Tarifs {n}" if n % 3 else "",
                processed=True,
                domain="durand.fr",
            )
            for n in range(60)
        ]
    )
    context = browser.new_context(
        viewport={"width": width, "height": 900 if width > 600 else 844},
        locale=w["locale"],
        **({"is_mobile": True, "has_touch": True} if width < 600 else {}),
    )
    page = sign_in(context, live_server)
    page.goto(f"{live_server.url}/sales-tools/prospects/")
    page.get_by_role("link", name=w["list_link"]).click()
    expect(page.get_by_role("heading", level=1, name="Durand SA")).to_be_visible()
    expect(page.get_by_role("heading", name=w["views"], exact=True)).to_be_visible()
    expect(page.get_by_text(w["zone"])).to_be_visible()
    first = page.locator(".prospect-visit").first
    expect(first.get_by_role("link", name="Léa Lefèvre")).to_be_visible()
    expect(first.get_by_text("Tarifs 1", exact=True)).to_be_visible()
    expect(page.get_by_text(w["unknown"]).first).to_be_visible()
    expect(page.locator(".prospect-page")).to_have_count(50)
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    screenshot(page, f"prospect-views-{width}{'' if language == 'fr' else '-en'}")
    page.get_by_role("link", name=w["next"]).click()
    expect(page.get_by_text(w["page_2"])).to_be_visible()
    expect(page.locator(".prospect-page")).to_have_count(10)
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    # Once the raw page views are purged: said plainly, the totals kept.
    PageView.objects.all().delete()
    page.reload()
    expect(page.get_by_text(w["empty"])).to_be_visible()
    expect(page.locator("[data-figure=page-views]")).to_have_text("60")
    page.get_by_role("link", name=w["breadcrumb"], exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/sales-tools/prospects/")
    context.close()
