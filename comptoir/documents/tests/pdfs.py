"""Test PDFs built with pypdf: pages with a line of text each, optionally encrypted,
optionally a web link on the first page (a "Link" annotation over a line of text), and
optionally lines of body text on the first page (Latin-1: French accents, no euro sign)."""

import io

from pypdf import PdfWriter
from pypdf.annotations import Link
from pypdf.generic import (
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
)

LINK_TEXT = "Voir nos tarifs"


def make_pdf(
    pages: int = 3,
    *,
    password: str | None = None,
    title: str = "Offre",
    link: str = "",
    lines: tuple[str, ...] = (),
) -> bytes:
    writer = PdfWriter()
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
            NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
        }
    )
    font_ref = writer._add_object(font)
    for n in range(1, pages + 1):
        page = writer.add_blank_page(width=595, height=842)
        stream = DecodedStreamObject()
        text = f"BT /F1 36 Tf 72 740 Td ({title} - page {n}) Tj ET "
        if link and n == 1:
            text += f"BT /F1 24 Tf 72 660 Td ({LINK_TEXT}) Tj ET "
        if n == 1:
            for i, line in enumerate(lines):
                escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
                text += f"BT /F1 14 Tf 72 {680 - 24 * i} Td ({escaped}) Tj ET "
        stream.set_data(f"{text}0.1 0.5 0.5 rg 72 100 451 {200 + 40 * n} re f".encode("latin-1"))
        page[NameObject("/Contents")] = writer._add_object(stream)
        page[NameObject("/Resources")] = DictionaryObject(
            {
                NameObject("/Font"): DictionaryObject({NameObject("/F1"): font_ref}),
            }
        )
    if link:
        writer.add_annotation(page_number=0, annotation=Link(rect=(66, 650, 300, 690), url=link))
    if password is not None:
        writer.encrypt(user_password=password, owner_password=password + "-owner")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
