"""Reading import files as a stream: CSV in any of the encodings spreadsheets write, and
XLSX through openpyxl's read-only mode. Memory stays bounded whatever the file size:
rows are yielded one at a time and never collected."""

import codecs
import csv
import io
from dataclasses import dataclass
from pathlib import Path

from comptoir.imports.formulas import unguard

ENCODINGS = ("utf-8-sig", "utf-8", "windows-1252", "iso-8859-1")
DELIMITERS = {",": ",", ";": ";", "tab": "\t"}
SAMPLE = 64 * 1024
CHUNK = 1024 * 1024
# Bytes 0x80-0x9F are printable in Windows-1252 except these five, undefined there.
_CP1252_UNDEFINED = {0x81, 0x8D, 0x8F, 0x90, 0x9D}

csv.field_size_limit(1024 * 1024)


class FileProblem(ValueError):
    """A file that cannot be read as asked (wrong encoding, not a spreadsheet...)."""


@dataclass
class FileInfo:
    """What the wizard shows and lets the user change."""

    file_format: str  # "CSV" | "SPREADSHEET" (HubSpot's words)
    encoding: str = ""
    delimiter: str = ""  # a key of DELIMITERS
    sheets: tuple = ()
    sheet: str = ""


def file_format(name: str) -> str:
    return "SPREADSHEET" if Path(name).suffix.lower() in (".xlsx", ".xlsm") else "CSV"


def detect_encoding(path) -> str:
    """UTF-8 (with BOM or not) when the whole file decodes as such; otherwise Windows-1252,
    which Excel writes on French Windows; Latin-1 when bytes undefined in 1252 appear."""
    with open(path, "rb") as handle:
        head = handle.read(3)
        if head == codecs.BOM_UTF8:
            return "utf-8-sig"
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        high = set()
        utf8 = True
        while chunk := handle.read(CHUNK):
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
            if not utf8:
                high.update(b for b in set(chunk) if 0x80 <= b <= 0x9F)
        if utf8:
            try:
                decoder.decode(b"", final=True)
                return "utf-8"
            except UnicodeDecodeError:
                pass
    return "iso-8859-1" if high & _CP1252_UNDEFINED else "windows-1252"


def detect_delimiter(path, encoding: str) -> str:
    """The candidate most frequent (outside quotes) on the first lines, `,` on a tie."""
    with open(path, encoding=encoding, errors="replace", newline="") as handle:
        sample = handle.read(SAMPLE)
    lines = _unquoted(sample).splitlines()[:20]
    best, best_score = ",", 0
    for key, char in DELIMITERS.items():
        counts = [line.count(char) for line in lines if line.strip()]
        if not counts:
            continue
        # A real delimiter appears the same number of times on most lines.
        score = min(counts[:5]) * 10 + sum(counts) / len(counts)
        if score > best_score:
            best, best_score = key, score
    return best


def _unquoted(text: str) -> str:
    out, quoted = [], False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif not quoted or char in "\r\n":
            out.append(char if not quoted else "")
    return "".join(out)


def inspect(path, name: str) -> FileInfo:
    kind = file_format(name)
    if kind == "SPREADSHEET":
        sheets = sheet_names(path)
        return FileInfo(kind, sheets=tuple(sheets), sheet=sheets[0] if sheets else "")
    encoding = detect_encoding(path)
    return FileInfo(kind, encoding=encoding, delimiter=detect_delimiter(path, encoding))


def sheet_names(path) -> list[str]:
    workbook = _open_workbook(path)
    try:
        return list(workbook.sheetnames)
    finally:
        workbook.close()


def _open_workbook(path):
    import zipfile

    from openpyxl import load_workbook

    try:
        return load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FileProblem(f"not a readable XLSX file ({exc})") from None


class RowReader:
    """Iterate (line number, [cell, ...]) over every row, header included (line 1);
    `fraction` tells how much of the file has been read.

    Line numbers are those a spreadsheet shows: a quoted field spanning lines counts
    from the line where its row starts."""

    def __init__(self, path, info: FileInfo):
        self.path, self.info = path, info
        self.size = max(1, Path(path).stat().st_size)
        self._raw = None
        self._rows_total = 0
        self._line = 0

    def __iter__(self):
        info = self.info
        if info.file_format == "SPREADSHEET":
            rows = _xlsx_rows(self, self.path, info.sheet)
        else:
            delimiter = DELIMITERS.get(info.delimiter, ",")
            rows = _csv_rows(self, self.path, info.encoding or "utf-8", delimiter)
        for line, cells in rows:
            self._line = line
            yield line, cells

    @property
    def fraction(self) -> float:
        if self._raw is not None and not self._raw.closed:
            return min(1.0, self._raw.tell() / self.size)
        if self._rows_total:
            return min(1.0, self._line / self._rows_total)
        return 0.0


def rows(path, info: FileInfo):
    return iter(RowReader(path, info))


def _csv_rows(reader_state, path, encoding, delimiter):
    with open(path, "rb") as raw:
        reader_state._raw = raw
        text = io.TextIOWrapper(raw, encoding=encoding, newline="", errors="strict")
        reader = csv.reader(text, delimiter=delimiter)
        line = 1
        try:
            for cells in reader:
                yield line, [unguard(c) if c[:1] == "'" else c for c in cells]
                line = reader.line_num + 1
        except UnicodeDecodeError:
            raise FileProblem(
                f"the file is not valid {encoding} near line {line}: choose another encoding"
            ) from None
        except csv.Error as exc:
            raise FileProblem(f"line {line}: {exc}") from None


def _xlsx_rows(reader_state, path, sheet):
    workbook = _open_workbook(path)
    try:
        if sheet and sheet not in workbook.sheetnames:
            raise FileProblem(f"the workbook has no sheet named {sheet!r}")
        worksheet = workbook[sheet] if sheet else workbook.worksheets[0]
        reader_state._rows_total = worksheet.max_row or 0
        for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
            yield number, ["" if v is None else v for v in values]
    finally:
        workbook.close()


def header_and_sample(path, info: FileInfo, limit: int = 5) -> tuple[list[str], list]:
    """The column names and the first data rows (for mapping and the preview)."""
    iterator = rows(path, info)
    header: list[str] = []
    sample = []
    for line, cells in iterator:
        if not header:
            header = [str(c).strip() for c in cells]
            if not any(header):
                header = []
            continue
        if is_empty(cells):
            continue
        sample.append((line, cells))
        if len(sample) >= limit:
            break
    iterator.close()
    return header, sample


def is_empty(cells) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)
