"""Sequences (TOOL-5) in Chromium, in French, at 1280 and 390 px: a rep creates a sequence
(its send window, an automated email from a template, a call task two business days
later), enrolls a contact from the contact's record after a preview of the first email,
and the worker's run sends that email, which arrives at the real SMTP server (aiosmtpd)."""

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
from tests.browser.conftest import sign_in
from tests.browser.settings_helpers import no_sideways_scroll, review_shot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.mark.parametrize("width", [1280, 390])
def test_create_a_sequence_enroll_a_contact_and_the_first_email_arrives(
    browser, live_server, seller, mail_settings, width
):
    servers = mail_settings
    seller.language = "fr"
    seller.save(update_fields=["language"])
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
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="fr-FR", **phone)
    page = sign_in(context, live_server)

    # 1. Sales tools > Sequences: a new sequence.
    page.goto(f"{live_server.url}/sales-tools/")
    page.get_by_role("link", name="Ouvrir les séquences").click()
    expect(page.get_by_role("heading", name="Séquences", exact=True)).to_be_visible()
    page.get_by_role("textbox", name="Nouvelle séquence").fill("Relance devis")
    page.get_by_role("button", name="Créer une séquence").click()
    expect(page.get_by_role("heading", name="Relance devis")).to_be_visible()

    # 2. Its send window (all day) and two steps.
    page.get_by_label("Envoyer les e-mails à partir de (heure)").fill("0")
    page.get_by_label("Jusqu'à (heure)").fill("24")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Séquence enregistrée.")).to_be_visible()
    page.get_by_label("Type d'étape").select_option(label="E-mail automatisé")
    page.get_by_label("Modèle d'e-mail (e-mails automatisés)").select_option(label="Devis")
    page.get_by_role("button", name="Ajouter l'étape").click()
    steps = page.get_by_role("table", name="Étapes")
    expect(steps).to_contain_text("1. E-mail automatisé")
    page.get_by_label("Type d'étape").select_option(label="Tâche d'appel")
    page.get_by_label("Jours ouvrés après l'étape précédente").fill("2")
    page.get_by_label("Titre de la tâche (tâches)").fill("Appeler Anne")
    page.get_by_role("button", name="Ajouter l'étape").click()
    expect(steps).to_contain_text("2. Tâche d'appel")
    expect(steps).to_contain_text("2 jours ouvrés")
    # Edited in place: the call comes 3 business days after the email, not 2.
    page.get_by_role("link", name="Modifier l'étape 2").click()
    expect(page.get_by_role("heading", name="Modifier l'étape 2")).to_be_visible()
    expect(page.get_by_label("Titre de la tâche (tâches)")).to_have_value("Appeler Anne")
    page.get_by_label("Jours ouvrés après l'étape précédente").fill("3")
    page.get_by_role("button", name="Enregistrer l'étape").click()
    expect(page.get_by_text("Étape enregistrée.")).to_be_visible()
    expect(steps).to_contain_text("3 jours ouvrés")
    expect(page.get_by_role("heading", name="Ajouter une étape")).to_be_visible()
    if width < 600:
        no_sideways_scroll(page)
    review_shot(page, f"sequences-editor-{width}")

    # 3. From Anne's record: enroll, after a preview of the first email.
    page.goto(f"{live_server.url}/contacts/{contact.pk}/")
    page.get_by_role("link", name="Inscrire à une séquence").click()
    page.get_by_label("Séquence", exact=True).select_option(label="Relance devis")
    page.get_by_role("button", name="Aperçu").click()
    expect(page.get_by_text("Votre devis, Anne")).to_be_visible()
    expect(page.get_by_text("Bonjour Anne, voici le devis.")).to_be_visible()
    expect(page.get_by_text("1 contact sera inscrit.")).to_be_visible()
    if width < 600:
        no_sideways_scroll(page)
    review_shot(page, f"sequences-enroll-{width}")
    page.get_by_role("button", name="Inscrire", exact=True).click()
    page.wait_for_url(f"{live_server.url}/contacts/{contact.pk}/")
    expect(page.get_by_text("Inscrit à la séquence « Relance devis »")).to_be_visible()
    review_shot(page, f"sequences-record-{width}")
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
    steps = page.get_by_role("table", name="Étapes")
    first = steps.get_by_role("row").filter(has_text="1. E-mail automatisé")
    expect(first.get_by_role("cell").nth(3)).to_have_text("1")  # sent
    expect(page.get_by_role("table", name="Contacts inscrits")).to_contain_text("Anne Durand")
    if width < 600:
        no_sideways_scroll(page)
    review_shot(page, f"sequences-detail-{width}")
    context.close()
