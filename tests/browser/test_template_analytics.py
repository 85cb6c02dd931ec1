"""Template analytics in Chromium, in French at 1280 and 390 px and in English at 1280 px
(TOOL-3): from the templates library to the rates per template, then per user, each rate
written the reader's way ("50 %" in French, "50%" in English)."""

import pytest
from playwright.sync_api import expect

from comptoir.emailtemplates import services
from comptoir.emailtemplates.tests.test_analytics import sent
from comptoir.mail.events import record_event
from tests.browser.conftest import sign_in
from tests.browser.settings_helpers import no_sideways_scroll, review_shot

pytestmark = pytest.mark.django_db(transaction=True)

WORDS = {
    "fr": {
        "locale": "fr-FR",
        "analytics": "Statistiques",
        "table": "Statistiques des modèles",
        "half": "50 %",
        "quarter": "25 %",
        "all": "100 %",
        "per": "Par",
        "user": "Utilisateur",
        "show": "Afficher",
    },
    "en": {
        "locale": "en-US",
        "analytics": "Analytics",
        "table": "Template analytics",
        "half": "50%",
        "quarter": "25%",
        "all": "100%",
        "per": "Per",
        "user": "User",
        "show": "Show",
    },
}


@pytest.mark.parametrize("language, width", [("fr", 1280), ("fr", 390), ("en", 1280)])
def test_a_rep_compares_templates_then_users(browser, live_server, seller, language, width):
    seller.language = language
    seller.save(update_fields=["language"])
    w = WORDS[language]
    shot = f"{width}" if language == "fr" else f"{width}-en"
    offer = services.create_template(seller, name="Offre de lancement", shared=True)
    follow = services.create_template(seller, name="Relance J+7", shared=True)
    emails = [sent(seller, offer) for _ in range(4)] + [sent(seller, follow)]
    record_event(emails[0], "open")
    record_event(emails[1], "open")
    record_event(emails[1], "click")
    record_event(emails[4], "reply")
    context = browser.new_context(viewport={"width": width, "height": 900}, locale=w["locale"])
    page = sign_in(context, live_server)
    page.goto(f"{live_server.url}/sales-tools/templates/")
    page.get_by_role("link", name=w["analytics"]).click()
    table = page.get_by_role("table", name=w["table"])
    offer_row = table.get_by_role("row", name="Offre de lancement")
    expect(offer_row).to_contain_text(w["half"])  # 2 of 4 opened
    expect(offer_row).to_contain_text(w["quarter"])  # 1 of 4 clicked
    expect(table.get_by_role("row", name="Relance J+7")).to_contain_text(w["all"])  # replied
    page.get_by_label(w["per"], exact=True).select_option(label=w["user"])
    page.get_by_role("button", name=w["show"]).click()
    expect(table.get_by_role("row", name="Camille Martin")).to_contain_text("5")
    if width == 390:
        no_sideways_scroll(page)
    review_shot(page, f"template-analytics-{shot}")
    context.close()
