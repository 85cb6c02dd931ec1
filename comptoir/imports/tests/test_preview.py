"""The wizard's preview says what each row will be associated with: the linked file's row
found by the common column, a record already in the CRM, or nothing."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from comptoir.core.files.stored import local_path
from comptoir.core.testing.factories import make_company, make_user
from comptoir.imports.models import Import
from comptoir.imports.tests.helpers import csv_bytes

pytestmark = pytest.mark.django_db

CONTACTS = [
    ["E-mail", "Prénom", "Nom", "Company domain"],
    ["ana@globex.fr", "Ana", "Arnaud", "www.globex.fr"],  # in the companies file
    ["carl@acme.fr", "Carl", "Colin", "ACME.fr"],  # already in the CRM
    ["dora@nowhere.fr", "Dora", "Dias", "nowhere.fr"],  # nowhere
    ["eve@solo.fr", "Eve", "Ernst", ""],  # nothing to associate
]
COMPANIES = [
    ["Company domain", "Nom de l'entreprise", "Ville"],
    ["initech.fr", "Initech", "Nantes"],
    ["globex.fr", "Globex", "Lyon"],
]


def _preview_cells(client, imp) -> tuple[list[str], list[list[str]], str]:
    """The preview's column heads, its rows' cells (as HTML) and the whole fragment."""
    html = client.post(
        f"/imports/{imp.pk}/setup/", {"action": "preview"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    heads = [_text(re.sub(r"\s+", " ", h)) for h in re.findall(r"<th[^>]*>(.*?)</th>", html, re.S)]
    rows = []
    for tr in re.findall(r"<tr>(.*?)</tr>", html, re.S)[1:]:
        cells = re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)
        rows.append([re.sub(r"\s+", " ", c).strip() for c in cells])
    return heads, rows, html


def _two_files(client):
    client.post(
        "/imports/new/",
        {
            "objects": "files",
            "file-contacts": SimpleUploadedFile("contacts.csv", csv_bytes(CONTACTS, delimiter=";")),
            "file-companies": SimpleUploadedFile("entreprises.csv", csv_bytes(COMPANIES)),
        },
    )
    return Import.objects.get(parent=None)


def _text(cell: str) -> str:
    return re.sub(r"<[^>]+>", "", cell).strip()


def test_a_contact_row_shows_its_company_from_the_file_the_crm_or_no_match(client, importer_user):
    acme = make_company(name="Acme", domain="acme.fr")
    client.force_login(importer_user)
    imp = _two_files(client)

    heads, rows, _html = _preview_cells(client, imp)

    assert heads[-1] == "Associated with: Company (entreprises.csv)"
    by_email = {row[2]: row[-1] for row in rows}  # line, record, e-mail...
    assert _text(by_email["ana@globex.fr"]) == "Line 3: Globex"
    assert _text(by_email["carl@acme.fr"]) == "Already in the CRM: Acme"
    assert f'<a href="/companies/{acme.pk}/">Acme</a>' in by_email["carl@acme.fr"]
    assert _text(by_email["dora@nowhere.fr"]) == "No match: not associated"
    assert _text(by_email["eve@solo.fr"]) == "—"


def test_a_company_the_user_may_not_see_is_missing(client):
    """As for the engine, which never links a row to it."""
    hidden = make_company(name="Secret Acme", domain="acme.fr")  # owned by nobody
    private = make_user("private@example.com", role="Sales rep – private")  # noqa: RUF001
    client.force_login(private)
    imp = _two_files(client)

    _heads, rows, html = _preview_cells(client, imp)

    assert "Secret Acme" not in html and f"/companies/{hidden.pk}/" not in html
    carl = next(row for row in rows if row[2] == "carl@acme.fr")
    assert _text(carl[-1]) == "No match: not associated"


def test_the_link_column_says_what_is_missing_before_the_common_column_is_chosen(
    client, importer_user
):
    client.force_login(importer_user)
    companies = [["Site", "Nom de l'entreprise"], ["globex.fr", "Globex"]]
    client.post(
        "/imports/new/",
        {
            "objects": "files",
            "file-contacts": SimpleUploadedFile("contacts.csv", csv_bytes(CONTACTS)),
            "file-companies": SimpleUploadedFile("entreprises.csv", csv_bytes(companies)),
        },
    )
    imp = Import.objects.get(parent=None)
    imp.linked_files.update(main_column="")

    _heads, _rows, html = _preview_cells(client, imp)

    assert "choose the column of contacts.csv that matches entreprises.csv" in html


def test_contacts_and_companies_from_one_file_show_the_company_found_or_created(
    client, importer_user
):
    acme = make_company(name="Acme", domain="acme.fr")
    client.force_login(importer_user)
    data = csv_bytes(
        [
            ["E-mail", "Prénom", "Entreprise", "Company domain"],
            ["carl@acme.fr", "Carl", "Acme", "acme.fr"],
            ["ana@globex.fr", "Ana", "Globex", "globex.fr"],
        ]
    )
    client.post(
        "/imports/new/",
        {"objects": "contacts+companies", "file": SimpleUploadedFile("f.csv", data)},
    )
    imp = Import.objects.get()

    heads, rows, _html = _preview_cells(client, imp)

    assert heads[-1] == "Associated with: Company"
    assert _text(rows[0][-1]) == "Already in the CRM: Acme"
    assert f"/companies/{acme.pk}/" in rows[0][-1]
    assert _text(rows[1][-1]) == "New: Globex"


def test_a_linked_file_broken_further_down_still_shows_the_rows_found(client, importer_user):
    """A big companies file whose match is near the top and whose end cannot be decoded:
    the match is shown, and a key found nowhere reads as no match, not as an error page."""
    client.force_login(importer_user)
    rows = [["Company domain", "Nom de l'entreprise"], ["globex.fr", "Globex"]]
    rows += [[f"c{n}.fr", f"C{n}"] for n in range(20_000)]
    client.post(
        "/imports/new/",
        {
            "objects": "files",
            "file-contacts": SimpleUploadedFile("contacts.csv", csv_bytes(CONTACTS[:2])),
            "file-companies": SimpleUploadedFile("entreprises.csv", csv_bytes(rows)),
        },
    )
    imp = Import.objects.get(parent=None)
    linked = imp.linked_files.get()
    assert linked.encoding == "utf-8"
    with open(local_path(linked.file_path), "ab") as handle:
        handle.write(b"\xff\xfe broken.fr,Broken\r\n")

    _heads, rows, _html = _preview_cells(client, imp)

    assert _text(rows[0][-1]) == "Line 2: Globex"
    # A key found nowhere makes it read the whole file: the broken end is then no match.
    contacts = [CONTACTS[0], ["x@y.fr", "X", "Y", "absent.fr"]]
    with open(local_path(imp.file_path), "wb") as handle:
        handle.write(csv_bytes(contacts))
    _heads, rows, _html = _preview_cells(client, imp)
    assert _text(rows[0][-1]) == "No match: not associated"


def test_the_association_column_in_french(client, importer_user):
    from comptoir.users.models import User

    User.objects.filter(pk=importer_user.pk).update(language="fr")
    make_company(name="Acme", domain="acme.fr")
    client.force_login(importer_user)
    imp = _two_files(client)

    heads, rows, _html = _preview_cells(client, imp)

    assert heads[-1] == "Associé à : Entreprise (entreprises.csv)"
    texts = [_text(row[-1]) for row in rows]
    assert texts == [
        "Ligne 3 : Globex",
        "Déjà dans le CRM : Acme",
        "Aucune correspondance : non associé",
        "—",
    ]
