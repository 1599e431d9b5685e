"""The child protection process review as a PDF (WeasyPrint, A4) and as a spreadsheet (openpyxl).

Both are made from a ``views_review.Review`` built with suppression on, whoever asks for them:
an export leaves the system, so it never carries a count from 1 to the threshold, nor one that could
be worked out from the others (``safeguard.core.suppression``). The views make sure of it; this
module refuses a review that is not suppressed rather than trust every caller.

- PDF: the same figures as the page, each chart inline as SVG with its data table beside it,
  "Page n of m" in the footer; no request leaves the machine while it is made (only ``data:``
  URLs may be fetched, and the document needs none).
- xlsx: one sheet per section (each indicator's figures by year with its benchmarks and direction
  of travel, then its figures by locality), and a "Notes" sheet with the suppression rule, the
  markers and every indicator's definition. Shown figures are numbers (formatted as on the page);
  "c", ":" and "z" are text, as in the DfE's own spreadsheets.
"""

from __future__ import annotations

import re

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from safeguard.core.suppression import NOT_APPLICABLE, NOT_AVAILABLE, SUPPRESSED, Figure, rounded
from safeguard.core.xlsx import SheetWriter, download, workbook_bytes

from .choices import Section, Unit

#: Sheet names are at most 31 characters in Excel.
SHEET_NAMES = {
    Section.REFERRALS: "Referrals",
    Section.ASSESSMENTS: "Assessments",
    Section.SECTION_47: "Section 47 and conferences",
    Section.CP_PLANS: "Child protection plans",
}
NUMBER_FORMATS = {"count": "#,##0", "percent": "0.0", "rate_per_10000": "0.0", "days": "0.#"}
MARKERS = (
    (SUPPRESSED, "Suppressed: a count from 1 to the threshold, or a figure that would reveal one."),
    (NOT_AVAILABLE, "Not available: there is no figure for this period or area."),
    (NOT_APPLICABLE, "Not applicable: for example, a count has no denominator."),
)


class UnsuppressedExportError(RuntimeError):
    """An export was asked for figures that are not suppressed."""


def _check(review) -> None:
    if not review.suppressed:
        raise UnsuppressedExportError("Exports must be built from a suppressed review (build_review(suppress=True)).")


def _filename(review, extension: str) -> str:
    slug = re.sub(r"[^a-z0-9-]+", "-", review.partnership.slug.lower()).strip("-") or "partnership"
    area = f"-{re.sub(r'[^a-z0-9-]+', '-', review.locality.name.lower()).strip('-')}" if review.locality else ""
    return f"child-protection-review-{slug}{area}-{review.period}.{extension}"


# --- PDF ------------------------------------------------------------------------------------------------


def review_pdf(review) -> bytes:
    """The review as an A4 PDF."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    _check(review)
    html = render_to_string("indicators/review/print.html", {"review": review, "today": timezone.localdate()})
    fetcher = URLFetcher(allowed_protocols=("data",), allow_redirects=False)
    return HTML(string=html, url_fetcher=fetcher).write_pdf()


def review_pdf_response(request, review) -> HttpResponse:
    response = HttpResponse(review_pdf(review), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_filename(review, "pdf")}"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- xlsx -----------------------------------------------------------------------------------------------


def review_xlsx(review) -> bytes:
    """The review as an xlsx workbook: a sheet per section, then "Notes"."""
    _check(review)
    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.creator = "Safeguard"
    workbook.properties.title = f"Child protection process review {review.period}: {review.partnership.name}"
    for name, items in review.sections:
        _section_sheet(workbook.create_sheet(SHEET_NAMES.get(name, name[:31])), review, name, items)
    _notes_sheet(workbook.create_sheet("Notes"), review)
    return workbook_bytes(workbook)


def review_xlsx_response(review) -> HttpResponse:
    return download(review_xlsx(review), filename=_filename(review, "xlsx"))

    def gap(self, rows: int = 1) -> None:
        self.row += rows


def _cell(figure: Figure, unit: str = "count"):
    """A shown figure as a number (rounded as it is displayed), anything else as its marker."""
    if figure.shown and figure.value is not None:
        return figure.value if isinstance(figure.value, int) else rounded(figure.value, unit)
    return figure.display


def _section_sheet(sheet, review, section: str, items) -> None:
    out = SheetWriter(sheet)
    out.line(f"{section}: {review.partnership.name}, {review.period}", font=SheetWriter.HEADING)
    out.line(f"Figures for {review.area_name}. Small numbers are suppressed: see the Notes sheet.")
    out.gap()
    for item in items:
        out.line(item.indicator.title, font=SheetWriter.BOLD)
        if not item.has_values:
            out.line(f"No figure for {review.period}.")
            out.gap()
            continue
        if item.category_years is not None:
            _breakdown_block(out, review, item)
        else:
            _indicator_block(out, review, item)
        out.gap()
    widths = [46, 16, 16, 16, 16, 16, 16, 16]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def _columns(item) -> list[tuple[str, str, str]]:
    """The figures an indicator has, as (heading, which figure, number format), as on the page."""
    indicator = item.indicator
    unit = indicator.unit
    value_heading = f"{Unit(unit).label}{' (%)' if unit == Unit.PERCENT else ''}"
    count = NUMBER_FORMATS["count"]
    if unit == Unit.COUNT:
        return [(value_heading, "value", count)]
    if unit == Unit.DAYS:
        return [(value_heading, "value", NUMBER_FORMATS[unit]), (indicator.denominator, "denominator", count)]
    return [
        (value_heading, "value", NUMBER_FORMATS[unit]),
        (indicator.numerator, "numerator", count),
        (indicator.denominator, "denominator", count),
    ]


def _figures(area, columns, unit) -> list:
    found = {"value": area.value, "numerator": area.numerator.figure, "denominator": area.denominator.figure}
    return [_cell(found[which], unit if which == "value" else "count") for _heading, which, _fmt in columns]


def _indicator_block(out: SheetWriter, review, item) -> None:
    unit = item.indicator.unit
    columns = _columns(item)
    formats = [None, *(fmt for _h, _w, fmt in columns)]
    labels = review.benchmark_names
    out.line("Year", *(heading for heading, _w, _f in columns), *labels, font=SheetWriter.BOLD)
    for row in item.trend:
        benchmarks = [_cell(row.benchmarks[label], unit) for label in labels]
        out.line(
            row.period,
            *_figures(row.figures, columns, unit),
            *benchmarks,
            formats=[*formats, *([NUMBER_FORMATS[unit]] * len(benchmarks))],
        )
    if item.direction is not None:
        out.line(f"Change on the year before: {item.direction.label}. {item.direction.detail}")
    if item.localities:
        out.gap()
        out.line(f"By locality, {review.period}", font=SheetWriter.BOLD)
        out.line("Locality", *(heading for heading, _w, _f in columns), font=SheetWriter.BOLD)
        for row in item.localities:
            out.line(
                f"{row.name} (total)" if row.is_total else row.name,
                *_figures(row, columns, unit),
                formats=formats,
                font=SheetWriter.BOLD if row.is_total else None,
            )


def _breakdown_block(out: SheetWriter, review, item) -> None:
    count_fmt = NUMBER_FORMATS["count"]
    table = item.category_years
    out.line(f"{item.indicator.numerator}: {review.area_name}", font=SheetWriter.BOLD)
    out.line("Category", *table.columns, font=SheetWriter.BOLD)
    for label, cells in table.rows:
        out.line(label, *(_cell(c.figure) for c in cells), formats=[None, *([count_fmt] * len(cells))])
    out.line(
        table.total_label,
        *(_cell(c.figure) for c in table.totals),
        formats=[None, *([count_fmt] * len(table.totals))],
        font=SheetWriter.BOLD,
    )
    if item.category_shares is not None:
        shares = item.category_shares
        out.gap()
        out.line(f"Share of {item.indicator.denominator.lower()} (%): {review.area_name}", font=SheetWriter.BOLD)
        out.line("Category", *shares.columns, font=SheetWriter.BOLD)
        for label, cells in shares.rows:
            out.line(label, *(_cell(c.figure, Unit.PERCENT) for c in cells), formats=[None, *(["0.0"] * len(cells))])
    if item.category_localities is not None:
        table = item.category_localities
        out.gap()
        out.line(f"By locality and category, {review.period}", font=SheetWriter.BOLD)
        out.line("Locality", *table.columns, font=SheetWriter.BOLD)
        for label, cells in table.rows:
            out.line(label, *(_cell(c.figure) for c in cells), formats=[None, *([count_fmt] * len(cells))])
        out.line(
            f"{table.total_label} (total)",
            *(_cell(c.figure) for c in table.totals),
            formats=[None, *([count_fmt] * len(table.totals))],
            font=SheetWriter.BOLD,
        )


def _notes_sheet(sheet, review) -> None:
    out = SheetWriter(sheet)
    out.line(f"Child protection process review {review.period}: notes", font=SheetWriter.HEADING)
    out.line("Partnership", review.partnership.name)
    out.line("Figures for", review.area_name)
    out.line("Census year", f"{review.period} (1 April to 31 March)")
    out.line("Produced on", f"{timezone.localdate():%d %B %Y}")
    out.gap()
    out.line("Suppression", font=SheetWriter.BOLD)
    out.line(review.suppression_note)
    out.gap()
    out.line("Marker", "Meaning", font=SheetWriter.BOLD)
    for marker, meaning in MARKERS:
        out.line(marker, meaning)
    out.gap()
    out.line("Benchmarks are as the Department for Education publishes them.")
    out.gap()
    out.line(
        "Code", "Indicator", "Definition", "Counted", "Out of", "Shown as", "Direction", "Source", font=SheetWriter.BOLD
    )
    for _section, items in review.sections:
        for item in items:
            indicator = item.indicator
            out.line(
                indicator.code,
                indicator.title,
                indicator.definition,
                indicator.numerator,
                indicator.denominator,
                item.unit_label,
                item.polarity_label,
                indicator.source,
            )
    for index, width in enumerate([24, 44, 80, 36, 36, 20, 24, 40], start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
