"""A click whose answer htmx cannot show (server error, busy database, no network) is told
in words above the page, in the user's language, and goes away on the next request."""

import pytest
from playwright.sync_api import expect

from comptoir.core.testing.factories import make_contact
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)

BUSY = "La base de données est occupée par d'autres travaux. Réessayez dans quelques secondes."


@pytest.fixture
def french(seller):
    seller.language = "fr"
    seller.save(update_fields=["language"])
    make_contact(email="lea@acme.fr", firstname="Léa", lastname="Lefèvre")


def open_preview(page):
    row = page.get_by_role("row").filter(has_text="Léa Lefèvre")
    row.hover()
    row.get_by_role("button", name="Aperçu de Léa Lefèvre").click()


@pytest.mark.parametrize(
    "answer, said",
    [
        (
            dict(status=503, content_type="text/plain", body=BUSY, headers={"Retry-After": "5"}),
            BUSY,
        ),
        (
            dict(status=500, content_type="text/html", body="<h1>Server Error (500)</h1>"),
            "Le serveur n'a pas pu le faire. Réessayez, et prévenez votre administrateur si "
            "cela se reproduit.",
        ),
        (
            dict(status=403, content_type="text/html", body="<h1>403 Forbidden</h1>"),
            "Cette page a expiré ou votre rôle ne le permet pas. Rechargez la page et réessayez.",
        ),
        (None, "Comptoir est injoignable. Vérifiez votre connexion et réessayez."),
    ],
    ids=["busy", "server-error", "forbidden", "offline"],
)
def test_a_failed_click_is_told_in_french(french, page, live_server, answer, said):
    page.goto(f"{live_server.url}/contacts/")
    alert = page.locator("#request-error")
    expect(alert).to_be_hidden()

    def fail(route):
        route.fulfill(**answer) if answer else route.abort("internetdisconnected")

    page.route("**/preview/", fail)
    open_preview(page)
    expect(alert).to_be_visible()
    expect(alert.locator("span")).to_have_text(said)
    expect(page.get_by_role("alert")).to_contain_text(said)
    screenshot(page, f"request-error-{answer['status'] if answer else 'offline'}")
    # Closed by hand, and gone by itself on the next request that works.
    alert.get_by_role("button", name="Fermer").click()
    expect(alert).to_be_hidden()
    open_preview(page)
    expect(alert).to_be_visible()
    page.unroute("**/preview/")
    open_preview(page)
    expect(page.get_by_role("complementary", name="Aperçu")).to_contain_text("Léa Lefèvre")
    expect(alert).to_be_hidden()


def test_the_message_fits_a_phone(french, phone_page, live_server):
    phone_page.goto(f"{live_server.url}/contacts/")
    phone_page.route(
        "**/contacts/**",
        lambda route: route.fulfill(status=503, body=BUSY, content_type="text/plain"),
    )
    phone_page.evaluate("htmx.ajax('GET', '/contacts/1/preview/', '#drawer')")
    alert = phone_page.locator("#request-error")
    expect(alert).to_be_visible()
    box = alert.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    screenshot(phone_page, "request-error-phone")
