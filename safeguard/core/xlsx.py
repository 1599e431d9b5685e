"""Writing exported spreadsheets (openpyxl): the pieces every export shares.

``SheetWriter`` writes rows down a sheet; markers ("c", ":", "z" from ``core.suppression``) are
aligned right like the numbers they stand for. ``workbook_bytes`` saves a workbook to bytes and
``download`` wraps bytes in a private, uncached attachment response.
"""

from __future__ import annotations

import io

from django.http import HttpResponse
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from .suppression import NOT_APPLICABLE, NOT_AVAILABLE, SUPPRESSED

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_MARKERS = (SUPPRESSED, NOT_AVAILABLE, NOT_APPLICABLE)


class SheetWriter:
    """Writes rows down a sheet, remembering where it is."""

    BOLD = Font(bold=True)
    HEADING = Font(bold=True, size=14)

    def __init__(self, sheet):
        self.sheet = sheet
        self.row = 1

    def line(self, *values, font=None, formats=None) -> None:
        """One row; ``formats``: a number format per column (for numbers only)."""
        for column, value in enumerate(values, start=1):
            cell = self.sheet.cell(row=self.row, column=column, value=value)
            if font is not None:
                cell.font = font
            if formats and column - 1 < len(formats) and formats[column - 1] and isinstance(value, int | float):
                cell.number_format = formats[column - 1]
            if isinstance(value, str) and value in _MARKERS:
                cell.alignment = Alignment(horizontal="right")
        self.row += 1

    def gap(self) -> None:
        """Leave a blank row."""
        self.row += 1

    def widths(self, widths) -> None:
        """Column widths, in characters, from column A."""
        for index, width in enumerate(widths, start=1):
            self.sheet.column_dimensions[get_column_letter(index)].width = width


def workbook_bytes(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def download(content: bytes, *, filename: str, content_type: str = XLSX_TYPE) -> HttpResponse:
    """An attachment that no browser or proxy keeps (exports may hold personal or unpublished data)."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
