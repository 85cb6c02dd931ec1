"""What an uploaded file is, found from its content and never from its name (TOOL-4).

A file whose first bytes say PDF is opened with pypdf: a corrupt one, one that needs a
password, or one without pages is refused. Executables and web pages are refused (a shared
link must never serve a program or a page running script); any other file is kept as a
download. The name is cleaned for display only: the storage name is made up here."""

import re
import unicodedata
import uuid
from dataclasses import dataclass

from django.utils.translation import gettext as _
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from comptoir.core.inputs import storable

MAX_PAGES = 2000
MAX_NAME = 200
HEAD = 1024

# (first bytes, content type); the first that matches wins.
SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"PK\x03\x04", "application/zip"),  # also docx, xlsx, pptx, odt...
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"),  # doc, xls, ppt
)
REFUSED = (
    b"MZ",  # Windows programs
    b"\x7fELF",  # Linux programs
    b"\xcf\xfa\xed\xfe",  # macOS programs
    b"\xfe\xed\xfa\xcf",
    b"#!",  # scripts
)
MARKUP = re.compile(rb"^\s*(<!doctype html|<html|<script|<svg|<\?xml)", re.IGNORECASE)
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


class FileRefused(ValueError):
    """The upload's problem, for the file field."""


@dataclass
class Checked:
    content_type: str
    is_pdf: bool
    page_count: int


def clean_name(raw: str) -> str:
    """A file name fit to show: no directories, control characters or path separators."""
    name = unicodedata.normalize("NFC", str(raw or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub(" ", name).strip(" .")
    if not storable(name):
        name = "".join(ch for ch in name if storable(ch))
    return name[:MAX_NAME] or _("document")


def storage_name(file_name: str) -> str:
    """The storage name: a random directory and an ASCII name (the original is shown)."""
    ascii_name = unicodedata.normalize("NFKD", file_name).encode("ascii", "ignore").decode("ascii")
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_name).strip("-.")[:80] or "document"
    return f"documents/{uuid.uuid4().hex}/{ascii_name}"


def _head(upload) -> bytes:
    upload.seek(0)
    head = upload.read(HEAD)
    upload.seek(0)
    return head


def check(upload, max_bytes: int) -> Checked:
    """What the upload is; FileRefused with the reason otherwise."""
    size = upload.size or 0
    if size > max_bytes:
        raise FileRefused(
            _("This file weighs %(size)s; the limit is %(limit)s.")
            % {"size": human_size(size), "limit": human_size(max_bytes)}
        )
    if size == 0:
        raise FileRefused(_("This file is empty."))
    head = _head(upload)
    if any(head.startswith(magic) for magic in REFUSED) or MARKUP.match(head):
        raise FileRefused(_("Programs, scripts and web pages cannot be shared as documents."))
    # A PDF may have a few bytes before its header (readers accept up to 1 KB).
    if b"%PDF-" in head:
        return Checked("application/pdf", True, _pdf_pages(upload))
    if (clean_name(getattr(upload, "name", "")).lower()).endswith(".pdf"):
        raise FileRefused(_("This file is named like a PDF but its content is not a PDF."))
    for magic, content_type in SIGNATURES:
        if head.startswith(magic):
            return Checked(content_type, False, 0)
    try:
        head.decode("utf-8")
        content_type = "text/plain"
    except UnicodeDecodeError:
        content_type = "application/octet-stream"
    return Checked(content_type, False, 0)


def _pdf_pages(upload) -> int:
    upload.seek(0)
    try:
        reader = PdfReader(upload, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise FileRefused(
                _("This PDF is protected by a password: remove the protection and upload it again.")
            )
        count = len(reader.pages)
        if count:
            reader.pages[0].mediabox  # noqa: B018 (reading the first page proves it is whole)
    except FileRefused:
        raise
    except (
        PyPdfError,
        ValueError,
        TypeError,
        KeyError,
        AttributeError,
        IndexError,
        OSError,
        RecursionError,
        NotImplementedError,
    ) as exc:
        raise FileRefused(
            _("This PDF is damaged and cannot be read (%(reason)s).")
            % {"reason": str(exc)[:120] or type(exc).__name__}
        ) from None
    finally:
        upload.seek(0)
    if count == 0:
        raise FileRefused(_("This PDF has no page."))
    if count > MAX_PAGES:
        raise FileRefused(_("This PDF has more than %(n)d pages.") % {"n": MAX_PAGES})
    return count


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return _("%(n)s MB") % {"n": f"{size / (1024 * 1024):.1f}".rstrip("0").rstrip(".")}
    if size >= 1024:
        return _("%(n)d KB") % {"n": round(size / 1024)}
    return _("%(n)d bytes") % {"n": size}
