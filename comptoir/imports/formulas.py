"""Spreadsheet formulas kept out of every file Comptoir writes (OWASP "CSV injection").

Excel, LibreOffice and Google Sheets run a cell starting with = + - @ (or a tab, carriage
return or NUL before one) as a formula: `=HYPERLINK(...)` in a contact's name would run on
the machine of whoever opens the export. So, in every CSV and XLSX Comptoir writes:

- CSV: such a text gets a leading apostrophe (OWASP's advice), which spreadsheets show as
  text. A number property's value stays as it is: -12.5 is data, not a formula
  (`NumberText`), and a cell that is only a number cannot call a function.
- XLSX: every text is a text cell (with Excel's quote prefix when it would be a formula,
  so editing it keeps it text), never a formula; numbers are numeric cells.

Importing a CSV takes the guard apostrophe off again (`unguard`), so an exported file or an
import's errors file imports back to its original values. To keep that exact, a text that
already starts with apostrophes followed by a trigger character gets one more on the way out
and loses exactly one on the way in: "'=x" is written "''=x" and read back "'=x"."""

import re
from dataclasses import dataclass
from decimal import Decimal

# Apostrophes, then a character spreadsheets start a formula with.
_FORMULA = re.compile(r"'*[=+\-@\t\r\0]")
# Characters XML 1.0 (so XLSX) cannot hold at all.
_NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class NumberText:
    """A number property's value as shown ("-1 234,50 €") and as a number (for XLSX)."""

    text: str
    number: int | float | Decimal | None = None


def guard(text: str) -> str:
    """The text as a CSV cell no spreadsheet runs as a formula."""
    return "'" + text if _FORMULA.match(text) else text


def unguard(text: str) -> str:
    """The text a CSV cell written by `guard` stood for (one guard apostrophe less)."""
    return text[1:] if text[:1] == "'" and _FORMULA.match(text, 1) else text


def csv_row(values) -> list:
    """Cells for csv.writer: texts guarded, numbers as they are."""
    return [_csv_cell(value) for value in values]


def _csv_cell(value):
    if isinstance(value, NumberText):
        return value.text if value.number is not None else guard(value.text)
    if _is_number(value):
        return value
    return guard("" if value is None else str(value))


def xlsx_row(sheet, values) -> list:
    """Cells for a write-only openpyxl sheet: numbers numeric, everything else text."""
    from openpyxl.cell import WriteOnlyCell

    cells = []
    for value in values:
        if isinstance(value, NumberText):
            value = value.text if value.number is None else value.number
        if _is_number(value):
            cells.append(WriteOnlyCell(sheet, value=value))
            continue
        text = _NOT_IN_XML.sub("\ufffd", "" if value is None else str(value))
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"  # openpyxl would make "=..." a formula
        if _FORMULA.match(text):
            cell.quotePrefix = True
        cells.append(cell)
    return cells


def _is_number(value) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)
