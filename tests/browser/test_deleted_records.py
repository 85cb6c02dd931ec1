"""Deleted records in Chromium, in French (issue 14, point 16): from the list's Actions menu
to the "Enregistrements supprimés" page, search, restore several or one, the record back with
its associations and the restore on its timeline; at 1280 and 390 px; and a private rep who
neither sees nor restores a colleague's deleted record, even by posting its id."""

import pytest
from playwright.sync_api import expect

from comptoir.core.records.writes import archive_record
from comptoir.core.testing.factories import UI, make_company, make_contact, make_user
from tests.browser.conftest import screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def deleted(seller):
    seller.language = "fr"
    seller.save(update_fields=["language"])
    mine = str(seller.owner.pk)
    acme = make_company(name="Acme", domain="acme.fr", hubspot_owner_id=mine)
    lea = make_contact(
        email="lea@acme.fr",
        firstname="Léa",
        lastname="Lefèvre",
        hubspot_owner_id=mine,
        associations=[("companies", acme.pk, None)],
    )
    paul = make_contact(
        email="paul@durand.fr", firstname="Paul", lastname="Durand", hubspot_owner_id=mine
    )
    make_contact(email="zoe@live.fr", firstname="Zoé", lastname="Vivante", hubspot_owner_id=mine)
    for contact in (lea, paul):
        archive_record("contacts", contact.pk, source=UI)
    return {"lea": lea, "paul": paul, "acme": acme}


def open_page(browser, live_server, size, email="camille@example.com"):
    context = browser.new_context(
        viewport=SIZES[size], locale="en-US", is_mobile=size == "phone", has_touch=size == "phone"
    )
    return context, sign_in(context, live_server, email=email)


def rows(page):
    return page.locator("table.deleted-records tbody tr")


def fits_the_screen(page):
    """No sideways scroll, of the page or of the table: every row's button is in sight."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width
    hidden = page.evaluate(
        """() => [...document.querySelectorAll(".table-wrap")]
            .filter((wrap) => wrap.scrollWidth > wrap.clientWidth).length"""
    )
    assert hidden == 0


@pytest.mark.parametrize("size", SIZES)
def test_restore_deleted_contacts_from_the_actions_menu(deleted, browser, live_server, size):
    context, page = open_page(browser, live_server, size)
    page.goto(f"{live_server.url}/contacts/")
    page.get_by_role("button", name="Actions").click()
    page.get_by_role("menuitem", name="Restaurer des enregistrements").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Enregistrements supprimés")
    expect(rows(page)).to_have_count(2)
    expect(page.get_by_role("table")).not_to_contain_text("Zoé Vivante")  # not deleted
    fits_the_screen(page)
    screenshot(page, f"deleted-records-{size}")

    page.get_by_role("searchbox", name="Rechercher dans les enregistrements supprimés").fill(
        "lefevre"
    )
    page.get_by_role("search", name="Rechercher dans les enregistrements supprimés").get_by_role(
        "button", name="Rechercher"
    ).click()
    expect(rows(page)).to_have_count(1)
    expect(rows(page)).to_contain_text("Léa Lefèvre")
    page.get_by_role("link", name="Effacer les filtres").click()
    expect(rows(page)).to_have_count(2)

    if size == "desktop":  # several at once, through the bulk bar
        page.get_by_label("Sélectionner toutes les lignes").check()
        bar = page.get_by_role("region", name="Actions groupées")
        expect(bar).to_contain_text("2")
        bar.get_by_role("button", name="Restaurer").click()
        expect(page.locator(".messages")).to_contain_text("2 enregistrements restaurés")
    else:  # one by one, with the row's own button
        page.get_by_role("button", name="Restaurer Léa Lefèvre").click()
        expect(page.locator(".messages")).to_contain_text("1 enregistrement restauré : Léa Lefèvre")
        expect(rows(page)).to_have_count(1)
        page.get_by_role("button", name="Restaurer Paul Durand").click()
    expect(page.get_by_role("heading", name="Aucun enregistrement supprimé")).to_be_visible()
    fits_the_screen(page)

    # Léa is back with her company and the restore on her timeline.
    page.goto(f"{live_server.url}/contacts/{deleted['lea'].pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Léa Lefèvre")
    expect(page.locator("body")).to_contain_text("Acme")
    expect(page.locator("body")).to_contain_text("Restauré depuis la corbeille")
    expect(page.locator("body")).to_contain_text("Supprimé (placé dans la corbeille)")
    context.close()


@pytest.mark.parametrize("size", SIZES)
def test_a_private_rep_neither_sees_nor_restores_a_colleagues_record(
    deleted, browser, live_server, size
):
    rep = make_user("rep@example.com", role="Sales rep – private")  # noqa: RUF001
    rep.language = "fr"
    rep.save(update_fields=["language"])
    own = make_contact(
        email="own@rep.fr", firstname="Olivier", lastname="Rep", hubspot_owner_id=str(rep.owner.pk)
    )
    archive_record("contacts", own.pk, source=UI)
    context, page = open_page(browser, live_server, size, email="rep@example.com")
    page.goto(f"{live_server.url}/contacts/deleted/")
    expect(rows(page)).to_have_count(1)
    expect(rows(page)).to_contain_text("Olivier Rep")
    expect(page.locator("main")).not_to_contain_text("Léa Lefèvre")
    fits_the_screen(page)

    # A tampered form naming Léa's id: answered as if the id did not exist.
    lea = deleted["lea"].pk
    page.evaluate(
        """(id) => {
            const box = document.querySelector("input[name=ids]");
            box.value = String(id);
            box.checked = true;
            box.dispatchEvent(new Event("change", {bubbles: true}));
        }""",
        lea,
    )
    page.get_by_role("region", name="Actions groupées").get_by_role(
        "button", name="Restaurer"
    ).click()
    expect(page.locator(".messages")).to_contain_text(
        "1 enregistrement est introuvable parmi les enregistrements supprimés."
    )
    deleted["lea"].refresh_from_db()
    assert deleted["lea"].archived
    page.goto(f"{live_server.url}/contacts/{lea}/")
    expect(page.locator("main")).not_to_contain_text("Léa Lefèvre")
    context.close()


def test_in_english(deleted, seller, browser, live_server):
    seller.language = "en"
    seller.save(update_fields=["language"])
    context, page = open_page(browser, live_server, "desktop")
    page.goto(f"{live_server.url}/contacts/")
    page.get_by_role("button", name="Actions").click()
    page.get_by_role("menuitem", name="Restore records").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Deleted records")
    expect(page.get_by_role("columnheader", name="Deleted on")).to_be_visible()
    page.get_by_role("button", name="Restore Léa Lefèvre").click()
    expect(page.locator(".messages")).to_contain_text("1 record restored: Léa Lefèvre.")
    expect(rows(page)).to_have_count(1)
    context.close()
