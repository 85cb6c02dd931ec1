"""The deals board in Chromium: drag a card to another stage, move one with the keyboard, and
the board at phone width."""

import pytest
from playwright.sync_api import expect

from comptoir.core.testing.factories import make_company, make_deal
from tests.browser.board_helpers import column, drag_to_column
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)

SCHEDULED, QUALIFIED, PRESENTATION = (
    "Appointment Scheduled",
    "Qualified To Buy",
    "Presentation Scheduled",
)


@pytest.fixture
def deals(seller):
    acme = make_company(name="Acme", domain="acme.fr")
    owner = seller.owner.pk
    common = {"hubspot_owner_id": owner, "closedate": "2027-03-31"}
    return {
        "renewal": make_deal(
            dealname="Acme renewal",
            amount="3000",
            dealstage="appointmentscheduled",
            associations=[("companies", acme.pk, None)],
            **common,
        ),
        "audit": make_deal(
            dealname="Security audit", amount="1000", dealstage="appointmentscheduled", **common
        ),
        "training": make_deal(
            dealname="Team training", amount="500", dealstage="qualifiedtobuy", **common
        ),
    }


def card_link(page, stage, deal):
    return column(page, stage).get_by_role("link", name=deal, exact=True)


def expect_column(page, stage, deals, total):
    """Count (as read by a screen reader) and total amount in the column's footer."""
    col = column(page, stage)
    expect(col.get_by_role("heading", level=2)).to_have_text(stage)
    expect(col.locator("header")).to_contain_text(f"{deals} deal{'s' if deals != 1 else ''}")
    expect(col.locator("footer")).to_contain_text(f"Total {total}")


def test_drag_a_deal_to_another_stage_then_move_one_with_the_keyboard(deals, page, live_server):
    page.goto(f"{live_server.url}/deals/board/")
    expect_column(page, SCHEDULED, 2, "€4,000.00")
    expect_column(page, QUALIFIED, 1, "€500.00")
    expect_column(page, PRESENTATION, 0, "€0.00")
    screenshot(page, "deals-board")

    # Drag and drop (SortableJS): the mouse carries the card to the next column.
    card = column(page, SCHEDULED).get_by_role("listitem").filter(has_text="Acme renewal")
    drag_to_column(page, card, QUALIFIED)

    expect(page.get_by_role("status")).to_contain_text("“Acme renewal” moved to Qualified To Buy.")
    expect_column(page, SCHEDULED, 1, "€1,000.00")
    expect_column(page, QUALIFIED, 2, "€3,500.00")
    expect(card_link(page, QUALIFIED, "Acme renewal")).to_be_visible()

    # The keyboard alternative: the card's "Move" link (a plain link to ?move=<id> without
    # JavaScript) opens a stage dialog.
    move = page.get_by_role("link", name="Move Security audit")
    move.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Move the deal")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("radio", name=SCHEDULED)).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(dialog.get_by_role("radio", name=PRESENTATION)).to_be_checked()
    dialog.get_by_role("button", name="Move", exact=True).press("Enter")
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("status")).to_contain_text(
        "“Security audit” moved to Presentation Scheduled."
    )
    expect_column(page, SCHEDULED, 0, "€0.00")
    expect_column(page, PRESENTATION, 1, "€1,000.00")
    # Focus follows the card to its new column.
    expect(
        column(page, PRESENTATION).get_by_role("link", name="Move Security audit")
    ).to_be_focused()

    # Both moves were saved.
    page.reload()
    expect_column(page, SCHEDULED, 0, "€0.00")
    expect_column(page, QUALIFIED, 2, "€3,500.00")
    expect_column(page, PRESENTATION, 1, "€1,000.00")
    expect(card_link(page, QUALIFIED, "Acme renewal")).to_be_visible()
    expect(card_link(page, PRESENTATION, "Security audit")).to_be_visible()

    # The deal's page shows the new stage and the change in its timeline.
    card_link(page, QUALIFIED, "Acme renewal").click()
    expect(page.get_by_role("heading", level=1, name="Acme renewal")).to_be_visible()
    expect(page.get_by_role("list", name="Timeline")).to_contain_text(
        f"Deal stage changed from {SCHEDULED} to {QUALIFIED}"
    )
    screenshot(page, "deal-record")


def test_board_at_phone_width(deals, phone_page, live_server):
    page = phone_page
    page.goto(f"{live_server.url}/deals/board/")
    expect(card_link(page, SCHEDULED, "Acme renewal")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways at 390 px ({width} px wide)"
    screenshot(page, "deals-board-phone")
