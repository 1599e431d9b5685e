"""Importing an Ofsted Annex A workbook: check the file, stream its sheets, validate, load.

``annex_a_import(*, partnership, path, by, reference_date)`` imports a workbook at once (the command
line, tests); ``annex_a_upload`` keeps an uploaded one privately and queues the same import for the
worker (``annex_a_import_task``), so a large workbook never holds up a web request. Either way the
import makes one ``extracts.Extract``:

1. **The file is checked by its content** before anything is read (``workbook_check``): it must be
   an Excel workbook (.xlsx), not an older .xls, a CSV or web page renamed, a password-protected
   file, a macro-enabled workbook, one larger than ``SAFEGUARD_EXTRACT_MAX_BYTES`` or one that
   unpacks to more than ``SAFEGUARD_ANNEXA_MAX_UNPACKED_BYTES`` (a "zip bomb"); and at least one
   sheet must be named as an Annex A list 1-7. A refused file gives an extract with status
   ``failed`` and a message saying what to do.
2. **The sheets are streamed** with openpyxl (``read_only=True, data_only=True``): a sheet is taken
   for a list by its name (``columns.match_sheet``), its heading row found and matched to the
   list's fields (``columns.match_headings``), then each row is read, typed and checked
   (``rules.AnnexAValidator``). Rows are written in batches as they are read.
3. **All or nothing.** The rows are written inside a savepoint: if any error was found anywhere in
   the workbook (including a check across rows that runs after the last sheet), the savepoint is
   rolled back and only the findings and the sheets' column matching are kept (status
   ``rejected``). Otherwise, in the same transaction, the new extract becomes the current Annex A
   extract of the partnership and local authority and the one before it is ``superseded``;
   ``extracts.signals.extract_loaded`` is sent after the commit.

No cell value is ever logged: log lines name the extract by its id only.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import html
import io
import logging
import os
import re
import uuid
import warnings
import zipfile
from collections import Counter
from collections.abc import Iterator
from functools import partial
from itertools import islice
from pathlib import Path
from time import perf_counter
from typing import BinaryIO

import openpyxl
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from safeguard.core.access import has_capability
from safeguard.core.concurrency import audit_actor
from safeguard.core.roles import Capability
from safeguard.documents.files import human_size, sanitise_file_name
from safeguard.extracts.census.validation import ERROR, FindingRecord
from safeguard.extracts.choices import ExtractKind, ExtractStatus
from safeguard.extracts.models import Extract, Finding
from safeguard.extracts.signals import extract_loaded
from safeguard.partnerships.models import Partnership

from . import columns
from .columns import CellError, ColumnMatch, ListSpec
from .models import LIST_MODELS, AnnexASheet, SheetStatus
from .rules import MISSING, SHORTENED, AnnexAContext, AnnexAValidator, CellProblem, RowRecord, SheetRecord

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 500 * 1024 * 1024
DEFAULT_MAX_UNPACKED_BYTES = 2 * 1024 * 1024 * 1024
MAX_ZIP_ENTRIES = 10_000
MAX_ROWS_PER_SHEET = 300_000  # the largest authority's year of contacts is well under this
MAX_ROWS = 1_000_000
MAX_FINDINGS = 20_000  # findings stored per extract; the counts by code are always complete
WRITE_BATCH = 2_000

_XLSX_MAIN = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
_REFUSED_ZIPS = {
    b"application/vnd.ms-excel.sheet.macroenabled.main+xml": "a macro-enabled workbook (.xlsm)",
    b"application/vnd.ms-excel.sheet.binary.macroenabled.main": "an Excel binary workbook (.xlsb)",
    b"application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml": "an Excel template (.xltx)",
    b"application/vnd.ms-excel.template.macroenabled.main+xml": "a macro-enabled Excel template (.xltm)",
    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "a Word document",
    b"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": "a PowerPoint file",
}
_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE compound file: .xls, .doc, or an encrypted .xlsx
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
_SHEET_NAME = re.compile(rb"<(?:\w+:)?sheet\b[^>]*?\bname=\"([^\"]*)\"")
_SAVE_AS = "Open it in Excel and use Save As > Excel Workbook (.xlsx), then import that file."


class WorkbookRefused(Exception):
    """The file cannot be imported; ``message`` says why and what to do, in plain English."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- Settings ---------------------------------------------------------------------------------
def max_bytes() -> int:
    return int(getattr(settings, "SAFEGUARD_EXTRACT_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_unpacked_bytes() -> int:
    return int(getattr(settings, "SAFEGUARD_ANNEXA_MAX_UNPACKED_BYTES", DEFAULT_MAX_UNPACKED_BYTES))


def extract_root() -> Path:
    return Path(settings.SAFEGUARD_EXTRACT_ROOT)


def collection_year_for(day: dt.date) -> int:
    """The census year a date falls in, named by the year it ends: 1 April 2024 to 31 March 2025 is 2025."""
    return day.year + 1 if day.month >= 4 else day.year


# --- File checks ------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class CheckedWorkbook:
    size: int
    sha256: str
    sheet_names: tuple[str, ...]


def workbook_check(path: Path) -> CheckedWorkbook:
    """Check a stored file. Raises ``WorkbookRefused``."""
    with open(path, "rb") as stream:
        return workbook_check_stream(stream, os.fstat(stream.fileno()).st_size)


def workbook_check_stream(stream: BinaryIO, size: int) -> CheckedWorkbook:
    """Check a file (an upload, or a stored file) by its content. Raises ``WorkbookRefused``."""
    if size <= 0:
        raise WorkbookRefused("The file is empty (0 bytes). Check it opens in Excel, then choose it again.")
    limit = max_bytes()
    if size > limit:
        raise WorkbookRefused(
            f"The file is {human_size(size)}; the largest workbook Safeguard imports is {human_size(limit)}. "
            "Check it holds only the Annex A lists (remove other sheets, pictures and pivot tables)."
        )
    stream.seek(0)
    head = stream.read(512)
    if head.startswith(b"PK\x03\x04"):
        names = _check_zip(stream)
    elif head.startswith(_CFB_MAGIC):
        if _contains(stream, _ENCRYPTED_STREAM):
            raise WorkbookRefused(
                "The workbook is protected with a password, so it cannot be read. Open it in Excel, remove the "
                "password (File > Info > Protect Workbook > Encrypt with Password, then clear it), save it as "
                ".xlsx and import it again. Keep the file in a secure folder while it has no password."
            )
        raise WorkbookRefused(f"This is an older Excel file (.xls, Excel 97-2003), which is not read. {_SAVE_AS}")
    else:
        raise WorkbookRefused(_what_text_is(head))
    digest = hashlib.sha256()
    stream.seek(0)
    for chunk in iter(lambda: stream.read(1024 * 1024), b""):
        digest.update(chunk)
    stream.seek(0)
    return CheckedWorkbook(size=size, sha256=digest.hexdigest(), sheet_names=names)


def _what_text_is(head: bytes) -> str:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype", b"<html", b"<table", b"<?xml", b"<")):
        return (
            "This file is a web page or XML file saved with a spreadsheet name (some case management systems "
            f"export reports this way). {_SAVE_AS}"
        )
    sample = head.decode("utf-8", errors="replace")
    if b"\x00" not in head and sample.count("\ufffd") < 3 and ("," in sample or "\t" in sample or ";" in sample):
        return f"This is a CSV or text file, not an Excel workbook (it may have been renamed). {_SAVE_AS}"
    return f"This file is not an Excel workbook (.xlsx), whatever its name says. {_SAVE_AS}"


def _contains(stream: BinaryIO, needle: bytes) -> bool:
    """Whether the file holds ``needle`` (read in chunks that overlap by the needle's length)."""
    stream.seek(0)
    tail = b""
    for chunk in iter(lambda: stream.read(1024 * 1024), b""):
        if needle in tail + chunk:
            return True
        tail = chunk[-len(needle) :]
    return False


def _check_zip(stream: BinaryIO) -> tuple[str, ...]:
    stream.seek(0)
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise WorkbookRefused(
            "The file looks like an Excel workbook but is damaged (it may not have finished downloading or "
            "saving). Open it in Excel, save it again and import the new copy."
        ) from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ZIP_ENTRIES:
            raise WorkbookRefused("The file has far too many parts to be an Annex A workbook.")
        if any(info.flag_bits & 0x1 for info in infos):
            raise WorkbookRefused("The workbook's parts are encrypted. Save it again without a password and import it.")
        unpacked = sum(info.file_size for info in infos)
        if unpacked > max_unpacked_bytes():
            raise WorkbookRefused(
                f"The workbook unpacks to {human_size(unpacked)}, more than the {human_size(max_unpacked_bytes())} "
                "Safeguard reads. Remove sheets, formatting or rows that are not part of the Annex A lists."
            )
        parts = {info.filename: info for info in infos}
        types = _read_part(archive, parts, "[Content_Types].xml").lower()
        for content_type, description in _REFUSED_ZIPS.items():
            if content_type in types:
                raise WorkbookRefused(f"This file is {description}, not an Excel workbook (.xlsx). {_SAVE_AS}")
        if _XLSX_MAIN not in types or "xl/workbook.xml" not in parts:
            raise WorkbookRefused(f"This file is a ZIP archive but not an Excel workbook (.xlsx). {_SAVE_AS}")
        names = tuple(
            html.unescape(name.decode("utf-8", "replace"))
            for name in _SHEET_NAME.findall(_read_part(archive, parts, "xl/workbook.xml"))
        )
    _check_sheet_names(names)
    return names


def _read_part(archive: zipfile.ZipFile, parts: dict[str, zipfile.ZipInfo], name: str) -> bytes:
    info = parts.get(name)
    if info is None:
        raise WorkbookRefused(f"This file is a ZIP archive but not an Excel workbook (.xlsx). {_SAVE_AS}")
    try:
        with archive.open(info) as part:
            return part.read(5 * 1024 * 1024)
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError):
        raise WorkbookRefused(
            "The workbook could not be opened: it is damaged or password-protected. Save it again as .xlsx "
            "without a password and import the new copy."
        ) from None


def _check_sheet_names(names: tuple[str, ...]) -> None:
    if any(columns.match_sheet(name) in columns.LISTS for name in names):
        return
    shown = ", ".join(f"“{name}”" for name in names[:8]) + (" ..." if len(names) > 8 else "")
    raise WorkbookRefused(
        f"None of the sheets is an Annex A list 1 to 7 (sheets found: {shown or 'none'}). Name each list's sheet "
        "with its number or subject, for example “List 1”, “L3 Referrals” or “Child protection”, and import again."
    )


# --- Reading ----------------------------------------------------------------------------------
def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_row(spec: ListSpec, sheet: str, line: int, cells: tuple, match: ColumnMatch) -> RowRecord:
    """One data row, typed field by field; problems are kept on the row for the checks."""
    values: dict = {}
    problems: list[CellProblem] = []
    for f in spec.fields:
        index = match.columns.get(f.name)
        raw = cells[index] if index is not None and index < len(cells) else None
        empty = "" if f.kind in (columns.CODE, columns.TEXT, columns.ID) else None
        if index is None or _blank(raw):
            if f.required and index is not None:
                problems.append(CellProblem(f.name, MISSING, f"{f.label} is blank."))
            values[f.name] = empty
            continue
        try:
            value, shortened = columns.parse_cell(f, raw)
        except CellError as exc:
            problems.append(CellProblem(f.name, exc.kind, exc.message))
            values[f.name] = empty
            continue
        if shortened:
            problems.append(
                CellProblem(
                    f.name, SHORTENED, f"the text is longer than {f.max_length} characters; the start was kept."
                )
            )
        values[f.name] = empty if value is None else value
    return RowRecord(spec, sheet, line, values, match.headings, problems)  # headings shared, never changed


@dataclasses.dataclass
class _Sheet:
    position: int
    name: str
    status: str
    list_number: int | None = None
    header_row: int | None = None
    rows: int = 0
    match: ColumnMatch | None = None

    def model(self, extract: Extract) -> AnnexASheet:
        return AnnexASheet(
            extract=extract,
            position=self.position,
            name=self.name[:100],
            list_number=self.list_number,
            status=self.status,
            header_row=self.header_row,
            rows=self.rows,
            columns=self.match.as_json() if self.match else {},
        )


class _Findings:
    """Findings as they come: every one counted, the first ``MAX_FINDINGS`` kept (errors first)."""

    def __init__(self) -> None:
        self.errors: list[FindingRecord] = []
        self.queries: list[FindingRecord] = []
        self.total = 0

    def add(self, records: list[FindingRecord]) -> None:
        for record in records:
            self.total += 1
            kept = self.errors if record.severity == ERROR else self.queries
            if len(kept) < MAX_FINDINGS:
                kept.append(record)

    @property
    def error_count(self) -> int:
        return len(self.errors)

    def to_store(self, validator: AnnexAValidator) -> list[FindingRecord]:
        chosen = (self.errors + self.queries)[:MAX_FINDINGS]
        if self.total > len(chosen):
            chosen[-1] = validator.note_cap(limit=MAX_FINDINGS, total=self.total)
        return chosen


class _RowWriter:
    """Buffers typed rows per list and writes them in batches. Once an error has been found the
    workbook cannot be loaded, so nothing more is written (the savepoint is rolled back anyway)."""

    def __init__(self, extract: Extract):
        self.extract = extract
        self.buffers: dict[int, list] = {number: [] for number in LIST_MODELS}
        self.stopped = False
        self.seconds = 0.0

    def add(self, row: RowRecord) -> None:
        if self.stopped:
            return
        model = LIST_MODELS[row.spec.number]
        buffer = self.buffers[row.spec.number]
        buffer.append(model(extract=self.extract, line=row.line, **row.values))
        if len(buffer) >= WRITE_BATCH:
            self._flush(row.spec.number)

    def stop(self) -> None:
        self.stopped = True
        self.buffers = {number: [] for number in LIST_MODELS}

    def _flush(self, number: int) -> None:
        started = perf_counter()
        LIST_MODELS[number].objects.bulk_create(self.buffers[number], batch_size=WRITE_BATCH)
        self.buffers[number] = []
        self.seconds += perf_counter() - started

    def close(self) -> None:
        if not self.stopped:
            for number in LIST_MODELS:
                if self.buffers[number]:
                    self._flush(number)


@dataclasses.dataclass
class _ReadResult:
    sheets: list[_Sheet]
    rows: dict[int, int]  # list number -> rows read
    children: set[str]
    findings: _Findings
    seconds_validating: float = 0.0


def _read_workbook(path: Path, validator: AnnexAValidator, writer: _RowWriter) -> _ReadResult:
    result = _ReadResult(sheets=[], rows={}, children=set(), findings=_Findings())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about features it does not read (data validation...)
        try:
            workbook = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
        except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, SyntaxError) as exc:
            raise _unreadable() from exc
        try:
            for position, worksheet in enumerate(workbook.worksheets, start=1):
                _read_sheet(position, worksheet, validator, writer, result)
        except (zipfile.BadZipFile, KeyError, ValueError, TypeError, SyntaxError, EOFError) as exc:
            raise _unreadable() from exc
        finally:
            workbook.close()
    if not any(sheet.status == SheetStatus.IMPORTED for sheet in result.sheets):
        raise _unreadable()  # the sheet names promised a list, but no such sheet could be opened
    started = perf_counter()
    result.findings.add(validator.finish(result.rows))
    result.seconds_validating += perf_counter() - started
    return result


def _unreadable() -> WorkbookRefused:
    return WorkbookRefused(
        f"The workbook could not be read: part of it is damaged or in a form Safeguard does not understand. {_SAVE_AS}"
    )


def _classify(position: int, name: str, taken: set[int]) -> _Sheet:
    number = columns.match_sheet(name)
    if number is None:
        return _Sheet(position, name, SheetStatus.UNRECOGNISED)
    if number not in columns.LISTS:
        return _Sheet(position, name, SheetStatus.NOT_IMPORTED, list_number=number)
    if number in taken:
        return _Sheet(position, name, SheetStatus.DUPLICATE, list_number=number)
    return _Sheet(position, name, SheetStatus.IMPORTED, list_number=number)


def _read_sheet(position, worksheet, validator, writer, result: _ReadResult) -> None:
    taken = {s.list_number for s in result.sheets if s.status == SheetStatus.IMPORTED}
    sheet = _classify(position, worksheet.title, taken)
    result.sheets.append(sheet)
    if sheet.status != SheetStatus.IMPORTED:
        return
    spec = columns.LISTS[sheet.list_number]
    worksheet.reset_dimensions()  # some writers record a wrong size; read every row there is
    rows = enumerate(worksheet.iter_rows(values_only=True, max_col=columns.MAX_COLUMNS), start=1)
    head = list(islice(rows, columns.HEADER_SEARCH_ROWS))
    found = columns.find_heading_row(spec, head)
    if found is None:
        sheet.status = SheetStatus.NO_HEADINGS
        result.findings.add(validator.check_sheet(SheetRecord(sheet.name, spec, None, ColumnMatch(spec))))
        return
    sheet.header_row, sheet.match = found
    result.rows[spec.number] = 0
    result.findings.add(validator.check_sheet(SheetRecord(sheet.name, spec, sheet.header_row, sheet.match)))
    if sheet.match.missing_required:
        writer.stop()
    data = (item for item in head if item[0] > sheet.header_row)
    for line, cells in _chain(data, rows):
        if all(_blank(cells[i]) for i in sheet.match.columns.values() if i < len(cells)):
            continue
        sheet.rows += 1
        _check_row_limits(sheet, sum(result.rows.values()) + 1)
        result.rows[spec.number] = sheet.rows
        _take_row(read_row(spec, sheet.name, line, cells, sheet.match), validator, writer, result)


def _chain(first, rest) -> Iterator:
    yield from first
    yield from rest


def _check_row_limits(sheet: _Sheet, total: int) -> None:
    if sheet.rows > MAX_ROWS_PER_SHEET:
        raise WorkbookRefused(
            f"Sheet “{sheet.name}” has more than {MAX_ROWS_PER_SHEET:,} rows of data, far more than any Annex A "
            "list. Check nothing has been pasted far below the list, then import again."
        )
    if total > MAX_ROWS:
        raise WorkbookRefused(f"The workbook has more than {MAX_ROWS:,} rows of data across its lists.")


def _take_row(row: RowRecord, validator: AnnexAValidator, writer: _RowWriter, result: _ReadResult) -> None:
    started = perf_counter()
    findings = validator.check_row(row)
    result.seconds_validating += perf_counter() - started
    result.findings.add(findings)
    if row.child_id:
        result.children.add(row.child_id)
    if result.findings.error_count:
        writer.stop()
    else:
        writer.add(row)


# --- Import -----------------------------------------------------------------------------------
def _require_import(by, partnership: Partnership) -> None:
    if by is not None and not has_capability(by, partnership.pk, Capability.IMPORT_EXTRACTS):
        raise PermissionDenied("Only the partnership's performance analysts can import Annex A workbooks.")


def _clean_la_code(code: str, partnership: Partnership) -> str:
    code = (code or "").strip() or partnership.local_authority_code
    if code and not re.fullmatch(r"\d{3}", code):
        raise ValidationError(
            {"local_authority_code": "Enter the three-digit local authority code, for example 830, or leave it blank."}
        )
    return code


class _Rejected(Exception):
    """Raised inside the rows' savepoint to roll the rows back when the workbook has errors."""


def annex_a_import(
    *,
    partnership: Partnership,
    path: Path | str,
    by,
    reference_date: dt.date | None = None,
    local_authority_code: str = "",
    original_filename: str = "",
) -> Extract:
    """Import the workbook at ``path`` for ``partnership``, now (the command line, tests; the
    workspace queues ``annex_a_upload`` instead). ``reference_date`` is the date the lists run to
    (today if not given); ``local_authority_code`` defaults to the partnership's. ``by=None`` is the
    system. Returns the extract: ``loaded`` (and current), ``rejected`` (errors found: see its
    findings) or ``failed`` (the file could not be read)."""
    _require_import(by, partnership)
    path = Path(path)
    extract = _extract_start(
        partnership=partnership,
        by=by,
        reference_date=reference_date or timezone.localdate(),
        la_code=_clean_la_code(local_authority_code, partnership),
        filename=sanitise_file_name(original_filename or path.name),
        status=ExtractStatus.IMPORTING,
    )
    _run(extract, path, by=by)
    return extract


def _run(extract: Extract, path: Path, *, by) -> None:
    """Check, read and load the workbook for an extract that is ``importing``."""
    started = perf_counter()
    try:
        checked = workbook_check(path)
        check_seconds = perf_counter() - started
        _extract_load(extract=extract, path=path, checked=checked, by=by, started=started, check_seconds=check_seconds)
    except WorkbookRefused as exc:
        _extract_fail(extract, exc.message, by=by, started=started)
    except Exception:
        logger.exception("Annex A import of extract %s stopped unexpectedly", extract.pk)
        _extract_fail(
            extract,
            "The import stopped unexpectedly and nothing from the workbook was kept. Try again; if it happens "
            f"again, tell your system administrator (extract number {extract.pk}).",
            by=by,
            started=started,
        )
        raise
    logger.info("Annex A extract %s: %s", extract.pk, extract.status)


@transaction.atomic
def _extract_start(*, partnership, by, reference_date, la_code, filename, status, stored=None) -> Extract:
    extract = Extract(
        partnership=partnership,
        kind=ExtractKind.ANNEX_A,
        local_authority_code=la_code,
        collection_year=collection_year_for(reference_date),
        reference_date=reference_date,
        period_start=AnnexAContext(reference_date).window_start,
        period_end=reference_date,
        original_filename=filename,
        uploaded_by=by if by is not None and by.is_authenticated else None,
        status=status,
        started_at=timezone.now() if status == ExtractStatus.IMPORTING else None,
    )
    if stored is not None:
        path, checked = stored
        extract.stored_name, extract.size_bytes, extract.sha256 = path.name, checked.size, checked.sha256
    extract.full_clean()
    with audit_actor(by):
        extract.save()
    return extract


@transaction.atomic
def _extract_fail(extract: Extract, message: str, *, by, started: float) -> None:
    extract.status = ExtractStatus.FAILED
    extract.failure_message = message
    extract.finished_at = timezone.now()
    extract.timings = {"total": round(perf_counter() - started, 3)}
    with audit_actor(by):
        extract.save(update_fields=["status", "failure_message", "finished_at", "timings", "updated_at"])


@transaction.atomic
def _extract_load(
    *, extract: Extract, path: Path, checked: CheckedWorkbook, by, started: float, check_seconds: float
) -> None:
    validator = AnnexAValidator(AnnexAContext(extract.reference_date))
    writer = _RowWriter(extract)
    try:
        with transaction.atomic():  # the rows: kept only if the whole workbook has no error
            result = _read_workbook(path, validator, writer)
            if result.findings.error_count:
                writer.stop()
                raise _Rejected
            writer.close()
            loaded = True
    except _Rejected:
        loaded = False
    read_seconds = perf_counter() - started - check_seconds
    saving = perf_counter()
    AnnexASheet.objects.bulk_create([sheet.model(extract) for sheet in result.sheets])
    stored = result.findings.to_store(validator)
    Finding.objects.bulk_create([_finding(extract, record) for record in stored], batch_size=WRITE_BATCH)
    counts: Counter[str] = validator.counts
    errors = sum(n for code, n in counts.items() if not code.endswith("Q"))
    extract.size_bytes, extract.sha256, extract.bytes_read = checked.size, checked.sha256, checked.size
    extract.children_read = sum(result.rows.values())
    extract.children_count = len(result.children)
    extract.error_count, extract.query_count = errors, sum(counts.values()) - errors
    extract.finding_counts = dict(sorted(counts.items()))
    extract.source = _source_summary(result)
    extract.finished_at = timezone.now()
    superseded = None
    if loaded:
        superseded = _make_current(extract, by=by)
    else:
        extract.status = ExtractStatus.REJECTED
    extract.timings = {
        "check": round(check_seconds, 3),
        "read": round(read_seconds - result.seconds_validating - writer.seconds, 3),
        "validate": round(result.seconds_validating, 3),
        "write_rows": round(writer.seconds, 3),
        "save_findings": round(perf_counter() - saving, 3),
        "total": round(perf_counter() - started, 3),
    }
    with audit_actor(by):
        extract.save()
    if loaded:
        transaction.on_commit(lambda: extract_loaded.send(sender=Extract, extract=extract, superseded=superseded))


def _make_current(extract: Extract, *, by) -> Extract | None:
    """Supersede the partnership's current Annex A extract for the same authority (any year: an
    Annex A workbook is a snapshot, the newest replaces the last) and make this one current."""
    previous = list(
        Extract.objects.select_for_update()
        .filter(
            partnership=extract.partnership_id,
            kind=ExtractKind.ANNEX_A,
            local_authority_code=extract.local_authority_code,
            is_current=True,
        )
        .exclude(pk=extract.pk)
        .order_by("-created_at")
    )
    with audit_actor(by):
        for old in previous:
            old.is_current, old.status = False, ExtractStatus.SUPERSEDED
            old.save(update_fields=["is_current", "status", "updated_at"])
    extract.status, extract.is_current = ExtractStatus.LOADED, True
    return previous[0] if previous else None


def _finding(extract: Extract, record: FindingRecord) -> Finding:
    heading = record.field or ""
    return Finding(
        extract=extract,
        code=record.code,
        severity=record.severity,
        la_child_id=(record.la_child_id or "")[:40],
        field=heading if len(heading) <= 60 else f"{heading[:59]}…",
        line=record.line or None,
        message=record.message,
        fix=record.fix,
    )


def _source_summary(result: _ReadResult) -> dict:
    lists = {
        str(s.list_number): {"sheet": s.name, "rows": s.rows}
        for s in result.sheets
        if s.status == SheetStatus.IMPORTED and s.list_number
    }
    not_imported = [
        f"List {s.list_number} ({columns.list_title(s.list_number).lower()}): sheet “{s.name}”"
        for s in result.sheets
        if s.status == SheetStatus.NOT_IMPORTED
    ]
    return {"format": "Ofsted Annex A workbook", "lists": lists, "not_imported": not_imported}


# --- Uploads ----------------------------------------------------------------------------------
def annex_a_upload_store(*, upload) -> Path:
    """Copy an uploaded workbook into the private extract folder under a random name."""
    root = extract_root()
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = root / f"annexa-{uuid.uuid4().hex}.xlsx"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return path


def annex_a_upload(
    *, partnership: Partnership, upload, by, reference_date: dt.date, local_authority_code: str = ""
) -> Extract:
    """Keep an uploaded workbook in the private folder and queue its import: the worker runs
    ``annex_a_import_task`` once this transaction commits. The extract is ``pending`` until then;
    the findings report (``extracts:extract_detail``) shows it running and then its result."""
    _require_import(by, partnership)
    la_code = _clean_la_code(local_authority_code, partnership)
    try:
        checked = annex_a_check_upload(upload)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None
    path = annex_a_upload_store(upload=upload)
    try:
        with transaction.atomic():
            extract = _extract_start(
                partnership=partnership,
                by=by,
                reference_date=reference_date,
                la_code=la_code,
                filename=sanitise_file_name(upload.name or "annex-a.xlsx"),
                status=ExtractStatus.PENDING,
                stored=(path, checked),
            )
            transaction.on_commit(partial(annex_a_import_task.enqueue, extract_id=extract.pk))
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    logger.info("Annex A extract %s uploaded (%d bytes); import queued", extract.pk, checked.size)
    return extract


def annex_a_import_stored(*, extract: Extract) -> Extract:
    """Import a workbook waiting in the private folder. Only a ``pending`` extract is imported, so a
    task run twice does nothing the second time. The stored copy is removed when the import ends."""
    now = timezone.now()
    claimed = Extract.objects.filter(pk=extract.pk, kind=ExtractKind.ANNEX_A, status=ExtractStatus.PENDING).update(
        status=ExtractStatus.IMPORTING, started_at=now, updated_at=now
    )
    extract.refresh_from_db()
    if not claimed:
        return extract
    path = extract_root() / extract.stored_name
    try:
        _run(extract, path, by=extract.uploaded_by)
    finally:
        path.unlink(missing_ok=True)
        Extract.objects.filter(pk=extract.pk).update(stored_name="")
        extract.stored_name = ""
    return extract


@task()
def annex_a_import_task(extract_id: int) -> str:
    """The worker's job for an uploaded workbook (queued by ``annex_a_upload``)."""
    extract = Extract.objects.filter(pk=extract_id, kind=ExtractKind.ANNEX_A).first()
    if extract is None:
        return "gone"
    return annex_a_import_stored(extract=extract).status


def annex_a_check_upload(upload) -> CheckedWorkbook:
    """The upload form's check: the same as the import's, raised as a form ``ValidationError``."""
    try:
        if hasattr(upload, "temporary_file_path"):
            return workbook_check(Path(upload.temporary_file_path()))
        stream = upload.file if hasattr(upload, "file") else upload
        if not hasattr(stream, "seek"):
            stream = io.BytesIO(upload.read())
        return workbook_check_stream(stream, upload.size)
    except WorkbookRefused as exc:
        raise ValidationError(exc.message, code="refused") from None
