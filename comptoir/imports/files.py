"""Reading import files as a stream: CSV in any of the encodings spreadsheets write, and
XLSX through openpyxl's read-only mode. Memory stays bounded whatever the file size:
rows are yielded one at a time and never collected.

Hostile files are refused before they cost anything, each with a message naming the limit
(settings COMPTOIR_IMPORT_MAX_*): more columns than the limit, a row longer than the limit
(checked while reading, before the CSV parser holds it), more rows than a spreadsheet has,
a workbook whose ZIP directory says it unpacks to too much or is compressed like a zip
bomb, binary files (images, PDF, archives, or full of control bytes such as NUL; a stray
NUL in a text file fails its own row only, as any value no column can hold).

Encodings are found per file and never guessed silently into mojibake: a byte order mark
says it (UTF-8, UTF-16, UTF-32); else NUL bytes in every other place mean UTF-16 without
one; else the file is UTF-8 when all of it decodes as such; a file that is mostly UTF-8
with a few bad bytes is refused with the lines to fix (reading it as Latin-1 would turn
every accent into "Ã©", replacing the bad bytes would lose letters without saying where);
a file with no UTF-8 at all is a legacy one, and charset-normalizer chooses between
Windows-1252, Latin-1 and Mac Roman."""

import codecs
import csv
import io
import re
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from comptoir.imports.formulas import unguard

ENCODINGS = (
    "utf-8-sig",
    "utf-8",
    "utf-16",
    "utf-16-le",
    "utf-16-be",
    "utf-32",
    "windows-1252",
    "iso-8859-1",
    "mac-roman",
)
DELIMITERS = {",": ",", ";": ";", "tab": "\t"}
SAMPLE = 64 * 1024
CHUNK = 1024 * 1024
# Bytes 0x80-0x9F are printable in Windows-1252 except these five, undefined there.
_CP1252_UNDEFINED = (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")
# charset-normalizer's names of the legacy encodings it chooses from → ours.
_LEGACY = {"cp1252": "windows-1252", "latin_1": "iso-8859-1", "mac_roman": "mac-roman"}
# Order matters: a UTF-32 LE mark starts with the UTF-16 LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_KINDS = (
    (b"\x89PNG", _lazy("a PNG image")),
    (b"\xff\xd8\xff", _lazy("a JPEG image")),
    (b"GIF8", _lazy("a GIF image")),
    (b"%PDF", _lazy("a PDF document")),
    (b"\x1f\x8b", _lazy("a gzip archive")),
    (b"PK\x03\x04", _lazy("a ZIP archive")),
    (b"PK\x05\x06", _lazy("a ZIP archive")),
)
# Control bytes text never holds (tab, line feed, vertical tab, form feed, carriage return
# and Ctrl-Z, which old DOS files end with, are left out).
_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x1A), *range(0x1B, 0x20)])
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and XLSX files with a password
_ESCAPED = re.compile(r"[\udc80-\udcff]")  # bytes that are not UTF-8, once surrogate-escaped
BAD_LINES_SHOWN = 10
# A real workbook has a few dozen parts; Apache POI refuses more than 1,000 too.
MAX_WORKBOOK_PARTS = 1000
# Parts this small may be compressed any amount (POI also spares small entries).
RATIO_GRACE = 1024 * 1024

# The row length limit (COMPTOIR_IMPORT_MAX_ROW_LENGTH) bounds every field.
csv.field_size_limit(2**31 - 1)


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


def import_limit(name: str) -> int:
    """A COMPTOIR_IMPORT_MAX_* setting (read at each use, so tests and admins may change it)."""
    return getattr(settings, f"COMPTOIR_IMPORT_MAX_{name}")


def _count(number: int) -> str:
    return number_format(number, force_grouping=True)


def file_format(name: str) -> str:
    return "SPREADSHEET" if Path(name).suffix.lower() in (".xlsx", ".xlsm") else "CSV"


def check_size(size: int) -> None:
    if size > import_limit("FILE_SIZE"):
        raise FileProblem(
            _("the file is larger than %(limit)s, the most Comptoir imports in one file")
            % {"limit": filesizeformat(import_limit("FILE_SIZE"))}
        )


# -- what a file is ------------------------------------------------------------------------


def _refuse_binary(head: bytes, *, expected: str) -> None:
    """Refuse a file whose first bytes say it is not text (the magic numbers of images,
    documents and archives)."""
    if head.startswith(_OLE2):
        raise FileProblem(
            _(
                "the file is an Excel 97-2003 workbook (.xls) or a workbook protected by a "
                "password: save it as XLSX without a password, or as CSV"
            )
        )
    for magic, kind in _KINDS:
        if head.startswith(magic):
            if expected == "XLSX":
                message = _("the file is %(kind)s, not an XLSX workbook")
            else:
                message = _("the file is %(kind)s, not a CSV file")
            raise FileProblem(message % {"kind": kind})


def _is_binary(head: bytes) -> bool:
    """More control bytes (NUL and the others text never holds) than a text file has: over
    1% of the first 64 KB, and more than a few stray ones."""
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return controls > 16 and controls * 100 > len(head)


# -- encodings -----------------------------------------------------------------------------


def detect_encoding(path) -> str:
    """The file's encoding, or FileProblem when it is binary or mixes UTF-8 with other
    bytes (see the module's docstring)."""
    with open(path, "rb") as handle:
        head = handle.read(SAMPLE)
    if head.startswith(b"PK\x03\x04") and _is_workbook(path):
        raise FileProblem(_("the file is an XLSX workbook: give its name the .xlsx extension"))
    _refuse_binary(head, expected="CSV")
    encoding = next((name for bom, name in _BOMS if head.startswith(bom)), None)
    if encoding is None and b"\x00" in head:
        encoding = _utf16_without_bom(head)
    if encoding is None and _is_binary(head):
        raise FileProblem(
            _("the file is binary (full of control bytes such as NUL), not a CSV file")
        )
    if encoding in (None, "utf-8-sig"):
        return _utf8_or_legacy(path, bom=encoding is not None)
    _check_decodes(path, encoding)
    return encoding


def _utf16_without_bom(head: bytes) -> str | None:
    """UTF-16 LE or BE when the NUL bytes of the first kilobytes are the high halves of
    Latin characters, all in even or all in odd places."""
    head = head[: len(head) // 2 * 2]
    pairs = max(1, len(head) // 2)
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if odd > pairs * 0.3 and even <= odd * 0.05:
        return "utf-16-le"
    if even > pairs * 0.3 and odd <= even * 0.05:
        return "utf-16-be"
    return None


def _check_decodes(path, encoding: str) -> None:
    """The whole file decodes (strictly)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    line = 1
    with open(path, "rb") as handle:
        while True:
            chunk = handle.read(CHUNK)
            try:
                text = decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError:
                raise _not_valid(encoding, line) from None
            line += text.count("\n")
            if not chunk:
                return


def _not_valid(encoding: str, line: int) -> FileProblem:
    return FileProblem(
        _("the file is not valid %(encoding)s near line %(line)s: choose another encoding")
        % {"encoding": encoding, "line": _count(line)}
    )


def _utf8_or_legacy(path, *, bom: bool) -> str:
    """UTF-8 when every byte is; a refusal naming the lines when most non-ASCII bytes are
    UTF-8 but some are not (or the file says UTF-8 with a BOM); else a legacy encoding."""
    scan = _Utf8Scan()
    with open(path, "rb") as handle:
        if bom:
            handle.read(len(codecs.BOM_UTF8))
        scan.run(handle)
    if not scan.bad:
        return "utf-8-sig" if bom else "utf-8"
    if bom or scan.multibyte >= scan.bad:
        lines = ", ".join(_count(n) for n in scan.bad_lines)
        if len(scan.bad_lines) >= BAD_LINES_SHOWN:
            lines += ", …"
        raise FileProblem(
            _(
                "the file is UTF-8 except for bytes on lines %(lines)s, which are not: "
                "correct these lines or save the file again as UTF-8"
            )
            % {"lines": lines}
        )
    return _legacy_encoding(scan.sample, cp1252=not scan.cp1252_undefined)


class _Utf8Scan:
    """One pass over a file: bytes that are not UTF-8 (how many, on which lines), valid
    non-ASCII UTF-8 characters, and a sample of the lines holding
    non-ASCII bytes for charset-normalizer."""

    def __init__(self):
        self.bad = self.multibyte = 0
        self.bad_lines: list[int] = []
        self.sample = bytearray()
        self.cp1252_undefined = False

    def run(self, handle) -> None:
        carry, line = b"", 1
        while True:
            chunk = handle.read(CHUNK)
            data = carry + chunk
            text, used = codecs.utf_8_decode(data, "surrogateescape", not chunk)
            carry = data[used:]
            if not text.isascii():
                self._count(text, line)
                if len(self.sample) < SAMPLE:
                    self._keep_sample(data[:used])
                if not self.cp1252_undefined:
                    self.cp1252_undefined = any(b in chunk for b in _CP1252_UNDEFINED)
            line += text.count("\n")
            if not chunk:
                return

    def _count(self, text: str, first_line: int) -> None:
        non_ascii = len(text) - len(text.encode("ascii", "ignore"))
        bad = len(_ESCAPED.findall(text))
        self.bad += bad
        self.multibyte += non_ascii - bad
        if not bad or len(self.bad_lines) >= BAD_LINES_SHOWN:
            return
        line, position = first_line, 0
        for match in _ESCAPED.finditer(text):
            line += text.count("\n", position, match.start())
            position = match.start()
            if not self.bad_lines or self.bad_lines[-1] != line:
                self.bad_lines.append(line)
                if len(self.bad_lines) >= BAD_LINES_SHOWN:
                    return

    def _keep_sample(self, data: bytes) -> None:
        for raw_line in data.split(b"\n"):
            if not raw_line.isascii():
                self.sample += raw_line + b"\n"
                if len(self.sample) >= SAMPLE:
                    return


def _legacy_encoding(sample: bytes, *, cp1252: bool) -> str:
    """Windows-1252 (Excel on Windows), Latin-1, or Mac Roman (Excel's "CSV Macintosh"),
    as charset-normalizer finds the sample's non-ASCII lines read best."""
    from charset_normalizer import from_bytes

    candidates = [name for name in _LEGACY if cp1252 or name != "cp1252"]
    best = from_bytes(bytes(sample), cp_isolation=candidates).best()
    if best is not None and best.encoding in _LEGACY:
        return _LEGACY[best.encoding]
    return "windows-1252" if cp1252 else "iso-8859-1"


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


# -- workbooks -----------------------------------------------------------------------------


def sheet_names(path) -> list[str]:
    workbook = _open_workbook(path)
    try:
        return list(workbook.sheetnames)
    finally:
        workbook.close()


def _is_workbook(path) -> bool:
    if not _small_directory(path):
        return False
    try:
        with zipfile.ZipFile(path) as archive:
            return "[Content_Types].xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def check_workbook(path) -> None:
    """Refuse what openpyxl should never open, from the ZIP directory alone: not a ZIP,
    too many parts, more unpacked bytes than the limit, or a part compressed like a zip
    bomb. Python's zipfile never inflates a part beyond the size its directory declares
    (the CRC check fails), so the declared sizes bound what openpyxl can read."""
    with open(path, "rb") as handle:
        head = handle.read(8)
    if not head.startswith(b"PK\x03\x04"):
        _refuse_binary(head, expected="XLSX")
        raise FileProblem(_("the file is not an XLSX workbook (XLSX files are ZIP archives)"))
    if not _small_directory(path):
        raise FileProblem(
            _("the workbook has more than %(limit)s parts: it is not a spreadsheet")
            % {"limit": _count(MAX_WORKBOOK_PARTS)}
        )
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileProblem(_("the workbook is damaged (%(error)s)") % {"error": exc}) from None
    if not any(part.filename == "[Content_Types].xml" for part in parts):
        raise FileProblem(_("the file is a ZIP archive but not an XLSX workbook"))
    if sum(part.file_size for part in parts) > import_limit("UNPACKED"):
        raise FileProblem(
            _("the workbook unpacks to more than %(limit)s, the most Comptoir reads")
            % {"limit": filesizeformat(import_limit("UNPACKED"))}
        )
    for part in parts:
        if (
            part.file_size > RATIO_GRACE
            and part.file_size > import_limit("RATIO") * part.compress_size
        ):
            raise FileProblem(
                _(
                    "the workbook's part %(name)s is compressed more than %(ratio)s to 1, "
                    "as only zip bombs are: it is not read"
                )
                % {"name": part.filename, "ratio": _count(import_limit("RATIO"))}
            )


def _small_directory(path) -> bool:
    """Whether the end record of a ZIP file announces at most MAX_WORKBOOK_PARTS entries in
    a directory of at most 1 KB each, read before zipfile loads the whole directory into
    memory (ZIP64 files announce 0xFFFF entries: refused too)."""
    with open(path, "rb") as handle:
        handle.seek(0, 2)
        size = handle.tell()
        handle.seek(max(0, size - 22 - 65535))
        tail = handle.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return True  # no end record: zipfile itself says what is wrong
    entries, directory_size = struct.unpack_from("<HL", tail, at + 10)
    return entries <= MAX_WORKBOOK_PARTS and directory_size <= MAX_WORKBOOK_PARTS * 1024


def _open_workbook(path):
    from openpyxl import load_workbook

    check_workbook(path)
    try:
        return load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # anything openpyxl meets in a damaged or hostile file
        raise FileProblem(_("the workbook is damaged (%(error)s)") % {"error": exc}) from None


# -- rows ----------------------------------------------------------------------------------


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
        max_rows = import_limit("ROWS")
        for count, (line, cells) in enumerate(rows, start=1):
            if count > max_rows:
                raise FileProblem(
                    _("the file has more than %(limit)s rows: split it into smaller files")
                    % {"limit": _count(max_rows)}
                )
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


def _too_many_columns(line: int) -> FileProblem:
    return FileProblem(
        _("line %(line)s has more than %(limit)s columns, the most Comptoir imports")
        % {"line": _count(line), "limit": _count(import_limit("COLUMNS"))}
    )


class _RowTooLong(Exception):
    pass


class _LineBudget:
    """The text lines of a CSV file, read at most `size` characters at a time, refusing a
    row (which may span lines) longer than `size` before the CSV parser holds it."""

    def __init__(self, text, size: int):
        self.text, self.size, self.used = text, size, 0

    def __iter__(self):
        while line := self.text.readline(self.size + 1):
            self.used += len(line)
            if self.used > self.size:
                raise _RowTooLong
            yield line


def _csv_rows(reader_state, path, encoding, delimiter):
    max_columns = import_limit("COLUMNS")
    with open(path, "rb") as raw:
        reader_state._raw = raw
        text = io.TextIOWrapper(raw, encoding=encoding, newline="", errors="strict")
        lines = _LineBudget(text, import_limit("ROW_LENGTH"))
        reader = csv.reader(lines, delimiter=delimiter)
        line = 1
        try:
            for cells in reader:
                lines.used = 0
                if len(cells) > max_columns:
                    while cells and not cells[-1]:
                        cells.pop()
                    if len(cells) > max_columns:
                        raise _too_many_columns(line)
                yield line, [unguard(c) if c[:1] == "'" else c for c in cells]
                line = reader.line_num + 1
        except UnicodeDecodeError:
            raise _not_valid(encoding, line) from None
        except _RowTooLong:
            raise FileProblem(
                _("line %(line)s is longer than %(limit)s characters, the most Comptoir reads")
                % {"line": _count(line), "limit": _count(import_limit("ROW_LENGTH"))}
            ) from None
        except csv.Error as exc:
            raise FileProblem(
                _("line %(line)s: %(error)s") % {"line": _count(line), "error": exc}
            ) from None


def _xlsx_rows(reader_state, path, sheet):
    """The sheet's rows as wide as its first row (the header): cells further right are
    not read, and neither a wrong dimension in the file nor a row far down can make
    openpyxl pad rows to thousands of empty cells."""
    workbook = _open_workbook(path)
    try:
        if sheet and sheet not in workbook.sheetnames:
            raise FileProblem(_("the workbook has no sheet named %(sheet)s") % {"sheet": sheet})
        worksheet = workbook[sheet] if sheet else workbook.worksheets[0]
        reader_state._rows_total = worksheet.max_row or 0
        worksheet.reset_dimensions()
        max_columns = import_limit("COLUMNS")
        try:
            first = next(
                worksheet.iter_rows(max_row=1, max_col=max_columns + 1, values_only=True), ()
            )
            width = len(first)
            while width and first[width - 1] in (None, ""):
                width -= 1
            if width > max_columns:
                raise _too_many_columns(1)
            if not width:
                yield 1, []
                return
            for number, values in enumerate(
                worksheet.iter_rows(max_col=width, values_only=True), start=1
            ):
                yield number, ["" if v is None else v for v in values]
        except FileProblem:
            raise
        except Exception as exc:  # a damaged sheet: never a 500
            raise FileProblem(_("the workbook is damaged (%(error)s)") % {"error": exc}) from None
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
