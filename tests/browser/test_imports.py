"""The import wizard in Chromium: a small French Excel CSV from upload to the contacts list."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from comptoir.imports.tests.helpers import csv_bytes
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)

ROWS = [
    ["E-mail", "Prénom", "Nom", "Entreprise", "Téléphone"],
    ["helene@exemple.fr", "Hélène", "Lefèvre", "Crème & Cie", "06 12 34 56 78"],
    ["francois@exemple.fr", "François", "Garçon", "Société Générale", ""],
    ["pas-un-email", "Zoé", "Erreur", "", ""],
]


@pytest.fixture
def french_csv(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    path = tmp_path / "contacts-salon.csv"
    path.write_bytes(csv_bytes(ROWS, delimiter=";", encoding="windows-1252"))
    return path


def run_worker(monkeypatch):
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    call_command("worker", batch=True, no_scheduler=True, verbosity=0)


def look(page, tmp_path, name):
    """Pictures of the steps to look at (docs/screenshots keeps only the import page)."""
    page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)


def wizard(page, live_server, french_csv, shots=""):
    page.goto(f"{live_server.url}/contacts/")
    page.get_by_role("button", name="Actions").click()
    page.get_by_role("menuitem", name="Import").click()
    expect(page.get_by_role("heading", name="Import")).to_be_visible()
    expect(page.get_by_label("Contacts", exact=True)).to_be_checked()
    page.get_by_label("File (CSV or XLSX)").set_input_files(str(french_csv))
    if shots:
        look(page, french_csv.parent, f"import-upload{shots}")
    page.get_by_role("button", name="Next").click()

    expect(page.get_by_label("Encoding")).to_have_value("windows-1252")
    expect(page.get_by_label("Separator")).to_have_value(";")
    expect(page.get_by_label("Property for column Prénom")).to_have_value("contacts:firstname")
    expect(page.get_by_label("Property for column E-mail")).to_have_value("contacts:email")
    page.get_by_role("button", name="Preview the first rows").click()
    preview = page.get_by_role("table", name="Preview of the first rows")
    expect(preview.get_by_role("cell", name="Hélène")).to_be_visible()
    expect(preview.get_by_role("alert")).to_contain_text("pas-un-email")
    if shots:
        look(page, french_csv.parent, f"import-mapping{shots}")
    page.get_by_role("button", name="Start the import").click()
    expect(page.get_by_role("progressbar", name="Import progress")).to_be_visible()


def test_wizard_imports_a_french_excel_csv(page, live_server, french_csv, monkeypatch):
    wizard(page, live_server, french_csv, shots="-1280")
    run_worker(monkeypatch)
    # The page polls and reloads itself once the import is done.
    expect(page.get_by_text("Done", exact=True)).to_be_visible(timeout=10000)
    counts = page.locator(".import-counts")
    expect(counts.get_by_text("Created").locator("..")).to_contain_text("2")
    expect(counts.get_by_text("Errors").locator("..")).to_contain_text("1")
    errors = page.get_by_role("table")
    expect(errors.get_by_role("cell", name="pas-un-email", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Download the rows with errors")).to_be_visible()
    screenshot(page, "import")

    page.goto(f"{live_server.url}/contacts/")
    table = page.get_by_role("table")
    expect(table.get_by_role("link", name="Hélène Lefèvre")).to_be_visible()
    expect(table.get_by_role("link", name="François Garçon")).to_be_visible()

    page.goto(f"{live_server.url}/settings/import-export/")
    expect(page.get_by_role("link", name="contacts-salon")).to_be_visible()


def test_wizard_on_a_phone(phone_page, live_server, french_csv, monkeypatch):
    page = phone_page
    page.goto(f"{live_server.url}/imports/new/")
    page.get_by_label("File (CSV or XLSX)").set_input_files(str(french_csv))
    look(page, french_csv.parent, "import-upload-390")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_label("Property for column Nom")).to_have_value("contacts:lastname")
    look(page, french_csv.parent, "import-mapping-390")
    page.get_by_role("button", name="Start the import").click()
    run_worker(monkeypatch)
    expect(page.get_by_text("Done", exact=True)).to_be_visible(timeout=10000)
    look(page, french_csv.parent, "import-390")


def test_export_a_list_view_then_find_it_in_settings(page, live_server, tmp_path, monkeypatch):
    from comptoir.core.testing.factories import make_contact

    monkeypatch.setattr("django.conf.settings.MEDIA_ROOT", tmp_path / "media")
    make_contact(email="lea@acme.fr", firstname="Léa", lastname="Lefèvre")
    make_contact(email="max@gmail.com", firstname="Max", lastname="Martin")
    page.goto(f"{live_server.url}/contacts/?q=lefevre")
    page.get_by_role("button", name="Actions").click()
    page.get_by_role("menuitem", name="Export view (Excel)").click()
    expect(page.get_by_role("heading", name="Export", exact=False)).to_be_visible()
    run_worker(monkeypatch)
    link = page.get_by_role("link", name="Download")
    expect(link).to_be_visible(timeout=10000)
    expect(page.get_by_text("1 record exported.")).to_be_visible()
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.endswith(".xlsx")
    page.goto(f"{live_server.url}/settings/import-export/")
    exports = page.get_by_role("region", name="Exports")
    expect(exports.get_by_role("cell", name="1", exact=True)).to_be_visible()
    look(page, tmp_path, "settings-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    look(page, tmp_path, "settings-390")


CONTACTS = [
    ["E-mail", "Prénom", "Nom", "Domaine de l'entreprise"],
    ["helene@globex.fr", "Hélène", "Lefèvre", "globex.fr"],
    ["marc@initech.fr", "Marc", "Durand", "initech.fr"],
    ["zoe@inconnue.fr", "Zoé", "Martin", "inconnue.fr"],
]
COMPANIES = [
    ["Nom de l'entreprise", "Domaine de l'entreprise", "Ville"],
    ["Globex", "globex.fr", "Lyon"],
    ["Initech", "initech.fr", "Nantes"],
]


def two_files(page, live_server, tmp_path, shots):
    contacts, companies = tmp_path / "contacts-salon.csv", tmp_path / "entreprises.csv"
    contacts.write_bytes(csv_bytes(CONTACTS, delimiter=";", encoding="windows-1252"))
    companies.write_bytes(csv_bytes(COMPANIES))
    page.goto(f"{live_server.url}/imports/new/")
    page.get_by_label("Several files with associations").check()
    expect(page.get_by_label("File (CSV or XLSX)")).to_be_hidden()
    page.get_by_label("Contacts file").set_input_files(str(contacts))
    page.get_by_label("Companies file").set_input_files(str(companies))
    look(page, tmp_path, f"import-files-upload-{shots}")
    page.get_by_role("button", name="Next").click()

    # The main file's page: its own reading options, mapping, and the common column guessed.
    expect(page.get_by_label("Separator")).to_have_value(";")
    expect(page.get_by_label("Column of this file matching entreprises.csv")).to_have_value(
        "Domaine de l'entreprise"
    )
    # The preview says what each contact will be associated with.
    page.get_by_role("button", name="Preview the first rows").click()
    preview = page.get_by_role("table", name="Preview of the first rows")
    expect(
        preview.get_by_role("columnheader", name="Associated with: Company (entreprises.csv)")
    ).to_be_visible()
    expect(preview.get_by_role("cell", name="Line 2: Globex")).to_be_visible()
    expect(preview.get_by_role("cell", name="No match: not associated")).to_be_visible()
    look(page, tmp_path, f"import-files-contacts-{shots}")
    page.get_by_role("button", name="Companies · entreprises.csv").click()
    expect(page.get_by_label("Separator")).to_have_value(",")
    expect(page.get_by_label("Property for column Ville")).to_have_value("companies:city")
    expect(
        page.get_by_label("Column of this file whose values are in contacts-salon.csv")
    ).to_have_value("Domaine de l'entreprise")
    page.get_by_role("button", name="Preview the first rows").click()
    preview = page.get_by_role("table", name="Preview of the first rows")
    expect(preview.get_by_role("cell", name="Nantes")).to_be_visible()
    look(page, tmp_path, f"import-files-companies-{shots}")
    page.get_by_role("button", name="Start the import").click()
    expect(page.get_by_role("progressbar", name="Import progress")).to_be_visible()


def test_wizard_imports_contacts_and_companies_from_two_files(
    page, live_server, tmp_path, monkeypatch, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    two_files(page, live_server, tmp_path, "1280")
    run_worker(monkeypatch)
    expect(page.get_by_text("Done", exact=True)).to_be_visible(timeout=10000)
    counts = page.locator(".import-counts")
    expect(counts.get_by_text("Created").locator("..")).to_contain_text("5")
    expect(counts.get_by_text("Warnings").locator("..")).to_contain_text("1")
    files = page.get_by_role("region", name="Files")
    expect(files.get_by_role("cell", name="entreprises.csv")).to_be_visible()
    warnings = page.get_by_role("region", name="Errors and warnings")
    expect(warnings.get_by_role("cell", name="inconnue.fr", exact=True)).to_be_visible()
    expect(warnings).to_contain_text("without its company")
    look(page, tmp_path, "import-files-done-1280")

    page.goto(f"{live_server.url}/contacts/")
    page.get_by_role("link", name="Hélène Lefèvre").click()
    expect(page.get_by_role("link", name="Globex").first).to_be_visible()


def test_two_files_on_a_phone(phone_page, live_server, tmp_path, monkeypatch, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    two_files(phone_page, live_server, tmp_path, "390")
    run_worker(monkeypatch)
    expect(phone_page.get_by_text("Done", exact=True)).to_be_visible(timeout=10000)
    look(phone_page, tmp_path, "import-files-done-390")
