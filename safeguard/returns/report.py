"""The board's quarterly performance report on the data set: a PDF (WeasyPrint, A4) and an xlsx
workbook, made from a ``dashboard.Dashboard`` built with suppression on, whoever downloads them.

An export leaves the system, so it never carries a count from 1 to the threshold, nor one that could
be worked out from the others. The views build the dashboard with ``suppress=True``; this module
refuses one that is not, rather than trust every caller.

- PDF: the summary table (latest figure, target, rating, direction of travel, England benchmark),
  then each theme with each indicator's chart and data table side by side, its definition, the
  sub-group's commentary and where the latest figure came from; "Page n of m" in the footer. No
  request leaves the machine while it is made (only ``data:`` URLs may be fetched).
- xlsx: "Summary" (one row per indicator), "Trends" (one row per indicator and period, with its
  source), "Notes" (suppression, markers, the RAG rule and every definition). Shown figures are
  numbers, rounded as displayed; "c" and ":" are text, as in the DfE's own spreadsheets.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from openpyxl import Workbook

from safeguard.core.suppression import NOT_AVAILABLE, SUPPRESSED, Figure, rounded
from safeguard.core.xlsx import SheetWriter, download, workbook_bytes

NUMBER_FORMATS = {"count": "#,##0", "percent": "0.0", "rate_per_10000": "0.0", "days": "0.#"}
MARKERS = (
    (SUPPRESSED, "Suppressed: a count from 1 to the threshold, or a figure that would reveal one."),
    (NOT_AVAILABLE, "Not available: there is no figure for this period or area."),
)
RAG_RULE = (
    "Ratings compare the latest figure with the board's target: green on or better than the target; amber "
    "worse than the target but within the amber threshold; red beyond it (red when no amber threshold is set). "
    "Indicators without a target, or where neither higher nor lower is better, are not rated; nor is a "
    "suppressed figure."
)
TRAVEL_RULE = (
    "Direction of travel compares the latest figure with the period before it, as the figures are shown, and says "
    "whether the change is better or worse given whether higher or lower is better."
)


class UnsuppressedExportError(RuntimeError):
    """An export was asked for figures that are not suppressed."""


def _check(board) -> None:
    if not board.suppressed:
        raise UnsuppressedExportError("Exports must be built from a suppressed dashboard (suppress=True).")


def filename(board, extension: str) -> str:
    slug = re.sub(r"[^a-z0-9-]+", "-", board.partnership.slug.lower()).strip("-") or "partnership"
    period = re.sub(r"[^a-z0-9-]+", "-", board.as_at_label.lower()).strip("-")
    area = f"-{re.sub(r'[^a-z0-9-]+', '-', board.locality.name.lower()).strip('-')}" if board.locality else ""
    return f"data-set-report-{slug}{area}-{period}.{extension}"


# --- PDF ------------------------------------------------------------------------------------------------


def chart_image(chart) -> str:
    """A chart's SVG as a ``data:`` URL for an ``<img>``: WeasyPrint then reads the SVG on its own
    instead of as part of the page, which saves about a sixth of the report's making at the
    benchmark size (no HTML parsing or CSS cascade for thousands of SVG elements)."""
    return "data:image/svg+xml;base64," + base64.b64encode(str(chart.svg).encode()).decode("ascii")


@dataclass(frozen=True)
class TrendTable:
    """An indicator's trend as the PDF prints it beside the chart. Quarterly figures go a financial
    year to a row (Q1 to Q4 across): the same figures as a period-per-row table in a quarter of the
    rows, which keeps the report readable and its making fast (table rows are most of a PDF's
    layout work). Yearly figures go a year to a row, with their benchmarks."""

    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, tuple[Figure | None, ...]], ...]


def trend_table(row, area_name: str) -> TrendTable:
    caption = f"{row.indicator.title}: {area_name}"
    quarterly = row.points and all(p.period is not None and p.period.kind == "quarter" for p in row.points)
    if not quarterly:
        return TrendTable(
            caption,
            ("Year", area_name, *row.benchmark_labels),
            tuple((p.label, (p.figure, *p.benchmarks)) for p in row.points),
        )
    years: dict[str, list[Figure | None]] = {}
    for point in row.points:
        start = point.period.start
        year = start.year if start.month >= 4 else start.year - 1
        quarter = (start.month - 4) % 12 // 3
        years.setdefault(f"{year}-{(year + 1) % 100:02d}", [None, None, None, None])[quarter] = point.figure
    return TrendTable(caption, ("Year", "Q1", "Q2", "Q3", "Q4"), tuple((y, tuple(f)) for y, f in years.items()))


def report_pdf(board) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    _check(board)
    sections = [
        (
            block.theme,
            [
                (row, trend_table(row, board.area_name), chart_image(row.chart) if row.chart else "")
                for row in block.rows
            ],
        )
        for block in board.themes
    ]
    context = {
        "board": board,
        "sections": sections,
        "today": timezone.localdate(),
        "rag_rule": RAG_RULE,
        "travel_rule": TRAVEL_RULE,
    }
    html = render_to_string("returns/dashboard/report.html", context)
    fetcher = URLFetcher(allowed_protocols=("data",), allow_redirects=False)
    return HTML(string=html, url_fetcher=fetcher).write_pdf()


def report_pdf_response(board) -> HttpResponse:
    response = HttpResponse(report_pdf(board), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename(board, "pdf")}"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- xlsx -----------------------------------------------------------------------------------------------


def report_xlsx(board) -> bytes:
    _check(board)
    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.creator = "Safeguard"
    workbook.properties.title = f"Data set report {board.as_at_label}: {board.partnership.name}"
    _summary_sheet(workbook.create_sheet("Summary"), board)
    _trends_sheet(workbook.create_sheet("Trends"), board)
    _notes_sheet(workbook.create_sheet("Notes"), board)
    return workbook_bytes(workbook)


def report_xlsx_response(board) -> HttpResponse:
    return download(report_xlsx(board), filename=filename(board, "xlsx"))


def cell_value(figure: Figure | None, unit: str = "count"):
    """A shown figure as a number (rounded as displayed); anything else as its marker."""
    if figure is None:
        return NOT_AVAILABLE
    if figure.shown and figure.value is not None:
        return figure.value if isinstance(figure.value, int) else rounded(figure.value, unit)
    return figure.display


def _summary_sheet(sheet, board) -> None:
    out = SheetWriter(sheet)
    out.line(f"Multi-agency data set: {board.partnership.name}, {board.as_at_label}", font=SheetWriter.HEADING)
    out.line(f"Figures for {board.area_name}. Small numbers are suppressed: see the Notes sheet.")
    out.gap()
    out.line(
        "Theme",
        "Code",
        "Indicator",
        "Period",
        "Latest",
        "Target",
        "Rating",
        "Direction of travel",
        "England",
        "Statistical neighbours",
        "Commentary",
        font=SheetWriter.BOLD,
    )
    for block in board.themes:
        for row in block.rows:
            benchmarks = dict(row.benchmarks)
            fmt = NUMBER_FORMATS[row.unit]
            out.line(
                block.theme.name,
                row.indicator.code,
                row.indicator.title,
                row.latest.label if row.latest else "",
                cell_value(row.latest.figure if row.latest else None, row.unit),
                float(row.indicator.target) if row.indicator.target is not None else "",
                row.rating.label if row.rating else "Not rated",
                f"{row.travel.label}. {row.travel.detail}",
                cell_value(benchmarks.get("England"), row.unit) if "England" in benchmarks else "",
                cell_value(benchmarks.get("Statistical neighbours"), row.unit)
                if "Statistical neighbours" in benchmarks
                else "",
                row.commentary.text if row.commentary else "",
                formats=[None, None, None, None, fmt, fmt, None, None, fmt, fmt, None],
            )
    out.widths([22, 20, 48, 12, 12, 10, 12, 48, 12, 14, 80])


def _trends_sheet(sheet, board) -> None:
    out = SheetWriter(sheet)
    out.line(f"Trends: {board.area_name}, up to {board.as_at_label}", font=SheetWriter.HEADING)
    out.gap()
    out.line(
        "Code",
        "Indicator",
        "Period",
        "Figure",
        "Counted",
        "Out of",
        "England",
        "Statistical neighbours",
        "Source",
        font=SheetWriter.BOLD,
    )
    count = NUMBER_FORMATS["count"]
    for row in board.rows:
        fmt = NUMBER_FORMATS[row.unit]
        labels = row.benchmark_labels
        for point in row.points:
            bench = dict(zip(labels, point.benchmarks, strict=True))
            out.line(
                row.indicator.code,
                row.indicator.title,
                point.label,
                cell_value(point.figure, row.unit),
                cell_value(point.numerator) if point.numerator is not None and row.unit != "count" else "",
                cell_value(point.denominator) if point.denominator is not None and row.unit != "count" else "",
                cell_value(bench["England"], row.unit) if "England" in bench else "",
                cell_value(bench["Statistical neighbours"], row.unit) if "Statistical neighbours" in bench else "",
                point.source.for_export if point.source else "",
                formats=[None, None, None, fmt, count, count, fmt, fmt, None],
            )
    out.widths([20, 48, 12, 12, 12, 12, 12, 14, 90])


def _notes_sheet(sheet, board) -> None:
    out = SheetWriter(sheet)
    out.line(f"Data set report {board.as_at_label}: notes", font=SheetWriter.HEADING)
    out.line("Partnership", board.partnership.name)
    out.line("Figures for", board.area_name)
    out.line("As at", board.as_at_label)
    out.line("Produced on", f"{timezone.localdate():%d %B %Y}")
    out.gap()
    out.line("Suppression", font=SheetWriter.BOLD)
    out.line(board.suppression_note)
    out.gap()
    out.line("Marker", "Meaning", font=SheetWriter.BOLD)
    for marker, meaning in MARKERS:
        out.line(marker, meaning)
    out.gap()
    out.line("Ratings", font=SheetWriter.BOLD)
    out.line(RAG_RULE)
    out.line(TRAVEL_RULE)
    out.gap()
    out.line(
        "Code",
        "Indicator",
        "Definition",
        "Shown as",
        "Polarity",
        "Target",
        "Amber threshold",
        "Reported",
        "Source",
        font=SheetWriter.BOLD,
    )
    for row in board.rows:
        indicator = row.indicator
        out.line(
            indicator.code,
            indicator.title,
            indicator.definition,
            indicator.get_unit_display(),
            indicator.get_polarity_display(),
            float(indicator.target) if indicator.target is not None else "",
            float(indicator.amber_threshold) if indicator.amber_threshold is not None else "",
            indicator.get_period_kind_display(),
            row.source_label,
        )
    out.widths([20, 44, 80, 24, 22, 10, 14, 24, 44])
