"""Re-importing contacts in French (issue 14, points 1 and 10): a blank cell leaves the
existing value alone unless the user asks to clear it, the preview says what an update
changes (old → new), and a refused row reads in French as in the error report."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from comptoir.core.testing.factories import make_contact
from comptoir.imports.tests.helpers import csv_bytes

pytestmark = pytest.mark.django_db(transaction=True)

ROWS = [
    ["E-mail", "Prénom", "Phase du cycle de vie"],
    ["lea@acme.fr", "Léa", ""],
    ["pas-un-email", "Zoé", "Lead"],
]


@pytest.fixture
def french_seller(seller, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    seller.language = "fr"
    seller.save(update_fields=["language"])
    return make_contact(
        email="lea@acme.fr",
        firstname="Lea",
        lifecyclestage="subscriber",
        hubspot_owner_id=seller.owner.pk,
    )


def run_worker(monkeypatch):
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    call_command("worker", batch=True, no_scheduler=True, verbosity=0)


def preview(page, live_server, tmp_path):
    path = tmp_path / "reimport.csv"
    path.write_bytes(csv_bytes(ROWS, delimiter=";"))
    page.goto(f"{live_server.url}/imports/new/")
    page.get_by_label("Fichier (CSV ou XLSX)").set_input_files(str(path))
    page.get_by_role("button", name="Suivant").click()
    clear = page.get_by_label("Effacer les valeurs existantes pour les cellules vides")
    expect(clear).not_to_be_checked()
    return clear


@pytest.mark.parametrize("width", [1280, 390])
def test_a_reimport_keeps_values_of_blank_cells_and_shows_its_changes(
    french_seller, page, live_server, tmp_path, monkeypatch, width
):
    page.set_viewport_size({"width": width, "height": 900})
    preview(page, live_server, tmp_path)
    page.get_by_role("button", name="Aperçu des premières lignes").click()
    table = page.get_by_role("table", name="Aperçu des premières lignes")
    lea = table.get_by_role("row").filter(has_text="lea@acme.fr")
    expect(lea.get_by_role("cell").nth(1)).to_have_text("Mise à jour")
    expect(lea.get_by_role("cell", name="Lea → Léa")).to_be_visible()
    expect(lea.get_by_role("cell", name="Abonné", exact=True)).to_be_visible()
    # Point 10: the same French text as the error report, no English engine message.
    expect(table.get_by_role("alert")).to_have_text(
        "E-mail\u00a0: Saisissez une adresse e-mail valide."
    )

    page.get_by_role("button", name="Lancer l'importation").click()
    run_worker(monkeypatch)
    expect(page.get_by_text("Terminé", exact=True)).to_be_visible(timeout=10000)
    french_seller.refresh_from_db()
    assert (french_seller.firstname, french_seller.lifecyclestage) == ("Léa", "subscriber")


def test_clearing_values_for_empty_cells_is_chosen_in_the_wizard(
    french_seller, page, live_server, tmp_path, monkeypatch
):
    clear = preview(page, live_server, tmp_path)
    clear.check()
    page.get_by_role("button", name="Aperçu des premières lignes").click()
    table = page.get_by_role("table", name="Aperçu des premières lignes")
    lea = table.get_by_role("row").filter(has_text="lea@acme.fr")
    expect(lea.get_by_role("cell", name="Abonné → (vide)")).to_be_visible()

    page.get_by_role("button", name="Lancer l'importation").click()
    run_worker(monkeypatch)
    expect(page.get_by_text("Terminé", exact=True)).to_be_visible(timeout=10000)
    french_seller.refresh_from_db()
    assert not french_seller.lifecyclestage
