"""The child protection process review: the partnership's indicators for a year, with their trend,
benchmarks and localities, as a page, a PDF and a spreadsheet; and the drill-through to the children
behind a figure.

Who sees what
-------------
- The page needs ``indicators.view`` in the partnership (every staff role and read-only). A user
  of another partnership gets a 404: the partnership is not shown to exist.
- Figures are suppressed (``safeguard.core.suppression``: 1 to 5 shown as "c", with secondary
  suppression across localities) for everyone except users with ``extracts.view_child_data``
  (the analyst role), who see exact figures and are told that exports are suppressed. Exports (PDF
  and xlsx) are always suppressed, whoever downloads them.
- Drill-through: for users with ``extracts.view_child_data`` only, each count links to the list of
  the children behind it. The link carries the indicator code, year, locality, breakdown, part and
  the partnership (never a child's identifier); anyone else gets a 404 on it. Every read of the
  list is written to the access log by ``selectors.indicator_members``.

Consistency: a figure is suppressed the same way wherever it appears (headline, trend, locality
table, chart, PDF, spreadsheet) because every one of them is read from the same per-year locality
table (``_area_table``), in which the whole partnership is the total row; and a line of counts that
two tables share (plans started by locality, which is also the row totals of the breakdown by
category) is hidden alike in both (``_Suppression``), whatever section or locality is chosen.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.generic import TemplateView, View

from safeguard.audit.models import AccessAction
from safeguard.audit.services import access_log_record
from safeguard.core import charts
from safeguard.core.access import has_capability
from safeguard.core.roles import Capability
from safeguard.core.suppression import (
    Figure,
    Reason,
    SuppressedLine,
    SuppressedTable,
    default_threshold,
    derived_figure,
    format_value,
    not_applicable,
    rounded,
    suppress_line,
    suppress_table,
)
from safeguard.core.views_generic import WorkspaceMixin
from safeguard.extracts.census.codes import CATEGORIES_OF_ABUSE
from safeguard.partnerships.models import Locality, Partnership

from . import registry, selectors
from .choices import AreaKind, Part, Polarity, Section, Unit
from .compute import CATEGORIES, NOT_RECORDED
from .models import period_label

TREND_YEARS = 5
NO_LOCALITY = "No locality recorded"
CATEGORY_LABELS = {code: CATEGORIES_OF_ABUSE[code] for code in CATEGORIES} | {NOT_RECORDED: "Not recorded"}
BENCHMARK_KINDS = (
    (AreaKind.ENGLAND, "England", "england"),
    (AreaKind.STATISTICAL_NEIGHBOURS, "Statistical neighbours", "neighbours"),
    (AreaKind.REGION, "Region", "region"),
)


def census_year_of(day: dt.date) -> int:
    """The collection year (the year the census year ends) that ``day`` falls in."""
    return day.year + 1 if day.month >= 4 else day.year


# --- What the page, the PDF and the spreadsheet show ----------------------------------------------


@dataclass(frozen=True)
class Cell:
    """A figure, with the drill-through link when the user may follow it."""

    figure: Figure
    link: str = ""


@dataclass(frozen=True)
class AreaFigures:
    """One area's figures for one year: numerator, denominator and the value."""

    name: str
    numerator: Cell
    denominator: Cell
    value: Figure
    locality_id: int | None = None
    is_total: bool = False
    is_remainder: bool = False


@dataclass(frozen=True)
class Direction:
    """Direction of travel against the previous year, in words (never colour alone)."""

    label: str  # Better, Worse, No change, Up, Down, Not compared
    detail: str
    tone: str = "grey"  # the GOV.UK tag colour that goes with the words


@dataclass(frozen=True)
class TrendRow:
    period: str
    figures: AreaFigures
    benchmarks: dict[str, Figure]  # by label ("England", ...), in the order of BENCHMARK_KINDS


@dataclass(frozen=True)
class CategoryTable:
    """A breakdown (categories of abuse): categories down, columns across, with a total row."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, tuple[Cell, ...]], ...]
    totals: tuple[Cell, ...]
    total_label: str


@dataclass
class IndicatorReview:
    indicator: registry.Indicator
    headline: AreaFigures | None
    direction: Direction | None
    benchmarks: list[tuple[str, Figure]]
    trend: list[TrendRow]
    trend_chart: charts.Chart | None
    localities: list[AreaFigures]
    locality_chart: charts.Chart | None
    category_years: CategoryTable | None = None
    category_shares: CategoryTable | None = None
    category_localities: CategoryTable | None = None
    has_values: bool = True

    @property
    def code(self) -> str:
        return self.indicator.code

    @property
    def unit_label(self) -> str:
        return Unit(self.indicator.unit).label

    @property
    def polarity_label(self) -> str:
        return Polarity(self.indicator.polarity).label


@dataclass
class Review:
    partnership: Partnership
    year: int | None
    available_years: list[int]
    trend_years: list[int]
    locality: Locality | None
    localities: list[Locality]
    section: str
    sections: list[tuple[str, list[IndicatorReview]]]
    suppressed: bool
    threshold: int
    benchmark_names: list[str] = field(default_factory=list)

    @property
    def period(self) -> str:
        return period_label(self.year) if self.year else ""

    @property
    def available_periods(self) -> list[tuple[int, str]]:
        return [(year, period_label(year)) for year in self.available_years]

    @property
    def area_name(self) -> str:
        return self.locality.name if self.locality else self.partnership.name

    @property
    def has_figures(self) -> bool:
        return self.year in self.available_years

    @property
    def empty_message(self) -> str:
        year = self.year or census_year_of(timezone.localdate())
        return (
            f"No CIN census has been loaded for {period_label(year)} yet: an analyst can import one on the "
            "Extracts page. Figures appear here once the census is imported and its indicators are computed."
        )

    @property
    def suppression_note(self) -> str:
        if not self.threshold:
            return (
                "You see exact figures because your role may see child-level data. Everyone else, and every "
                "export, sees them suppressed: " + suppression_note(default_threshold())
            )
        return suppression_note(self.threshold)


def suppression_note(threshold: int) -> str:
    return (
        f"Counts from 1 to {threshold} are shown as 'c' to protect the children they count, as in the Department "
        "for Education's children in need statistics. Where a suppressed count could be worked out by subtracting "
        "the other figures from a total, the next smallest figure is suppressed too. Percentages and rates worked "
        "out from a suppressed count are 'c'. ':' means no figure is available. Percentages and rates are rounded to "
        "one decimal place."
    )


# --- Building the review ------------------------------------------------------------------------


def build_review(
    *,
    user,
    partnership: Partnership,
    year: int | None = None,
    locality_id: int | None = None,
    section: str = "",
    suppress: bool = True,
    drill_through: bool = False,
    charts_wanted: str = "all",
    threshold: int | None = None,
) -> Review:
    """Everything the page, the PDF and the spreadsheet show, suppressed unless ``suppress`` is off.

    ``charts_wanted``: "all" (the page), "trend" (the PDF: trends and breakdowns, with the locality
    figures as tables only) or "none" (the spreadsheet). ``threshold``: the partnership's own
    suppression threshold when it has one (default: ``SAFEGUARD_SUPPRESSION_THRESHOLD``).

    Reads: the partnership's indicator values (all years, one query), its benchmarks for the trend
    years (one query) and its localities (one query): the number of queries does not depend on the
    number of indicators, years or localities.
    """
    threshold = (default_threshold() if threshold is None else threshold) if suppress else 0
    values = selectors.indicator_values(user=user, partnership=partnership)
    available = sorted({v.collection_year for v in values}, reverse=True)
    if year is None:
        year = available[0] if available else census_year_of(timezone.localdate())
    trend_years = [y for y in range(year - TREND_YEARS + 1, year + 1) if y in available or y == year]
    all_localities = list(Locality.objects.visible_to(user).filter(partnership=partnership))
    used = {v.locality_id for v in values if v.locality_id is not None}
    localities = [loc for loc in all_localities if loc.is_active or loc.pk in used]
    locality = next((loc for loc in localities if loc.pk == locality_id), None)
    if locality_id is not None and locality is None:
        raise Http404("No such locality in this partnership")
    benchmarks = (
        selectors.benchmarks_for(user=user, partnership=partnership, years=trend_years) if year in available else {}
    )
    names = [label for kind, label, _ in BENCHMARK_KINDS if any(key[2] == kind for key in benchmarks)]
    context = _Context(
        partnership=partnership,
        year=year,
        trend_years=trend_years,
        localities=localities,
        locality=locality,
        threshold=threshold,
        values=_index(values),
        benchmarks=benchmarks,
        drill_through=drill_through,
        charts_wanted=charts_wanted,
        benchmark_names=names,
        coded_years={(v.code, v.collection_year) for v in values},
        suppression=_Suppression(threshold),
    )
    if threshold and year in available:
        _harmonise(context)
    sections = []
    if year in available:
        for name, indicators in registry.sections():
            if section and name != section:
                continue
            sections.append((name, [_indicator_review(context, indicator) for indicator in indicators]))
    return Review(
        partnership=partnership,
        year=year,
        available_years=available,
        trend_years=trend_years,
        locality=locality,
        localities=localities,
        section=section,
        sections=sections,
        suppressed=bool(threshold),
        threshold=threshold,
        benchmark_names=names,
    )


class _Suppression:
    """Suppression shared by every table of a review.

    The same counts appear in several tables: plans started by locality are an indicator of their
    own, the numerator of the rate, the denominator of the second-plan percentages and the row
    totals of the breakdown by category. If one table hid a different figure of that line than
    another, a reader could subtract across the two. So each line of counts (a year, its figures in
    order and its total) remembers which of its figures any table hid, every table hides all of
    them, and the tables are worked out again until nothing changes (``build_review``). Matching
    lines by their figures can only ever hide more, never less.
    """

    def __init__(self, threshold: int):
        self.threshold = threshold
        self.hidden: dict[tuple, frozenset[int]] = {}
        self.changed = False

    def line(self, year: int, values: list[int | None], total: int | None):
        key = (year, tuple(values), total)
        result = suppress_line(values, total=total, threshold=self.threshold, hidden=self.hidden.get(key, ()))
        self._remember(key, result.hidden)
        return result

    def table(self, year: int, cells, row_totals, col_totals, grand) -> SuppressedTable:
        """Localities by categories with every total. Its column of row totals and its row of column
        totals (each ending with the grand total) are lines other tables may show too."""
        n_rows, n_cols = len(cells), len(cells[0])
        lines = [
            ((year, tuple(row_totals), grand), [(r, n_cols) for r in range(n_rows + 1)]),
            ((year, tuple(col_totals), grand), [(n_rows, c) for c in range(n_cols + 1)]),
        ]
        forced = {positions[i] for key, positions in lines for i in self.hidden.get(key, ())}
        result = suppress_table(
            cells,
            row_totals=row_totals,
            col_totals=col_totals,
            grand_total=grand,
            threshold=self.threshold,
            hidden=forced,
        )
        for key, positions in lines:
            self._remember(key, frozenset(i for i, pos in enumerate(positions) if pos in result.hidden))
        return result

    def _remember(self, key, hidden: frozenset[int]) -> None:
        known = self.hidden.get(key, frozenset())
        if not hidden <= known:
            self.hidden[key] = known | hidden
            self.changed = True


@dataclass
class _Context:
    partnership: Partnership
    year: int
    trend_years: list[int]
    localities: list[Locality]
    locality: Locality | None
    threshold: int
    values: dict
    benchmarks: dict
    drill_through: bool
    charts_wanted: str
    benchmark_names: list[str]
    coded_years: set[tuple[str, int]]
    suppression: _Suppression

    def years_of(self, indicator) -> list[int]:
        """The trend years this indicator has figures for (at least the selected year)."""
        years = [y for y in self.trend_years if (indicator.code, y) in self.coded_years]
        return years if self.year in years else [*years, self.year]

    def link(self, indicator, year: int, locality_id: int | None, breakdown: str, part: str) -> str:
        if not self.drill_through:
            return ""
        query = {
            "partnership": self.partnership.pk,
            "code": indicator.code,
            "year": year,
            "locality": locality_id or "",
            "breakdown": breakdown,
            "part": part,
        }
        return f"{reverse('cp_review:members')}?{urlencode(query)}"


def _harmonise(ctx: _Context) -> None:
    """Work out every table of every indicator (whatever the section filter, so a figure is hidden
    the same way in every view of a year) until no table hides anything new."""
    for _attempt in range(20):
        ctx.suppression.changed = False
        for indicator in registry.all_indicators():
            categories = _categories(ctx, indicator) if indicator.breakdown else []
            for year in ctx.years_of(indicator):
                if not indicator.breakdown:
                    _area_table(ctx, indicator, year)
                elif categories:
                    _category_year(ctx, indicator, year, categories)
        if not ctx.suppression.changed:
            return
    raise RuntimeError("Suppression did not settle across the review's tables.")  # cannot happen: sets only grow


def _index(values) -> dict:
    """Values by (code, year, locality id, breakdown)."""
    return {(v.code, v.collection_year, v.locality_id, v.breakdown): v for v in values}


def _indicator_review(ctx: _Context, indicator) -> IndicatorReview:
    if indicator.breakdown:
        return _breakdown_review(ctx, indicator)
    years = ctx.years_of(indicator)
    tables = {year: _area_table(ctx, indicator, year) for year in years}
    selected = ctx.locality.pk if ctx.locality else None
    rows = tables[ctx.year]
    headline = next((row for row in rows if row.locality_id == selected and not row.is_remainder), None)
    has_values = (indicator.code, ctx.year, None, "") in ctx.values
    trend = []
    for year in years:
        area = next(row for row in tables[year] if row.locality_id == selected and not row.is_remainder)
        benchmarks = {label: _benchmark(ctx, indicator, year, kind) for kind, label, _ in BENCHMARK_KINDS}
        trend.append(TrendRow(period_label(year), area, benchmarks))
    previous = trend[-2].figures if len(trend) > 1 and trend[-2].figures else None
    return IndicatorReview(
        indicator=indicator,
        headline=headline,
        direction=_direction(indicator, headline, previous, trend[-2].period if len(trend) > 1 else ""),
        benchmarks=[
            (label, _benchmark(ctx, indicator, ctx.year, kind))
            for kind, label, _ in BENCHMARK_KINDS
            if label in ctx.benchmark_names
        ],
        trend=trend,
        trend_chart=_trend_chart(ctx, indicator, trend) if ctx.charts_wanted != "none" else None,
        localities=rows,
        locality_chart=_locality_chart(ctx, indicator, rows) if ctx.charts_wanted == "all" else None,
        has_values=has_values,
    )


def _area_table(ctx: _Context, indicator, year: int) -> list[AreaFigures]:
    """The localities, the children with no locality, and the whole partnership (the total) for one
    indicator and year, suppressed as one table so each figure is hidden the same way everywhere."""
    unit = indicator.unit
    total = ctx.values.get((indicator.code, year, None, ""))
    rows = [ctx.values.get((indicator.code, year, loc.pk, "")) for loc in ctx.localities]
    numerators = [r.numerator if r else None for r in rows]
    denominators = [r.denominator if r else None for r in rows]
    total_num = total.numerator if total else None
    total_den = total.denominator if total else None
    counts_numerator = unit != Unit.DAYS  # a median's "numerator" is the median itself
    counts_denominator = unit in (Unit.PERCENT, Unit.DAYS)  # a rate's denominator is the population
    remainder_num = _remainder(total_num, numerators) if counts_numerator else None
    remainder_den = _remainder(total_den, denominators) if counts_denominator else None
    has_remainder = bool(remainder_num) or bool(remainder_den)
    if has_remainder:
        numerators.append(remainder_num)
        denominators.append(remainder_den)

    if counts_numerator:
        num_line = ctx.suppression.line(year, numerators, total_num)
        num_figures, num_total = num_line.cells, num_line.total or _missing()
    else:
        num_figures, num_total = [_plain(n, unit) for n in numerators], _plain(total_num, unit)
    if counts_denominator:
        den_line = ctx.suppression.line(year, denominators, total_den)
        den_figures, den_total = den_line.cells, den_line.total or _missing()
    elif unit == Unit.RATE_PER_10000:  # populations: not counts of children, never suppressed
        den_figures, den_total = [_plain(d, "count") for d in denominators], _plain(total_den, "count")
    else:
        den_figures, den_total = [not_applicable() for _ in denominators], not_applicable()

    result = [
        _figures(ctx, indicator, year, loc.name, loc.pk, rows[i], num_figures[i], den_figures[i])
        for i, loc in enumerate(ctx.localities)
    ]
    if has_remainder:
        rest = _Remainder(indicator.value_of(remainder_num, remainder_den))
        result.append(
            _figures(ctx, indicator, year, NO_LOCALITY, None, rest, num_figures[-1], den_figures[-1], kind="remainder")
        )
    result.append(_figures(ctx, indicator, year, ctx.partnership.name, None, total, num_total, den_total, kind="total"))
    return result


@dataclass(frozen=True)
class _Remainder:
    """The figure of the children with no locality, worked out from the remainders."""

    value: float | None


def _figures(ctx, indicator, year, name, locality_id, source, numerator, denominator, *, kind="locality"):
    """One row of the locality table. ``source`` is the IndicatorValue (its ``value``), ``kind`` is
    "locality", "remainder" (children with no locality) or "total" (the whole partnership)."""
    unit = indicator.unit
    if unit == Unit.COUNT:
        value = numerator
    elif unit == Unit.DAYS:
        value = derived_figure(source.value if source else None, unit=unit, denominator=denominator)
    else:
        value = derived_figure(
            source.value if source else None, unit=unit, numerator=numerator, denominator=denominator
        )
    linkable = kind != "remainder" and source is not None  # the members list has no "no locality" filter
    num_link = den_link = ""
    if linkable and unit != Unit.DAYS and numerator.shown and numerator.value:
        num_link = ctx.link(indicator, year, locality_id, "", Part.NUMERATOR)
    if linkable and unit in (Unit.PERCENT, Unit.DAYS) and denominator.shown and denominator.value:
        den_link = ctx.link(indicator, year, locality_id, "", Part.DENOMINATOR)
    return AreaFigures(
        name=name,
        numerator=Cell(numerator, num_link),
        denominator=Cell(denominator, den_link),
        value=value,
        locality_id=locality_id,
        is_total=kind == "total",
        is_remainder=kind == "remainder",
    )


def _remainder(total: int | None, parts: list[int | None]) -> int | None:
    """What the total counts that no locality does (children with no locality recorded)."""
    if total is None:
        return None
    return max(0, total - sum(p or 0 for p in parts))


def _plain(value, unit: str) -> Figure:
    return Figure(None, ":", Reason.NOT_AVAILABLE) if value is None else Figure(value, format_value(value, unit))


def _missing() -> Figure:
    return Figure(None, ":", Reason.NOT_AVAILABLE)


def _benchmark(ctx: _Context, indicator, year: int, kind: str) -> Figure:
    """A published figure (already rounded and suppressed by its publisher): shown as published."""
    bench = ctx.benchmarks.get((indicator.code, year, kind))
    if bench is None:
        return _missing()
    if bench.value is None:
        marker = bench.marker or ":"
        reason = Reason.PRIMARY if marker == "c" else Reason.NOT_AVAILABLE
        return Figure(None, marker, reason)
    return Figure(bench.value, format_value(bench.value, indicator.unit))


def _direction(indicator, now: AreaFigures | None, before: AreaFigures | None, before_period: str) -> Direction:
    if now is None or before is None or not before_period:
        return Direction("Not compared", "There is no figure for the year before to compare with.")
    current, previous = now.value.visible_value, before.value.visible_value
    if now.value.suppressed or before.value.suppressed:
        return Direction("Not compared", f"The figure for this year or {before_period} is suppressed.")
    if current is None or previous is None:
        return Direction("Not compared", f"There is no figure for this year or {before_period} to compare with.")
    unit = indicator.unit
    a, b = rounded(current, unit), rounded(previous, unit)
    shown_before = format_value(previous, unit)
    if a == b:
        return Direction("No change", f"The same as {before_period} ({shown_before}).")
    up = a > b
    movement = f"{'Up' if up else 'Down'} from {shown_before} in {before_period}."
    if indicator.polarity == Polarity.NEUTRAL:
        return Direction("Up" if up else "Down", f"{movement} Neither higher nor lower is better for this figure.")
    better = up == (indicator.polarity == Polarity.HIGHER_BETTER)
    polarity = "Higher" if indicator.polarity == Polarity.HIGHER_BETTER else "Lower"
    return Direction("Better" if better else "Worse", f"{movement} {polarity} is better.", "green" if better else "red")


def _trend_chart(ctx: _Context, indicator, trend: list[TrendRow]) -> charts.Chart:
    area = ctx.locality.name if ctx.locality else ctx.partnership.name
    series = [charts.Series(area, tuple(row.figures.value for row in trend), "local")]
    for _kind, label, style in BENCHMARK_KINDS:
        points = tuple(row.benchmarks[label] for row in trend)
        if any(p.shown for p in points):
            series.append(charts.Series(label, points, style))
    return charts.line_chart(
        title=f"{indicator.title}: {area}",
        categories=[row.period for row in trend],
        series=series,
        unit=indicator.unit,
        chart_id=f"trend-{indicator.code}",
    )


def _locality_chart(ctx: _Context, indicator, rows: list[AreaFigures]) -> charts.Chart | None:
    places = [row for row in rows if not row.is_total and not row.is_remainder]
    if not places:
        return None
    benchmarks = []
    if indicator.unit != Unit.COUNT:
        total = next(row for row in rows if row.is_total)
        benchmarks.append((ctx.partnership.name, total.value))
        benchmarks += [(label, _benchmark(ctx, indicator, ctx.year, kind)) for kind, label, _ in BENCHMARK_KINDS[:2]]
    return charts.bar_chart(
        title=f"{indicator.title}: by locality, {period_label(ctx.year)}",
        categories=[row.name for row in places],
        values=[row.value for row in places],
        unit=indicator.unit,
        chart_id=f"localities-{indicator.code}",
        benchmarks=[(name, figure) for name, figure in benchmarks if figure.shown],
        series_name=Unit(indicator.unit).label,
    )


# --- Breakdowns (categories of abuse) ---------------------------------------------------------------


def _categories(ctx: _Context, indicator) -> list[str]:
    present = {key[3] for key in ctx.values if key[0] == indicator.code and key[3]}
    known = [code for code in CATEGORY_LABELS if code in present]
    return known + sorted(present - set(known))


@dataclass(frozen=True)
class _CategoryYear:
    """One year of a breakdown: localities (and the children with no locality) by categories, with
    each locality's total (its denominator: every plan in it), each category's total (the whole
    partnership) and the grand total, suppressed as one table, across and down. A partnership with
    no localities has only the categories and their total (``line``)."""

    table: SuppressedTable | None = None
    line: SuppressedLine | None = None
    names: tuple[str, ...] = ()
    ids: tuple[int | None, ...] = ()

    @property
    def has_figures(self) -> bool:
        return self.table is not None or self.line is not None

    def area_cells(self, row: int | None) -> list[Figure]:
        """The categories of one row (None: the whole partnership)."""
        if row is None:
            return list(self.line.cells if self.line is not None else self.table.col_totals)
        return list(self.table.cells[row])

    def area_total(self, row: int | None) -> Figure:
        if row is None:
            return self.line.total if self.line is not None else self.table.grand_total
        return self.table.row_totals[row]


def _category_year(ctx: _Context, indicator, year: int, categories: list[str]) -> _CategoryYear:
    def count(locality_id, category):
        row = ctx.values.get((indicator.code, year, locality_id, category))
        return row.numerator if row else None

    def denominator(locality_id):
        rows = (ctx.values.get((indicator.code, year, locality_id, c)) for c in categories)
        return next((r.denominator for r in rows if r is not None and r.denominator is not None), None)

    grand = denominator(None)
    col_totals = [count(None, c) for c in categories]
    if grand is None:
        return _CategoryYear()
    if not ctx.localities:
        return _CategoryYear(line=ctx.suppression.line(year, col_totals, grand))
    cells = [[count(loc.pk, c) for c in categories] for loc in ctx.localities]
    row_totals = [denominator(loc.pk) for loc in ctx.localities]
    names, ids = [loc.name for loc in ctx.localities], [loc.pk for loc in ctx.localities]
    rest_total = _remainder(grand, row_totals)
    if rest_total:
        cells.append([_remainder(col_totals[i], [row[i] for row in cells]) or 0 for i in range(len(categories))])
        row_totals.append(rest_total)
        names.append(NO_LOCALITY)
        ids.append(None)
    table = ctx.suppression.table(year, cells, row_totals, col_totals, grand)
    return _CategoryYear(table=table, names=tuple(names), ids=tuple(ids))


def _breakdown_review(ctx: _Context, indicator) -> IndicatorReview:
    categories = _categories(ctx, indicator)
    labels = [CATEGORY_LABELS.get(c, c) for c in categories]
    years = {year: _category_year(ctx, indicator, year, categories) for year in ctx.years_of(indicator)}
    counts, shares = _category_years(ctx, indicator, categories, labels, years)
    chart = None
    if categories and ctx.charts_wanted != "none":
        area = ctx.locality.name if ctx.locality else ctx.partnership.name
        chart = charts.category_chart(
            title=f"{indicator.title}, as a percentage of {indicator.denominator.lower()}: {area}",
            categories=shares.columns,
            series=[charts.Series(label, tuple(c.figure for c in cells)) for label, cells in shares.rows],
            unit=Unit.PERCENT,
            chart_id=f"categories-{indicator.code}",
        )
    return IndicatorReview(
        indicator=indicator,
        headline=None,
        direction=None,
        benchmarks=[],
        trend=[],
        trend_chart=chart,
        localities=[],
        locality_chart=None,
        category_years=counts,
        category_shares=shares,
        category_localities=_category_localities(ctx, indicator, categories, labels, years[ctx.year]),
        has_values=bool(categories) and years[ctx.year].has_figures,
    )


def _category_years(ctx, indicator, categories, labels, years) -> tuple[CategoryTable, CategoryTable]:
    """The selected area's breakdown by year: the counts (with the total) and each category's share."""
    selected = ctx.locality.pk if ctx.locality else None
    row = None if selected is None else [loc.pk for loc in ctx.localities].index(selected)
    counts: list[list[Cell]] = [[] for _ in categories]
    shares: list[list[Cell]] = [[] for _ in categories]
    totals: list[Cell] = []
    for year, data in years.items():
        if not data.has_figures:
            for i in range(len(categories)):
                counts[i].append(Cell(_missing()))
                shares[i].append(Cell(_missing()))
            totals.append(Cell(_missing()))
            continue
        total = data.area_total(row)
        for i, (code, figure) in enumerate(zip(categories, data.area_cells(row), strict=True)):
            counts[i].append(Cell(figure, _count_link(ctx, indicator, year, selected, code, figure, Part.NUMERATOR)))
            share = figure.value * 100 / total.value if figure.value is not None and total.value else None
            shares[i].append(Cell(derived_figure(share, unit=Unit.PERCENT, numerator=figure, denominator=total)))
        totals.append(Cell(total, _count_link(ctx, indicator, year, selected, "", total, Part.DENOMINATOR)))
    columns = tuple(period_label(year) for year in years)
    return (
        CategoryTable(
            columns=columns,
            rows=tuple((labels[i], tuple(counts[i])) for i in range(len(categories))),
            totals=tuple(totals),
            total_label=indicator.denominator,
        ),
        CategoryTable(
            columns=columns,
            rows=tuple((labels[i], tuple(shares[i])) for i in range(len(categories))),
            totals=(),
            total_label="",
        ),
    )


def _count_link(ctx, indicator, year, locality_id, breakdown, figure: Figure, part: str) -> str:
    """A drill-through link for a count that is shown and not zero."""
    return ctx.link(indicator, year, locality_id, breakdown, part) if figure.shown and figure.value else ""


def _category_localities(ctx, indicator, categories, labels, data: _CategoryYear) -> CategoryTable | None:
    """The selected year's breakdown by locality: localities down, categories across, with totals."""
    if data.table is None or not data.names:  # no localities: the by-year table says it all
        return None
    rows = []
    for r, (name, locality_id) in enumerate(zip(data.names, data.ids, strict=True)):
        cells = [
            Cell(figure, _count_link(ctx, indicator, ctx.year, locality_id, code, figure, Part.NUMERATOR))
            if locality_id is not None
            else Cell(figure)
            for code, figure in zip(categories, data.area_cells(r), strict=True)
        ]
        total = data.area_total(r)
        link = _count_link(ctx, indicator, ctx.year, locality_id, "", total, Part.DENOMINATOR) if locality_id else ""
        cells.append(Cell(total, link))
        rows.append((name, tuple(cells)))
    totals = (*(Cell(f) for f in data.area_cells(None)), Cell(data.area_total(None)))
    return CategoryTable(
        columns=(*labels, indicator.denominator),
        rows=tuple(rows),
        totals=totals,
        total_label=ctx.partnership.name,
    )


# --- Views ---------------------------------------------------------------------------------------------


class ReviewFilterForm(forms.Form):
    """The page's filters (GET): the partnership (when the user has several), year, locality, section."""

    partnership = forms.TypedChoiceField(label="Partnership", coerce=int, required=False)
    year = forms.TypedChoiceField(label="Census year", coerce=int, required=False)
    locality = forms.TypedChoiceField(label="Locality", coerce=int, required=False, empty_value=None)
    section = forms.ChoiceField(label="Section", required=False)

    def __init__(self, data, *, partnerships, review: Review):
        super().__init__(data)
        self.fields["partnership"].choices = [(p.pk, p.name) for p in partnerships]
        years = sorted({*review.available_years, review.year}, reverse=True)
        self.fields["year"].choices = [(y, period_label(y)) for y in years]
        self.fields["locality"].choices = [("", "Whole partnership")] + [
            (loc.pk, loc.name) for loc in review.localities
        ]
        self.fields["section"].choices = [("", "All sections"), *((s.value, s.label) for s in Section)]
        self.initial = {
            "partnership": review.partnership.pk,
            "year": review.year,
            "locality": review.locality.pk if review.locality else "",
            "section": review.section,
        }
        self.show_partnership = len(partnerships) > 1


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


class _ReviewMixin(WorkspaceMixin):
    """Reads the filters and builds the review for the user's partnership."""

    def filters(self) -> dict:
        params = self.request.GET
        if params.get("partnership") and _int(params["partnership"]) is None:
            raise Http404("No such partnership")
        year = _int(params.get("year"))
        section = params.get("section", "")
        return {
            "partnership_pk": _int(params.get("partnership")),
            "year": year if year and 2000 <= year <= 2100 else None,
            "locality_id": _int(params.get("locality")),
            "section": section if section in Section.values else "",
        }

    def review(self, *, for_export: bool, charts_wanted: str = "all") -> Review:
        filters = self.filters()
        user = self.request.user
        partnership = selectors.partnership_for_indicators(user=user, pk=filters["partnership_pk"])
        analyst = has_capability(user, partnership.pk, Capability.VIEW_CHILD_DATA)
        return build_review(
            user=user,
            partnership=partnership,
            year=filters["year"],
            locality_id=filters["locality_id"],
            section=filters["section"],
            suppress=for_export or not analyst,
            drill_through=analyst and not for_export,
            charts_wanted=charts_wanted,
        )

    def export_query(self, review: Review) -> str:
        query = {"partnership": review.partnership.pk, "year": review.year, "section": review.section}
        if review.locality:
            query["locality"] = review.locality.pk
        return urlencode({k: v for k, v in query.items() if v})


class ReviewPage(_ReviewMixin, TemplateView):
    """The child protection process review for one partnership, year, locality and section."""

    template_name = "indicators/review/review.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        review = self.review(for_export=False)
        partnerships = list(selectors.partnerships_viewing_indicators(user=self.request.user))
        ctx.update(
            review=review,
            form=ReviewFilterForm(None, partnerships=partnerships, review=review),
            export_query=self.export_query(review),
            extracts_url=_url_or_empty("extracts:extract_list"),
        )
        return ctx


class ReviewPdf(_ReviewMixin, View):
    """The review as an A4 PDF: always suppressed, whoever downloads it."""

    def get(self, request, *args, **kwargs):
        from .exports import review_pdf_response

        review = self.review(for_export=True, charts_wanted="trend")
        access_log_record(user=request.user, obj=review.partnership, action=AccessAction.EXPORT)
        return review_pdf_response(request, review)


class ReviewSpreadsheet(_ReviewMixin, View):
    """The review as an xlsx workbook: always suppressed, whoever downloads it."""

    def get(self, request, *args, **kwargs):
        from .exports import review_xlsx_response

        review = self.review(for_export=True, charts_wanted="none")
        access_log_record(user=request.user, obj=review.partnership, action=AccessAction.EXPORT)
        return review_xlsx_response(review)


def _url_or_empty(name: str, *args) -> str:
    """A URL of another module that may not be installed in every deployment."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


# --- Drill-through ------------------------------------------------------------------------------------

AGE_BANDS = ((1, "Under 1"), (5, "1 to 4"), (10, "5 to 9"), (16, "10 to 15"))


def age_band(birth_date: dt.date | None, expected: dt.date | None, on: dt.date) -> str:
    """The DfE's age groups at 31 March of the census year."""
    if birth_date is None:
        return "Unborn" if expected is not None else "Not recorded"
    if birth_date > on:
        return "Unborn"
    age = on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
    return next((label for limit, label in AGE_BANDS if age < limit), "16 and over")


SEX_LABELS = {"M": "Male", "F": "Female", "U": "Unknown or not recorded"}
MEMBERS_PER_PAGE = 50


class MemberList(WorkspaceMixin, TemplateView):
    """The children behind one figure: analysts only (404 for anyone else), every read audited.

    The URL names the figure (partnership, indicator code, year, locality, breakdown, part), never a
    child."""

    template_name = "indicators/review/members.html"
    harness_user = "analyst"  # the permission harness signs in as an analyst to open it
    harness_query = "?code=referrals&year=2025&part=numerator"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user, params = self.request.user, self.request.GET
        partnership = selectors.partnership_for_indicators(user=user, pk=_int(params.get("partnership")))
        if not has_capability(user, partnership.pk, Capability.VIEW_CHILD_DATA):
            raise Http404("No such page")
        try:
            indicator = registry.get(params.get("code", ""))
        except KeyError:
            raise Http404("No such indicator") from None
        year, part = _int(params.get("year")), params.get("part", "")
        locality_id = _int(params.get("locality"))
        breakdown = params.get("breakdown", "")[:40]
        if year is None or part not in Part.values or (params.get("locality") and locality_id is None):
            raise Http404("No such figure")
        try:
            children = selectors.indicator_members(
                user=user,
                partnership=partnership,
                code=indicator.code,
                year=year,
                locality_id=locality_id,
                breakdown=breakdown,
                part=part,
            )
        except PermissionDenied:
            raise Http404("No such page") from None
        page = Paginator(children, MEMBERS_PER_PAGE).get_page(params.get("page"))
        locality = Locality.objects.visible_to(user).filter(pk=locality_id).first() if locality_id else None
        query = params.copy()
        query.pop("page", None)
        ctx.update(
            partnership=partnership,
            indicator=indicator,
            period=period_label(year),
            area=locality.name if locality else partnership.name,
            part_label=indicator.numerator if part == Part.NUMERATOR else indicator.denominator,
            category=_category_label(indicator, breakdown, part),
            page_obj=page,
            rows=_member_rows(user, indicator, year, list(page.object_list)),
            querystring_without_page=f"{query.urlencode()}&",
            review_query=urlencode({"partnership": partnership.pk, "year": year, "section": indicator.section}),
        )
        return ctx


def _category_label(indicator, breakdown: str, part: str) -> str:
    return CATEGORY_LABELS.get(breakdown, breakdown) if indicator.breakdown and part == Part.NUMERATOR else ""


@dataclass(frozen=True)
class MemberRow:
    la_child_id: str
    link: str
    sex: str
    age_band: str
    locality: str
    dates: tuple[str, ...]


def _member_rows(user, indicator, year: int, children: list) -> list[MemberRow]:
    """The page's children with the dates that matter for the indicator's section (one query)."""
    start, end = dt.date(year - 1, 4, 1), dt.date(year, 3, 31)
    dates = _relevant_dates(user, indicator.section, [c.pk for c in children], start, end)
    detail = _url_or_empty("extracts:child_detail", 0)
    return [
        MemberRow(
            la_child_id=child.la_child_id,
            link=reverse("extracts:child_detail", args=[child.pk]) if detail else "",
            sex=SEX_LABELS.get(child.sex, "Not recorded"),
            age_band=age_band(child.birth_date, child.expected_birth_date, end),
            locality=child.locality.name if child.locality else NO_LOCALITY,
            dates=tuple(dates.get(child.pk, ())),
        )
        for child in children
    ]


def _relevant_dates(user, section: str, child_ids: list[int], start: dt.date, end: dt.date) -> dict[int, list[str]]:
    from safeguard.extracts.models import CensusAssessment, ChildProtectionPlan, CinEpisode, Section47

    found: dict[int, list[str]] = {}

    def add(child_id, text):
        found.setdefault(child_id, []).append(text)

    if not child_ids:
        return found
    if section == Section.REFERRALS:
        rows = CinEpisode.objects.visible_to(user).filter(child_id__in=child_ids, referral_date__range=(start, end))
        for row in rows.order_by("referral_date", "pk"):
            add(row.child_id, f"Referral {_date(row.referral_date)}")
    elif section == Section.ASSESSMENTS:
        rows = CensusAssessment.objects.visible_to(user).filter(
            child_id__in=child_ids, authorisation_date__range=(start, end)
        )
        for row in rows.order_by("authorisation_date", "pk"):
            add(row.child_id, f"Assessment started {_date(row.start_date)}, completed {_date(row.authorisation_date)}")
    elif section == Section.SECTION_47:
        rows = Section47.objects.visible_to(user).filter(child_id__in=child_ids, start_date__lte=end)
        for row in rows.order_by("start_date", "pk"):
            if row.start_date and row.start_date < start and not (row.icpc_date and row.icpc_date >= start):
                continue
            conference = f", conference {_date(row.icpc_date)}" if row.icpc_date else ", no conference recorded"
            add(row.child_id, f"Section 47 enquiry started {_date(row.start_date)}{conference}")
    else:
        rows = ChildProtectionPlan.objects.visible_to(user).filter(child_id__in=child_ids, start_date__lte=end)
        for row in rows.order_by("start_date", "pk"):
            if row.end_date and row.end_date < start:
                continue
            ended = f" to {_date(row.end_date)}" if row.end_date else ", open"
            category = CATEGORY_LABELS.get(row.initial_category, row.initial_category or "no category")
            add(row.child_id, f"Plan {_date(row.start_date)}{ended} ({category.lower()})")
    return found


def _date(day: dt.date | None) -> str:
    return f"{day.day} {day:%b %Y}" if day else "(no date)"
