"""Prospects in Chromium (issue 18, point 4; TOOL-6): the company's website, a page served
by a small http.server on another port and host (127.0.0.1; Comptoir at localhost),
includes the snippet; no cookie until the
visitor accepts, then page views arrive with the visitor's id; a browser sending Global
Privacy Control sends nothing; the worker attributes the views (a configured network);
the company appears on Sales tools > Prospects in French at 1280 and 390 px, and the rep
assigns it to themself."""

import functools
import http.server
import threading
import time

import pytest
from playwright.sync_api import expect

from comptoir.core.records.values import base_queryset
from comptoir.core.testing.factories import make_company
from comptoir.prospects import attribution, conf
from comptoir.prospects.models import PageView
from comptoir.users.models import Owner
from tests.browser.conftest import screenshot, sign_in

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


def wait_for_views(count, seconds=15):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if PageView.objects.count() >= count:
            return
        time.sleep(0.2)
    raise AssertionError(f"{PageView.objects.count()} page views, {count} expected")


@pytest.mark.parametrize("width", [1280, 390])
def test_visits_reach_the_prospects_page(browser, live_server, seller, website, width):
    seller.language = "fr"
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

    rep = browser.new_context(
        viewport={"width": width, "height": 900 if width > 600 else 844},
        locale="fr-FR",
        **({"is_mobile": True, "has_touch": True} if width < 600 else {}),
    )
    page = sign_in(rep, live_server)
    page.goto(f"{live_server.url}/sales-tools/prospects/")
    expect(page.get_by_role("heading", name="Prospects", exact=True)).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Durand SA")
    expect(row).to_be_visible()
    expect(row.get_by_text("Nouvelle")).to_be_visible()
    expect(page.get_by_role("link", name="Durand SA")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    screenshot(page, f"prospects-{width}")

    owner = Owner.objects.get(user=seller)
    row.get_by_label("Propriétaire de Durand SA").select_option(str(owner.pk))
    expect(page.get_by_text("Propriétaire enregistré.")).to_be_visible()
    company = base_queryset("companies").get(pk=durand.pk)
    assert company.hubspot_owner_id == owner.pk
    page.get_by_label("Visiteurs").select_option("returning")
    expect(page.get_by_text("Aucune entreprise ne correspond à ces filtres")).to_be_visible()
    rep.close()


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
