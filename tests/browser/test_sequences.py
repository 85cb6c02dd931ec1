"""Sequences (TOOL-5) in Chromium, in French and English at 1280 and 390 px:
a rep creates a sequence (its send window, an automated email from a template, a call task
two business days later, edited to three), enrolls a contact from the contact's record
after a preview of the first email, and the worker's run sends that email, which arrives
at the real SMTP server (aiosmtpd)."""

import email
import email.policy

import pytest
from playwright.sync_api import expect

from comptoir.core.testing.factories import make_contact
from comptoir.emailtemplates import services as templates
from comptoir.mail import delivery
from comptoir.sequences import engine
from comptoir.sequences.models import Enrollment, SequenceSettings
from comptoir.sequences.tests.conftest import connect
from tests.browser.conftest import screenshot, sign_in
from tests.browser.settings_helpers import no_sideways_scroll, review_shot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


WORDS = {
    "fr": {
        "locale": "fr-FR",
        "open": "Ouvrir les séquences",
        "sequences": "Séquences",
        "new": "Nouvelle séquence",
        "create": "Créer une séquence",
        "from": "Envoyer les e-mails à partir de (heure)",
        "until": "Jusqu'à (heure)",
        "save": "Enregistrer",
        "saved": "Séquence enregistrée.",
        "kind": "Type d'étape",
        "auto": "E-mail automatisé",
        "template": "Modèle d'e-mail (e-mails automatisés)",
        "add": "Ajouter l'étape",
        "steps": "Étapes",
        "call": "Tâche d'appel",
        "delay": "Jours ouvrés après l'étape précédente",
        "title": "Titre de la tâche (tâches)",
        "two_days": "2 jours ouvrés",
        "three_days": "3 jours ouvrés",
        "edit2": "Modifier l'étape 2",
        "save_step": "Enregistrer l'étape",
        "step_saved": "Étape enregistrée.",
        "add_a_step": "Ajouter une étape",
        "enroll_in": "Inscrire à une séquence",
        "sequence": "Séquence",
        "preview": "Aperçu",
        "will": "1 contact sera inscrit.",
        "enroll": "Inscrire",
        "enrolled": "Inscrit à la séquence « Relance devis »",
        "enrolled_contacts": "Contacts inscrits",
    },
    "en": {
        "locale": "en-US",
        "open": "Open sequences",
        "sequences": "Sequences",
        "new": "New sequence",
        "create": "Create sequence",
        "from": "Send emails from (hour)",
        "until": "Until (hour)",
        "save": "Save",
        "saved": "Sequence saved.",
        "kind": "Kind of step",
        "auto": "Automated email",
        "template": "Email template (automated emails)",
        "add": "Add the step",
        "steps": "Steps",
        "call": "Call task",
        "delay": "Business days after the previous step",
        "title": "Task title (tasks)",
        "two_days": "2 business days",
        "three_days": "3 business days",
        "edit2": "Edit step 2",
        "save_step": "Save the step",
        "step_saved": "Step saved.",
        "add_a_step": "Add a step",
        "enroll_in": "Enroll in a sequence",
        "sequence": "Sequence",
        "preview": "Preview",
        "will": "1 contact will be enrolled.",
        "enroll": "Enroll",
        "enrolled": "Enrolled in the sequence “Relance devis”",
        "enrolled_contacts": "Enrolled contacts",
    },
}


@pytest.mark.parametrize("language, width", [("fr", 1280), ("fr", 390), ("en", 1280), ("en", 390)])
def test_create_a_sequence_enroll_a_contact_and_the_first_email_arrives(
    browser, live_server, seller, mail_settings, language, width
):
    servers = mail_settings
    seller.language = language
    seller.save(update_fields=["language"])
    w = WORDS[language]
    shot = f"{width}" if language == "fr" else f"{width}-en"
    connect(seller, servers)
    # Every day a working day: the test runs on any day of the week.
    SequenceSettings.objects.create(pk=SequenceSettings.SINGLETON, working_days=list(range(7)))
    contact = make_contact(email="anne@client.fr", firstname="Anne", lastname="Durand")
    templates.create_template(
        seller,
        name="Devis",
        subject="Votre devis, {{ contact.firstname }}",
        body="<p>Bonjour {{ contact.firstname }}, voici le devis.</p>",
    )
    phone = {"is_mobile": True, "has_touch": True} if width < 600 else {}
    context = browser.new_context(
        viewport={"width": width, "height": 900}, locale=w["locale"], **phone
    )
    page = sign_in(context, live_server)

    # 1. Sales tools > Sequences: a new sequence.
    page.goto(f"{live_server.url}/sales-tools/")
    page.get_by_role("link", name=w["open"]).click()
    expect(page.get_by_role("heading", name=w["sequences"], exact=True)).to_be_visible()
    page.get_by_role("textbox", name=w["new"]).fill("Relance devis")
    page.get_by_role("button", name=w["create"]).click()
    expect(page.get_by_role("heading", name="Relance devis")).to_be_visible()

    # 2. Its send window (all day) and two steps.
    page.get_by_label(w["from"]).fill("0")
    page.get_by_label(w["until"]).fill("24")
    page.get_by_role("button", name=w["save"]).click()
    expect(page.get_by_text(w["saved"])).to_be_visible()
    page.get_by_label(w["kind"]).select_option(label=w["auto"])
    page.get_by_label(w["template"]).select_option(label="Devis")
    page.get_by_role("button", name=w["add"]).click()
    steps = page.get_by_role("table", name=w["steps"])
    expect(steps).to_contain_text(f"1. {w['auto']}")
    page.get_by_label(w["kind"]).select_option(label=w["call"])
    page.get_by_label(w["delay"]).fill("2")
    page.get_by_label(w["title"]).fill("Appeler Anne")
    page.get_by_role("button", name=w["add"]).click()
    expect(steps).to_contain_text(f"2. {w['call']}")
    expect(steps).to_contain_text(w["two_days"])
    # Edited in place: the call comes 3 business days after the email, not 2.
    page.get_by_role("link", name=w["edit2"]).click()
    expect(page.get_by_role("heading", name=w["edit2"])).to_be_visible()
    expect(page.get_by_label(w["title"])).to_have_value("Appeler Anne")
    page.get_by_label(w["delay"]).fill("3")
    page.get_by_role("button", name=w["save_step"]).click()
    expect(page.get_by_text(w["step_saved"])).to_be_visible()
    expect(steps).to_contain_text(w["three_days"])
    expect(page.get_by_role("heading", name=w["add_a_step"])).to_be_visible()
    if width < 600:
        no_sideways_scroll(page)
    review_shot(page, f"sequences-editor-{shot}")

    # 3. From Anne's record: enroll, after a preview of the first email.
    page.goto(f"{live_server.url}/contacts/{contact.pk}/")
    page.get_by_role("link", name=w["enroll_in"]).click()
    page.get_by_label(w["sequence"], exact=True).select_option(label="Relance devis")
    page.get_by_role("button", name=w["preview"]).click()
    expect(page.get_by_text("Votre devis, Anne")).to_be_visible()
    expect(page.get_by_text("Bonjour Anne, voici le devis.")).to_be_visible()
    expect(page.get_by_text(w["will"])).to_be_visible()
    if width < 600:
        no_sideways_scroll(page)
    review_shot(page, f"sequences-enroll-{shot}")
    page.get_by_role("button", name=w["enroll"], exact=True).click()
    page.wait_for_url(f"{live_server.url}/contacts/{contact.pk}/")
    expect(page.get_by_text(w["enrolled"])).to_be_visible()
    review_shot(page, f"sequences-record-{shot}")
    assert Enrollment.objects.get().state == "active"

    # 4. The worker's run: the first email goes, through the rep's mailbox, to aiosmtpd.
    before = len(servers.inbox.messages)
    assert engine.run_due() == {"email": 1}
    assert delivery.send_due() == 1
    assert len(servers.inbox.messages) == before + 1
    received = email.message_from_bytes(servers.inbox.messages[-1], policy=email.policy.default)
    assert received["Subject"] == "Votre devis, Anne"
    assert received["To"] == "Anne Durand <anne@client.fr>"
    assert "voici le devis" in received.get_body(("plain",)).get_content()

    # 5. The sequence's page counts it.
    page.goto(f"{live_server.url}/sales-tools/sequences/")
    page.get_by_role("link", name="Relance devis").click()
    steps = page.get_by_role("table", name=w["steps"])
    first = steps.get_by_role("row").filter(has_text=f"1. {w['auto']}")
    expect(first.get_by_role("cell").nth(3)).to_have_text("1")  # sent
    expect(page.get_by_role("table", name=w["enrolled_contacts"])).to_contain_text("Anne Durand")
    if width < 600:
        no_sideways_scroll(page)
    review_shot(page, f"sequences-detail-{shot}")
    if (language, width) == ("fr", 1280):
        page.set_viewport_size({"width": 1280, "height": 1000})  # the enrolled contact too
        screenshot(page, "sequences")  # the README's
    context.close()
