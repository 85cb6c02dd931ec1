"""Template analytics in Chromium, in French, at 1280 and 390 px (TOOL-3): from the
templates library to the rates per template, then per user."""

import pytest
from playwright.sync_api import expect

from comptoir.emailtemplates import services
from comptoir.emailtemplates.tests.test_analytics import sent
from comptoir.mail.events import record_event
from tests.browser.conftest import sign_in
from tests.browser.settings_helpers import no_sideways_scroll, review_shot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", [1280, 390])
def test_a_rep_compares_templates_then_users(browser, live_server, seller, width):
    seller.language = "fr"
    seller.save(update_fields=["language"])
    offer = services.create_template(seller, name="Offre de lancement", shared=True)
    follow = services.create_template(seller, name="Relance J+7", shared=True)
    emails = [sent(seller, offer) for _ in range(4)] + [sent(seller, follow)]
    record_event(emails[0], "open")
    record_event(emails[1], "open")
    record_event(emails[1], "click")
    record_event(emails[4], "reply")
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="fr-FR")
    page = sign_in(context, live_server)
    page.goto(f"{live_server.url}/sales-tools/templates/")
    page.get_by_role("link", name="Statistiques").click()
    table = page.get_by_role("table", name="Statistiques des modèles")
    offer_row = table.get_by_role("row", name="Offre de lancement")
    expect(offer_row).to_contain_text("50 %")  # 2 of 4 opened
    expect(offer_row).to_contain_text("25 %")  # 1 of 4 clicked
    expect(table.get_by_role("row", name="Relance J+7")).to_contain_text("100 %")  # replied
    page.get_by_label("Par").select_option(label="Utilisateur")
    page.get_by_role("button", name="Afficher").click()
    expect(table.get_by_role("row", name="Camille Martin")).to_contain_text("5")
    if width == 390:
        no_sideways_scroll(page)
    review_shot(page, f"template-analytics-{width}")
    context.close()
