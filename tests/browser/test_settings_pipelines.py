"""Settings > Pipelines in Chromium: stages reordered by drag and drop and by keyboard (the
deals board follows), a stage holding deals deleted after choosing where they go."""

import pytest
from playwright.sync_api import expect

from comptoir.core.testing.factories import make_deal
from tests.browser.settings_helpers import admin, drag, no_sideways_scroll, review_shot

__all__ = ["admin"]
pytestmark = pytest.mark.django_db(transaction=True)

STAGES = "ol.stage-list > li"


def board_order(page, live_server) -> list[str]:
    page.goto(f"{live_server.url}/deals/board/")
    return [t.strip() for t in page.locator(".board-column h2").all_text_contents()]


def test_reorder_stages_by_drag_and_drop_and_by_keyboard(admin, page, live_server):
    make_deal(dealname="Acme renewal", dealstage="qualifiedtobuy")
    assert board_order(page, live_server)[:2] == ["Appointment Scheduled", "Qualified To Buy"]

    page.goto(f"{live_server.url}/settings/pipelines/")
    rows = page.locator(STAGES)
    expect(rows.nth(1)).to_contain_text("1 deal")
    review_shot(page, "settings-pipelines")
    # Drag "Contract Sent" (5th) to the top.
    drag(page, rows.nth(4).locator(".drag-handle"), rows.nth(0))
    expect(page.get_by_role("status")).to_contain_text("Stage order saved.")
    expect(page.get_by_label("Stage name").first).to_have_value("Contract Sent")
    assert board_order(page, live_server)[:3] == [
        "Contract Sent",
        "Appointment Scheduled",
        "Qualified To Buy",
    ]

    # Keyboard: "Qualified To Buy" moves up twice; focus stays on its button.
    page.goto(f"{live_server.url}/settings/pipelines/")
    up = page.get_by_role("button", name="Move Qualified To Buy up")
    up.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Stage order saved.")
    expect(page.get_by_role("button", name="Move Qualified To Buy up")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Move Qualified To Buy up")).to_be_disabled()
    assert board_order(page, live_server)[:3] == [
        "Qualified To Buy",
        "Contract Sent",
        "Appointment Scheduled",
    ]


def test_deleting_a_stage_with_deals_asks_where_they_go(admin, page, live_server):
    for name in ("Acme renewal", "Security audit"):
        make_deal(dealname=name, dealstage="qualifiedtobuy", amount="1000")
    page.goto(f"{live_server.url}/settings/pipelines/")
    page.get_by_role("link", name="Delete Qualified To Buy").click()
    expect(page.get_by_text("2 deals are in this stage.")).to_be_visible()
    page.get_by_role("button", name="Move the deals and delete").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Deals are still in this stage: choose the stage they move to."
    )
    review_shot(page, "settings-stage-delete")
    page.get_by_label("Move the deals to").select_option(label="Contract Sent")
    page.get_by_role("button", name="Move the deals and delete").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Stage “Qualified To Buy” deleted. 2 deals moved."
    )
    expect(page.get_by_role("button", name="Move Qualified To Buy up")).to_have_count(0)
    page.goto(f"{live_server.url}/deals/board/")
    column = page.get_by_role("region", name="Contract Sent", exact=True)
    expect(column.get_by_role("link", name="Acme renewal", exact=True)).to_be_visible()
    expect(column.get_by_role("link", name="Security audit", exact=True)).to_be_visible()
    expect(page.get_by_role("region", name="Qualified To Buy", exact=True)).to_have_count(0)


def test_settings_pages_at_both_widths(admin, page, phone_page, live_server):
    make_deal(dealname="Acme renewal", dealstage="qualifiedtobuy")
    for path, name in (
        ("/settings/pipelines/", "settings-pipelines"),
        ("/settings/pipelines/default/stages/qualifiedtobuy/delete/", "settings-stage-delete"),
        ("/settings/pipelines/new/", "settings-pipeline-create"),
        ("/settings/automation/", "settings-automation"),
        ("/settings/configuration/", "settings-configuration"),
        ("/settings/properties/contacts/lifecyclestage/", "settings-property-edit"),
    ):
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("#settings-heading")).to_be_visible()
        review_shot(page, name)
        phone_page.goto(f"{live_server.url}{path}")
        expect(phone_page.locator("#settings-heading")).to_be_visible()
        review_shot(phone_page, f"{name}-phone")
        no_sideways_scroll(phone_page)


def test_french_settings_pages_fit_a_phone(admin, phone_page, live_server):
    from comptoir.users.models import User

    User.objects.filter(pk=admin.pk).update(language="fr")
    make_deal(dealname="Acme renewal", dealstage="qualifiedtobuy")
    for path, name in (
        ("/settings/pipelines/", "settings-pipelines-fr-phone"),
        ("/settings/properties/new/", "settings-property-create-fr-phone"),
        ("/settings/configuration/", "settings-configuration-fr-phone"),
    ):
        phone_page.goto(f"{live_server.url}{path}")
        expect(phone_page.locator("#settings-heading")).to_be_visible()
        review_shot(phone_page, name)
        no_sideways_scroll(phone_page)
    expect(phone_page.get_by_label("Fuseau horaire du rapport")).to_have_value("Europe/Paris")
