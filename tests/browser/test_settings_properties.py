"""Settings > Properties in Chromium: an admin creates "Source du lead" (options ordered by
drag and drop and by keyboard), then filters the contacts on it; the "About" card is ordered
by drag and drop and with the keyboard."""

import pytest
from playwright.sync_api import expect

from comptoir.core.testing.factories import make_contact
from tests.browser.conftest import choose_property, screenshot, settled
from tests.browser.settings_helpers import admin, drag, no_sideways_scroll, review_shot

__all__ = ["admin"]
pytestmark = pytest.mark.django_db(transaction=True)


def test_an_admin_creates_an_enumeration_and_filters_contacts_on_it(admin, page, live_server):
    page.goto(f"{live_server.url}/settings/")
    expect(page.get_by_role("heading", level=1, name="Properties")).to_be_visible()
    page.get_by_role("link", name="Create property").click()

    page.get_by_label("Label", exact=True).fill("Source du lead")
    # The internal name follows the label as it is typed.
    expect(page.get_by_label("Internal name")).to_have_value("source_du_lead")
    options = page.get_by_role("group", name="Options")
    expect(options).to_be_hidden()  # text fields have no options
    page.get_by_label("Field type").select_option(label="Dropdown select")
    expect(options).to_be_visible()
    page.get_by_label("Option label 1").fill("Salon")
    for text in ("Site web", "Recommandation"):
        options.get_by_role("button", name="Add an option").click()
        expect(page.get_by_label(f"Option label {options.locator('li').count()}")).to_be_focused()
        page.keyboard.type(text)
    # Keyboard reordering: "Recommandation" moves up above "Site web".
    options.get_by_role("listitem").nth(2).get_by_role("button", name="Move up").press("Enter")
    expect(page.get_by_label("Option label 2")).to_have_value("Recommandation")
    expect(page.get_by_label("Option label 3")).to_have_value("Site web")
    # Drag and drop with the mouse: "Site web" goes to the top, "Salon" ends last.
    rows = options.get_by_role("listitem")
    drag(page, rows.nth(2).locator(".drag-handle"), rows.nth(0))
    expect(page.get_by_label("Option label 1")).to_have_value("Site web")
    expect(page.get_by_label("Option label 2")).to_have_value("Salon")
    expect(page.get_by_label("Option label 3")).to_have_value("Recommandation")
    review_shot(page, "settings-property-create")
    page.get_by_role("button", name="Create property").click()

    expect(page.get_by_role("status")).to_contain_text(
        "Property “Source du lead” created (internal name: source_du_lead)."
    )
    expect(page.get_by_role("link", name="Source du lead")).to_be_visible()
    screenshot(page, "settings-properties")
    review_shot(page, "settings-properties")

    # Saved in the dragged order, as the edit page shows after a reload.
    page.get_by_role("link", name="Source du lead").click()
    page.reload()
    for position, text in enumerate(("Site web", "Salon", "Recommandation"), start=1):
        expect(page.get_by_label(f"Option label {position}")).to_have_value(text)
    review_shot(page, "settings-property-edit-custom")
    page.goto(f"{live_server.url}/settings/properties/?object=contacts")

    # A duplicate internal name is refused next to its field.
    page.get_by_role("link", name="Create property").click()
    page.get_by_label("Label", exact=True).fill("Source du lead")
    page.get_by_role("button", name="Create property").click()
    expect(page.locator("#id_name_error")).to_have_text(
        "A property with this internal name already exists: choose another."
    )

    make_contact(email="alice@example.fr", firstname="Alice", source_du_lead="Salon")
    make_contact(email="bruno@example.fr", firstname="Bruno", source_du_lead="Site web")
    make_contact(email="chloe@example.fr", firstname="Chloé")
    page.goto(f"{live_server.url}/contacts/")
    page.get_by_role("button", name="Advanced filters").click()
    dialog = page.get_by_role("dialog", name="Advanced filters")
    row = "#filters-dialog [data-filter-row]"
    choose_property(page, lambda p: p.locator(row).last, "Source du lead")
    # The value of a dropdown property is picked by its label.
    dialog.get_by_label("Condition").select_option(label="is")
    settled(page)
    dialog.get_by_label("Value").select_option(label="Salon")
    dialog.get_by_role("button", name="Apply filters").click()
    table = page.locator("table")
    expect(table).to_contain_text("Alice")
    expect(table).not_to_contain_text("Bruno")
    expect(table).not_to_contain_text("Chloé")


def test_the_about_card_is_ordered_by_drag_and_drop_and_with_the_keyboard(admin, page, live_server):
    page.goto(f"{live_server.url}/settings/properties/about/?object=contacts")
    rows = page.get_by_role("list", name="Properties of the “About” card").get_by_role("listitem")
    expect(rows.nth(0)).to_contain_text("Email")
    expect(rows.nth(1)).to_contain_text("Phone number")
    page.get_by_role("button", name="Move Phone number up").press("Enter")
    expect(page.get_by_role("status")).to_contain_text("“About” card saved.")
    expect(rows.nth(0)).to_contain_text("Phone number")
    # Focus comes back to the button pressed, to move it again.
    expect(page.get_by_role("button", name="Move Phone number down")).to_be_visible()
    review_shot(page, "settings-about")

    # Drag and drop with the mouse: the third property goes to the top, saved at once.
    labels = rows.locator(".sort-label")
    before = labels.all_inner_texts()
    with page.expect_response(lambda r: r.request.method == "POST" and r.status < 400):
        drag(page, rows.nth(2).locator(".drag-handle"), rows.nth(0))  # posts the new order
    expect(labels.first).to_have_text(before[2])
    page.reload()
    assert labels.all_inner_texts() == [before[2], *before[:2], *before[3:]]
    expect(page.get_by_role("button", name=f"Move {before[2]} up")).to_be_disabled()

    contact = make_contact(email="lea@example.fr", firstname="Léa", phone="+33 1 23 45 67 89")
    page.goto(f"{live_server.url}/contacts/{contact.pk}/")
    about = page.locator(".props").first
    expect(about).to_contain_text("Phone number")
    labels = about.locator("dt").all_inner_texts()
    assert labels.index(next(t for t in labels if "Phone" in t)) < labels.index(
        next(t for t in labels if t.strip().startswith("Email"))
    )


def test_properties_pages_at_phone_width(admin, phone_page, live_server):
    page = phone_page
    for path, name in (
        ("/settings/properties/?object=deals", "settings-properties-phone"),
        ("/settings/properties/new/?object=deals", "settings-property-create-phone"),
        ("/settings/properties/about/?object=deals", "settings-about-phone"),
    ):
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("#settings-heading")).to_be_visible()
        review_shot(page, name)
        no_sideways_scroll(page)


def test_an_admin_creates_a_group_then_archives_and_restores_a_property(admin, page, live_server):
    page.goto(f"{live_server.url}/settings/properties/?object=deals")
    page.get_by_text("Create a group").click()
    page.get_by_label("Group name").fill("Qualification BANT")
    review_shot(page, "settings-group-create")
    page.get_by_role("button", name="Create group").click()
    expect(page.get_by_role("status")).to_contain_text("Group “Qualification BANT” created.")
    expect(page.get_by_label("Group", exact=True)).to_have_value("qualification_bant")
    expect(page.get_by_role("heading", name="No property matches")).to_be_visible()

    page.get_by_role("link", name="Create property").click()
    page.get_by_label("Label", exact=True).fill("Budget validé")
    page.get_by_label("Field type").select_option(label="Single checkbox")
    page.get_by_label("Group", exact=True).select_option(label="Qualification BANT")
    page.get_by_role("button", name="Create property").click()
    expect(page.get_by_role("link", name="Budget validé")).to_be_visible()

    page.get_by_role("button", name="Archive Budget validé").click()
    expect(page.get_by_role("status")).to_contain_text("Property “Budget validé” archived.")
    page.get_by_role("link", name="Archived properties").click()
    page.get_by_role("button", name="Restore Budget validé").click()
    expect(page.get_by_role("status")).to_contain_text("Property “Budget validé” restored.")
    expect(page.get_by_role("link", name="Budget validé")).to_be_visible()
