"""The list page's filters in Chromium, in French, at 1280 and 390 px (issue 14, points 2
and 7): quick filters clicked by their labels, days typed as 01/12/2026, chips removed
with the mouse and the keyboard, columns reordered, the name column kept in view."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from comptoir.core.testing.factories import make_company, make_contact, make_user
from tests.browser.conftest import choose_property, screenshot, settled, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def team(seller):
    seller.language = "fr"
    seller.save(update_fields=["language"])
    alyssa = make_user("alyssa@example.com", first_name="Alyssa", last_name="Haynes")
    acme = make_company(name="Boulangeries Dupain", domain="dupain.fr")
    rows = [
        ("lea.lefevre@boulangeries-dupain.fr", "Léa", "Lefèvre", "lead", seller.owner.pk),
        ("maxime.martin@cimenterie-du-nord.fr", "Max", "Martin", "customer", alyssa.owner.pk),
        ("ines.moreau@editions-lumiere.fr", "Inès", "Moreau", "subscriber", seller.owner.pk),
    ]
    for email, first, last, stage, owner in rows:
        make_contact(
            email=email,
            firstname=first,
            lastname=last,
            lifecyclestage=stage,
            hubspot_owner_id=owner,
            phone="+33 4 72 00 00 00",
            associations=[("companies", acme.pk, None)],
        )
    return alyssa


def french_page(browser, live_server, width, height, **kw):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="en-US", **kw)
    return context, sign_in(context, live_server)


@pytest.fixture
def page_fr(browser, live_server, team):
    context, page = french_page(browser, live_server, 1280, 900)
    yield page
    context.close()


@pytest.fixture
def phone_fr(browser, live_server, team):
    context, page = french_page(browser, live_server, 390, 844, is_mobile=True, has_touch=True)
    yield page
    context.close()


def names(page):
    return page.get_by_role("table").locator("div.name-cell > a")


def test_quick_filters_chips_and_french_dates(page_fr):
    page = page_fr
    expect(names(page)).to_have_count(3)
    quick = page.get_by_role("group", name="Filtres rapides")
    quick.get_by_role("button", name="Phase du cycle de vie").click()
    quick.get_by_label("Lead", exact=True).check()
    quick.get_by_label("Client", exact=True).check()
    quick.get_by_role("button", name="Appliquer").click()
    expect(names(page)).to_have_text(["Max Martin", "Léa Lefèvre"], timeout=5000)
    chips = page.get_by_role("list", name="Filtres actifs")
    expect(chips).to_contain_text("Phase du cycle de vie est l'un de Lead, Client")

    quick = page.get_by_role("group", name="Filtres rapides")
    quick.get_by_role("button", name="Propriétaire du contact").click()
    quick.get_by_label("Moi", exact=True).check()
    quick.get_by_role("button", name="Appliquer").click()
    expect(names(page)).to_have_text(["Léa Lefèvre"])

    # Advanced filters: a day typed the French way.
    page.get_by_role("button", name="Filtres avancés").click()
    dialog = page.get_by_role("dialog", name="Filtres avancés")
    dialog.get_by_role("button", name="+ Ajouter une condition").click()
    settled(page)  # the added row

    def third_row(p):
        return p.get_by_role("dialog", name="Filtres avancés").locator("[data-filter-row]").nth(2)

    row = choose_property(page, third_row, "Date de création")
    row.get_by_label("Condition").select_option(label="est après")
    settled(page)
    row = page.get_by_role("dialog", name="Filtres avancés").locator("[data-filter-row]").nth(2)
    value = row.get_by_label("Valeur")
    expect(value).to_have_attribute("placeholder", "jj/mm/aaaa")
    value.fill("32/13/2026")
    page.get_by_role("button", name="Appliquer", exact=True).click()
    dialog = page.get_by_role("dialog", name="Filtres avancés")
    expect(dialog.get_by_role("alert")).to_contain_text("Date de création")
    yesterday = (dt.date.today() - dt.timedelta(days=1)).strftime("%d/%m/%Y")
    dialog.locator("[data-filter-row]").nth(2).get_by_label("Valeur").fill(yesterday)
    dialog.get_by_role("button", name="Appliquer", exact=True).click()
    chips = page.get_by_role("list", name="Filtres actifs")
    expect(chips).to_contain_text(f"Date de création est après {yesterday}")
    expect(names(page)).to_have_text(["Léa Lefèvre"])

    # A chip goes with a click on its cross, or with the keyboard.
    chips.get_by_role("link", name="Retirer le filtre : Propriétaire du contact est Moi").click()
    expect(names(page)).to_have_text(["Max Martin", "Léa Lefèvre"])
    remove = page.get_by_role("link", name="Retirer le filtre : Date de création", exact=False)
    remove.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("list", name="Filtres actifs").get_by_role("listitem")).to_have_count(1)


def test_columns_reordered_by_keyboard_and_name_column_fits(page_fr):
    page = page_fr
    wrap = page.locator(".table-wrap")
    # The default contacts table fits a laptop's frame at 1280 px.
    width = wrap.evaluate("w => [w.scrollWidth, w.clientWidth]")
    assert width[0] <= width[1] + 1, width

    page.get_by_role("button", name="Actions").click()
    page.get_by_role("menuitem", name="Modifier les colonnes").click()
    dialog = page.get_by_role("dialog", name="Modifier les colonnes")
    order = dialog.get_by_role("list", name="Ordre des colonnes")
    first = order.get_by_role("listitem").first
    expect(first).to_contain_text("E-mail")
    down = dialog.get_by_role("button", name="Descendre E-mail")
    down.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    dialog.get_by_label("Intitulé du poste").check()
    dialog.get_by_role("button", name="Appliquer").click()
    headers = page.get_by_role("columnheader")
    expect(headers.nth(2)).not_to_have_text("E-mail")
    expect(headers.nth(4)).to_have_text("E-mail")
    expect(headers.last).to_have_text("Intitulé du poste")
    page.reload()
    expect(page.get_by_role("columnheader").nth(4)).to_have_text("E-mail")

    # The README's picture: reordered columns, a quick filter and its chip.
    quick = page.get_by_role("group", name="Filtres rapides")
    quick.get_by_role("button", name="Propriétaire du contact").click()
    quick.get_by_label("Moi", exact=True).check()
    quick.get_by_role("button", name="Appliquer").click()
    expect(page.get_by_role("list", name="Filtres actifs")).to_contain_text(
        "Propriétaire du contact est Moi"
    )
    expect(names(page)).to_have_count(2)
    # Every name is whole (the preview button's room is not taken from it).
    assert (
        names(page).evaluate_all("as => as.filter(a => a.scrollWidth > a.clientWidth).length") == 0
    )
    screenshot(page, "contacts-list-fr")


def test_phone_width_filters_and_sticky_name(phone_fr):
    page = phone_fr
    quick = page.get_by_role("group", name="Filtres rapides")
    quick.get_by_role("button", name="Phase du cycle de vie").click()
    quick.get_by_label("Client", exact=True).check()
    quick.get_by_role("button", name="Appliquer").click()
    expect(names(page)).to_have_text(["Max Martin"])
    chip = page.get_by_role("list", name="Filtres actifs").get_by_role("listitem")
    expect(chip).to_have_count(1)
    box = chip.bounding_box()
    assert box["x"] + box["width"] <= 390, box  # the chip fits the phone
    wrap = page.locator(".table-wrap")
    wrap.evaluate("w => { w.scrollLeft = 400; }")
    cell = page.get_by_role("table").locator("td.sticky-col").first
    name_box = cell.bounding_box()
    wrap_box = wrap.bounding_box()
    assert wrap.evaluate("w => w.scrollLeft") > 0
    assert name_box["x"] >= wrap_box["x"] - 1 and name_box["x"] < wrap_box["x"] + 60, name_box
    screenshot(page, "contacts-list-phone")
