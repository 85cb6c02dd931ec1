"""Comptoir as an installed app (issue 18, point 6): Chromium finds it installable (its own
checks, through the DevTools protocol), the service worker takes over, and a page asked for
without a network shows the offline page, in French, on a phone."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARGS, CHROMIUM, sign_in
from tests.browser.settings_helpers import no_sideways_scroll, review_shot

pytestmark = pytest.mark.django_db(transaction=True)


def test_chromium_finds_it_installable_and_it_works_offline(
    browser, live_server, seller, tmp_path, settings
):
    settings.COMPTOIR_SERVICE_WORKER = True  # off for the other browser tests
    seller.language = "fr"
    seller.save(update_fields=["language"])
    # A profile on disk: Chromium never offers to install from an incognito context.
    context = browser.browser_type.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path=CHROMIUM,
        args=ARGS,
        viewport={"width": 390, "height": 844},
        locale="fr-FR",
        is_mobile=True,
        has_touch=True,
    )
    page = sign_in(context, live_server)
    assert page.evaluate("navigator.serviceWorker.ready.then(() => true)") is True
    cdp = context.new_cdp_session(page)
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["errors"] == [] and manifest["url"].endswith("/manifest.webmanifest")
    assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []

    context.set_offline(True)
    page.goto(f"{live_server.url}/deals/")
    expect(page.get_by_role("heading", name="Vous êtes hors ligne")).to_be_visible()
    no_sideways_scroll(page)
    review_shot(page, "offline-390")
    context.set_offline(False)
    page.get_by_role("link", name="Réessayer").click()
    expect(page).to_have_url(f"{live_server.url}/")
    context.close()
