"""A return as a spreadsheet (openpyxl): a pre-filled template to fill in offline, and its upload.

The template
------------
One sheet, "Return": a few lines saying whose return it is and how to fill it in, then a header
row and one row per indicator (and per locality for a by-locality indicator): code, indicator,
area, definition, unit, the last submitted figure, then the columns to fill in (figure,
denominator for percentages, "not available", reason, comment), pre-filled with any draft figures.
The sheet is protected except for the columns to fill in. Column A (hidden) names each row, and a
hidden sheet holds a signed note of the return and its rows, so an upload can be matched to its
return and a template whose rows were added, removed or moved is refused.

The upload
----------
All or nothing. The file must be an .xlsx workbook (not .xls, .csv or a macro-enabled .xlsm), this
return's template, with its rows as downloaded, for the rows the return has now. Then every cell is
read and every figure checked (``validation.py``, the same rules as the form); every error is listed
with its cell ("H7: enter a whole number of 0 or more..."), and nothing is saved unless there are
none. A correct file is saved as a draft, or submitted, in one step.
"""

from __future__ import annotations

import io
import warnings
import zipfile
from typing import NamedTuple

import openpyxl
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils.text import slugify
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from . import selectors, services, validation
from .models import AgencyReturn
from .validation import Entry, Slot

SHEET = "Return"
META_SHEET = "About this file"
SALT = "safeguard.returns.template"
HEADER_ROW = 5
FIRST_ROW = HEADER_ROW + 1
MAX_BYTES = 5 * 1024 * 1024
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
YES = {"yes", "y", "true", "x", "1"}
NO = {"", "no", "n", "false", "0"}

#: (field, heading, width); the row's key is in column A, hidden.
COLUMNS = [
    ("key", "Row id (do not change)", 12),
    ("code", "Code", 18),
    ("title", "Indicator", 40),
    ("area", "Area", 16),
    ("definition", "Definition", 50),
    ("unit", "Unit", 18),
    ("previous", "Last submitted figure", 20),
    ("value", "Figure (numerator for percentages)", 16),
    ("denominator", "Denominator (percentages only)", 16),
    ("not_available", "Not available? (Yes or empty)", 14),
    ("reason", "Why not available", 30),
    ("comment", "Comment", 40),
]
COLUMN = {name: get_column_letter(i) for i, (name, _, _) in enumerate(COLUMNS, start=1)}
INPUT_FIELDS = ("value", "denominator", "not_available", "reason", "comment")
_INPUT_FILL = PatternFill("solid", fgColor="FFF7BF")
_NOT_XLSX = (
    "The file is not an Excel workbook (.xlsx). Download this return's template, fill it in, and save it "
    "as an Excel workbook (.xlsx) before uploading it."
)
_NOT_TEMPLATE = (
    "This file is not a Safeguard return template. Download the template from this return's page, "
    "fill that in and upload it."
)


class UploadRefused(ValidationError):
    """The file cannot be read as this return's template: nothing was read or saved."""


class UploadInvalid(ValidationError):
    """Figures in the file are wrong: every error, with its cell. Nothing was saved."""


def row_key(slot: Slot) -> str:
    return f"{slot.indicator.pk}:{slot.locality.pk if slot.locality is not None else 0}"


def template_filename(agency_return: AgencyReturn) -> str:
    return f"return-{slugify(agency_return.agency.name)}-{slugify(agency_return.period.label)}.xlsx"


# --- The template -------------------------------------------------------------------------------
def template_bytes(*, agency_return: AgencyReturn) -> bytes:
    """The pre-filled template for a return (its slots, draft figures and the last submitted ones)."""
    slots = selectors.return_slots(agency_return=agency_return)
    stored = selectors.return_values(agency_return=agency_return)
    previous = selectors.previous_figures(agency_return=agency_return, slots=slots)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    _heading(sheet, agency_return)
    for i, (_, heading, width) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=i, value=heading)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[get_column_letter(i)].width = width
    for offset, slot in enumerate(slots):
        _write_row(sheet, FIRST_ROW + offset, slot, stored.get(slot.key), previous.get(slot.key))
    last = FIRST_ROW + max(len(slots), 1) - 1
    _validations(sheet, last)
    sheet.column_dimensions[COLUMN["key"]].hidden = True
    sheet.freeze_panes = f"{COLUMN['title']}{FIRST_ROW}"
    sheet.protection.sheet = True
    sheet.protection.formatCells = False
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False
    meta = workbook.create_sheet(META_SHEET)
    meta["A1"] = "Safeguard return template. Do not change this sheet."
    meta["A2"] = signing.dumps({"return": agency_return.pk, "rows": [row_key(s) for s in slots]}, salt=SALT)
    meta.sheet_state = "veryHidden"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _heading(sheet, agency_return: AgencyReturn) -> None:
    period = agency_return.period
    sheet["B1"] = f"{agency_return.partnership.name}: data set return"
    sheet["B1"].font = Font(bold=True, size=14)
    sheet["B2"] = (
        f"{agency_return.agency.name}, {period.label} ({period.start:%d %B %Y} to {period.end:%d %B %Y}). "
        f"Due {agency_return.due_date:%d %B %Y}."
    )
    sheet["B3"] = (
        "Fill in the yellow columns: the figure (and the denominator for a percentage), or 'Yes' under "
        "'Not available?' with the reason. Whole numbers of 0 or more. A comment is needed when a figure "
        "moves a lot from the last one. Do not add, remove or move rows. Then upload the file on the return's page."
    )


def _write_row(sheet, row: int, slot: Slot, stored, previous) -> None:
    indicator = slot.indicator
    unit = indicator.get_unit_display()
    if slot.is_percent:
        unit = f"Percentage: {indicator.numerator_label} out of {indicator.denominator_label}"
    values = {
        "key": row_key(slot),
        "code": indicator.code,
        "title": indicator.title,
        "area": slot.area,
        "definition": indicator.definition,
        "unit": unit,
        "previous": (
            f"{validation.decimal_text(previous.value, indicator.unit)} ({previous.period_label})" if previous else ""
        ),
    }
    if stored is not None:
        values.update(
            value=stored.value,
            denominator=stored.denominator,
            not_available="Yes" if stored.not_available else None,
            reason=stored.not_available_reason or None,
            comment=stored.comment or None,
        )
    for i, (name, _, _) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=row, column=i, value=values.get(name))
        cell.alignment = Alignment(wrap_text=name in ("title", "definition", "unit", "comment"), vertical="top")
        if name in INPUT_FIELDS and (name != "denominator" or slot.is_percent):
            cell.protection = Protection(locked=False)
            cell.fill = _INPUT_FILL


def _validations(sheet, last: int) -> None:
    """Excel's own checks, as a first help (the upload checks everything again)."""
    numbers = DataValidation(
        type="whole",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Whole number",
        error="Enter a whole number of 0 or more.",
    )
    numbers.add(f"{COLUMN['value']}{FIRST_ROW}:{COLUMN['denominator']}{last}")
    flag = DataValidation(type="list", formula1='"Yes"', allow_blank=True)
    flag.add(f"{COLUMN['not_available']}{FIRST_ROW}:{COLUMN['not_available']}{last}")
    sheet.add_data_validation(numbers)
    sheet.add_data_validation(flag)


# --- The upload ---------------------------------------------------------------------------------
def _open(content: bytes):
    if len(content) > MAX_BYTES:
        raise UploadRefused(
            f"The file is {len(content) / 1024 / 1024:.1f} MB: a return template is far smaller (the limit is "
            f"{MAX_BYTES // 1024 // 1024} MB). Check you chose the right file."
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise UploadRefused(_NOT_XLSX) from None
    names = {info.filename for info in infos}
    if "xl/workbook.xml" not in names:
        raise UploadRefused(_NOT_XLSX)
    if "xl/vbaProject.bin" in names:
        raise UploadRefused(
            "The file is a macro-enabled workbook (.xlsm). Save it as an Excel workbook (.xlsx) and upload that."
        )
    if sum(info.file_size for info in infos) > MAX_UNPACKED_BYTES:
        raise UploadRefused(_NOT_TEMPLATE)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about data validation it does not keep
        try:
            return openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True, keep_links=False)
        except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, SyntaxError, EOFError):
            raise UploadRefused(_NOT_XLSX) from None


def _check_template(workbook, agency_return: AgencyReturn, slots: list[Slot]) -> list[tuple]:
    """The file is this return's template, rows as downloaded, for the rows the return has now.
    Returns the data rows' cells."""
    if META_SHEET not in workbook.sheetnames or SHEET not in workbook.sheetnames:
        raise UploadRefused(_NOT_TEMPLATE)
    meta, sheet = workbook[META_SHEET], workbook[SHEET]
    meta.reset_dimensions()  # read every row, whatever size the file claims its sheets are
    sheet.reset_dimensions()
    token = next(meta.iter_rows(min_row=2, max_row=2, max_col=1, values_only=True), (None,))[0]
    try:
        note = signing.loads(str(token or ""), salt=SALT)
    except signing.BadSignature:
        raise UploadRefused(_NOT_TEMPLATE) from None
    if note.get("return") != agency_return.pk:
        raise UploadRefused(
            "This is the template of another return. Download the template from this return's page "
            f"({agency_return.agency.name}, {agency_return.period.label}) and upload that."
        )
    rows = list(sheet.iter_rows(min_row=FIRST_ROW, max_col=len(COLUMNS), values_only=True))
    while rows and all(value in (None, "") for value in rows[-1]):
        rows.pop()
    expected = note.get("rows", [])
    for offset, cells in enumerate(rows):
        wanted = expected[offset] if offset < len(expected) else None
        if wanted is None or not cells or _text(cells[0]) != wanted:
            raise UploadRefused(
                f"Row {FIRST_ROW + offset} is not as it was downloaded: rows have been added, removed or moved. "
                "Download the template again and copy your figures into it, without changing the rows."
            )
    if len(rows) < len(expected):
        raise UploadRefused(
            f"Rows have been removed: the template had {len(expected)} rows of figures and this file has "
            f"{len(rows)}. Download the template again and copy your figures into it."
        )
    if expected != [row_key(slot) for slot in slots]:
        raise UploadRefused(
            "The indicators in this return have changed since the template was downloaded. "
            "Download the template again and copy your figures into it."
        )
    return rows


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class CellError(NamedTuple):
    row: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{COLUMN[self.field]}{self.row}: {self.message[:1].lower()}{self.message[1:]}"


def _read_rows(rows: list[tuple], slots: list[Slot]) -> tuple[dict[tuple, Entry], list[CellError]]:
    """Cells -> entries by slot key, and the cells that cannot be read at all."""
    index = {name: i for i, (name, _, _) in enumerate(COLUMNS)}
    entries, errors = {}, []
    for offset, (cells, slot) in enumerate(zip(rows, slots, strict=True)):
        row = FIRST_ROW + offset

        def cell(name, cells=cells):
            return cells[index[name]] if index[name] < len(cells) else None

        flag = _text(cell("not_available")).lower()
        if flag not in YES | NO:
            errors.append(
                CellError(row, "not_available", "Enter Yes if the figure is not available, or leave it empty")
            )
        denominator = cell("denominator")
        if not slot.is_percent and _text(denominator):
            errors.append(
                CellError(row, "denominator", "Leave the denominator empty: this indicator is not a percentage")
            )
            denominator = None
        entries[slot.key] = Entry(
            value=cell("value"),
            denominator=denominator if slot.is_percent else None,
            not_available=flag in YES,
            reason=_text(cell("reason")),
            comment=_text(cell("comment")),
        )
    return entries, errors


def _cell_errors(problems, slots: list[Slot]) -> list[CellError]:
    rows = {slot.key: FIRST_ROW + offset for offset, slot in enumerate(slots)}
    return [CellError(rows[p.slot.key], p.field, p.message) for p in problems]


def _listed(errors: list[CellError]) -> list[str]:
    """Every error as "H7: ...", row by row, left to right."""
    order = {name: i for i, (name, _, _) in enumerate(COLUMNS)}
    return [str(e) for e in sorted(errors, key=lambda e: (e.row, order[e.field]))]


def return_upload(*, agency_return: AgencyReturn, by, content: bytes, expected_version: int, submit: bool):
    """Read an uploaded template and save its figures (as a draft, or submitted when ``submit``) in
    one step, or raise ``UploadRefused`` / ``UploadInvalid`` with every error and save nothing."""
    services.check_can_edit(by, agency_return)
    workbook = _open(content)
    try:
        slots = selectors.return_slots(agency_return=agency_return)
        rows = _check_template(workbook, agency_return, slots)
        entries, errors = _read_rows(rows, slots)
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, SyntaxError, EOFError):
        raise UploadRefused(_NOT_XLSX) from None
    finally:
        workbook.close()
    if errors:
        # Report the figures' problems too, so every error is listed at once.
        previous = selectors.previous_figures(agency_return=agency_return, slots=slots)
        rows_to_check = [(slot, entries[slot.key]) for slot in slots]
        _, problems = validation.check_return(rows_to_check, previous=previous, submitting=submit)
        half_read = {error.row for error in errors}  # a row with an unreadable cell gets no guessed errors
        extra = [error for error in _cell_errors(problems, slots) if error.row not in half_read]
        raise UploadInvalid(_listed(errors + extra))
    try:
        if submit:
            return services.return_submit(
                agency_return=agency_return,
                by=by,
                expected_version=expected_version,
                entries=entries,
                via="spreadsheet",
            )
        return services.return_save(
            agency_return=agency_return, by=by, entries=entries, expected_version=expected_version
        )
    except services.ReturnInvalid as exc:
        raise UploadInvalid(_listed(_cell_errors(exc.problems, slots))) from None
