"""Files an attacker or a fuzzer sends: each is refused early and cheaply with a message
naming the limit, or read in its own encoding; none becomes mojibake silently.

Memory is measured with tracemalloc (allocation sizes, not time): a refused file costs
about the row length limit, never the size of what it would have become."""

import io
import struct
import tracemalloc
import zipfile
import zlib
from contextlib import contextmanager

import pytest

from comptoir.core.records.values import base_queryset
from comptoir.imports import services
from comptoir.imports.models import Import, ImportState
from comptoir.imports.tests.helpers import csv_bytes, run_import, upload, xlsx_bytes

pytestmark = pytest.mark.django_db

SHEET = "xl/worksheets/sheet1.xml"
XML_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


@contextmanager
def peak_memory():
    """The largest amount of memory Python held at once inside the block."""
    measured = {}
    tracemalloc.start()
    try:
        yield measured
    finally:
        measured["peak"] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()


def refused(user, data: bytes, name="contacts.csv") -> str:
    before = Import.objects.count()
    with pytest.raises(services.ImportProblem) as caught:
        upload(user, data, name)
    assert Import.objects.count() == before
    return str(caught.value)


def inline_row(number: int, values) -> bytes:
    cells = "".join(f'<c t="inlineStr"><is><t>{v}</t></is></c>' for v in values)
    return f'<row r="{number}">{cells}</row>'.encode()


def workbook_with_sheet(sheet_xml: bytes) -> bytes:
    """A real workbook (written by openpyxl) whose first sheet is replaced."""
    return rezip(xlsx_bytes({"Contacts": [["Email"]]}), {SHEET: sheet_xml})


def rezip(data: bytes, replaced: dict) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = replaced.get(info.filename, src.read(info.filename))
            dst.writestr(info.filename, body, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def zip_with_deflated(members: list) -> bytes:
    """A ZIP file from (name, deflated bytes, crc32, unpacked size): how a zip bomb is
    written without deflating its gigabyte."""
    out, directory = io.BytesIO(), []
    for name, raw, crc, size in members:
        offset = out.tell()
        encoded = name.encode()
        out.write(
            struct.pack(
                "<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 33, crc, len(raw), size, len(encoded), 0
            )
        )
        out.write(encoded + raw)
        directory.append(
            struct.pack(
                "<4s6H3L5H2L",
                b"PK\x01\x02",
                20,
                20,
                0,
                8,
                0,
                33,
                crc,
                len(raw),
                size,
                len(encoded),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + encoded
        )
    start = out.tell()
    out.write(b"".join(directory))
    out.write(
        struct.pack(
            "<4s4H2LH",
            b"PK\x05\x06",
            0,
            0,
            len(members),
            len(members),
            out.tell() - start,
            start,
            0,
        )
    )
    return out.getvalue()


def bomb_sheet(megabytes: int) -> tuple[bytes, int, int]:
    """A sheet whose one row holds `megabytes` MiB of cells, deflated once and repeated:
    (deflated bytes, crc32, unpacked size)."""
    cell = b'<c t="inlineStr"><is><t>x</t></is></c>'
    piece = cell * (1024 * 1024 // len(cell))
    head, tail = XML_HEAD + b'<sheetData><row r="1">', b"</row></sheetData></worksheet>"
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    raw = deflate.compress(head) + deflate.flush(zlib.Z_FULL_FLUSH)
    # After a full flush the next blocks refer to nothing before them: they can repeat.
    block = deflate.compress(piece) + deflate.flush(zlib.Z_FULL_FLUSH)
    raw += block * megabytes + deflate.compress(tail) + deflate.flush()
    crc = zlib.crc32(head)
    for _ in range(megabytes):
        crc = zlib.crc32(piece, crc)
    crc = zlib.crc32(tail, crc)
    return raw, crc, len(head) + len(piece) * megabytes + len(tail)


def bomb_workbook(megabytes: int) -> bytes:
    with zipfile.ZipFile(io.BytesIO(xlsx_bytes({"Contacts": [["Email"]]}))) as real:
        members = [
            (
                i.filename,
                _deflated(real.read(i.filename)),
                zlib.crc32(real.read(i.filename)),
                i.file_size,
            )
            for i in real.infolist()
            if i.filename != SHEET
        ]
    return zip_with_deflated([*members, (SHEET, *bomb_sheet(megabytes))])


def _deflated(data: bytes) -> bytes:
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    return deflate.compress(data) + deflate.flush()


# -- columns and rows ------------------------------------------------------------------------


def test_a_million_columns_csv_is_refused_holding_at_most_the_row_limit(importer_user):
    data = b",".join([b"c"] * 1_000_000) + b"\r\nx\r\n"
    with peak_memory() as memory:
        message = refused(importer_user, data)
    assert message == "line 1 is longer than 1,048,576 characters, the most Comptoir reads"
    # One row's worth of text (the limit), not a million columns of header and mapping.
    assert memory["peak"] < 12 * 1024**2


def test_more_columns_than_the_limit_are_refused_the_limit_itself_is_read(importer_user):
    header = [f"Column {i}" for i in range(1000)]
    imp = upload(importer_user, csv_bytes([header, ["x"] * 1000]))
    assert len(imp.header) == 1000
    message = refused(importer_user, csv_bytes([[*header, "One more"], ["x"]]), "wide.csv")
    assert message == "line 1 has more than 1,000 columns, the most Comptoir imports"
    # Trailing empty cells (a spreadsheet's formatting) are not columns.
    imp = upload(importer_user, b"Email,Name" + b"," * 5000 + b"\r\na@example.com,Ana\r\n")
    assert imp.header[:2] == ["Email", "Name"]


def test_a_row_longer_than_the_limit_is_refused_even_when_split_over_lines(importer_user, settings):
    settings.COMPTOIR_IMPORT_MAX_ROW_LENGTH = 200
    note = "\n".join(["a" * 50] * 5)  # every line is short, the row is not
    message = refused(importer_user, csv_bytes([["Email", "Notes"], ["a@example.com", note]]))
    assert message == "line 2 is longer than 200 characters, the most Comptoir reads"


def test_rows_past_the_limit_stop_the_import_with_the_limit_named(importer_user, settings):
    settings.COMPTOIR_IMPORT_MAX_ROWS = 10
    rows = [["Email"]] + [[f"c{i}@example.com"] for i in range(20)]
    imp = run_import(upload(importer_user, csv_bytes(rows)))
    assert imp.state == ImportState.FAILED
    assert imp.error_message == (
        "The file could not be read: the file has more than 10 rows: split it into smaller files"
    )
    # Rows, not lines: a note over three lines is one row.
    rows = [["Email", "Notes"]] + [[f"n{i}@example.com", "a\nb\nc"] for i in range(9)]
    imp = run_import(upload(importer_user, csv_bytes(rows), name="notes.csv"))
    assert (imp.state, imp.created) == (ImportState.DONE, 9)


def test_a_16k_column_xlsx_is_refused(importer_user):
    data = xlsx_bytes({"Contacts": [[f"c{i}" for i in range(16384)], ["x"] * 16384]})
    message = refused(importer_user, data, "wide.xlsx")
    assert message == "line 1 has more than 1,000 columns, the most Comptoir imports"


def test_xlsx_rows_are_as_wide_as_the_header_whatever_the_dimension_says(importer_user, settings):
    """A dimension of A1:XFD1048576 made openpyxl pad every row to 16,384 cells; a row far
    down made it yield every empty row in between."""
    sheet = (
        XML_HEAD
        + b'<dimension ref="A1:XFD1048576"/><sheetData>'
        + inline_row(1, ["Email", "First name"])
        + inline_row(2, ["ana@example.com", "Ana", "beyond the header"])
        + b"</sheetData></worksheet>"
    )
    imp = upload(importer_user, workbook_with_sheet(sheet), "contacts.xlsx")
    assert imp.header == ["Email", "First name"]
    imp = run_import(imp)
    assert (imp.state, imp.created) == (ImportState.DONE, 1)

    settings.COMPTOIR_IMPORT_MAX_ROWS = 1000
    far = sheet.replace(
        b"</sheetData>", inline_row(50_000_000, ["far@example.com"]) + b"</sheetData>"
    )
    message = refused(importer_user, workbook_with_sheet(far), "far.xlsx")
    assert message == "the file has more than 1,000 rows: split it into smaller files"


# -- XLSX zip bombs and damaged workbooks ------------------------------------------------------


def test_a_one_gigabyte_zip_bomb_is_refused_from_its_directory(importer_user, tmp_path):
    data = bomb_workbook(1024)
    assert len(data) < 5 * 1024**2
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.getinfo(SHEET).file_size > 10**9
        with archive.open(SHEET) as sheet:  # a real, readable bomb
            assert sheet.read(200).startswith(XML_HEAD)
    with peak_memory() as memory:
        message = refused(importer_user, data, "bomb.xlsx")
    assert message == "the workbook unpacks to more than 512.0\xa0MB, the most Comptoir reads"
    assert memory["peak"] < 2 * 1024**2  # only the ZIP directory was read


def test_a_part_compressed_like_a_zip_bomb_is_refused(importer_user):
    message = refused(importer_user, bomb_workbook(64), "bomb.xlsx")
    assert message == (
        f"the workbook's part {SHEET} is compressed more than 100 to 1, as only zip bombs "
        "are: it is not read"
    )


def test_a_workbook_unpacking_past_the_limit_is_refused(importer_user, settings):
    settings.COMPTOIR_IMPORT_MAX_UNPACKED = 64 * 1024
    rows = [["Email", "Name"]] + [[f"user{i}@example.com", f"User {i}"] for i in range(2000)]
    message = refused(importer_user, xlsx_bytes({"Contacts": rows}), "big.xlsx")
    assert message == "the workbook unpacks to more than 64.0\xa0KB, the most Comptoir reads"


def test_damaged_and_hostile_workbooks_are_refused_never_a_500(importer_user):
    many = io.BytesIO()
    with zipfile.ZipFile(many, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for i in range(1001):
            archive.writestr(f"part{i}", "")
    assert refused(importer_user, many.getvalue(), "many.xlsx") == (
        "the workbook has more than 1,000 parts: it is not a spreadsheet"
    )
    # An end record may lie about the count: the directory's size tells.
    lying = io.BytesIO()
    with zipfile.ZipFile(lying, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for i in range(25_000):
            archive.writestr(f"p{i}", "")
    data = bytearray(lying.getvalue())
    struct.pack_into("<HH", data, data.rfind(b"PK\x05\x06") + 8, 5, 5)
    assert refused(importer_user, bytes(data), "lying.xlsx") == (
        "the workbook has more than 1,000 parts: it is not a spreadsheet"
    )
    truncated = XML_HEAD + b"<sheetData>" + inline_row(1, ["Email"]) + b"<row r="
    assert refused(importer_user, workbook_with_sheet(truncated), "cut.xlsx").startswith(
        "the workbook is damaged ("
    )
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">'
        + b"".join(
            f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'.encode() for i in range(9)
        )
        + b']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c t="inlineStr"><is><t>&j;</t></is></c></row></sheetData>'
        b"</worksheet>"
    )
    with peak_memory() as memory:
        message = refused(importer_user, workbook_with_sheet(laughs), "laughs.xlsx")
    assert message.startswith("the workbook is damaged (")
    assert memory["peak"] < 64 * 1024**2


# -- binary files ------------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (PNG, "contacts.csv", "the file is a PNG image, not a CSV file"),
        (
            b"\xff\xd8\xff\xe0\x00\x10JFIF",
            "contacts.csv",
            "the file is a JPEG image, not a CSV file",
        ),
        (
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
            "contacts.csv",
            "the file is a PDF document, not a CSV file",
        ),
        (PNG, "contacts.xlsx", "the file is a PNG image, not an XLSX workbook"),
        (
            b"Email,Name\r\n" + bytes(range(256)) * 64,  # no magic number, all bytes
            "contacts.csv",
            "the file is binary (full of control bytes such as NUL), not a CSV file",
        ),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512),
            "contacts.csv",
            "the file is an Excel 97-2003 workbook (.xls) or a workbook protected by a password: "
            "save it as XLSX without a password, or as CSV",
        ),
        (
            b"Email\r\nx\r\n",
            "contacts.xlsx",
            "the file is not an XLSX workbook (XLSX files are ZIP archives)",
        ),
    ],
    ids=["png", "jpeg", "pdf", "png-as-xlsx", "control-bytes", "xls", "text-as-xlsx"],
)
def test_binary_files_are_refused_naming_what_they_are(importer_user, data, name, message):
    assert refused(importer_user, data, name) == message


def test_zip_files_are_told_apart(importer_user):
    plain = io.BytesIO()
    with zipfile.ZipFile(plain, "w") as archive:
        archive.writestr("contacts.csv", "Email\r\na@example.com\r\n")
    assert refused(importer_user, plain.getvalue(), "contacts.csv") == (
        "the file is a ZIP archive, not a CSV file"
    )
    assert refused(importer_user, plain.getvalue(), "contacts.xlsx") == (
        "the file is a ZIP archive but not an XLSX workbook"
    )
    workbook = xlsx_bytes({"Contacts": [["Email"], ["a@example.com"]]})
    assert refused(importer_user, workbook, "contacts.csv") == (
        "the file is an XLSX workbook: give its name the .xlsx extension"
    )


def test_a_file_larger_than_the_limit_is_refused_before_it_is_stored(
    importer_user, settings, tmp_path
):
    settings.COMPTOIR_IMPORT_MAX_FILE_SIZE = 1000
    rows = [["Email"]] + [[f"user{i}@example.com"] for i in range(100)]
    message = refused(importer_user, csv_bytes(rows))
    assert message == "the file is larger than 1000\xa0bytes, the most Comptoir imports in one file"
    stored = tmp_path / "media" / "imports"
    assert not stored.exists() or not any(stored.rglob("*.csv"))


# -- encodings ---------------------------------------------------------------------------------


def _names_file(encode) -> bytes:
    rows = ["Email,First name"] + [f"c{i}@example.com,Élise" for i in range(30)]
    return "\r\n".join(rows).encode("utf-8") if encode is None else encode(rows)


def test_utf8_with_a_few_bad_bytes_is_refused_with_their_lines(importer_user):
    """Read as Latin-1 before: "Élise" became "Ã‰lise" on every line, without a word."""
    lines = _names_file(None).split(b"\r\n")
    lines[6] = lines[6].replace("É".encode(), b"\xc9")  # one Latin-1 É on line 7
    lines[22] = lines[22] + b" \xff"
    data = b"\r\n".join(lines)
    message = refused(importer_user, data)
    assert message == (
        "the file is UTF-8 except for bytes on lines 7, 23, which are not: correct these lines "
        "or save the file again as UTF-8"
    )
    assert refused(importer_user, b"\xef\xbb\xbf" + data).startswith(
        "the file is UTF-8 except for bytes on lines 7, 23"
    )


@pytest.mark.parametrize(
    ("codec", "prefix", "detected"),
    [
        ("utf-16-le", b"\xff\xfe", "utf-16"),
        ("utf-16-be", b"\xfe\xff", "utf-16"),
        ("utf-16-le", b"", "utf-16-le"),
        ("utf-16-be", b"", "utf-16-be"),
        ("utf-32-le", b"\xff\xfe\x00\x00", "utf-32"),
    ],
    ids=["utf16-le-bom", "utf16-be-bom", "utf16-le", "utf16-be", "utf32-bom"],
)
def test_utf16_and_utf32_files_are_read_in_their_encoding(importer_user, codec, prefix, detected):
    """Excel's "Unicode text" is UTF-16 LE with a BOM and tabs; both were read as Latin-1."""
    data = prefix + "Email\tFirst name\r\nelise@example.com\tÉlise\r\n".encode(codec)
    imp = upload(importer_user, data)
    assert (imp.encoding, imp.delimiter, imp.header) == (detected, "tab", ["Email", "First name"])
    imp = run_import(imp)
    assert base_queryset("contacts").get().firstname == "Élise"


def test_a_utf16_file_with_broken_bytes_is_refused(importer_user):
    data = b"\xff\xfe" + "Email\r\nelise@example.com\r\n".encode("utf-16-le") + b"\x00\xd8A"
    assert refused(importer_user, data) == (
        "the file is not valid utf-16 near line 3: choose another encoding"
    )


@pytest.mark.parametrize(
    ("codec", "detected"),
    [("windows-1252", "windows-1252"), ("mac-roman", "mac-roman")],
)
def test_legacy_files_are_read_in_the_encoding_charset_normalizer_finds(
    importer_user, codec, detected
):
    rows = [["Email", "Prénom", "Ville"]] + [
        [f"c{i}@example.fr", "Zoé", "Besançon"] for i in range(20)
    ]
    imp = upload(importer_user, csv_bytes(rows, encoding=codec))
    assert imp.encoding == detected
    assert imp.header == ["Email", "Prénom", "Ville"]


def test_a_chosen_encoding_that_does_not_fit_says_so_on_the_setup_page(client, importer_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(importer_user)
    data = csv_bytes([["Email", "Prénom"], ["a@example.com", "Zoé"]])
    client.post("/imports/new/", {"file": SimpleUploadedFile("f.csv", data)})
    imp = Import.objects.get()
    page = client.post(f"/imports/{imp.pk}/setup/", {"encoding": "utf-16"}).content.decode()
    assert "the file is not valid utf-16 near line 1: choose another encoding" in page


def test_refusals_on_the_upload_page_in_english_and_french(client, importer_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from comptoir.users.models import User

    client.force_login(importer_user)
    wide = csv_bytes([[f"c{i}" for i in range(1001)]])
    page = client.post("/imports/new/", {"file": SimpleUploadedFile("f.csv", wide)})
    assert (
        "The file could not be read: line 1 has more than 1,000 columns, the most Comptoir "
        "imports" in page.content.decode()
    )
    User.objects.filter(pk=importer_user.pk).update(language="fr")
    page = client.post("/imports/new/", {"file": SimpleUploadedFile("f.csv", wide)})
    assert (
        "Le fichier n&#x27;a pas pu être lu : la ligne 1 a plus de 1\xa0000 colonnes, le "
        "maximum qu&#x27;importe Comptoir" in page.content.decode()
    )
    page = client.post("/imports/new/", {"file": SimpleUploadedFile("f.csv", PNG)})
    assert "le fichier est une image PNG, pas un fichier CSV" in page.content.decode()
    assert not Import.objects.exists()


@pytest.mark.django_db
def test_the_api_answers_400_with_hubspots_error_body(hubspot, tmp_path, settings):
    import json

    from hubspot.crm.imports import ApiException

    settings.COMPTOIR_IMPORT_MAX_COLUMNS = 3
    request = {
        "name": "Hostile",
        "files": [
            {
                "fileName": "contacts.csv",
                "fileFormat": "CSV",
                "fileImportPage": {
                    "hasHeader": True,
                    "columnMappings": [
                        {
                            "columnObjectTypeId": "0-1",
                            "columnName": "Email",
                            "propertyName": "email",
                        }
                    ],
                },
            }
        ],
    }
    bad_utf8 = "Email,First name\r\na@example.com,Élise\r\nb@example.com,Zoé\r\n".encode()
    cases = {
        PNG: "the file is a PNG image, not a CSV file",
        bad_utf8.replace("Zoé".encode(), b"Zo\xe9"): (
            "the file is UTF-8 except for bytes on lines 3, which are not: correct these "
            "lines or save the file again as UTF-8"
        ),
        b"Email,a,b,c\r\nx@example.com,1,2,3\r\n": (
            "line 1 has more than 3 columns, the most Comptoir imports"
        ),
    }
    for data, message in cases.items():
        path = tmp_path / "contacts.csv"
        path.write_bytes(data)
        with pytest.raises(ApiException) as caught:
            hubspot.crm.imports.core_api.create(files=str(path), import_request=json.dumps(request))
        assert caught.value.status == 400
        body = json.loads(caught.value.body)
        assert (body["status"], body["category"]) == ("error", "VALIDATION_ERROR")
        assert body["message"] == f"The file could not be read: {message}"
    assert not Import.objects.exists()
