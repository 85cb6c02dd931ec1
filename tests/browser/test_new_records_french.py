"""A new deal made in French (issue 14, point 5): the dialog starts with the user as owner,
the first pipeline and its first stage, and the deal is created with them."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def french_seller(seller):
    seller.language = "fr"
    seller.save(update_fields=["language"])
    return seller


@pytest.mark.parametrize("width", [1280, 390])
def test_a_new_deal_starts_owned_by_its_creator_in_the_first_stage(
    french_seller, page, live_server, width
):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/deals/")
    page.get_by_role("button", name="Créer une transaction").first.click()
    dialog = page.get_by_role("dialog", name="Créer une transaction")
    owner = dialog.get_by_label("Propriétaire de la transaction")
    expect(owner.locator("option:checked")).to_have_text("Camille Martin")
    expect(dialog.get_by_label("Pipeline")).not_to_have_value("")
    expect(dialog.get_by_label("Phase de la transaction")).not_to_have_value("")
    dialog.get_by_label("Nom de la transaction").fill("Renouvellement Acme")
    dialog.get_by_role("button", name="Créer", exact=True).click()

    expect(page.get_by_role("heading", level=1, name="Renouvellement Acme")).to_be_visible()
    from comptoir.core.records.values import base_queryset

    deal = base_queryset("deals").get()
    assert deal.hubspot_owner_id == french_seller.owner.pk
    assert deal.pipeline and deal.dealstage
