"""The board's quarterly report: a PDF and a spreadsheet, suppressed whoever downloads them."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from safeguard.audit.models import AccessLog
from safeguard.returns import dashboard, report

from .test_dashboard import _fresh_reviews, build  # noqa: F401 - the fixture is used by every test here

pytestmark = pytest.mark.django_db

PDF = "/workspace/data-set/report.pdf"
XLSX = "/workspace/data-set/report.xlsx"


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


def trend_rows(html: str, title: str) -> dict[str, list[str]]:
    """The rows of the trend table printed beside an indicator's chart: {year: [Q1, Q2, Q3, Q4]}."""
    import re

    start = html.index(f"<caption>{title}")
    table = html[start : html.index("</table>", start)]
    rows = {}
    for row in re.findall(r"<tr><th scope=\"row\">(.*?)</th>(.*?)</tr>", table, re.S):
        rows[row[0]] = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row[1], re.S)]
    return rows


def test_the_pdf_is_an_a4_report_suppressed_even_for_the_analyst(client, cast, printed):
    data = build(cast)
    client.force_login(cast.analyst)  # sees 3 on the dashboard
    response = client.get(PDF, {"partnership": data.partnership.pk, "locality": data.north.pk})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"] == (
        f'attachment; filename="data-set-report-{data.partnership.slug}-north-2025-26-q2.pdf"'
    )
    html = printed[0]
    assert "size: A4" in html and 'counter(page) " of " counter(pages)' in html
    rows = trend_rows(html, "CSE referrals: North")
    assert rows == {"2024-25": ["12", "12", "12", "12"], "2025-26": ["12", "c", "", ""]}
    assert "Counts from 1 to 5 are shown as" in html
    assert 'src="data:image/svg+xml;base64,' in html and 'alt="Line chart: CSE referrals: North' in html
    assert AccessLog.objects.filter(user=cast.analyst, action="export").exists()


def test_the_pdf_names_the_agency_and_date_of_each_latest_figure_but_not_who_submitted(client, cast, printed):
    data = build(cast)
    client.force_login(cast.manager)
    assert client.get(PDF, {"partnership": data.partnership.pk}).status_code == 200
    html = printed[0]
    assert f"Latest figure: {data.police.name} return for 2025-26 Q2, submitted on" in html
    assert cast.data_lead.get_full_name() not in html
    assert "Referrals fell after the schools campaign ended." in html  # the commentary
    assert "Red: off target" in html and "Up, better" in html


def test_the_spreadsheet_is_suppressed_even_for_the_analyst(client, cast):
    data = build(cast)
    client.force_login(cast.analyst)
    response = client.get(XLSX, {"partnership": data.partnership.pk, "locality": data.north.pk})
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('-north-2025-26-q2.xlsx"')
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Summary", "Trends", "Notes"]
    summary = {row[1]: row for row in workbook["Summary"].iter_rows(min_row=5, values_only=True)}
    assert summary["cse-referrals"][3:5] == ("2025-26 Q2", "c")
    trends = [row for row in workbook["Trends"].iter_rows(min_row=4, values_only=True) if row[0] == "cse-referrals"]
    assert [row[3] for row in trends] == [12, 12, 12, 12, 12, "c"]  # numbers as numbers, markers as text
    assert all(cast.data_lead.get_full_name() not in (row[8] or "") for row in trends)
    notes = "\n".join(str(c) for row in workbook["Notes"].iter_rows(values_only=True) for c in row if c)
    assert "Counts from 1 to 5 are shown as" in notes and data.cse.definition in notes


def test_the_spreadsheet_carries_ratings_benchmarks_and_commentary(client, cast):
    data = build(cast)
    client.force_login(cast.board_member)
    workbook = load_workbook(io.BytesIO(client.get(XLSX, {"partnership": data.partnership.pk}).content))
    summary = {row[1]: row for row in workbook["Summary"].iter_rows(min_row=5, values_only=True)}
    health = summary["health-assessments"]
    assert health[4] == 72.0 and health[5] == 90.0 and health[6] == "Red"
    icpc = summary["icpc-timeliness"]
    assert (icpc[8], icpc[9]) == (78.5, 75.1)
    assert summary["cse-referrals"][10] == "Referrals fell after the schools campaign ended."


def test_an_unsuppressed_dashboard_is_never_exported(cast):
    data = build(cast)
    board = dashboard.build_dashboard(
        user=cast.analyst, partnership=data.partnership, filters=dashboard.Filters(), suppress=False
    )
    with pytest.raises(report.UnsuppressedExportError):
        report.report_pdf(board)
    with pytest.raises(report.UnsuppressedExportError):
        report.report_xlsx(board)
