"""The deals board past its first cards, in French (issue 14, point 15): a column loads its
next cards as it is scrolled down, those cards move like the first ones (dragged on a
desktop, through the stage dialog on a phone), the column keeps them after the move, and
the move's toast leaves the columns' counts and totals in sight."""

import pytest
from playwright.sync_api import expect

from comptoir.core.testing.factories import make_deal, make_user
from comptoir.deals import board as board_module
from tests.browser.board_helpers import column, drag_to_column
from tests.browser.conftest import screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

SCHEDULED, QUALIFIED = "Rendez-vous programmé", "Qualifié pour l'achat"
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}

# Whether the toast covers a column's header (count) or footer (totals), in the viewport.
COVERS_TOTALS = """() => {
  const toast = document.getElementById("board-status").getBoundingClientRect();
  return [...document.querySelectorAll(".board-column header, .board-column footer")]
    .map((part) => part.getBoundingClientRect())
    .some((r) => r.width && toast.width && r.left < toast.right && toast.left < r.right
                 && r.top < toast.bottom && toast.top < r.bottom);
}"""


@pytest.fixture
def crowded(seller, monkeypatch):
    """12 deals in one stage, 5 cards shown at first."""
    monkeypatch.setattr(board_module, "CARD_LIMIT", 5)
    seller.language = "fr"
    seller.save(update_fields=["language"])
    return [
        make_deal(
            dealname=f"Lot {n:02d}",
            amount="100",
            dealstage="appointmentscheduled",
            hubspot_owner_id=seller.owner.pk,
            closedate="2027-03-31",
        )
        for n in range(1, 13)
    ]


def scroll_down(page, stage):
    column(page, stage).locator(".board-cards").evaluate("(list) => { list.scrollTop = 1e6; }")


@pytest.mark.parametrize("size", SIZES)
def test_a_crowded_column_loads_its_next_cards_and_they_move(crowded, browser, live_server, size):
    context = browser.new_context(
        viewport=SIZES[size], locale="en-US", is_mobile=size == "phone", has_touch=size == "phone"
    )
    page = sign_in(context, live_server)
    page.goto(f"{live_server.url}/deals/board/?sort=dealname")
    cards = column(page, SCHEDULED).locator(".deal-card")
    expect(column(page, SCHEDULED).get_by_role("link", name="Afficher 7 autres transactions"))
    # Scrolling the column down loads the next cards, twice, then there is nothing left.
    # The column loads the next cards as it is scrolled down (a column that its first cards
    # do not fill loads them at once), until there is nothing left.
    for _ in range(3):
        scroll_down(page, SCHEDULED)
        page.wait_for_timeout(300)
    expect(cards).to_have_count(12)
    expect(column(page, SCHEDULED).locator("[data-load-more]")).to_have_count(0)
    expect(cards.last).to_contain_text("Lot 12")
    expect(column(page, SCHEDULED).locator("header")).to_contain_text("12 transactions")
    screenshot(page, f"deals-board-more-{size}")

    last = cards.filter(has_text="Lot 12")
    last.scroll_into_view_if_needed()
    if size == "desktop":  # a loaded card drags like the first ones
        drag_to_column(page, last, QUALIFIED)
    else:  # on a phone, through the card's stage dialog
        last.get_by_role("link", name="Déplacer Lot 12").click()
        dialog = page.get_by_role("dialog", name="Déplacer la transaction")
        dialog.get_by_role("radio", name=QUALIFIED).check()
        dialog.get_by_role("button", name="Déplacer", exact=True).click()
    status = page.get_by_role("status")
    expect(status).to_contain_text(f"Transaction « Lot 12 » déplacée vers {QUALIFIED}.")
    expect(column(page, QUALIFIED).locator(".deal-card")).to_have_count(1)
    # The column keeps the cards it had loaded (not back to its first 5).
    expect(cards).to_have_count(11)
    expect(column(page, SCHEDULED).locator("header")).to_contain_text("11 transactions")
    expect(status).to_be_visible()
    assert not page.evaluate(COVERS_TOTALS), "the toast covers a column's count or totals"
    context.close()


def test_a_private_rep_loads_only_his_own_deals(seller, browser, live_server, monkeypatch):
    """The attacker: a rep who sees only his own deals scrolls a column shared with his
    manager's deals, then asks for the next cards himself: never one of the manager's."""
    monkeypatch.setattr(board_module, "CARD_LIMIT", 3)
    rep = make_user("rep@example.com", role="Sales rep – private")  # noqa: RUF001
    rep.language = "fr"
    rep.save(update_fields=["language"])
    for n in range(1, 8):
        make_deal(
            dealname=f"Mine {n}", dealstage="appointmentscheduled", hubspot_owner_id=rep.owner.pk
        )
        make_deal(
            dealname=f"Boss {n}", dealstage="appointmentscheduled", hubspot_owner_id=seller.owner.pk
        )
    context = browser.new_context(viewport=SIZES["desktop"], locale="en-US")
    page = sign_in(context, live_server, email="rep@example.com")
    page.goto(f"{live_server.url}/deals/board/")
    cards = column(page, SCHEDULED).locator(".deal-card")
    for _ in range(4):
        scroll_down(page, SCHEDULED)
        page.wait_for_timeout(300)
    expect(cards).to_have_count(7)
    expect(column(page, SCHEDULED)).not_to_contain_text("Boss")
    expect(column(page, SCHEDULED).locator("header")).to_contain_text("7 transactions")
    forged = page.request.get(
        f"{live_server.url}/deals/board/cards/?stage=appointmentscheduled&after=0&view=all"
    )
    assert forged.ok and "Boss" not in forged.text() and "Mine" in forged.text()
    context.close()
