"""Small, valid files built in code: the demo library's documents and the tests' samples.

- PDF: WeasyPrint from simple HTML (``pdf_from_html``), or a tiny hand-written PDF (``minimal_pdf``).
- DOCX and ODT: the ZIP containers written directly (the parts a word processor needs to open them).
- XLSX: openpyxl.
"""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape

_DOCX_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="{main}"/>
</Types>"""
_DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
_DOCX_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" \
Target="word/document.xml"/>
</Relationships>"""
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _docx_paragraph(text: str, style: str = "") -> str:
    bold = "<w:rPr><w:b/><w:sz w:val='32'/></w:rPr>" if style == "heading" else ""
    return f"<w:p><w:r>{bold}<w:t xml:space='preserve'>{escape(text)}</w:t></w:r></w:p>"


def docx_bytes(title: str, paragraphs: list[str], *, macro_enabled: bool = False) -> bytes:
    """A Word document (or, for tests, a macro-enabled .docm) with a heading and paragraphs."""
    body = _docx_paragraph(title, "heading") + "".join(_docx_paragraph(p) for p in paragraphs)
    document = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{_W}">'
        f"<w:body>{body}<w:sectPr/></w:body></w:document>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        main = _DOCM_MAIN if macro_enabled else _DOCX_MAIN
        archive.writestr("[Content_Types].xml", _DOCX_CONTENT_TYPES.format(main=main))
        archive.writestr("_rels/.rels", _DOCX_RELS)
        archive.writestr("word/document.xml", document)
        if macro_enabled:
            archive.writestr("word/vbaProject.bin", b"\x00" * 64)
    return buffer.getvalue()


def odt_bytes(title: str, paragraphs: list[str]) -> bytes:
    """An OpenDocument text file: ``mimetype`` first and stored, as the format requires."""
    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    )
    body = "".join(f"<text:p>{escape(p)}</text:p>" for p in [title, *paragraphs])
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.3">'
        f"<office:body><office:text>{body}</office:text></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.3">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text", compress_type=zipfile.ZIP_STORED
        )
        archive.writestr("content.xml", content)
        archive.writestr("META-INF/manifest.xml", manifest)
    return buffer.getvalue()


def xlsx_bytes(sheet_title: str, rows: list[list], *, column_widths: dict[str, int] | None = None) -> bytes:
    """An Excel workbook with one sheet; the first row is a bold header."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title[:31]
    for row in rows:
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for column, width in (column_widths or {}).items():
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def pdf_from_html(title: str, body_html: str) -> bytes:
    """A PDF from simple HTML (WeasyPrint), with the title as heading and document title."""
    from weasyprint import HTML

    html = (
        f"<!DOCTYPE html><html lang='en-GB'><head><meta charset='utf-8'><title>{escape(title)}</title>"
        "<style>@page { size: A4; margin: 2cm } body { font-family: sans-serif; font-size: 11pt; line-height: 1.4 }"
        " h1 { font-size: 20pt } h2 { font-size: 14pt; margin-top: 1.2em } table { border-collapse: collapse }"
        " td, th { border: 1px solid #555; padding: 4px 6px; vertical-align: top; text-align: left }</style>"
        f"</head><body><h1>{escape(title)}</h1>{body_html}</body></html>"
    )
    return HTML(string=html).write_pdf()


def minimal_pdf(text: str = "Test document") -> bytes:
    """A tiny valid one-page PDF, without WeasyPrint (fast, for tests)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text.replace('(', '[').replace(')', ']')}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer << /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def png_bytes(width: int = 4, height: int = 4) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (29, 112, 184)).save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg_bytes(width: int = 4, height: int = 4) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (0, 112, 60)).save(buffer, format="JPEG")
    return buffer.getvalue()
