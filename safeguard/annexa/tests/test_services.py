"""Importing a workbook: loads, all-or-nothing, superseding, refused files, limits, permissions."""

import datetime as dt
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from safeguard.annexa import services
from safeguard.annexa.models import (
    LIST_MODELS,
    AnnexAChildProtection,
    AnnexAContact,
    AnnexAReferral,
    AnnexASheet,
    SheetStatus,
)
from safeguard.annexa.testing import (
    OFSTED_HEADINGS,
    REFERENCE_DATE,
    encrypted_workbook,
    ofsted_row,
    old_excel_workbook,
    synthetic_workbook,
    workbook,
    write_workbook,
)
from safeguard.extracts.choices import ExtractStatus
from safeguard.extracts.models import Extract, Finding
from safeguard.extracts.signals import extract_loaded

D = dt.date


def _import(cast, path, **kwargs):
    kwargs.setdefault("reference_date", REFERENCE_DATE)
    return services.annex_a_import(partnership=cast.partnership, path=path, by=cast.analyst, **kwargs)


CHILD = {"gender": "F", "ethnicity": "WBRI", "birth_date": D(2015, 6, 1), "age": 9, "disability": "No"}


PLAN_START = D(2024, 9, 2)
CONTACT = D(2025, 1, 6)


def _list7_row(child_id="SYN1", start=PLAN_START, category="NEG"):
    return ofsted_row(
        7,
        **CHILD,
        child_id=child_id,
        start_date=start,
        initial_category=category,
        latest_category=category,
        last_visit_date=D(2025, 3, 20),
        seen_alone="Yes",
        emergency_protection="No",
        previous_plans=0,
        allocated_team="North team",
    )


def _list1_row(child_id="SYN1", day=CONTACT):
    return ofsted_row(1, **CHILD, child_id=child_id, contact_date=day, contact_source="6", allocated_team="North team")


# --- Loading ----------------------------------------------------------------------------------
def test_a_synthetic_workbook_loads_every_list(cast, tmp_path):
    made = synthetic_workbook(tmp_path / "annex-a.xlsx", rows=300, seed=7)
    cast.partnership.local_authority_code = "830"
    cast.partnership.save()
    extract = _import(cast, tmp_path / "annex-a.xlsx")
    assert (extract.status, extract.is_current, extract.failure_message) == (ExtractStatus.LOADED, True, "")
    assert extract.kind == "annex_a" and extract.local_authority_code == "830"
    assert (extract.collection_year, extract.period_start, extract.period_end) == (2025, D(2024, 4, 1), REFERENCE_DATE)
    assert extract.finding_counts == {} and extract.error_count == extract.query_count == 0
    assert {number: model.objects.filter(extract=extract).count() for number, model in LIST_MODELS.items()} == made.rows
    assert extract.children_read == 300 and 0 < extract.children_count <= 300
    assert extract.source["lists"]["7"]["rows"] == made.rows[7]
    assert extract.source["not_imported"] == ["List 8 (children in care): sheet “List 8 - Children in care”"]
    assert set(extract.timings) == {"check", "read", "validate", "write_rows", "save_findings", "total"}
    assert extract.sha256 and extract.size_bytes == (tmp_path / "annex-a.xlsx").stat().st_size
    sheets = list(AnnexASheet.objects.filter(extract=extract))
    assert [s.status for s in sheets] == [SheetStatus.UNRECOGNISED] + [SheetStatus.IMPORTED] * 7 + [
        SheetStatus.NOT_IMPORTED
    ]
    letters = [c["column"] for c in sheets[7].columns["columns"]]
    assert letters == sorted(letters)  # shown in the sheet's order
    worker = sheets[7].columns["ignored"]
    assert worker == [
        {"column": "Q", "heading": "Allocated Worker", "reason": "not imported: staff names are not kept"}
    ]


def test_no_staff_or_child_names_are_stored():
    for model in LIST_MODELS.values():
        names = {f.name for f in model._meta.get_fields()}
        assert not any("worker" in n or "name" in n for n in names), model


def test_values_are_typed_from_dates_text_and_serial_numbers(cast, tmp_path):
    sheet = [OFSTED_HEADINGS[1]]
    sheet.append(_list1_row("A1", D(2025, 1, 6)))
    sheet.append(_list1_row("A2", "07/01/2025"))
    sheet.append(_list1_row("A3", 45665))  # 8 January 2025
    sheet.append([None] * 10)  # blank rows are skipped, line numbers kept
    sheet.append(_list1_row("A4", "2025-01-09"))
    extract = _import(cast, write_workbook(tmp_path / "a.xlsx", {"List 1": sheet}))
    rows = list(
        AnnexAContact.objects.filter(extract=extract).order_by("line").values_list("line", "child_id", "contact_date")
    )
    assert rows == [
        (2, "A1", D(2025, 1, 6)),
        (3, "A2", D(2025, 1, 7)),
        (4, "A3", D(2025, 1, 8)),
        (6, "A4", D(2025, 1, 9)),
    ]
    contact = AnnexAContact.objects.get(extract=extract, child_id="A1")
    assert (contact.gender, contact.ethnicity, contact.age, contact.disability, contact.contact_source) == (
        "F",
        "WBRI",
        9,
        False,
        "6",
    )
    assert extract.finding_counts == {"AA14Q": 6}  # lists 2-7 missing: queries only


def test_the_heading_row_may_sit_below_a_title(cast, tmp_path):
    sheet = [["Annex A: list 1 contacts"], [], OFSTED_HEADINGS[1], _list1_row()]
    extract = _import(cast, write_workbook(tmp_path / "a.xlsx", {"L1 Contacts": sheet}))
    assert extract.status == ExtractStatus.LOADED
    assert AnnexAContact.objects.get(extract=extract).line == 4
    assert AnnexASheet.objects.get(extract=extract).header_row == 3


# --- All or nothing ---------------------------------------------------------------------------
def test_an_error_in_the_last_row_of_list_7_saves_nothing(cast, tmp_path):
    list1 = [OFSTED_HEADINGS[1]] + [_list1_row(f"C{n}") for n in range(50)]
    list7 = [OFSTED_HEADINGS[7]] + [_list7_row(f"P{n}") for n in range(30)] + [_list7_row("P-last", category="XYZ")]
    path = write_workbook(tmp_path / "a.xlsx", {"List 1": list1, "List 7": list7})
    extract = _import(cast, path)
    assert extract.status == ExtractStatus.REJECTED and not extract.is_current
    assert all(not model.objects.filter(extract=extract).exists() for model in LIST_MODELS.values())
    assert extract.children_read == 81 and extract.error_count == 2
    finding = Finding.objects.get(extract=extract, field="Initial category of abuse")
    assert (finding.code, finding.severity, finding.la_child_id, finding.line) == ("AA03", "error", "P-last", 32)
    assert "Sheet “List 7” (List 7 (child protection)), row 32" in finding.message
    assert finding.fix
    assert AnnexASheet.objects.filter(extract=extract).count() == 2  # the column matching is kept to explain


def test_a_missing_required_column_rejects_the_workbook(cast, tmp_path):
    position = OFSTED_HEADINGS[7].index("Child protection plan start date")
    headings = OFSTED_HEADINGS[7][:position] + OFSTED_HEADINGS[7][position + 1 :]
    rows = [r[:position] + r[position + 1 :] for r in [_list7_row()]]
    extract = _import(cast, write_workbook(tmp_path / "a.xlsx", {"List 7": [headings, *rows]}))
    assert extract.status == ExtractStatus.REJECTED
    assert extract.finding_counts["AA01"] == 1
    sheet = AnnexASheet.objects.get(extract=extract)
    assert {"field": "start_date", "label": "Child protection plan start date", "required": True} in sheet.columns[
        "missing"
    ]


def test_queries_do_not_stop_the_load(cast, tmp_path):
    old = _list1_row("OLD", D(2023, 5, 1))  # before the 12-month window: a query
    extract = _import(cast, write_workbook(tmp_path / "a.xlsx", {"List 1": [OFSTED_HEADINGS[1], old]}))
    assert extract.status == ExtractStatus.LOADED
    assert extract.finding_counts["AA05Q"] == 1 and extract.error_count == 0


def test_findings_beyond_the_limit_are_counted_but_not_listed(cast, tmp_path, monkeypatch):
    monkeypatch.setattr(services, "MAX_FINDINGS", 3)
    bad = [_list1_row(f"B{n}", "not a date") for n in range(6)]
    extract = _import(cast, write_workbook(tmp_path / "a.xlsx", {"List 1": [OFSTED_HEADINGS[1], *bad]}))
    assert extract.finding_counts["AA02"] == 6
    stored = list(Finding.objects.filter(extract=extract).values_list("code", flat=True))
    assert stored == ["AA02", "AA02", "AA99Q"]


# --- Superseding ------------------------------------------------------------------------------
def test_a_new_import_supersedes_the_current_one_and_says_so_after_commit(
    cast, tmp_path, django_capture_on_commit_callbacks
):
    synthetic_workbook(tmp_path / "a.xlsx", rows=50, seed=1)
    heard = []

    def listener(sender, extract, superseded, **kwargs):
        heard.append((extract.pk, superseded.pk if superseded else None))

    extract_loaded.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            first = _import(cast, tmp_path / "a.xlsx")
        with django_capture_on_commit_callbacks(execute=True):
            second = _import(cast, tmp_path / "a.xlsx", reference_date=D(2025, 9, 30))
    finally:
        extract_loaded.disconnect(listener)
    first.refresh_from_db()
    assert (first.status, first.is_current) == (ExtractStatus.SUPERSEDED, False)
    assert (second.status, second.is_current, second.collection_year) == (ExtractStatus.LOADED, True, 2026)
    assert heard == [(first.pk, None), (second.pk, first.pk)]
    assert AnnexAChildProtection.objects.filter(extract=first).exists()  # kept for the record


def test_a_rejected_import_leaves_the_current_one_in_place(cast, tmp_path):
    synthetic_workbook(tmp_path / "good.xlsx", rows=50, seed=1)
    good = _import(cast, tmp_path / "good.xlsx")
    synthetic_workbook(tmp_path / "bad.xlsx", rows=200, seed=2, error_rate=0.2)
    bad = _import(cast, tmp_path / "bad.xlsx")
    good.refresh_from_db()
    assert bad.status == ExtractStatus.REJECTED and good.is_current
    assert Extract.objects.filter(partnership=cast.partnership, is_current=True).get() == good


def test_another_partnerships_current_import_is_untouched(cast, tmp_path):
    synthetic_workbook(tmp_path / "a.xlsx", rows=30, seed=1)
    theirs = services.annex_a_import(
        partnership=cast.other_partnership, path=tmp_path / "a.xlsx", by=None, reference_date=REFERENCE_DATE
    )
    _import(cast, tmp_path / "a.xlsx")
    theirs.refresh_from_db()
    assert theirs.is_current


# --- Files refused ----------------------------------------------------------------------------
def _docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def _xlsm() -> bytes:
    data = io.BytesIO(workbook({"List 1": [OFSTED_HEADINGS[1]]}))
    out = io.BytesIO()
    with zipfile.ZipFile(data) as source, zipfile.ZipFile(out, "w") as archive:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "[Content_Types].xml":
                content = content.replace(
                    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
                )
            archive.writestr(info, content)
    return out.getvalue()


def _empty_workbook() -> bytes:
    out = io.BytesIO()
    Workbook().save(out)
    return out.getvalue()


REFUSED = {
    "empty file": (b"", "The file is empty (0 bytes)"),
    "not a workbook": (bytes(range(256)) * 4, "not an Excel workbook (.xlsx), whatever its name says"),
    "an old .xls": (old_excel_workbook(), "older Excel file (.xls, Excel 97-2003)"),
    "a CSV renamed": (b"Child Unique ID,Gender,Date of contact\nSYN1,F,06/01/2025\n", "CSV or text file"),
    "a web page renamed": (b"<html><table><tr><td>Child</td></tr></table></html>", "web page or XML file"),
    "an encrypted workbook": (encrypted_workbook(), "protected with a password"),
    "a damaged zip": (b"PK\x03\x04" + b"\x00" * 200, "damaged"),
    "a Word document": (_docx(), "a Word document, not an Excel workbook"),
    "a macro-enabled workbook": (_xlsm(), "macro-enabled workbook (.xlsm)"),
    "an empty workbook": (_empty_workbook(), "None of the sheets is an Annex A list 1 to 7 (sheets found: “Sheet”)"),
    "only list 8": (workbook({"List 8": [["Child Unique ID"]]}), "None of the sheets is an Annex A list"),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_a_file_that_is_not_an_annex_a_workbook_is_refused_with_a_reason(cast, tmp_path, case):
    content, message = REFUSED[case]
    path = tmp_path / "annex-a.xlsx"
    path.write_bytes(content)
    extract = _import(cast, path)
    assert extract.status == ExtractStatus.FAILED and not extract.is_current
    assert message in extract.failure_message
    assert not Finding.objects.filter(extract=extract).exists()
    with pytest.raises(ValidationError) as refused:
        services.annex_a_check_upload(SimpleUploadedFile("annex-a.xlsx", content))
    assert message in refused.value.messages[0]


def test_a_workbook_with_encrypted_parts_is_refused(cast, tmp_path):
    data = bytearray(workbook({"List 1": [OFSTED_HEADINGS[1], _list1_row()]}))
    at = data.find(b"PK\x01\x02")
    while at != -1:  # set the "encrypted" flag of every entry in the central directory
        data[at + 8] |= 0x1
        at = data.find(b"PK\x01\x02", at + 4)
    path = tmp_path / "a.xlsx"
    path.write_bytes(bytes(data))
    extract = _import(cast, path)
    assert extract.status == ExtractStatus.FAILED and "parts are encrypted" in extract.failure_message


def test_a_file_over_the_size_limit_is_refused(cast, tmp_path, settings):
    synthetic_workbook(tmp_path / "a.xlsx", rows=100)
    settings.SAFEGUARD_EXTRACT_MAX_BYTES = 2048
    extract = _import(cast, tmp_path / "a.xlsx")
    assert extract.status == ExtractStatus.FAILED
    assert "the largest workbook Safeguard imports is 2 KB" in extract.failure_message


def test_a_zip_bomb_is_refused_before_it_is_unpacked(cast, tmp_path, settings):
    data = io.BytesIO(workbook({"List 1": [OFSTED_HEADINGS[1], _list1_row()]}))
    with zipfile.ZipFile(data, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\0" * (30 * 1024 * 1024))
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(data.getvalue())
    assert path.stat().st_size < 200 * 1024
    settings.SAFEGUARD_ANNEXA_MAX_UNPACKED_BYTES = 20 * 1024 * 1024
    extract = _import(cast, path)
    assert extract.status == ExtractStatus.FAILED
    assert "unpacks to 30 MB, more than the 20 MB Safeguard reads" in extract.failure_message


def test_a_sheet_with_too_many_rows_is_refused(cast, tmp_path, monkeypatch):
    monkeypatch.setattr(services, "MAX_ROWS_PER_SHEET", 5)
    rows = [OFSTED_HEADINGS[1]] + [_list1_row(f"R{n}") for n in range(6)]
    extract = _import(cast, write_workbook(tmp_path / "a.xlsx", {"List 1": rows}))
    assert extract.status == ExtractStatus.FAILED
    assert "Sheet “List 1” has more than 5 rows of data" in extract.failure_message
    assert not AnnexAContact.objects.filter(extract=extract).exists()


def test_a_workbook_openpyxl_cannot_read_fails_with_a_message(cast, tmp_path):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/></Types>',
        )
        archive.writestr("xl/workbook.xml", '<workbook><sheets><sheet name="List 1" sheetId="1"/></sheets></workbook>')
    path = tmp_path / "broken.xlsx"
    path.write_bytes(out.getvalue())
    extract = _import(cast, path)
    assert extract.status == ExtractStatus.FAILED
    assert "could not be read" in extract.failure_message


def test_an_unexpected_failure_is_recorded_and_raised(cast, tmp_path, monkeypatch):
    synthetic_workbook(tmp_path / "a.xlsx", rows=20)

    def broken(*args, **kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(services, "_read_workbook", broken)
    with pytest.raises(RuntimeError):
        _import(cast, tmp_path / "a.xlsx")
    extract = Extract.objects.get(partnership=cast.partnership)
    assert extract.status == ExtractStatus.FAILED and "stopped unexpectedly" in extract.failure_message


def test_a_second_sheet_for_the_same_list_is_not_imported(cast, tmp_path):
    sheets = {"List 3": [OFSTED_HEADINGS[3]], "Referrals (old)": [OFSTED_HEADINGS[3]]}
    extract = _import(cast, write_workbook(tmp_path / "a.xlsx", sheets))
    assert list(AnnexASheet.objects.filter(extract=extract).values_list("status", flat=True)) == [
        SheetStatus.IMPORTED,
        SheetStatus.DUPLICATE,
    ]
    assert not AnnexAReferral.objects.filter(extract=extract).exists()


# --- Who may import ---------------------------------------------------------------------------
def test_only_the_partnerships_analysts_may_import(cast, tmp_path):
    synthetic_workbook(tmp_path / "a.xlsx", rows=20)
    for user in (cast.manager, cast.read_only, cast.other_analyst):
        with pytest.raises(PermissionDenied):
            services.annex_a_import(partnership=cast.partnership, path=tmp_path / "a.xlsx", by=user)
    assert not Extract.objects.exists()


def test_a_bad_local_authority_code_is_refused(cast, tmp_path):
    synthetic_workbook(tmp_path / "a.xlsx", rows=20)
    with pytest.raises(ValidationError) as error:
        _import(cast, tmp_path / "a.xlsx", local_authority_code="83")
    assert "three-digit local authority code" in str(error.value)


def test_an_upload_waits_privately_and_is_imported_by_the_worker(
    cast, tmp_path, extract_root, django_capture_on_commit_callbacks
):
    synthetic_workbook(tmp_path / "a.xlsx", rows=20)
    upload = SimpleUploadedFile("Annex A (March).xlsx", (tmp_path / "a.xlsx").read_bytes())
    with django_capture_on_commit_callbacks(execute=False) as queued:
        extract = services.annex_a_upload(
            partnership=cast.partnership, upload=upload, by=cast.analyst, reference_date=REFERENCE_DATE
        )
    assert extract.status == ExtractStatus.PENDING and len(queued) == 1
    stored = extract_root / extract.stored_name
    assert stored.read_bytes() == (tmp_path / "a.xlsx").read_bytes() and stored.stat().st_mode & 0o077 == 0
    assert extract.sha256 and extract.size_bytes == stored.stat().st_size
    queued[0]()  # the worker picks the job up
    extract.refresh_from_db()
    assert (extract.status, extract.is_current, extract.stored_name) == (ExtractStatus.LOADED, True, "")
    assert extract.original_filename == "Annex A (March).xlsx" and extract.uploaded_by == cast.analyst
    assert list(extract_root.iterdir()) == []
    assert services.annex_a_import_task.call(extract_id=extract.pk) == "loaded"  # a second run does nothing
    assert Extract.objects.count() == 1 and AnnexAContact.objects.filter(extract=extract).count() > 0
    assert services.annex_a_import_task.call(extract_id=extract.pk + 100) == "gone"


def test_an_upload_that_is_not_a_workbook_is_refused_before_anything_is_kept(cast, extract_root):
    upload = SimpleUploadedFile("annex-a.xlsx", encrypted_workbook())
    with pytest.raises(ValidationError) as refused:
        services.annex_a_upload(
            partnership=cast.partnership, upload=upload, by=cast.analyst, reference_date=REFERENCE_DATE
        )
    assert "protected with a password" in refused.value.message_dict["file"][0]
    assert not Extract.objects.exists() and not (extract_root.exists() and any(extract_root.iterdir()))


def test_only_analysts_may_upload(cast):
    upload = SimpleUploadedFile("annex-a.xlsx", b"x")
    with pytest.raises(PermissionDenied):
        services.annex_a_upload(
            partnership=cast.partnership, upload=upload, by=cast.manager, reference_date=REFERENCE_DATE
        )


def test_the_import_runs_a_bounded_number_of_queries(cast, tmp_path, django_assert_max_num_queries):
    synthetic_workbook(tmp_path / "small.xlsx", rows=50, seed=5)
    synthetic_workbook(tmp_path / "large.xlsx", rows=3000, seed=5, error_rate=0.01)
    with django_assert_max_num_queries(40):
        _import(cast, tmp_path / "small.xlsx")
    with django_assert_max_num_queries(40):
        _import(cast, tmp_path / "large.xlsx")  # rows and findings written in batches, not one by one
