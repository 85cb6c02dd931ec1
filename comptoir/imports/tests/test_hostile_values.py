"""Values no column or database can hold fail their own row only (issue 13, point 6).

Before, a deal amount of 1e26 (SQLite) or 1e18 (PostgreSQL), `1e400`, a NUL byte
(PostgreSQL) or a 30-digit record id failed the whole import with 0 rows imported."""

from comptoir.core.records.values import base_queryset
from comptoir.imports.models import ImportState
from comptoir.imports.tests.helpers import csv_bytes, run_import, upload

HEADER = ["Deal name", "Deal stage", "Amount", "Close date"]


def _deal(name, amount="100", close="2026-03-15"):
    return [name, "Appointment scheduled", amount, close]


def test_a_deal_row_with_a_value_no_column_holds_is_refused_alone(importer_user):
    rows = [
        HEADER,
        _deal("Good one"),
        _deal("Amount 1e26", amount="1e26"),
        _deal("Amount 1e18", amount="1000000000000000000"),
        _deal("Amount 1e400", amount="1e400"),
        _deal("Amount NaN", amount="NaN"),
        _deal("Nul\x00in the name"),
        _deal("Year 0", close="0000-01-01"),
        _deal("Year 10000", close="10000-01-01"),
        _deal("Year 1", close="0001-01-01"),
        _deal("Good two", amount="999999999999999"),
    ]
    imp = run_import(upload(importer_user, csv_bytes(rows), name="deals.csv", objects="deals"))
    assert imp.state == ImportState.DONE
    names = sorted(base_queryset("deals").values_list("dealname", flat=True))
    assert names == ["Good one", "Good two"]
    assert (imp.created, imp.failed) == (2, 8)
    failures = {f.line: (f.column, f.error_type) for f in imp.failures.all()}
    assert failures == {
        3: ("Amount", "INVALID_NUMBER"),
        4: ("Amount", "INVALID_NUMBER"),
        5: ("Amount", "INVALID_NUMBER"),
        6: ("Amount", "INVALID_NUMBER"),
        7: ("Deal name", "INVALID_STRING"),
        8: ("Close date", "INVALID_DATE"),
        9: ("Close date", "INVALID_DATE"),
        10: ("Close date", "INVALID_DATETIME"),  # a date, but out of range
    }
    nul = imp.failures.get(line=7)
    assert "NUL" in nul.reason
    assert "\x00" not in nul.value and "\x00" not in "".join(nul.row)  # stored on PostgreSQL


def test_a_contact_row_with_a_nul_or_a_huge_record_id_is_refused_alone(importer_user):
    rows = [
        ["Record ID", "Email", "First name"],
        ["", "good@example.com", "Good"],
        ["9" * 30, "huge@example.com", "Huge id"],
        ["", "nul\x00@example.com", "Nul email"],
        ["", "ann@example.com", "Ann\x00"],
        ["", "last@example.com", "Last"],
    ]
    imp = run_import(upload(importer_user, csv_bytes(rows)))
    assert imp.state == ImportState.DONE
    emails = sorted(base_queryset("contacts").values_list("email", flat=True))
    assert emails == ["good@example.com", "last@example.com"]
    failures = {f.line: (f.column, f.error_type) for f in imp.failures.all()}
    assert failures == {
        3: ("Record ID", "INVALID_OBJECT_ID"),
        4: ("Email", "INVALID_STRING"),
        5: ("First name", "INVALID_STRING"),
    }


def test_a_negative_or_zero_record_id_is_refused_alone(importer_user):
    """Not a record id (a 400 in the API): before, -5 and 0 were looked up, "not found"."""
    rows = [["Record ID", "Email"], ["", "good@example.com"]]
    rows += [["-5", "minus@example.com"], ["0", "zero@example.com"]]
    imp = run_import(upload(importer_user, csv_bytes(rows)))
    assert imp.state == ImportState.DONE
    assert list(base_queryset("contacts").values_list("email", flat=True)) == ["good@example.com"]
    failures = {f.line: (f.column, f.error_type) for f in imp.failures.all()}
    assert failures == {
        3: ("Record ID", "INVALID_OBJECT_ID"),
        4: ("Record ID", "INVALID_OBJECT_ID"),
    }
