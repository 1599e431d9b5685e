"""An extract's findings as CSV (streamed row by row) and as an Excel workbook (openpyxl's
write-only mode, through a temporary file), with memory flat whatever the number of findings.

Values that a spreadsheet would run as a formula (starting ``=``, ``+``, ``-``, ``@``, tab or
carriage return) are written as text: an LAchildID or a message quoting a value from the file is
data, never a formula (OWASP, "CSV injection").
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterator

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from . import selectors
from .models import Extract
from .services import FINDINGS_STORED_PER_RULE

HEADINGS = ["Rule", "Severity", "What the rule checks", "LAchildID", "Field", "Line", "Problem", "How to fix it"]
SUMMARY_HEADINGS = [
    "Rule",
    "Severity",
    "What the rule checks",
    "Findings in the file",
    "Findings listed",
    "How to fix it",
]
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_CHUNK = 2000


def _safe(value):
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def file_stem(extract: Extract) -> str:
    year = f"-{extract.collection_year}" if extract.collection_year else ""
    la = f"-la{extract.local_authority_code}" if extract.local_authority_code else ""
    return f"{extract.kind.replace('_', '-')}{year}{la}-extract-{extract.pk}-findings"


def _finding_rows(extract: Extract, titles: dict[str, tuple[str, str]], **filters) -> Iterator[list]:
    rows = selectors.findings(extract=extract, **filters).values_list(
        "code", "severity", "la_child_id", "field", "line", "message", "fix"
    )
    for code, severity, child, field, line, message, fix in rows.iterator(chunk_size=_CHUNK):
        yield [code, severity, titles.get(code, ("", ""))[0], child, field, line, message, fix]


class _Echo:
    """A file-like object whose ``write`` returns what it was given (for streaming csv.writer)."""

    def write(self, value):
        return value


def findings_csv(extract: Extract, **filters) -> StreamingHttpResponse:
    titles = selectors.rule_texts(extract.kind)
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # so Excel reads the file as UTF-8
        yield writer.writerow(HEADINGS)
        for row in _finding_rows(extract, titles, **filters):
            yield writer.writerow([_safe(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{file_stem(extract)}.csv"'
    _private(response)
    return response


def _text_cell(sheet, value, bold: bool = False):
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # text, not a formula
    if bold:
        cell.font = Font(bold=True)
    return cell


def findings_xlsx(extract: Extract, **filters) -> FileResponse:
    """A workbook with the counts by rule and every stored finding (as filtered)."""
    titles = selectors.rule_texts(extract.kind)
    book = Workbook(write_only=True)
    summary = book.create_sheet("Counts by rule")
    summary.append([_text_cell(summary, h, bold=True) for h in SUMMARY_HEADINGS])
    for r in selectors.rule_counts(extract=extract):
        summary.append([_text_cell(summary, v) for v in (r.code, r.severity, r.title, r.count, r.stored, r.fix)])
    summary.append([])
    summary.append([_text_cell(summary, f"{extract} exported {timezone.localtime():%d %B %Y %H:%M}.")])
    kept = f"At most {FINDINGS_STORED_PER_RULE:,} findings of each rule are kept and listed; the counts are exact."
    summary.append([_text_cell(summary, kept)])
    sheet = book.create_sheet("Findings")
    sheet.append([_text_cell(sheet, h, bold=True) for h in HEADINGS])
    for row in _finding_rows(extract, titles, **filters):
        sheet.append([_text_cell(sheet, v) for v in row])
    spool = tempfile.TemporaryFile()  # noqa: SIM115  (closed by FileResponse)
    book.save(spool)
    spool.seek(0)
    response = FileResponse(
        spool,
        as_attachment=True,
        filename=f"{file_stem(extract)}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    _private(response)
    return response


def _private(response) -> None:
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
