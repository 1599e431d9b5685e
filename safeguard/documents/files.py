"""Uploaded files: where they are kept, which kinds are accepted, and how they are checked.

Rules (the business unit's guide, ``docs/documents-library.md``, says the same in plain words):

- Accepted: PDF, Word (.docx), Excel (.xlsx), OpenDocument text (.odt), PNG and JPEG.
- The kind is decided by the file's **content** (its first bytes, and for Office and OpenDocument
  files the parts list inside the ZIP container), never by its name or by the content type the
  browser sends. Macro-enabled Office files (.docm, .xlsm), templates and any other ZIP are refused.
- Size: from 1 byte up to ``SAFEGUARD_DOCUMENT_MAX_BYTES`` (default 20 MB).
- Files are stored under ``SAFEGUARD_DOCUMENT_ROOT`` (default ``VAR_DIR/documents``), outside the
  web root, under random names; they are only ever served by views that check who is asking.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage

DEFAULT_MAX_BYTES = 20 * 1024 * 1024

ALLOWED_SUMMARY = "Upload a PDF, Word (.docx), Excel (.xlsx), OpenDocument text (.odt), PNG or JPEG file."


@dataclass(frozen=True)
class FileKind:
    content_type: str
    extension: str
    label: str  # short name shown to readers: "PDF, 240 KB"


PDF = FileKind("application/pdf", "pdf", "PDF")
DOCX = FileKind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx", "Word document")
XLSX = FileKind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", "Excel spreadsheet")
ODT = FileKind("application/vnd.oasis.opendocument.text", "odt", "OpenDocument text")
PNG = FileKind("image/png", "png", "PNG image")
JPEG = FileKind("image/jpeg", "jpg", "JPEG image")

KINDS: dict[str, FileKind] = {kind.content_type: kind for kind in (PDF, DOCX, XLSX, ODT, PNG, JPEG)}

# The main part's content type in [Content_Types].xml decides what an Office Open XML file is.
_OOXML_MAIN = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
}
_OOXML_REFUSED = {
    "application/vnd.ms-word.document.macroenabled.main+xml": "a macro-enabled Word file (.docm)",
    "application/vnd.ms-word.template.macroenabledtemplate.main+xml": "a macro-enabled Word template (.dotm)",
    "application/vnd.ms-excel.sheet.macroenabled.main+xml": "a macro-enabled Excel file (.xlsm)",
    "application/vnd.ms-excel.template.macroenabled.main+xml": "a macro-enabled Excel template (.xltm)",
    "application/vnd.ms-excel.sheet.binary.macroenabled.main": "an Excel binary workbook (.xlsb)",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml": "a Word template (.dotx)",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml": "an Excel template (.xltx)",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": "a PowerPoint file",
    "application/vnd.ms-powerpoint.presentation.macroenabled.main+xml": "a macro-enabled PowerPoint file",
}
_ODF_NAMES = {
    "application/vnd.oasis.opendocument.spreadsheet": "an OpenDocument spreadsheet (.ods)",
    "application/vnd.oasis.opendocument.presentation": "an OpenDocument presentation (.odp)",
    "application/vnd.oasis.opendocument.graphics": "an OpenDocument drawing (.odg)",
    "application/vnd.oasis.opendocument.text-template": "an OpenDocument text template (.ott)",
}
_MAX_ZIP_ENTRIES = 5000
_MAX_PARTS_LIST_BYTES = 1024 * 1024
_CONTENT_TYPE_ATTR = re.compile(rb'ContentType\s*=\s*"([^"]{1,200})"', re.IGNORECASE)


# --- Settings ---------------------------------------------------------------------------------
def max_bytes() -> int:
    return int(getattr(settings, "SAFEGUARD_DOCUMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def document_root() -> Path:
    default = Path(getattr(settings, "VAR_DIR", Path(settings.BASE_DIR) / "var")) / "documents"
    return Path(getattr(settings, "SAFEGUARD_DOCUMENT_ROOT", default))


# --- Storage ----------------------------------------------------------------------------------
class DocumentStorage(FileSystemStorage):
    """Private file storage for the documents library: no URL, owner-only file permissions.

    The location is read from the settings on every use, so tests (and an installation that changes
    ``SAFEGUARD_DOCUMENT_ROOT``) need no restart.
    """

    def __init__(self):
        super().__init__(file_permissions_mode=0o600, directory_permissions_mode=0o700)

    @property
    def base_location(self):
        return str(document_root())

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise NotImplementedError("Library files have no public URL: they are served by the documents views.")


_storage = DocumentStorage()


def document_storage() -> DocumentStorage:
    """The storage of every version's file (a callable, so migrations do not record a path)."""
    return _storage


def random_file_name(instance, filename: str) -> str:
    """``ab/<32 hex characters>.<detected extension>``: the uploader's file name never reaches the disk."""
    kind = KINDS.get(getattr(instance, "content_type", ""))
    token = uuid.uuid4().hex
    return f"{token[:2]}/{token}.{kind.extension if kind else 'bin'}"


# --- Sizes and names --------------------------------------------------------------------------
def human_size(size: int) -> str:
    """``240 KB``, ``1.5 MB``, ``31 MB`` (1 KB = 1,024 bytes, as file managers show it)."""
    if size < 1024:
        return f"{size} byte{'s' if size != 1 else ''}"
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    megabytes = size / (1024 * 1024)
    if megabytes < 10:
        text = f"{megabytes:.1f}".removesuffix(".0")
        return f"{text} MB"
    return f"{round(megabytes)} MB"


def _size_over_limit(size: int, limit: int) -> str:
    shown, shown_limit = human_size(size), human_size(limit)
    if shown == shown_limit:  # 20.4 MB against 20 MB would read "20 MB; the limit is 20 MB"
        shown = f"{size:,} bytes"
        shown_limit = f"{shown_limit} ({limit:,} bytes)"
    return f"The file is {shown}; the limit is {shown_limit}. Make the file smaller (for example, save it as a PDF)."


def sanitise_file_name(name: str, *, max_length: int = 150) -> str:
    """The uploader's file name, safe to show and to put in a header: no folders, no control
    characters, no characters other than letters, digits, spaces and ``. _ - ( )``."""
    name = unicodedata.normalize("NFKC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r"[^\w .()\-]", "_", name)
    name = re.sub(r"\s+", " ", name).strip(" .")
    if len(name) > max_length:
        stem, dot, ext = name.rpartition(".")
        name = f"{stem[: max_length - len(ext) - 1]}.{ext}" if dot and len(ext) <= 10 else name[:max_length]
    return name or "file"


# --- Detection --------------------------------------------------------------------------------
def _refuse(what: str) -> ValidationError:
    return ValidationError(f"{what} {ALLOWED_SUMMARY}", code="file_type")


def _zip_kind(upload) -> FileKind:
    try:
        upload.seek(0)
        archive = zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _refuse("This file starts like a ZIP archive (as Word and Excel files do) but is damaged.") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > _MAX_ZIP_ENTRIES:
            raise _refuse("This file is a ZIP archive with too many parts to be a document.")
        names = {info.filename: info for info in infos}
        if any(name.lower().endswith("vbaproject.bin") for name in names):
            raise _refuse("This file contains macros, which are not accepted.")
        try:
            if "mimetype" in names:
                return _odf_kind(archive, names["mimetype"])
            if "[Content_Types].xml" in names:
                return _ooxml_kind(archive, names["[Content_Types].xml"])
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError):
            raise _refuse(
                "This file is a ZIP archive that could not be read (damaged or password-protected)."
            ) from None
    raise _refuse("This file is a ZIP archive but not a Word, Excel or OpenDocument file.")


def _odf_kind(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> FileKind:
    if info.file_size > 200:
        raise _refuse("This file is a ZIP archive but not a Word, Excel or OpenDocument file.")
    mimetype = archive.read(info).decode("ascii", "replace").strip()
    if mimetype == ODT.content_type:
        return ODT
    if mimetype in _ODF_NAMES:
        raise _refuse(f"This file is {_ODF_NAMES[mimetype]}, which is not accepted.")
    raise _refuse("This file is a ZIP archive but not a Word, Excel or OpenDocument file.")


def _ooxml_kind(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> FileKind:
    if info.file_size > _MAX_PARTS_LIST_BYTES:
        raise _refuse("This file is a ZIP archive but not a Word, Excel or OpenDocument file.")
    with archive.open(info) as part:
        parts_list = part.read(_MAX_PARTS_LIST_BYTES + 1)
    types = {value.decode("ascii", "replace").lower() for value in _CONTENT_TYPE_ATTR.findall(parts_list)}
    for content_type, description in _OOXML_REFUSED.items():
        if content_type in types:
            raise _refuse(f"This file is {description}, which is not accepted.")
    if any("macroenabled" in t or "vbaproject" in t for t in types):
        raise _refuse("This file contains macros, which are not accepted.")
    found = [kind for content_type, kind in _OOXML_MAIN.items() if content_type in types]
    if len(found) == 1:
        return found[0]
    raise _refuse("This file is a ZIP archive but not a Word, Excel or OpenDocument file.")


def _pdf_kind(upload, size: int) -> FileKind:
    upload.seek(max(0, size - 2048))
    if b"%%EOF" not in upload.read(2048):
        raise _refuse("This PDF is incomplete (it may not have finished uploading or saving).")
    return PDF


def detect_kind(upload, size: int) -> FileKind:
    """What the file really is, from its content. Raises ``ValidationError`` saying what is wrong."""
    upload.seek(0)
    head = upload.read(16)
    if head.startswith(b"%PDF-"):
        return _pdf_kind(upload, size)
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(upload)
    if head.startswith((b"PK\x05\x06", b"PK\x07\x08")):
        raise _refuse("This file is an empty or split ZIP archive, not a document.")
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise _refuse(
            "This is an older Office file (.doc or .xls) or a password-protected one. "
            "Save it as .docx or .xlsx without a password, or as a PDF."
        )
    if head.startswith(b"MZ") or head.startswith(b"\x7fELF") or head[:4] in (b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe"):
        raise _refuse("This file is a program (an executable), whatever its name says.")
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if stripped.startswith((b"<!doctype", b"<html", b"<head", b"<body", b"<script", b"<svg", b"<?xml", b"<")):
        raise _refuse("This file is a web page or other markup (HTML, SVG or XML), whatever its name says.")
    if head.startswith(b"{\\rtf"):
        raise _refuse("This file is a Rich Text (RTF) document. Save it as .docx or PDF.")
    raise _refuse("This file is not a kind the library accepts, whatever its name says.")


@dataclass(frozen=True)
class CheckedFile:
    kind: FileKind
    size: int
    sha256: str
    original_name: str


def check_upload(upload) -> CheckedFile:
    """Check an uploaded file against every rule above; raise ``ValidationError`` with what is wrong."""
    if upload is None:
        raise ValidationError("Choose a file to upload.", code="required")
    size = upload.size if upload.size is not None else _measure(upload)
    if size <= 0:
        raise ValidationError(
            "The file is empty (0 bytes). Check it opens on your computer, then choose it again.", code="empty"
        )
    limit = max_bytes()
    if size > limit:
        raise ValidationError(_size_over_limit(size, limit), code="too_big")
    kind = detect_kind(upload, size)
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in iter(lambda: upload.read(1024 * 1024), b""):
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(
        kind=kind, size=size, sha256=digest.hexdigest(), original_name=sanitise_file_name(upload.name or "")
    )


def _measure(upload) -> int:
    upload.seek(0, os.SEEK_END)
    size = upload.tell()
    upload.seek(0)
    return size
