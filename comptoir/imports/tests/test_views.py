"""The wizard, the import page and the export pages through Django's test client."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from comptoir.core.records.values import base_queryset
from comptoir.core.testing.factories import make_contact, make_user
from comptoir.imports import engine
from comptoir.imports.models import Export, Import, ImportState
from comptoir.imports.tests.helpers import csv_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_in(client, importer_user):
    client.force_login(importer_user)
    return client


def test_wizard_upload_map_preview_start_and_follow(client_in):
    data = csv_bytes(
        [["E-mail", "Prénom", "Nom", "Mystère"], ["lea@exemple.fr", "Léa", "Dupré", "x"]],
        delimiter=";",
        encoding="windows-1252",
    )
    response = client_in.post(
        "/imports/new/", {"objects": "contacts", "file": SimpleUploadedFile("f.csv", data)}
    )
    imp = Import.objects.get()
    assert response.url == f"/imports/{imp.pk}/setup/"
    page = client_in.get(response.url).content.decode()
    assert 'value="windows-1252" selected' in page
    assert 'value="contacts:email" selected' in page
    preview = client_in.post(
        response.url, {"action": "preview", "map-3": ""}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Léa" in preview and "lea@exemple.fr" in preview
    response = client_in.post(
        f"/imports/{imp.pk}/setup/", {"action": "start", "mode": "UPSERT", "name": "Salon"}
    )
    assert response.url == f"/imports/{imp.pk}/"
    imp.refresh_from_db()
    assert (imp.state, imp.name) == (ImportState.STARTED, "Salon")
    engine.run(imp.pk)
    page = client_in.get(f"/imports/{imp.pk}/").content.decode()
    assert "Undo the import" in page and "No errors" in page
    assert base_queryset("contacts").get().firstname == "Léa"
    history = client_in.get("/settings/import-export/").content.decode()
    assert "Salon" in history


def test_create_a_property_from_a_column(client_in):
    data = csv_bytes([["Email", "Pointure"], ["p@example.com", "42"]])
    client_in.post("/imports/new/", {"file": SimpleUploadedFile("f.csv", data)})
    imp = Import.objects.get()
    assert imp.mapping[1]["property"] == ""
    client_in.post(f"/imports/{imp.pk}/setup/property/1/", {"label": "Pointure", "type": "number"})
    imp.refresh_from_db()
    assert imp.mapping[1] == {
        "column": "Pointure",
        "object_type": "contacts",
        "property": "pointure",
    }


def test_errors_download_and_other_users_imports_are_hidden(client_in, importer_user):
    data = csv_bytes([["Email"], ["nope"]])
    client_in.post("/imports/new/", {"file": SimpleUploadedFile("f.csv", data)})
    imp = Import.objects.get()
    client_in.post(f"/imports/{imp.pk}/setup/", {"action": "start"})
    engine.run(imp.pk)
    body = b"".join(client_in.get(f"/imports/{imp.pk}/errors.csv").streaming_content)
    assert body.decode("utf-8-sig").splitlines()[1].startswith("nope,")
    stranger = make_user("stranger@example.com", role="Sales rep")
    client_in.force_login(stranger)
    assert client_in.get(f"/imports/{imp.pk}/").status_code == 404


def test_export_from_a_list_view(client_in):
    make_contact(email="x@example.com", firstname="Xavier")
    response = client_in.post("/imports/export/contacts/", {"params": "q=xavier", "format": "CSV"})
    export = Export.objects.get()
    assert response.url == f"/imports/exports/{export.pk}/"
    from comptoir.imports import exports

    exports.run(export.pk)
    page = client_in.get(response.url).content.decode()
    assert "1 record exported" in page
    download = client_in.get(f"/imports/exports/{export.pk}/download/")
    assert b"x@example.com" in b"".join(download.streaming_content)
    assert "Export view (Excel)" in client_in.get("/contacts/").content.decode()


def test_users_without_the_export_right_see_no_export(client):
    user = make_user("rep2@example.com", role="Sales rep")
    client.force_login(user)
    assert "Export view" not in client.get("/contacts/").content.decode()
    assert client.post("/imports/export/contacts/", {"format": "CSV"}).status_code == 404


def test_undo_from_the_import_page(client_in, run_worker, django_capture_on_commit_callbacks):
    data = csv_bytes([["Email"], ["undo@example.com"]])
    client_in.post("/imports/new/", {"file": SimpleUploadedFile("f.csv", data)})
    imp = Import.objects.get()
    client_in.post(f"/imports/{imp.pk}/setup/", {"action": "start"})
    engine.run(imp.pk)
    with django_capture_on_commit_callbacks(execute=True):
        client_in.post(f"/imports/{imp.pk}/undo/")
    run_worker()
    imp.refresh_from_db()
    assert imp.state == ImportState.REVERTED
    assert not base_queryset("contacts").exists()
    page = client_in.get(f"/imports/{imp.pk}/").content.decode()
    assert "Undone" in page and "Undo the import" not in page


def test_wizard_with_two_files_joined_by_a_common_column(client_in):
    contacts = csv_bytes(
        [
            ["E-mail", "Prénom", "Lien entreprise"],
            ["lea@globex.fr", "Léa", "globex.fr"],
            ["x@y.fr", "X", "y.fr"],
        ],
        delimiter=";",
    )
    companies = csv_bytes([["Company name", "Site web"], ["Globex", "globex.fr"], ["Bad", "%%"]])
    response = client_in.post(
        "/imports/new/",
        {
            "objects": "files",
            "file-contacts": SimpleUploadedFile("contacts.csv", contacts),
            "file-companies": SimpleUploadedFile("companies.csv", companies),
        },
    )
    main = Import.objects.get(parent=None)
    linked = main.linked_files.get()
    assert response.url == f"/imports/{main.pk}/setup/"
    page = client_in.get(response.url).content.decode()
    assert f'value="file-{linked.pk}"' in page and "Common columns" in page
    # Nothing tells which column of contacts.csv holds the companies' domains: the user says.
    assert (linked.main_column, linked.common_column) == ("", "Site web")
    response = client_in.post(f"/imports/{main.pk}/setup/", {"action": "start"})
    assert "choose the column of contacts.csv that matches companies.csv" in (
        response.content.decode()
    )
    response = client_in.post(
        f"/imports/{main.pk}/setup/",
        {
            f"main_column-{linked.pk}": "Lien entreprise",
            "action": f"file-{linked.pk}",
            "name": "Salon",
        },
    )
    assert response.url == f"/imports/{linked.pk}/setup/"
    page = client_in.get(response.url).content.decode()
    assert "Common column" in page and 'value="companies:domain" selected' in page
    response = client_in.post(response.url, {"action": "start"})
    assert response.url == f"/imports/{main.pk}/"
    engine.run(main.pk)
    page = client_in.get(response.url).content.decode()
    assert "Salon" in page and "Errors and warnings" in page
    assert "companies.csv" in page and "Download the rows of companies.csv with errors" in page
    assert "without its company" in page
    assert client_in.get(f"/imports/{linked.pk}/").url == f"/imports/{main.pk}/"
    history = client_in.get("/settings/import-export/").content.decode()
    assert history.count("/imports/") - history.count("/imports/new/") == 1
    lea = base_queryset("contacts").get(email="lea@globex.fr")
    assert lea.properties["associatedcompanyid"] == base_queryset("companies").get().pk
