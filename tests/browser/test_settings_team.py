"""Settings > Users & teams in a real browser (SET-5): an admin invites a user who accepts
through the emailed link; a private rep sees only their own contacts, in lists and search."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from comptoir.core.testing.factories import make_contact, make_deal, make_user
from comptoir.core.testing.smtp import smtp_server
from comptoir.users.models import User
from comptoir.users.roles import SALES_REP_PRIVATE
from comptoir.users.services import create_token, create_user
from comptoir.users.tests.test_team import PNG
from tests.browser.conftest import screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def admin(transactional_db):
    return create_user(
        "bea@example.com", "Pass-word-123", first_name="Béa", last_name="Durand", is_admin=True
    )


@pytest.fixture
def inbox(settings):
    with smtp_server(settings) as inbox:
        yield inbox


def test_an_admin_invites_a_user_who_accepts_through_the_emailed_link(
    browser, live_server, admin, inbox
):
    rep = make_user("rita@example.com", first_name="Rita", last_name="Moreau", team="Lyon")
    make_contact(email="client@acme.fr", hubspot_owner_id=str(rep.owner.pk))
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = sign_in(context, live_server, "bea@example.com")
    page.get_by_role("link", name="Settings").first.click()
    page.get_by_role("navigation", name="Settings").get_by_role(
        "link", name="Users & teams"
    ).click()
    expect(page.get_by_role("heading", name="Users & teams")).to_be_visible()
    rita = page.get_by_role("row").filter(has_text="rita@example.com")
    expect(rita).to_contain_text("Lyon")
    expect(rita).to_contain_text("1 contact")

    page.get_by_role("link", name="Invite user").click()
    dialog = page.get_by_role("dialog", name="Invite user")
    dialog.get_by_label("Email").fill("rita@example.com")  # already a user: refused
    dialog.get_by_role("button", name="Send invitation").click()
    expect(dialog.get_by_text("rita@example.com already has an account.")).to_be_visible()
    dialog.get_by_label("Email").fill("nina@example.com")
    dialog.get_by_label("First name").fill("Nina")
    dialog.get_by_label("Last name").fill("Roux")
    dialog.get_by_label("Role").select_option(SALES_REP_PRIVATE)
    dialog.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("status")).to_contain_text("Invitation sent to nina@example.com")
    nina = page.get_by_role("row").filter(has_text="nina@example.com")
    expect(nina).to_contain_text("Invited")
    expect(nina.get_by_role("button", name="Resend the invitation to Nina Roux")).to_be_visible()
    screenshot(page, "settings-team")

    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="en-US", is_mobile=True, has_touch=True
    )
    small = sign_in(phone, live_server, "bea@example.com")
    small.goto(f"{live_server.url}/settings/team/")
    expect(small.get_by_role("heading", name="Users & teams")).to_be_visible()
    screenshot(small, "settings-team-390")
    small.goto(f"{live_server.url}/settings/team/roles/")
    screenshot(small, "settings-roles-390")
    phone.close()
    page.goto(f"{live_server.url}/settings/team/roles/")
    screenshot(page, "settings-roles")
    context.close()

    # The invitee follows the link from the email, chooses a password and is signed in.
    [message] = inbox.messages
    assert message["To"] == "nina@example.com"
    link = re.search(r"https?://\S+/invitation/\S+", message.get_content()).group(0)
    guest = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    welcome = guest.new_page()
    welcome.goto(link)
    expect(welcome.get_by_role("heading", name="Welcome to Comptoir")).to_be_visible()
    welcome.get_by_label("New password", exact=True).fill("Fresh-pass-987")
    welcome.get_by_label("New password confirmation").fill("Fresh-pass-987")
    welcome.get_by_role("button", name="Save the password and sign in").click()
    welcome.wait_for_url(f"{live_server.url}/")  # the dashboard
    # Signed in, in the portal's language (French unless configured otherwise).
    expect(welcome.locator("html")).to_have_attribute("lang", "fr")
    welcome.get_by_role("button", name="Menu du compte").click()
    expect(welcome.get_by_role("menu").get_by_text("Nina Roux")).to_be_visible()
    guest.close()


def test_a_private_rep_sees_only_their_records_in_lists_search_and_dashboard(browser, live_server):
    alice = make_user("alice@example.com", first_name="Alice", role=SALES_REP_PRIVATE)
    bruno = make_user("bruno@example.com", first_name="Bruno", role=SALES_REP_PRIVATE)
    make_contact(
        email="mine@acme.fr", firstname="Martin", lastname="Mine", hubspot_owner_id=alice.owner.pk
    )
    make_contact(
        email="other@acme.fr",
        firstname="Martin",
        lastname="Other",
        hubspot_owner_id=bruno.owner.pk,
    )
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = sign_in(context, live_server, "alice@example.com")
    table = page.get_by_role("table")
    expect(table.get_by_role("row").filter(has_text="Martin Mine")).to_be_visible()
    expect(table.get_by_text("Martin Other")).to_have_count(0)

    page.get_by_label("Search contacts, companies and deals").fill("Martin")
    results = page.get_by_role("region", name="Search results")
    expect(results.get_by_text("Martin Mine")).to_be_visible()
    expect(results.get_by_text("Martin Other")).to_have_count(0)

    # The dashboard counts only their deals.
    for owner, amount in ((alice, "1000"), (bruno, "5000")):
        make_deal(
            dealname=f"Deal of {owner.first_name}",
            amount=amount,
            dealstage="appointmentscheduled",
            closedate=dt.datetime.now(dt.UTC).isoformat(),
            hubspot_owner_id=owner.owner.pk,
        )
    page.goto(f"{live_server.url}/dashboard/")
    expect(page.get_by_role("link", name="Open amount: €1,000, 1 deal")).to_be_visible()
    expect(page.get_by_text("€5,000")).to_have_count(0)
    expect(page.get_by_text("€6,000")).to_have_count(0)

    # Their settings: Profile and API tokens, not the admin pages.
    page.goto(f"{live_server.url}/settings/")
    menu = page.get_by_role("navigation", name="Settings")
    expect(menu.get_by_role("link", name="Profile")).to_be_visible()
    expect(menu.get_by_role("link", name="API tokens")).to_be_visible()
    expect(menu.get_by_role("link", name="Users & teams")).to_have_count(0)
    assert page.goto(f"{live_server.url}/settings/team/").status == 404
    context.close()


def test_a_rep_creates_an_api_token_and_sets_a_profile_photo(
    browser, live_server, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    make_user("rita@example.com", first_name="Rita", last_name="Moreau", role=SALES_REP_PRIVATE)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = sign_in(context, live_server, "rita@example.com")
    page.goto(f"{live_server.url}/settings/api-tokens/")
    expect(page.get_by_text("You have no token yet.")).to_be_visible()
    page.get_by_text("Create token").first.click()
    page.get_by_label("Token name").fill("Zapier sync")
    page.get_by_role("group", name="Contacts and activities").get_by_label(
        "crm.objects.contacts.read"
    ).check()
    page.get_by_role("button", name="Create token").click()
    created = page.get_by_role("status").filter(has_text="Token “Zapier sync” created")
    raw = created.get_by_label("New token").input_value()
    assert raw.startswith("pat-")
    created.get_by_role("button", name="Copy").click()
    expect(created.get_by_text("Copied to the clipboard.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == raw
    row = page.get_by_role("row").filter(has_text="Zapier sync")
    expect(row).to_contain_text("crm.objects.contacts.read")
    expect(row).to_contain_text("Never")
    screenshot(page, "settings-tokens")

    row.get_by_role("link", name="Revoke Zapier sync").click()
    page.get_by_role("button", name="Revoke token").click()
    expect(page.get_by_role("status")).to_contain_text("Token “Zapier sync” revoked.")
    expect(page.get_by_text("You have no token yet.")).to_be_visible()

    page.goto(f"{live_server.url}/settings/profile/")
    photo = tmp_path / "me.png"
    photo.write_bytes(PNG)
    page.get_by_label("Upload a photo").set_input_files(str(photo))
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Your photo was saved.")
    avatar = page.locator("header img.avatar")
    expect(avatar).to_be_visible()
    # The image really loads (a broken one never completes with a width).
    page.wait_for_function(
        "() => { const i = document.querySelector('header img.avatar');"
        " return i && i.complete && i.naturalWidth === 1; }"
    )
    page.get_by_label("Job title").fill("Account executive")
    page.get_by_label("Language").select_option("fr")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Votre profil a été enregistré.")
    expect(page.get_by_label("Intitulé du poste")).to_have_value("Account executive")
    # A time zone picked by its label, a meeting link typed: in French now.
    page.get_by_label("Fuseau horaire").select_option(label="America/New York")
    page.get_by_label("Lien de réunion").fill("ftp://mauvais")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.get_by_text("Saisissez une adresse web commençant par https://")).to_be_visible()
    page.get_by_label("Lien de réunion").fill("https://cal.example.com/rita")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Votre profil a été enregistré.")
    expect(page.get_by_label("Fuseau horaire")).to_have_value("America/New_York")
    expect(page.get_by_label("Lien de réunion")).to_have_value("https://cal.example.com/rita")
    screenshot(page, "settings-profile")
    context.close()

    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="en-US", is_mobile=True, has_touch=True
    )
    small = sign_in(phone, live_server, "rita@example.com")
    small.goto(f"{live_server.url}/settings/profile/")
    screenshot(small, "settings-profile-390")
    rita = User.objects.get(email="rita@example.com")
    create_token(rita, "Reporting", ["crm.objects.deals.read", "crm.objects.contacts.read"])
    small.goto(f"{live_server.url}/settings/api-tokens/")
    small.get_by_text("Créer un jeton").first.click()
    screenshot(small, "settings-tokens-390")
    phone.close()


def test_an_admin_creates_a_role_and_deactivates_a_rep_with_a_hand_over(
    browser, live_server, admin
):
    rita = make_user("rita@example.com", first_name="Rita", last_name="Moreau")
    make_contact(email="client@acme.fr", firstname="Chloé", hubspot_owner_id=rita.owner.pk)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = sign_in(context, live_server, "bea@example.com")
    page.goto(f"{live_server.url}/settings/team/roles/")
    page.get_by_role("link", name="Create role").click()
    page.get_by_label("Deals: view").select_option("team")
    page.get_by_label("Deals: edit").select_option("all")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_label("Role name")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("A role needs a name.")).to_be_visible()
    page.get_by_label("Role name").fill("Assistant")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The edit scope cannot be wider than the view scope.")).to_be_visible()
    screenshot(page, "settings-role-edit")
    page.get_by_label("Deals: edit").select_option("team")
    page.get_by_label("Export").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Role “Assistant” saved.")
    card = page.locator(".role-card").filter(has_text="Assistant")
    expect(card).to_contain_text("view: Team only · edit: Team only")
    expect(card).to_contain_text("Export")

    page.goto(f"{live_server.url}/settings/team/")
    page.get_by_role("link", name="Deactivate Rita Moreau").click()
    expect(page.get_by_text("1 contact")).to_be_visible()
    page.get_by_label("Who takes over their records and open tasks").select_option(
        label="Béa Durand (bea@example.com)"
    )
    screenshot(page, "settings-deactivate")
    page.get_by_role("button", name="Deactivate").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Rita Moreau was deactivated; 1 contact handed over to Béa Durand"
    )
    expect(page.get_by_role("row").filter(has_text="rita@example.com")).to_contain_text(
        "Deactivated"
    )
    page.goto(f"{live_server.url}/contacts/")
    expect(page.get_by_role("row").filter(has_text="Chloé")).to_contain_text("Béa Durand")
    context.close()
