"""The review's PDF and spreadsheet: produced for every role, always suppressed (the analyst's
too), access-logged, scoped to the partnership and the filters chosen.

The figures are those of ``test_review.build`` (see its module docstring).
"""

from __future__ import annotations

import io
import re
import zlib

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from safeguard.audit.models import AccessLog
from safeguard.core.xlsx import XLSX_TYPE
from safeguard.indicators import exports
from safeguard.indicators.views_review import build_review

from .test_review import build

pytestmark = pytest.mark.django_db

PDF = reverse("cp_review:pdf")
XLSX = reverse("cp_review:xlsx")


@pytest.fixture
def figures(cast):
    return build(cast.partnership)


def workbook(client, user, **params):
    client.force_login(user)
    response = client.get(XLSX, params)
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_TYPE
    return load_workbook(io.BytesIO(response.content)), response


def rows(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def block(sheet, title: str) -> list[list]:
    """The rows of an indicator's block: from its title to the next empty row after its locality table."""
    found = rows(sheet)
    start = next(i for i, row in enumerate(found) if row[0] == title)
    by_locality = next(i for i in range(start, len(found)) if str(found[i][0]).startswith("By locality"))
    end = next((i for i in range(by_locality, len(found)) if found[i][0] is None), len(found))
    return found[by_locality + 1 : end]


# --- Spreadsheet -----------------------------------------------------------------------------------


def test_the_spreadsheet_has_a_sheet_per_section_and_notes(client, cast, figures):
    book, response = workbook(client, cast.manager)
    assert book.sheetnames == [
        "Referrals",
        "Assessments",
        "Section 47 and conferences",
        "Child protection plans",
        "Notes",
    ]
    assert response["Content-Disposition"] == (
        'attachment; filename="child-protection-review-northdale-test-2024-25.xlsx"'
    )
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("role", ["manager", "read_only", "analyst"])
def test_the_spreadsheet_is_suppressed_whoever_downloads_it(client, cast, figures, role):
    """South's 3 of 4 and the 3 conferences with no locality are "c"; so is North's 42, which would
    otherwise give South's 3 away (45 - 42). Counts of 4 and 5 plans are "c"."""
    book, _ = workbook(client, getattr(cast, role))
    icpc = block(book["Section 47 and conferences"], registry_title("icpc_within_15_wd"))
    assert icpc[0][:4] == [
        "Locality",
        "Percentage (%)",
        "Initial conferences in the year within 15 working days of the section 47 start",
        "Initial conferences in the year recorded on a section 47 enquiry",
    ]
    assert icpc[1][:4] == ["North", "c", "c", 50]
    assert icpc[2][:4] == ["South", "c", "c", "c"]
    assert icpc[3][:4] == ["No locality recorded", "c", 0, "c"]
    assert icpc[4][:4] == ["Northdale Test Partnership (total)", 78.9, 45, 57]
    plans = block(book["Child protection plans"], registry_title("cpp_started"))
    assert [row[:2] for row in plans] == [
        ["Locality", "Count"],
        ["North", "c"],
        ["South", "c"],
        ["Northdale Test Partnership (total)", 9],
    ]


def test_no_count_from_1_to_5_appears_anywhere_in_the_spreadsheet(client, cast, figures):
    book, _ = workbook(client, cast.analyst)
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            small = [v for v in row if isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 5]
            assert not small, (sheet.title, row)


def test_no_locality_column_is_left_with_exactly_one_c(client, cast, figures):
    """Secondary suppression holds in the export: in every locality table, each count column
    (total included) has no "c" or at least two."""
    book, _ = workbook(client, cast.analyst)
    for sheet in book.worksheets[:-1]:
        found = rows(sheet)
        for start, row in enumerate(found):
            if row[0] != "Locality":
                continue
            end = next((i for i in range(start + 1, len(found)) if found[i][0] is None), len(found))
            table = found[start + 1 : end]
            for column in range(1, len(row)):
                if row[column] is None or str(row[column]).startswith(("Percentage", "Rate", "Working days")):
                    continue  # not counts: figures worked out from them
                markers = [r[column] for r in table].count("c")
                assert markers != 1, (sheet.title, row[column], table)


def test_the_breakdown_by_locality_and_category_is_suppressed_across_and_down(client, cast, figures):
    book, _ = workbook(client, cast.analyst)
    found = rows(book["Child protection plans"])
    start = next(i for i, row in enumerate(found) if str(row[0]).startswith("By locality and category"))
    assert found[start + 1][:7] == [
        "Locality",
        "Neglect",
        "Emotional abuse",
        "Physical abuse",
        "Sexual abuse",
        "Multiple categories",
        "Plans started in the year",
    ]
    assert found[start + 2][:7] == ["North", 20, "c", "c", 0, "c", 35]
    assert found[start + 3][:7] == ["South", 10, "c", "c", 0, "c", 25]
    assert found[start + 4][:7] == ["Northdale Test Partnership (total)", 30, 10, 9, 0, 11, 60]


def test_the_trend_rows_carry_the_benchmarks(client, cast, figures):
    book, _ = workbook(client, cast.manager)
    found = rows(book["Section 47 and conferences"])
    start = next(i for i, row in enumerate(found) if row[0] == registry_title("icpc_within_15_wd"))
    assert found[start + 1][:6] == [
        "Year",
        "Percentage (%)",
        "Initial conferences in the year within 15 working days of the section 47 start",
        "Initial conferences in the year recorded on a section 47 enquiry",
        "England",
        "Statistical neighbours",
    ]
    assert found[start + 2][:6] == ["2022-23", 75.0, 30, 40, 79.9, ":"]
    assert found[start + 4][:6] == ["2024-25", 78.9, 45, 57, 81.0, 79.3]
    assert found[start + 5][0] == "Change on the year before: Worse. Down from 80.0% in 2023-24. Higher is better."


def test_the_notes_sheet_explains_suppression_and_defines_every_indicator(client, cast, figures):
    book, _ = workbook(client, cast.manager)
    notes = rows(book["Notes"])
    text = " ".join(str(v) for row in notes for v in row if v is not None)
    assert "Counts from 1 to 5 are shown as 'c'" in text
    assert "Not available: there is no figure for this period or area." in text
    codes = {row[0] for row in notes}
    from safeguard.indicators import registry

    assert {i.code for i in registry.all_indicators()} <= codes


def test_the_filters_chosen_on_the_page_shape_the_spreadsheet(client, cast, figures):
    north, _south = figures
    book, response = workbook(client, cast.manager, section="Referrals", locality=north.pk)
    assert book.sheetnames == ["Referrals", "Notes"]
    assert "northdale-test-north-2024-25.xlsx" in response["Content-Disposition"]
    found = rows(book["Referrals"])
    assert found[1][0] == "Figures for North. Small numbers are suppressed: see the Notes sheet."
    start = next(i for i, row in enumerate(found) if row[0] == "Referrals")
    assert found[start + 3][:2] == ["2024-25", 400]


def test_an_unsuppressed_review_cannot_be_exported(cast, figures):
    review = build_review(user=cast.analyst, partnership=cast.partnership, suppress=False)
    with pytest.raises(exports.UnsuppressedExportError):
        exports.review_xlsx(review)
    with pytest.raises(exports.UnsuppressedExportError):
        exports.review_pdf(review)


def test_a_partnership_with_no_figures_gets_a_workbook_with_notes_only(client, cast):
    book, _ = workbook(client, cast.manager)
    assert book.sheetnames == ["Notes"]


# --- Access -----------------------------------------------------------------------------------------


def test_every_export_is_written_to_the_access_log(client, cast, figures):
    workbook(client, cast.manager)
    entry = AccessLog.objects.get()
    assert entry.action == "export" and entry.partnership_id == cast.partnership.pk and entry.user == cast.manager


def test_exports_need_sign_in_and_the_partnership(client, cast, figures):
    for url in (PDF, XLSX):
        assert client.get(url).status_code == 302
    client.force_login(cast.other_manager)
    for url in (PDF, XLSX):
        assert client.get(url, {"partnership": cast.partnership.pk}).status_code == 404
    assert not AccessLog.objects.filter(partnership_id=cast.partnership.pk).exists()


# --- PDF --------------------------------------------------------------------------------------------


@pytest.fixture
def printed(monkeypatch):
    """The HTML each PDF is made from (WeasyPrint still makes the real PDF)."""
    import weasyprint

    seen: list[str] = []
    real = weasyprint.HTML

    def spy(*args, **kwargs):
        seen.append(kwargs.get("string", ""))
        return real(*args, **kwargs)

    monkeypatch.setattr(weasyprint, "HTML", spy)
    return seen


def test_the_pdf_is_an_a4_document_with_page_numbers_charts_and_tables(client, cast, figures, printed):
    client.force_login(cast.analyst)
    response = client.get(PDF, {"section": "Section 47 enquiries and conferences"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert b"/MediaBox [0 0 595" in inflated(response.content)  # A4: 595 x 842 points
    filename = "child-protection-review-northdale-test-2024-25.pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    html = printed[0]
    assert 'content: "Page " counter(page) " of " counter(pages)' in html and "size: A4" in html
    assert html.count('role="img"') == 1  # the trend of the one indicator of the section with figures
    assert html.count('class="chart__table"') == 1  # with its table beside it
    assert html.count("There is no figure for 2024-25.") == 3  # the section's other indicators
    assert "Initial child protection conferences within 15 working days of the section 47 start" in html


def test_the_pdf_is_suppressed_even_for_the_analyst(client, cast, figures, printed):
    client.force_login(cast.analyst)
    assert client.get(PDF, {"section": "Section 47 enquiries and conferences"}).status_code == 200
    html = printed[0]
    table = html[html.index("<h4>By locality, 2024-25</h4>") :]
    table = table[: table.index("</table>")]
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", table, re.S)]
    assert cells[4:8] == ["North", "c", "50", "c"]
    assert cells[8:12] == ["South", "c", "c", "c"]
    assert cells[-4:] == ["Northdale Test Partnership (total)", "45", "57", "78.9%"]
    assert "Counts from 1 to 5 are shown as" in html
    assert "84.0%" not in html and "75.0%" not in html.split("By locality")[1]


def inflated(pdf: bytes) -> bytes:
    """The PDF with its compressed streams inflated (WeasyPrint compresses its page tree)."""
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(parts)


def registry_title(code: str) -> str:
    from safeguard.indicators import registry

    return registry.get(code).title
