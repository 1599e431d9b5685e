"""Factories for Annex A imports, workbook builders for tests, and the permission harness's objects.

- ``AnnexAExtractFactory`` / ``AnnexASheetFactory`` and one factory per list's rows, for pages and
  selectors that need stored data without importing a file.
- ``workbook(sheets)`` builds a small workbook from plain rows (a rule's passing and failing example
  in a few lines); ``synthetic_workbook(path, ...)`` writes a generated one (``generator.py``).
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import factory
from openpyxl import Workbook

from safeguard.core.testing import PartnershipFactory
from safeguard.extracts.choices import ExtractKind, ExtractStatus
from safeguard.extracts.models import Extract

from . import generator
from .columns import LISTS
from .models import (
    AnnexAAssessment,
    AnnexAChildInNeed,
    AnnexAChildProtection,
    AnnexAContact,
    AnnexAEarlyHelp,
    AnnexAExtract,
    AnnexAReferral,
    AnnexASection47,
    AnnexASheet,
    SheetStatus,
)

REFERENCE_DATE = dt.date(2025, 3, 31)

_CHILD_COLUMNS = ["child_id", "gender", "ethnicity", "birth_date", "age", "disability"]
#: The fields of each list in the order of Ofsted's template (the child first, the team and worker last).
OFSTED_ORDER: dict[int, list[str]] = {
    number: [*_CHILD_COLUMNS, *own, "allocated_team"]
    for number, own in {
        1: ["contact_date", "contact_source"],
        2: ["start_date", "completion_date", "organisation"],
        3: ["referral_date", "referral_source", "referral_nfa", "referrals_last_12_months"],
        4: ["start_date", "child_seen", "authorisation_date", "needs_support"],
        5: [
            "start_date",
            "icpc_not_required",
            "icpc_date",
            "resulted_in_plan",
            "section47s_last_12_months",
            "icpcs_last_12_months",
        ],
        6: ["start_date", "primary_need", "last_seen_date", "closure_date", "closure_reason", "case_status"],
        7: [
            "start_date",
            "initial_category",
            "latest_category",
            "last_visit_date",
            "seen_alone",
            "latest_review_date",
            "end_date",
            "emergency_protection",
            "previous_plans",
        ],
    }.items()
}
#: Ofsted's own headings for each list, in its order (what most authorities' workbooks start from).
OFSTED_HEADINGS: dict[int, list[str]] = {
    number: [LISTS[number].field(name).label for name in names] + ["Allocated worker"]
    for number, names in OFSTED_ORDER.items()
}


def ofsted_row(number: int, **values) -> list:
    """A row under ``OFSTED_HEADINGS[number]``: the given values by field name, blanks elsewhere,
    and a made-up worker label (which the import must ignore)."""
    return [values.get(name) for name in OFSTED_ORDER[number]] + ["Worker 001"]


class AnnexAExtractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Extract

    partnership = factory.SubFactory(PartnershipFactory)
    kind = ExtractKind.ANNEX_A
    local_authority_code = "830"
    collection_year = 2025
    reference_date = REFERENCE_DATE
    period_start = dt.date(2024, 4, 1)
    period_end = REFERENCE_DATE
    original_filename = "annex-a.xlsx"
    status = ExtractStatus.LOADED
    children_read = 1
    children_count = 1


class AnnexASheetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AnnexASheet

    extract = factory.SubFactory(AnnexAExtractFactory)
    position = factory.Sequence(lambda n: n + 1)
    name = "List 7"
    list_number = 7
    status = SheetStatus.IMPORTED
    header_row = 1
    rows = 1
    columns = factory.LazyFunction(
        lambda: {
            "columns": [{"field": "child_id", "label": "Child unique ID", "heading": "Child Unique ID", "column": "A"}],
            "missing": [],
            "ignored": [
                {"column": "Q", "heading": "Allocated Worker", "reason": "not imported: staff names are not kept"}
            ],
        }
    )


class _RowFactory(factory.django.DjangoModelFactory):
    extract = factory.SubFactory(AnnexAExtractFactory)
    line = factory.Sequence(lambda n: n + 2)
    child_id = factory.Sequence(lambda n: f"SYN{n:06d}")
    gender = "F"
    ethnicity = "WBRI"
    birth_date = dt.date(2015, 6, 1)


class AnnexAContactFactory(_RowFactory):
    class Meta:
        model = AnnexAContact

    contact_date = dt.date(2025, 1, 6)
    contact_source = "6"


class AnnexAEarlyHelpFactory(_RowFactory):
    class Meta:
        model = AnnexAEarlyHelp

    start_date = dt.date(2025, 1, 6)


class AnnexAReferralFactory(_RowFactory):
    class Meta:
        model = AnnexAReferral

    referral_date = dt.date(2025, 1, 6)
    referral_source = "2A"


class AnnexAAssessmentFactory(_RowFactory):
    class Meta:
        model = AnnexAAssessment

    start_date = dt.date(2025, 1, 6)


class AnnexASection47Factory(_RowFactory):
    class Meta:
        model = AnnexASection47

    start_date = dt.date(2025, 1, 6)


class AnnexAChildInNeedFactory(_RowFactory):
    class Meta:
        model = AnnexAChildInNeed

    start_date = dt.date(2024, 6, 3)
    primary_need = "N1"


class AnnexAChildProtectionFactory(_RowFactory):
    class Meta:
        model = AnnexAChildProtection

    start_date = dt.date(2024, 9, 2)
    initial_category = "NEG"
    latest_category = "NEG"


def workbook(sheets: dict[str, list[list]]) -> bytes:
    """An .xlsx file with one sheet per entry: ``{"List 7": [headings, row, row...]}``."""
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write_workbook(path: Path, sheets: dict[str, list[list]]) -> Path:
    path.write_bytes(workbook(sheets))
    return path


def synthetic_workbook(
    path: Path, *, rows: int = 200, seed: int = 1, error_rate: float = 0.0, reference_date: dt.date = REFERENCE_DATE
) -> generator.GeneratedWorkbook:
    return generator.generate_annex_a(
        output=path, rows=rows, seed=seed, error_rate=error_rate, reference_date=reference_date
    )


def harness_objects(cast, partnership) -> dict:
    """One Annex A import (with a sheet) for the ``<int:pk>`` workspace URLs of this app."""
    extract = AnnexAExtractFactory(partnership=partnership)
    AnnexASheetFactory(extract=extract)
    return {AnnexAExtract: AnnexAExtract.objects.get(pk=extract.pk)}


def _cfb_entry(name: str, kind: int) -> bytes:
    """One 128-byte directory entry of an OLE compound file (name, type; the rest left empty)."""
    encoded = (name + "\0").encode("utf-16-le")
    return encoded.ljust(64, b"\0") + len(encoded).to_bytes(2, "little") + bytes([kind, 1]) + b"\xff" * 12 + b"\0" * 48


def compound_file(*stream_names: str) -> bytes:
    """The start of an OLE compound file (header, then a directory sector naming the streams): what an
    .xls file or a password-protected .xlsx looks like to a content check. Not openable by Excel."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16 + b"\x3e\x00\x03\x00\xfe\xff\x09\x00"
    header = header.ljust(512, b"\0")
    directory = _cfb_entry("Root Entry", 5) + b"".join(_cfb_entry(name, 2) for name in stream_names)
    return header + directory.ljust(512, b"\0") + b"\0" * 1024


def encrypted_workbook() -> bytes:
    """What Excel writes for a workbook saved with a password: an OLE container holding the
    ``EncryptionInfo`` and ``EncryptedPackage`` streams (ECMA-376 agile encryption)."""
    return compound_file("\x06DataSpaces", "EncryptionInfo", "EncryptedPackage")


def old_excel_workbook() -> bytes:
    """What an Excel 97-2003 (.xls) file looks like to a content check."""
    return compound_file("Workbook", "\x05SummaryInformation")
