"""Email templates in Chromium, in French (TOOL-3): write a template with tokens through the
token inserter, preview it on a contact found with the picker, see the empty tokens listed;
then insert it from the contact's email composer."""

import pytest
from playwright.sync_api import expect

from comptoir.core.testing.factories import make_company, make_contact
from comptoir.emailtemplates.models import EmailTemplate
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def french_seller(seller):
    seller.language = "fr"
    seller.save(update_fields=["language"])
    return seller


@pytest.fixture
def lea(french_seller):
    acme = make_company(name="Acme", domain="acme.fr")
    return make_contact(
        email="lea@acme.fr",
        firstname="Léa",
        lastname="Lefèvre",
        hubspot_owner_id=french_seller.owner.pk,
        associations=[("companies", acme.pk, None)],
    )


@pytest.mark.parametrize("width", [1280, 390])
def test_create_a_template_preview_it_on_a_contact_and_see_the_empty_tokens(
    lea, page, live_server, width
):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/sales-tools/")
    page.get_by_role("link", name="Ouvrir les modèles").click()
    expect(page.get_by_role("heading", level=1, name="Modèles")).to_be_visible()
    expect(page.get_by_text("Aucun modèle pour l'instant")).to_be_visible()
    page.get_by_role("link", name="Nouveau modèle").click()

    page.get_by_label("Nom du modèle").fill("Relance devis")
    subject = page.get_by_label("Objet")
    subject.fill("Votre devis, ")
    tokens = page.get_by_label("Jeton de personnalisation")
    tokens.select_option("{{ contact.firstname }}")
    page.get_by_role("button", name="Insérer le jeton").click()
    expect(subject).to_have_value("Votre devis, {{ contact.firstname }}")

    body = page.get_by_role("textbox", name="Corps")
    body.click()
    page.keyboard.type("Bonjour ")
    tokens.select_option("{{ contact.firstname }}")
    page.get_by_role("button", name="Insérer le jeton").click()
    body.click()
    page.keyboard.press("End")
    page.keyboard.type(", chez ")
    tokens.select_option("{{ company.name }}")
    page.get_by_role("button", name="Insérer le jeton").click()
    body.click()
    page.keyboard.press("End")
    page.keyboard.type(" ({{ contact.jobtitle }})")
    screenshot(page, f"email-template-editor-{width}")
    page.get_by_role("button", name="Enregistrer le modèle").click()

    expect(page.get_by_text("Modèle « Relance devis » créé.")).to_be_visible()
    expect(page.get_by_role("heading", level=1, name="Relance devis")).to_be_visible()
    page.get_by_label("Chercher un contact").fill("lef")
    page.get_by_role("link", name="Léa Lefèvre").click()

    preview = page.get_by_role("region", name="Aperçu", exact=True)
    expect(preview.get_by_text("Votre devis, Léa")).to_be_visible()
    expect(preview.get_by_text("Bonjour Léa, chez Acme ()")).to_be_visible()
    warning = preview.get_by_role("status")
    expect(warning).to_contain_text("Ces jetons n'ont ni valeur ni valeur par défaut")
    expect(warning).to_contain_text("Contact : Intitulé du poste")
    if width == 1280:
        screenshot(page, "email-template-preview")
    else:
        screenshot(page, "email-template-preview-390")
        # The phone layout keeps the page within the screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= width

    # Back in the library, the template is listed; at 1280 px, used from the composer.
    page.get_by_role("link", name="Modèles").first.click()
    expect(page.get_by_role("link", name="Relance devis", exact=True)).to_be_visible()
    screenshot(page, f"email-templates-{width}")
    if width != 1280:
        return
    page.goto(f"{live_server.url}/contacts/{lea.pk}/")
    page.get_by_role("tab", name="E-mail").click()
    panel = page.locator("#composer-panel-email")
    # The picker of the form shown (the log form may sit in a closed "log an email sent
    # elsewhere" part when the email tab also sends).
    hidden_log = panel.locator("details.composer-log:not([open]) > summary")
    if hidden_log.count() and not panel.locator("[data-template-picker]:visible").count():
        hidden_log.click()
    picker = panel.locator("[data-template-picker]:visible").first
    form = picker.locator("xpath=ancestor::form")
    picker.get_by_text("Modèles", exact=True).click()
    picker.get_by_label("Rechercher des modèles").fill("relance")
    picker.get_by_role("button", name="Relance devis").click()
    subject = form.locator("[name=hs_email_subject], [name=subject]")
    expect(subject).to_have_value("Votre devis, Léa")
    template = EmailTemplate.objects.get()
    expect(picker.locator("[data-template-id]")).to_have_value(str(template.pk))
    expect(picker.get_by_role("status")).to_contain_text("Contact : Intitulé du poste")
    screenshot(page, "email-template-composer")
