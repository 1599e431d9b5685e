"""The return as a spreadsheet: the pre-filled template, its upload (all or nothing, every error with
its cell), files refused for what they are, and the time a 60-indicator upload takes."""

import datetime as dt
import io
import time
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from safeguard.indicators.testing import LocalityFactory
from safeguard.returns import services, spreadsheet
from safeguard.returns.choices import ReturnStatus
from safeguard.returns.models import DataSetFigure, ReturnSubmission, ReturnValue
from safeguard.returns.spreadsheet import COLUMN, FIRST_ROW, UploadInvalid, UploadRefused
from safeguard.returns.testing import AgencyReturnFactory, DataSetFigureFactory
from safeguard.returns.validation import Entry

pytestmark = pytest.mark.django_db


def template(agency_return) -> bytes:
    return spreadsheet.template_bytes(agency_return=agency_return)


def fill(content: bytes, cells: dict[str, object]) -> bytes:
    """Type into a downloaded template as a user would (cells by name, for example "H6")."""
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    sheet = workbook[spreadsheet.SHEET]
    for name, value in cells.items():
        sheet[name] = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(agency_return, by, content, submit=False):
    agency_return.refresh_from_db()
    return spreadsheet.return_upload(
        agency_return=agency_return, by=by, content=content, expected_version=agency_return.version, submit=submit
    )


def errors_of(exc_info) -> list[str]:
    return exc_info.value.messages


def cell(field, offset=0):
    return f"{COLUMN[field]}{FIRST_ROW + offset}"


@pytest.fixture
def rows(cast, add_indicator, agency_return, previous_quarter):
    """A count (with a previous figure of 44), a percentage, and a by-locality count (North, South)."""
    LocalityFactory(partnership=cast.partnership, name="North", code="north")
    LocalityFactory(partnership=cast.partnership, name="South", code="south")
    count = add_indicator(code="cse", title="CSE referrals", position=1)
    DataSetFigureFactory(partnership=cast.partnership, indicator=count, period=previous_quarter, value=44)
    share = add_indicator(percent=True, code="iha", title="Health assessments in time", position=2)
    missing = add_indicator(code="missing", title="Missing episodes", by_locality=True, position=3)
    return {"count": count, "share": share, "missing": missing}


# --- The template -------------------------------------------------------------------------------
def test_the_template_has_a_row_per_indicator_and_locality_prefilled_and_protected(cast, rows, agency_return):
    services.return_save(
        agency_return=agency_return,
        by=cast.data_lead,
        entries={(rows["count"].pk, None): Entry(value=40, comment="Draft comment")},
        expected_version=1,
    )
    agency_return.refresh_from_db()
    workbook = openpyxl.load_workbook(io.BytesIO(template(agency_return)))
    sheet = workbook[spreadsheet.SHEET]
    assert sheet.protection.sheet
    assert sheet.column_dimensions["A"].hidden
    assert workbook[spreadsheet.META_SHEET].sheet_state == "veryHidden"
    table = [
        [sheet[f"{COLUMN[name]}{row}"].value for name in ("code", "title", "area", "previous", "value", "comment")]
        for row in range(FIRST_ROW, FIRST_ROW + 5)
    ]
    assert table == [
        ["cse", "CSE referrals", "Whole area", "44 (2025-26 Q1)", 40, "Draft comment"],
        ["iha", "Health assessments in time", "Whole area", None, None, None],
        ["missing", "Missing episodes", "Whole area", None, None, None],
        ["missing", "Missing episodes", "North", None, None, None],
        ["missing", "Missing episodes", "South", None, None, None],
    ]
    assert sheet[cell("value")].protection.locked is False
    assert sheet[cell("code")].protection.locked is True
    assert sheet[cell("denominator")].protection.locked is True  # a count has no denominator
    assert sheet[cell("denominator", 1)].protection.locked is False
    assert sheet[cell("unit", 1)].value.startswith("Percentage: Initial health assessments within 20 working days")
    assert sheet[cell("definition")].value == rows["count"].definition


def test_the_template_is_downloaded_from_the_return_page_and_logged(client, cast, rows, agency_return):
    client.force_login(cast.data_lead)
    response = client.get(reverse("returns:return_template", args=[agency_return.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == spreadsheet.CONTENT_TYPE
    assert 'filename="return-northdale-constabulary-2025-26-q2.xlsx"' in response["Content-Disposition"]
    assert openpyxl.load_workbook(io.BytesIO(response.content))[spreadsheet.SHEET][cell("code")].value == "cse"
    from safeguard.audit.models import AccessLog

    assert AccessLog.objects.filter(action="download", object_pk=str(agency_return.pk)).exists()


# --- A correct upload ---------------------------------------------------------------------------
def _complete(content):
    return fill(
        content,
        {
            cell("value"): 102,
            cell("comment"): "Schools awareness campaign",
            cell("value", 1): "45",
            cell("denominator", 1): 50.0,
            cell("value", 2): 10,
            cell("value", 3): 6,
            cell("not_available", 4): "Yes",
            cell("reason", 4): "South's system is being replaced",
        },
    )


def test_a_correct_upload_is_saved_as_a_draft_in_one_step(cast, rows, agency_return):
    upload(agency_return, cast.data_lead, _complete(template(agency_return)))
    agency_return.refresh_from_db()
    assert agency_return.status == ReturnStatus.IN_PROGRESS
    values = {(v.indicator.code, v.locality.code if v.locality else None): v for v in ReturnValue.objects.all()}
    assert values[("cse", None)].value == 102 and values[("cse", None)].comment == "Schools awareness campaign"
    assert (values[("iha", None)].value, values[("iha", None)].denominator) == (45, 50)
    assert values[("missing", "south")].not_available
    assert not ReturnSubmission.objects.exists()


def test_a_correct_upload_with_submit_ticked_is_submitted_in_one_step(cast, rows, agency_return):
    upload(agency_return, cast.data_lead, _complete(template(agency_return)), submit=True)
    agency_return.refresh_from_db()
    assert agency_return.status == ReturnStatus.SUBMITTED
    assert ReturnSubmission.objects.get().via == "spreadsheet"
    assert DataSetFigure.objects.filter(source_return=agency_return).count() == 5


def test_the_upload_page_saves_and_submits(client, cast, rows, agency_return):
    client.force_login(cast.data_lead)
    path = reverse("returns:return_upload", args=[agency_return.pk])
    assert client.get(path).status_code == 200
    file = SimpleUploadedFile("return.xlsx", _complete(template(agency_return)), content_type=spreadsheet.CONTENT_TYPE)
    response = client.post(path, {"version": 1, "file": file, "submit": "on"})
    assert response.status_code == 302
    agency_return.refresh_from_db()
    assert agency_return.status == ReturnStatus.SUBMITTED


# --- Every error, with its cell -----------------------------------------------------------------
def test_every_error_is_listed_with_its_cell_and_nothing_is_saved(cast, rows, agency_return):
    content = fill(
        template(agency_return),
        {
            cell("value"): 102,  # from 44, without a comment
            cell("value", 1): 51,
            cell("denominator", 1): 50,
            cell("value", 2): 10,
            cell("value", 3): "seven",
            cell("not_available", 4): "maybe",
            cell("denominator", 2): 4,  # a count has no denominator
        },
    )
    with pytest.raises(UploadInvalid) as exc:
        upload(agency_return, cast.data_lead, content, submit=True)
    assert errors_of(exc) == [
        f"{cell('comment')}: add a comment saying why: the figure rose by 132%, from 44 in 2025-26 Q1 to 102 "
        "(a comment is needed above 25%)",
        f"{cell('value', 1)}: the numerator (Initial health assessments within 20 working days: 51) cannot be more "
        "than the denominator (Initial health assessments due: 50). Check both figures",
        f"{cell('denominator', 2)}: leave the denominator empty: this indicator is not a percentage",
        f"{cell('value', 3)}: enter a whole number of 0 or more, for example 12 (no letters, spaces or decimal points)",
        f"{cell('not_available', 4)}: enter Yes if the figure is not available, or leave it empty",
    ]
    assert not ReturnValue.objects.exists()
    agency_return.refresh_from_db()
    assert agency_return.status == ReturnStatus.NOT_STARTED


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ({"value": -1}, "H6: enter a whole number of 0 or more: a figure cannot be negative"),
        ({"value": 2.5}, "H6: enter a whole number of 0 or more: 2.5 is not a whole number"),
        ({"not_available": "Yes"}, "K6: say why the figure is not available"),
        ({"not_available": "Yes", "reason": "x", "value": 3}, "H6: remove the figure, or untick 'Not available'"),
        ({}, "H6: enter the figure, or tick 'Not available' and say why"),
    ],
)
def test_each_rule_names_its_cell(cast, add_indicator, agency_return, cells, expected):
    add_indicator()
    content = fill(template(agency_return), {cell(name): value for name, value in cells.items()})
    with pytest.raises(UploadInvalid) as exc:
        upload(agency_return, cast.data_lead, content, submit=True)
    assert errors_of(exc)[0].startswith(expected)


def test_localities_adding_up_to_more_than_the_whole_area_name_the_whole_area_cell(cast, rows, agency_return):
    content = fill(
        _complete(template(agency_return)), {cell("value", 2): 5, cell("value", 3): 6, cell("not_available", 4): None}
    )
    content = fill(content, {cell("reason", 4): None, cell("value", 4): 1})
    with pytest.raises(UploadInvalid) as exc:
        upload(agency_return, cast.data_lead, content)
    assert errors_of(exc) == [
        f"{cell('value', 2)}: the localities' figures add up to 7, more than the whole area's 5. "
        "The whole area includes every locality: check the figures"
    ]


def test_a_draft_upload_may_leave_rows_blank(cast, rows, agency_return):
    upload(agency_return, cast.data_lead, fill(template(agency_return), {cell("value", 2): 3}))
    assert ReturnValue.objects.get().value == 3


def test_the_upload_page_lists_every_error(client, cast, rows, agency_return):
    client.force_login(cast.data_lead)
    content = fill(template(agency_return), {cell("value"): "x", cell("value", 2): "y"})
    file = SimpleUploadedFile("return.xlsx", content, content_type=spreadsheet.CONTENT_TYPE)
    response = client.post(reverse("returns:return_upload", args=[agency_return.pk]), {"version": 1, "file": file})
    page = response.content.decode()
    assert response.status_code == 200
    assert "fix these 2 problems" in page
    assert f"{cell('value')}: enter a whole number" in page and f"{cell('value', 2)}: enter a whole number" in page


# --- Wrong files --------------------------------------------------------------------------------
def _plain_workbook() -> bytes:
    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    return buffer.getvalue()


def _macro_workbook(content: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for item in source.infolist():
            archive.writestr(item, source.read(item))
        archive.writestr("xl/vbaProject.bin", b"macro")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda t: b"%PDF-1.7 not a workbook", "The file is not an Excel workbook (.xlsx)"),
        (lambda t: b"Code,Value\ncse,4\n", "The file is not an Excel workbook (.xlsx)"),
        (lambda t: t[: len(t) // 2], "The file is not an Excel workbook (.xlsx)"),
        (lambda t: _plain_workbook(), "This file is not a Safeguard return template"),
        (lambda t: _macro_workbook(t), "macro-enabled workbook (.xlsm)"),
    ],
)
def test_files_that_are_not_this_kind_of_workbook_are_refused(cast, rows, agency_return, make, says):
    with pytest.raises(UploadRefused) as exc:
        upload(agency_return, cast.data_lead, make(template(agency_return)))
    assert says in errors_of(exc)[0]


def test_another_returns_template_is_refused(cast, rows, agency_return, previous_quarter, lead_agency):
    earlier = AgencyReturnFactory(partnership=cast.partnership, agency=lead_agency, period=previous_quarter)
    with pytest.raises(UploadRefused) as exc:
        upload(agency_return, cast.data_lead, template(earlier))
    assert "This is the template of another return" in errors_of(exc)[0]
    assert "(Northdale Constabulary, 2025-26 Q2)" in errors_of(exc)[0]


def test_a_tampered_note_is_refused(cast, rows, agency_return):
    workbook = openpyxl.load_workbook(io.BytesIO(template(agency_return)))
    workbook[spreadsheet.META_SHEET]["A2"] = workbook[spreadsheet.META_SHEET]["A2"].value.replace(":", ";", 1)
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(UploadRefused, match="not a Safeguard return template"):
        upload(agency_return, cast.data_lead, buffer.getvalue())


def test_rows_added_removed_or_moved_are_refused(cast, rows, agency_return):
    content = template(agency_return)
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    sheet = workbook[spreadsheet.SHEET]
    sheet.protection.sheet = False
    sheet.delete_rows(FIRST_ROW + 1)
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(UploadRefused) as exc:
        upload(agency_return, cast.data_lead, buffer.getvalue())
    assert errors_of(exc)[0].startswith(f"Row {FIRST_ROW + 1} is not as it was downloaded")
    swapped = fill(content, {cell("key"): sheet[cell("key", 1)].value, cell("key", 1): sheet[cell("key")].value})
    with pytest.raises(UploadRefused, match=f"Row {FIRST_ROW} is not as it was downloaded"):
        upload(agency_return, cast.data_lead, swapped)
    extra = fill(content, {cell("key", 5): "999:0", cell("value", 5): 4})
    with pytest.raises(UploadRefused, match=f"Row {FIRST_ROW + 5} is not as it was downloaded"):
        upload(agency_return, cast.data_lead, extra)
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    workbook[spreadsheet.SHEET].delete_rows(FIRST_ROW + 4)
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(UploadRefused, match="Rows have been removed: the template had 5 rows"):
        upload(agency_return, cast.data_lead, buffer.getvalue())


def test_a_template_from_before_the_indicators_changed_is_refused(cast, rows, agency_return, add_indicator):
    content = template(agency_return)
    add_indicator(title="Added since")
    with pytest.raises(UploadRefused, match="have changed since the template was downloaded"):
        upload(agency_return, cast.data_lead, content)


def test_a_submitted_return_takes_no_upload(cast, rows, agency_return):
    content = _complete(template(agency_return))
    upload(agency_return, cast.data_lead, content, submit=True)
    with pytest.raises(services.ValidationError, match="ask the business unit to reopen it"):
        upload(agency_return, cast.data_lead, content)


# --- Speed --------------------------------------------------------------------------------------
def test_uploading_a_60_indicator_return_takes_under_a_second(cast, add_indicator, agency_return, previous_quarter):
    indicators = [add_indicator(code=f"ind-{n:02d}", percent=n % 4 == 0, position=n) for n in range(60)]
    for indicator in indicators:
        DataSetFigureFactory(
            partnership=cast.partnership,
            indicator=indicator,
            period=previous_quarter,
            value=50 if indicator.unit == "percent" else 100,
        )
    cells = {}
    for offset, indicator in enumerate(indicators):
        cells[cell("value", offset)] = 45 if indicator.unit == "percent" else 110
        if indicator.unit == "percent":
            cells[cell("denominator", offset)] = 90
    content = fill(template(agency_return), cells)
    started = time.perf_counter()
    upload(agency_return, cast.data_lead, content, submit=True)
    elapsed = time.perf_counter() - started
    print(f"\n60-indicator upload (read, check, save and submit): {elapsed * 1000:.0f} ms")
    assert elapsed < 1.0
    assert ReturnValue.objects.count() == 60
    assert DataSetFigure.objects.filter(period=agency_return.period).count() == 60
    agency_return.refresh_from_db()
    assert agency_return.status == ReturnStatus.SUBMITTED
    assert agency_return.due_date > dt.date(2025, 9, 30)
