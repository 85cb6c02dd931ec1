"""Two-factor sign-in in Chromium, in French, at 1280 and 390 px (issue 19, point 6): a rep
sets up an authenticator app from the profile, keeps the recovery codes, then signs in with
password and code; a wrong code is refused in plain words."""

import re

import pytest
from playwright.sync_api import expect

from comptoir.users import totp
from tests.browser.settings_helpers import no_sideways_scroll, review_shot

pytestmark = pytest.mark.django_db(transaction=True)


def password_step(browser, live_server, width, start):
    """A new browser signs in with the password from `start` (the sign-in page, or a page
    that sends there)."""
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="fr-FR")
    page = context.new_page()
    page.goto(f"{live_server.url}{start}")
    page.get_by_label("E-mail").fill("camille@example.com")
    page.get_by_label("Mot de passe").fill("Pass-word-123")
    page.get_by_role("button", name="Se connecter").click()
    return context, page


@pytest.mark.parametrize("width", [1280, 390])
def test_a_rep_sets_up_an_app_and_signs_in_with_its_code(browser, live_server, seller, width):
    seller.language = "fr"
    seller.save(update_fields=["language"])
    context, page = password_step(browser, live_server, width, "/login/")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/settings/profile/")
    card = page.get_by_role("region", name="Double authentification")
    card.get_by_role("link", name="Configurer").click()
    expect(
        page.get_by_role("heading", name="Configurer une application d'authentification")
    ).to_be_visible()
    expect(
        page.get_by_role("img", name="QR code à scanner avec l'application d'authentification")
    ).to_be_visible()
    secret = page.get_by_test_id("two-factor-secret").inner_text().replace(" ", "")
    review_shot(page, f"two-factor-setup-{width}")
    page.get_by_label("Code", exact=True).fill("123")
    page.get_by_role("button", name="Activer").click()
    expect(page.get_by_text("Ce code n'est pas bon.")).to_be_visible()
    page.get_by_label("Code", exact=True).fill(totp.code_at(secret, totp.current_step()))
    page.get_by_role("button", name="Activer").click()
    codes = page.get_by_test_id("recovery-codes").locator("li")
    expect(codes).to_have_count(10)
    assert re.fullmatch(r"[a-z0-9]{5}-[a-z0-9]{5}", codes.first.inner_text())
    if width == 390:
        no_sideways_scroll(page)
    review_shot(page, f"two-factor-codes-{width}")
    page.get_by_role("link", name="Je les ai enregistrés").click()
    expect(page.get_by_role("region", name="Double authentification")).to_contain_text("Activée")
    context.close()

    context, page = password_step(browser, live_server, width, "/contacts/")
    expect(page.get_by_role("heading", name="Double authentification")).to_be_visible()
    page.get_by_label("Code", exact=True).fill("000000")
    page.get_by_role("button", name="Vérifier").click()
    expect(page.get_by_role("alert")).to_contain_text("Ce code n'est pas bon, ou a déjà servi.")
    if width == 390:
        no_sideways_scroll(page)
    review_shot(page, f"two-factor-code-{width}")
    page.get_by_label("Code", exact=True).fill(totp.code_at(secret, totp.current_step() + 1))
    page.get_by_role("button", name="Vérifier").click()
    page.wait_for_url(f"{live_server.url}/contacts/")
    expect(page.get_by_role("heading", name="Contacts")).to_be_visible()
    context.close()
