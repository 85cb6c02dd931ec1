"""No file Comptoir writes runs a formula in a spreadsheet (OWASP CSV injection): every
payload, in the CSV export, the XLSX export and an import's errors file, and the errors
file still imports back to the original values."""

import csv
import io
import zipfile

import pytest
from openpyxl import load_workbook

from comptoir.core.files.stored import local_path
from comptoir.core.records.values import base_queryset
from comptoir.core.savedviews.models import ViewPreference
from comptoir.core.testing.factories import make_contact, make_deal, make_user
from comptoir.imports import exports
from comptoir.imports.errorfile import error_rows
from comptoir.imports.tests.helpers import csv_bytes, run_import, upload

pytestmark = pytest.mark.django_db

PAYLOADS = ["=1+1", "+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://x","y")']


def _export(user, object_type, fmt):
    export = exports.start_export(user, object_type, "", fmt)
    exports.run(export.pk)
    export.refresh_from_db()
    return export


@pytest.fixture
def seller():
    user = make_user("seller@example.com", role="Sales manager")
    ViewPreference.objects.create(
        user=user, object_type="contacts", view_key="all", columns=["jobtitle", "email"]
    )
    return user


@pytest.mark.parametrize("payload", PAYLOADS)
def test_csv_export_guards_every_payload(seller, payload):
    make_contact(firstname=payload, jobtitle=payload, email="a@example.com")
    export = _export(seller, "contacts", "CSV")
    with open(local_path(export.file_path), encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["Name", "Job title", "Email"]
    name, jobtitle, email = rows[1]
    assert name == "'" + payload.strip()  # the display name is stripped
    assert jobtitle == "'" + payload
    assert email == "a@example.com"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_xlsx_export_writes_payloads_as_text_cells_never_formulas(seller, payload):
    make_contact(firstname="Zoé", jobtitle=payload, email="a@example.com")
    export = _export(seller, "contacts", "XLSX")
    with zipfile.ZipFile(local_path(export.file_path)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml
    sheet = load_workbook(local_path(export.file_path)).worksheets[0]
    cell = sheet.cell(row=2, column=2)
    assert cell.data_type == "s" and cell.quotePrefix
    # XML reads a carriage return back as a line feed; the cell stays text all the same.
    assert cell.value == payload.replace("\r", "\n")
    assert not sheet.cell(row=2, column=3).quotePrefix  # plain text keeps its plain style


def test_numbers_of_number_properties_stay_numbers():
    """-12.5 in a number property is data: a numeric XLSX cell, plain text in CSV; a deal
    named like a formula is still guarded."""
    user = make_user("seller@example.com", role="Sales manager")
    make_deal(dealname="-1+1", amount="-12.5")
    export = _export(user, "deals", "XLSX")
    sheet = load_workbook(local_path(export.file_path)).worksheets[0]
    header = [c.value for c in sheet[1]]
    amount = sheet.cell(row=2, column=header.index("Amount") + 1)
    assert (amount.data_type, amount.value) == ("n", -12.5)
    assert (sheet.cell(row=2, column=1).data_type, sheet.cell(row=2, column=1).value) == (
        "s",
        "-1+1",
    )
    export = _export(user, "deals", "CSV")
    with open(local_path(export.file_path), encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    amount_text = rows[1][rows[0].index("Amount")]
    assert amount_text.startswith("-") and "12.5" in amount_text
    assert rows[1][0] == "'-1+1"


def test_errors_file_guards_payloads_and_imports_back_to_the_original_values(importer_user):
    rows = [["Email", "Job title", "Amount note"]]
    rows += [[f"bad-{i}", payload, "-12.5"] for i, payload in enumerate(PAYLOADS)]
    imp = run_import(upload(importer_user, csv_bytes(rows)))
    assert imp.failed == len(PAYLOADS)
    text = "".join(error_rows(imp))
    parsed = list(csv.reader(io.StringIO(text[1:], newline="")))
    assert parsed[0] == ["Email", "Job title", "Amount note", "Error"]
    assert [row[1] for row in parsed[1:]] == ["'" + p for p in PAYLOADS]
    assert {row[2] for row in parsed[1:]} == {"'-12.5"}  # not mapped to a number: text
    assert all(not row[3].startswith(("=", "+", "-", "@", "'")) for row in parsed[1:])

    fixed = [parsed[0][:3]] + [
        [f"ok{i}@example.com", *row[1:3]] for i, row in enumerate(parsed[1:])
    ]
    again = run_import(upload(importer_user, csv_bytes(fixed), name="fixed.csv"))
    assert again.created == len(PAYLOADS)
    stored = {c.email: c.properties.get("jobtitle") for c in base_queryset("contacts")}
    assert stored == {f"ok{i}@example.com": p for i, p in enumerate(PAYLOADS)}


def test_errors_file_leaves_numbers_of_number_columns_alone(importer_user):
    from comptoir.core.properties.services import create_property
    from comptoir.core.testing.factories import UI

    create_property(
        "contacts",
        {"name": "score", "label": "Score", "type": "number", "fieldType": "number"},
        source=UI,
    )
    rows = [["Email", "Score"], ["bad", "-12.5"], ["bad2", "-1+1"]]
    imp = run_import(upload(importer_user, csv_bytes(rows)))
    parsed = list(csv.reader(io.StringIO("".join(error_rows(imp))[1:], newline="")))
    assert [row[1] for row in parsed[1:]] == ["-12.5", "'-1+1"]


def test_guard_and_unguard_are_exact_inverses():
    from comptoir.imports.formulas import guard, unguard

    values = ["=x", "'=x", "''=x", "'hello", "hello", "", "'", "-", "a=b", "\t", "'\r=1"]
    for value in values:
        assert unguard(guard(value)) == value
    assert guard("'hello") == "'hello" and guard("'=x") == "''=x"
