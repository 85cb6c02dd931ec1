"""Settings > Index in Chromium, in French, at 1280 and 390 px (issue 16): a saved view's
index waits for the worker, a failed one is built again from the page, then dropped after
confirming; a salesperson does not find the page."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from comptoir.core.objects.registry import get_object_type
from comptoir.core.properties.index_requests import request_index
from comptoir.core.properties.models import IndexReason, IndexStatus, PropertyIndexRequest
from comptoir.core.properties.services import create_property
from comptoir.core.savedviews.services import save_view
from comptoir.core.testing.factories import make_contact
from tests.browser.settings_helpers import admin, no_sideways_scroll, review_shot

__all__ = ["admin"]
pytestmark = pytest.mark.django_db(transaction=True)


def run_worker(monkeypatch):
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    call_command("worker", batch=True, no_scheduler=True, verbosity=0)


def custom(name, label):
    create_property(
        "contacts", {"name": name, "label": label, "type": "string", "fieldType": "text"}
    )


@pytest.mark.parametrize("width", [1280, 390])
def test_an_admin_follows_builds_and_drops_on_demand_indexes_in_french(
    admin, page, live_server, monkeypatch, width
):
    admin.language = "fr"
    admin.save(update_fields=["language"])
    page.set_viewport_size({"width": width, "height": 900})
    custom("niveau", "Niveau")
    custom("region", "Région")
    make_contact(email="lea@acme.fr", niveau="or", region="Ouest")
    save_view(admin, get_object_type("contacts"), "Clients or", filter_groups=[], sort="niveau")
    request_index("contacts", "region", IndexReason.QUERIES)
    PropertyIndexRequest.objects.filter(property_name="region").update(
        status=IndexStatus.FAILED, error="could not extend file: No space left on device"
    )

    page.goto(f"{live_server.url}/settings/indexes/")
    expect(page.get_by_role("heading", name="Index", exact=True)).to_be_visible()
    table = page.get_by_role("table", name="Index à la demande")
    niveau = table.get_by_role("row").filter(has_text="Niveau")
    expect(niveau).to_contain_text("En attente")
    expect(niveau).to_contain_text("Vue enregistrée\u00a0«\u00a0Clients or\u00a0»")
    region = table.get_by_role("row").filter(has_text="Région")
    expect(region).to_contain_text("Échec")
    expect(region).to_contain_text("No space left on device")
    expect(region).to_contain_text("Requêtes répétées")
    # The built-in indexes (some sixty rows) are folded on a phone, open on a laptop; the
    # summary says how many there are and their size on disk, in French.
    folded = page.locator("details.index-builtin")
    summary = folded.locator("summary")
    expect(summary).to_contain_text("Index intégrés")
    expect(summary).to_have_text(re.compile(r"\d+ index, [\d,]+\s(octets|Kio|Mio|Gio) au total"))
    builtin = page.get_by_role("table", name="Index intégrés")
    city = builtin.locator('tr[data-index="contacts.city"]')
    if width == 1280:
        expect(folded).to_have_attribute("open", "")
        for header in ("Propriété", "Objet", "Type", "Statut", "Demandé par", "Taille"):
            expect(table.get_by_role("columnheader", name=header)).to_be_visible()
    else:
        expect(city).not_to_be_visible()
        expect(table).to_be_visible()  # the on-demand ones stay in view
        no_sideways_scroll(page)
        height = page.evaluate("document.documentElement.scrollHeight")
        assert height < 2000, f"the page is {height} px long at 390 px"
        review_shot(page, f"settings-indexes-fr-{width}-folded")
        summary.click()
    expect(city).to_be_visible()
    expect(city).to_contain_text("Prêt")
    expect(city).to_contain_text("Intégré")
    if width == 390:
        no_sideways_scroll(page)
    review_shot(page, f"settings-indexes-fr-{width}")

    region.get_by_role("button", name="Construire l\u2019index de Région maintenant").click()
    expect(page.get_by_role("status")).to_contain_text(
        "L\u2019index de «\u00a0Région\u00a0» sera construit en arrière-plan."
    )
    region = page.get_by_role("table", name="Index à la demande").get_by_role("row")
    expect(region.filter(has_text="Région")).to_contain_text("En attente")

    run_worker(monkeypatch)  # the pages worked meanwhile; now both are built
    page.reload()
    rows = page.get_by_role("table", name="Index à la demande").get_by_role("row")
    for key in ("niveau", "region"):  # each with its "contains" index, built with it
        for row in (f"contacts.{key}", f"contacts.{key}.contains"):
            expect(page.locator(f'tr[data-index="{row}"]')).to_contain_text("Prêt")
    region = page.locator('tr[data-index="contacts.region"]')
    expect(region).to_have_attribute("title", "prop_contacts_region")

    region.get_by_role("link", name="Supprimer l\u2019index de Région").click()
    expect(page.locator("#settings-heading")).to_contain_text(
        "Supprimer l\u2019index de «\u00a0Région\u00a0»"
    )
    if width == 390:
        no_sideways_scroll(page)
    page.get_by_role("button", name="Supprimer l\u2019index").click()
    expect(page.get_by_role("status")).to_contain_text("a été supprimé")
    rows = page.get_by_role("table", name="Index à la demande").get_by_role("row")
    expect(rows.filter(has_text="Région")).to_have_count(0)  # both of its indexes
    expect(page.locator('tr[data-index="contacts.niveau"]')).to_contain_text("Prêt")
    row = PropertyIndexRequest.objects.get(property_name="region")
    assert (row.status, row.actor_id) == (IndexStatus.DROPPED, admin.pk)


def test_a_salesperson_finds_no_index_page(page, live_server):
    page.goto(f"{live_server.url}/settings/")
    expect(page.get_by_role("link", name="Indexes")).to_have_count(0)
    response = page.goto(f"{live_server.url}/settings/indexes/")
    assert response.status == 404
