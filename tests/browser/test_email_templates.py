"""Email templates in Chromium, in French and English, at 1280 and 390 px (TOOL-3): write a
template with tokens through the token inserter, preview it on a contact found with the
picker, see the empty tokens listed; then insert it from the contact's email composer."""

import pytest
from playwright.sync_api import expect

from comptoir.core.testing.factories import make_company, make_contact
from comptoir.emailtemplates.models import EmailTemplate
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)

WORDS = {
    "fr": {
        "open": "Ouvrir les modèles",
        "templates": "Modèles",
        "none_yet": "Aucun modèle pour l'instant",
        "new": "Nouveau modèle",
        "name": "Nom du modèle",
        "subject": "Objet",
        "token": "Jeton de personnalisation",
        "insert": "Insérer le jeton",
        "body": "Corps",
        "save": "Enregistrer le modèle",
        "created": "Modèle « Relance devis » créé.",
        "find": "Chercher un contact",
        "preview": "Aperçu",
        "warning": "Ces jetons n'ont ni valeur ni valeur par défaut",
        "job": "Contact : Intitulé du poste",
        "email_tab": "E-mail",
        "search": "Rechercher des modèles",
    },
    "en": {
        "open": "Open templates",
        "templates": "Templates",
        "none_yet": "No template yet",
        "new": "New template",
        "name": "Template name",
        "subject": "Subject",
        "token": "Personalization token",
        "insert": "Insert token",
        "body": "Body",
        "save": "Save template",
        "created": "Template “Relance devis” created.",
        "find": "Find a contact",
        "preview": "Preview",
        "warning": "These tokens have no value and no fallback",
        "job": "Contact: Job title",
        "email_tab": "Email",
        "search": "Search templates",
    },
}


@pytest.fixture
def lea(seller):
    acme = make_company(name="Acme", domain="acme.fr")
    return make_contact(
        email="lea@acme.fr",
        firstname="Léa",
        lastname="Lefèvre",
        hubspot_owner_id=seller.owner.pk,
        associations=[("companies", acme.pk, None)],
    )


@pytest.mark.parametrize("language, width", [("fr", 1280), ("fr", 390), ("en", 1280), ("en", 390)])
def test_create_a_template_preview_it_on_a_contact_and_see_the_empty_tokens(
    seller, lea, page, live_server, language, width
):
    seller.language = language
    seller.save(update_fields=["language"])
    w = WORDS[language]
    shot = "" if language == "fr" else "-en"
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/sales-tools/")
    page.get_by_role("link", name=w["open"]).click()
    expect(page.get_by_role("heading", level=1, name=w["templates"])).to_be_visible()
    expect(page.get_by_text(w["none_yet"])).to_be_visible()
    page.get_by_role("link", name=w["new"]).click()
    page.wait_for_url("**/sales-tools/templates/new/")
    page.wait_for_load_state()  # the editor's script (deferred) runs before "load"

    page.get_by_label(w["name"]).fill("Relance devis")
    subject = page.get_by_label(w["subject"])
    subject.fill("Votre devis, ")
    tokens = page.get_by_label(w["token"])
    tokens.select_option("{{ contact.firstname }}")
    page.get_by_role("button", name=w["insert"]).click()
    expect(subject).to_have_value("Votre devis, {{ contact.firstname }}")

    body = page.get_by_role("textbox", name=w["body"])
    body.click()
    page.keyboard.type("Bonjour ")
    tokens.select_option("{{ contact.firstname }}")
    page.get_by_role("button", name=w["insert"]).click()
    body.click()
    page.keyboard.press("End")
    page.keyboard.type(", chez ")
    tokens.select_option("{{ company.name }}")
    page.get_by_role("button", name=w["insert"]).click()
    body.click()
    page.keyboard.press("End")
    page.keyboard.type(" ({{ contact.jobtitle }})")
    screenshot(page, f"email-template-editor-{width}{shot}")
    page.get_by_role("button", name=w["save"]).click()

    expect(page.get_by_text(w["created"])).to_be_visible()
    expect(page.get_by_role("heading", level=1, name="Relance devis")).to_be_visible()
    page.get_by_label(w["find"]).fill("lef")
    page.get_by_role("link", name="Léa Lefèvre").click()

    preview = page.get_by_role("region", name=w["preview"], exact=True)
    expect(preview.get_by_text("Votre devis, Léa")).to_be_visible()
    expect(preview.get_by_text("Bonjour Léa, chez Acme ()")).to_be_visible()
    warning = preview.get_by_role("status")
    expect(warning).to_contain_text(w["warning"])
    expect(warning).to_contain_text(w["job"])
    if width == 1280:
        screenshot(page, f"email-template-preview{shot}")
    else:
        screenshot(page, f"email-template-preview-390{shot}")
        # The phone layout keeps the page within the screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= width

    # Back in the library, the template is listed; at 1280 px, used from the composer.
    page.get_by_role("link", name=w["templates"]).first.click()
    expect(page.get_by_role("link", name="Relance devis", exact=True)).to_be_visible()
    screenshot(page, f"email-templates-{width}{shot}")
    if width != 1280:
        return
    page.goto(f"{live_server.url}/contacts/{lea.pk}/")
    page.get_by_role("tab", name=w["email_tab"]).click()
    panel = page.locator("#composer-panel-email")
    # The picker of the form shown (the log form may sit in a closed "log an email sent
    # elsewhere" part when the email tab also sends).
    hidden_log = panel.locator("details.composer-log:not([open]) > summary")
    if hidden_log.count() and not panel.locator("[data-template-picker]:visible").count():
        hidden_log.click()
    picker = panel.locator("[data-template-picker]:visible").first
    form = picker.locator("xpath=ancestor::form")
    picker.get_by_text(w["templates"], exact=True).click()
    picker.get_by_label(w["search"]).fill("relance")
    picker.get_by_role("button", name="Relance devis").click()
    subject = form.locator("[name=hs_email_subject], [name=subject]")
    expect(subject).to_have_value("Votre devis, Léa")
    template = EmailTemplate.objects.get()
    expect(picker.locator("[data-template-id]")).to_have_value(str(template.pk))
    expect(picker.get_by_role("status")).to_contain_text(w["job"])
    screenshot(page, f"email-template-composer{shot}")
