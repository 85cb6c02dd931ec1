"""Switching to French from the user menu (UI-7)."""

from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from comptoir.core.testing.factories import make_company, make_contact

pytestmark = pytest.mark.django_db(transaction=True)

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.mo"


@pytest.fixture
def contacts(seller):
    acme = make_company(name="Acme", domain="acme.fr")
    make_contact(
        email="lea@acme.fr",
        firstname="Léa",
        lastname="Lefèvre",
        lifecyclestage="customer",
        hubspot_owner_id=seller.owner.pk,
    )
    return acme


def test_switch_to_french_with_the_user_menu(contacts, page, live_server):
    page.get_by_role("button", name="Account menu").click()
    page.get_by_role("menuitem", name="Français").click()

    # Without the project's catalogue: the page's language, the object and property names
    # (French labels stored with the definitions) and Babel's formats are French already.
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    assert page.url == f"{live_server.url}/contacts/"  # back where the user was
    expect(page.get_by_role("heading", level=1, name="Contacts")).to_be_visible()
    table = page.get_by_role("table")
    expect(table.get_by_role("columnheader", name="Phase du cycle de vie")).to_be_visible()
    expect(table.get_by_role("row").filter(has_text="Léa Lefèvre")).to_contain_text("Client")
    back = page.get_by_role("menuitem", name="English", include_hidden=True)
    expect(back).to_have_attribute("lang", "en")  # the way back, in the user menu

    # The choice is kept on the user: a new page stays in French.
    page.goto(f"{live_server.url}/companies/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1, name="Entreprises")).to_be_visible()

    if not CATALOGUE.exists():
        pytest.skip(f"{CATALOGUE} is missing: the French navigation cannot be checked yet")
    page.goto(f"{live_server.url}/contacts/")
    # Its picture, with filters and chips, is taken by test_list_filters.py.
    for link, heading in [
        ("Entreprises", "Entreprises"),
        ("Transactions", "Transactions"),
        ("Tâches", "Tâches"),
        ("Contacts", "Contacts"),
    ]:
        page.get_by_role("link", name=link, exact=True).click()
        expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()
        expect(page.get_by_role("link", name=link, exact=True)).to_have_attribute(
            "aria-current", "page"
        )
