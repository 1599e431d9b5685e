"""Reads for the data set dashboard, the board's quarterly report and the public summary.

What an indicator shows
-----------------------
Its latest figure, the trend over up to five years (20 quarters, or five years for a yearly
indicator) up to the chosen quarter, its target and RAG rating (``rag.rag_rating``), the direction
of travel from the period before judged against its polarity (``rag.direction_of_travel``), the
England and statistical-neighbour benchmarks where there are some, the owning sub-group's
commentary, and where each figure came from.

Where the figures come from
---------------------------
- **Agency-supplied** (manual) indicators: ``DataSetFigure`` rows, written when a return is
  submitted, each pointing at its return (agency, who submitted it and when).
- **Computed** indicators: the child protection review's own figures
  (``safeguard.indicators.views_review.build_review``, read from ``IndicatorValue`` and
  ``Benchmark``): census year 2024-25 is the financial year 2024-25. Using the review's figures
  rather than reading the values again means a figure is suppressed exactly as the review, its PDF
  and its spreadsheet suppress it, so no two documents together give away a small number. The
  extracts a figure came from are named for the analyst role only.

Small numbers
-------------
For indicators flagged ``suppress_small_numbers``, counts from 1 to the threshold
(``safeguard.core.suppression``) are "c" for everyone except the analyst role on the dashboard, and
for everyone in the report and on the public page. A by-locality figure is suppressed as one line
with its localities, the figure of the rest of the area (the whole area less the localities, which
a reader could work out) and the whole area as the total, so the whole-area figure shown alone and
the locality figures shown after a filter are hidden the same way. Percentages and rates worked out
from a suppressed count are "c"; RAG ratings and directions of travel are not given for a suppressed
figure (they would narrow it down).

Queries: a fixed number whatever the number of indicators, periods or localities (the tests count
them at two sizes).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from django.db.models import Count, FloatField, Max, Q
from django.db.models.functions import Cast
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from safeguard.core import charts
from safeguard.core.access import has_capability, partnerships_with_capability
from safeguard.core.roles import Capability
from safeguard.core.suppression import (
    NOT_AVAILABLE,
    SUPPRESSED,
    Figure,
    Reason,
    default_threshold,
    derived_figure,
    format_value,
    is_small,
    suppress_count,
)
from safeguard.partnerships.models import Agency, Locality, Partnership

from . import rag
from .choices import PeriodKind, Polarity, Rag, ReturnStatus, Source, ThemeKind, Unit
from .models import AgencyReturn, Commentary, DataSetFigure, DataSetIndicator, ReportingPeriod, Theme

#: How far back a trend goes: 20 quarters, or 5 years.
TREND_LENGTH = {PeriodKind.QUARTER: 20, PeriodKind.FINANCIAL_YEAR: 5, PeriodKind.CALENDAR_YEAR: 5}
#: The indicator registry's units are the suppression module's; the data set's rate is spelled differently.
UNITS = {Unit.COUNT: "count", Unit.PERCENT: "percent", Unit.RATE_10K: "rate_per_10000", Unit.DAYS: "days"}
BENCHMARK_LABELS = ("England", "Statistical neighbours")
RAG_WORDS = {
    Rag.GREEN: ("Green", "govuk-tag--green", "on target"),
    Rag.AMBER: ("Amber", "govuk-tag--yellow", "close to target"),
    Rag.RED: ("Red", "govuk-tag--red", "off target"),
}


# --- What the pages show -----------------------------------------------------------------------


@dataclass(frozen=True)
class FigureSource:
    """Where a figure came from, in words, with a link for those who may follow it."""

    text: str
    link: str = ""
    link_text: str = ""
    #: the same without the name of whoever submitted it, for documents that leave the system
    export_text: str = ""

    @property
    def for_export(self) -> str:
        return self.export_text or self.text


@dataclass(frozen=True, slots=True)
class Point:
    """One period of an indicator: its figure (suppressed as it may be shown) and where it came from."""

    label: str
    figure: Figure
    numerator: Figure | None = None
    denominator: Figure | None = None
    source: FigureSource | None = None
    benchmarks: tuple[Figure, ...] = ()
    period: ReportingPeriod | None = None


@dataclass(frozen=True)
class Rating:
    code: str  # Rag value
    label: str  # "Green"
    tag: str  # GOV.UK tag class
    meaning: str  # "on target"


@dataclass(frozen=True)
class Travel:
    """Direction of travel in words (never colour alone)."""

    label: str  # "Up, better", "Down, worse", "No change", "Not compared"
    detail: str
    tag: str = "govuk-tag--grey"


@dataclass
class IndicatorRow:
    indicator: DataSetIndicator
    unit: str
    points: list[Point]
    latest: Point | None
    previous: Point | None
    rating: Rating | None
    travel: Travel
    target: str
    benchmarks: list[tuple[str, Figure]]
    commentary: Commentary | None
    commentary_period: ReportingPeriod | None
    chart: charts.Chart | None
    definition_url: str
    source_label: str
    benchmark_labels: tuple[str, ...] = ()
    note: str = ""
    commentary_url: str = ""

    @property
    def anchor(self) -> str:
        return f"indicator-{self.indicator.pk}"


@dataclass
class ThemeBlock:
    theme: Theme
    rows: list[IndicatorRow]


@dataclass
class Dashboard:
    partnership: Partnership
    as_at: ReportingPeriod | None
    as_at_label: str
    themes: list[ThemeBlock]
    suppressed: bool
    threshold: int
    analyst: bool
    locality: Locality | None
    agency: Agency | None
    filters: dict
    choices: dict = field(default_factory=dict)

    @property
    def rows(self) -> list[IndicatorRow]:
        return [row for block in self.themes for row in block.rows]

    @property
    def area_name(self) -> str:
        return self.locality.name if self.locality else self.partnership.name

    @property
    def suppression_note(self) -> str:
        return suppression_note(self.threshold)


def suppression_note(threshold: int) -> str:
    return (
        f"Counts from 1 to {threshold} are shown as 'c' for indicators that protect small numbers, as in the "
        "Department for Education's statistics. Where a suppressed count could be worked out from the other "
        "localities and the whole area, the next smallest figure is suppressed too. Percentages and rates worked out "
        "from a suppressed count are 'c', and are not rated or compared. ':' means no figure is available."
    )


# --- The partnership and the filters -------------------------------------------------------------


def partnerships_viewing(*, user):
    """Partnerships whose data set the user may read (``returns.view_dataset``), by name."""
    ids = partnerships_with_capability(user, Capability.VIEW_INDICATORS) if user.is_authenticated else []
    qs = Partnership.objects.visible_to(user).filter(is_active=True).order_by("name")
    return qs if ids is None else qs.filter(pk__in=ids)


def partnership_for(*, user, pk: int | None) -> tuple[Partnership, list[Partnership]]:
    """The partnership a page shows (404 when the user may not read its data set) and the choice."""
    choices = list(partnerships_viewing(user=user))
    chosen = next((p for p in choices if p.pk == pk), None) if pk is not None else (choices[0] if choices else None)
    if chosen is None:
        raise Http404("No such partnership")
    return chosen, choices


@dataclass(frozen=True)
class Filters:
    period: int | None = None
    theme: int | None = None
    priority: str = ""
    agency: int | None = None
    locality: int | None = None

    def as_dict(self) -> dict:
        return {
            "period": self.period,
            "theme": self.theme,
            "priority": self.priority,
            "agency": self.agency,
            "locality": self.locality,
        }


def _as_at(periods: list[ReportingPeriod], wanted: int | None, today: dt.date) -> ReportingPeriod | None:
    """The quarter the page is "as at": the one asked for, or the latest that has ended."""
    quarters = [p for p in periods if p.kind == PeriodKind.QUARTER]
    if wanted is not None:
        chosen = next((p for p in quarters if p.pk == wanted), None)
        if chosen is None:
            raise Http404("No such period")
        return chosen
    ended = [p for p in quarters if p.end < today]
    return (ended or quarters or [None])[0]


def _windows(periods: list[ReportingPeriod], as_at_end: dt.date) -> dict[str, list[ReportingPeriod]]:
    """For each kind of period, the periods of the trend, oldest first."""
    windows = {}
    for kind, length in TREND_LENGTH.items():
        chosen = [p for p in periods if p.kind == kind and p.end <= as_at_end][:length]
        windows[kind] = chosen[::-1]
    return windows


def census_year_on(day: dt.date) -> int:
    """The latest census (financial) year that has ended on ``day``: 2025 (2024-25) on 1 December 2025."""
    return day.year if day.month >= 4 else day.year - 1


# --- Building the dashboard ------------------------------------------------------------------------


def build_dashboard(
    *,
    user,
    partnership: Partnership,
    filters: Filters,
    suppress: bool | None = None,
    charts_wanted: bool = True,
    today: dt.date | None = None,
) -> Dashboard:
    """Everything the dashboard (and the report) shows for ``partnership`` with ``filters``.

    ``suppress``: None applies the rule (everyone but the analyst role); True always (exports).
    The user must be able to read the partnership's data set (``partnership_for``)."""
    today = today or timezone.localdate()
    analyst = has_capability(user, partnership.pk, Capability.VIEW_CHILD_DATA)
    suppressing = (not analyst) if suppress is None else suppress
    threshold = default_threshold() if suppressing else 0
    themes = list(
        Theme.objects.visible_to(user).filter(partnership=partnership, is_active=True).order_by("position", "name")
    )
    localities = list(Locality.objects.visible_to(user).filter(partnership=partnership).order_by("name", "pk"))
    periods = list(ReportingPeriod.objects.visible_to(user).filter(partnership=partnership).order_by("-end", "kind"))
    as_at = _as_at(periods, filters.period, today)
    as_at_end = as_at.end if as_at else today
    locality = _chosen(localities, filters.locality, "locality")
    indicators = list(
        DataSetIndicator.objects.visible_to(user)
        .filter(partnership=partnership, is_active=True, theme__is_active=True)
        .select_related("theme", "agency", "owner_group")
        .order_by("theme__position", "theme__name", "position", "title", "pk")
    )
    agencies = sorted({i.agency for i in indicators if i.agency is not None}, key=lambda a: (a.name, a.pk))
    agency = _chosen(agencies, filters.agency, "agency")
    if filters.theme is not None and not any(t.pk == filters.theme for t in themes):
        raise Http404("No such theme")
    chosen = [i for i in indicators if _wanted(i, filters, locality)]
    windows = _windows(periods, as_at_end)
    reader = _Reader(
        user=user,
        partnership=partnership,
        threshold=threshold,
        locality=locality,
        analyst=analyst,
        charts_wanted=charts_wanted,
        locality_key=tuple((loc.pk, loc.is_active) for loc in localities),
    )
    rows = reader.rows(chosen, windows, periods, as_at_end)
    blocks = []
    for theme in themes:
        mine = [rows[i.pk] for i in chosen if i.theme_id == theme.pk and i.pk in rows]
        if mine:
            blocks.append(ThemeBlock(theme, mine))
    return Dashboard(
        partnership=partnership,
        as_at=as_at,
        as_at_label=as_at.label if as_at else f"{today:%d %B %Y}",
        themes=blocks,
        suppressed=suppressing,
        threshold=threshold or default_threshold(),
        analyst=analyst,
        locality=locality,
        agency=agency,
        filters=filters.as_dict(),
        choices={
            "periods": [p for p in periods if p.kind == PeriodKind.QUARTER],
            "themes": themes,
            "agencies": agencies,
            "localities": [loc for loc in localities if loc.is_active or loc == locality],
        },
    )


def _chosen(options, pk: int | None, what: str):
    if pk is None:
        return None
    found = next((o for o in options if o.pk == pk), None)
    if found is None:
        raise Http404(f"No such {what}")
    return found


def _wanted(indicator: DataSetIndicator, filters: Filters, locality: Locality | None) -> bool:
    if filters.theme is not None and indicator.theme_id != filters.theme:
        return False
    if filters.priority and indicator.theme.kind != filters.priority:
        return False
    if filters.agency is not None and indicator.agency_id != filters.agency:
        return False
    # With a locality chosen, only indicators reported by locality have something to show.
    return locality is None or indicator.source == Source.COMPUTED or indicator.by_locality


class _Reader:
    """Reads the figures of many indicators at once and turns them into ``IndicatorRow``s."""

    def __init__(self, *, user, partnership, threshold, locality, analyst, charts_wanted, locality_key=()):
        self.user = user
        self.partnership = partnership
        self.threshold = threshold
        self.locality = locality
        self.analyst = analyst
        self.charts_wanted = charts_wanted
        self._sources: dict[int | None, FigureSource] = {}
        self._openable: dict[int, bool] = {}
        self.return_links = _Links("returns:return_detail")
        self.definition_links = _Links("returns:indicator_detail")
        self.commentary_links = _Links("dataset:commentary")
        self.locality_key = locality_key

    def _scoped(self, model):
        """Every read starts from what the user may see (the public summary has no user: it reads
        only a published partnership's submitted figures)."""
        return model.objects.visible_to(self.user) if self.user is not None else model.objects.all()

    # -- all indicators --------------------------------------------------------------------------
    def rows(self, indicators, windows, periods, as_at_end) -> dict[int, IndicatorRow]:
        manual = [i for i in indicators if i.source == Source.MANUAL]
        computed = [i for i in indicators if i.source == Source.COMPUTED]
        commentary_periods = {i.pk: self._commentary_period(i, windows, periods, as_at_end) for i in indicators}
        commentaries = self._commentaries(indicators, commentary_periods)
        rows = {}
        if manual:
            figures = self._manual_figures(manual, windows)
            returns = self._returns(figures)
            for indicator in manual:
                points = self._manual_points(indicator, windows[indicator.period_kind], figures, returns)
                rows[indicator.pk] = self._row(indicator, points, (), commentaries, commentary_periods)
        if computed:
            trends = self._computed_trends(computed, as_at_end)
            for indicator in computed:
                points, labels, note = trends.get(indicator.registry_code, ([], (), _no_census(indicator, trends)))
                row = self._row(indicator, points, labels, commentaries, commentary_periods)
                row.note = note
                rows[indicator.pk] = row
        return rows

    @staticmethod
    def _commentary_period(indicator, windows, periods, as_at_end) -> ReportingPeriod | None:
        """The period an indicator's commentary is about: the last of its trend."""
        if indicator.source == Source.COMPUTED:
            start = dt.date(census_year_on(as_at_end) - 1, 4, 1)
            return next((p for p in periods if p.kind == PeriodKind.FINANCIAL_YEAR and p.start == start), None)
        window = windows[indicator.period_kind]
        return window[-1] if window else None

    def _commentaries(self, indicators, chosen: dict[int, ReportingPeriod | None]) -> dict[int, Commentary]:
        pairs = {(pk, period.pk) for pk, period in chosen.items() if period is not None}
        if not pairs:
            return {}
        rows = (
            self._scoped(Commentary)
            .filter(indicator_id__in={pk for pk, _ in pairs}, period_id__in={period for _, period in pairs})
            .select_related("group")
        )
        return {c.indicator_id: c for c in rows if (c.indicator_id, c.period_id) in pairs}

    # -- agency-supplied figures -----------------------------------------------------------------
    def _manual_figures(self, manual, windows) -> dict[tuple[int, int], dict[int | None, tuple]]:
        """``{(indicator_id, period_id): {locality_id: row}}`` for every manual indicator (one query).
        Every locality's figures are read when suppressing, so lines are suppressed whole."""
        period_ids = {p.pk for window in windows.values() for p in window}
        qs = self._scoped(DataSetFigure).filter(
            partnership=self.partnership, indicator_id__in=[i.pk for i in manual], period_id__in=period_ids
        )
        if not self.threshold:
            qs = (
                qs.filter(Q(locality__isnull=True) | Q(locality=self.locality))
                if self.locality
                else qs.filter(locality__isnull=True)
            )
        counts = {i.pk for i in manual if i.unit == Unit.COUNT}
        found: dict[tuple[int, int], dict[int | None, tuple]] = {}
        # The value as a float: formatting rounds it half up to one decimal place anyway, and the
        # database's float needs no Decimal conversion row by row (thousands of rows).
        qs = qs.annotate(value_float=Cast("value", FloatField()))
        for row in qs.values_list(
            "indicator_id",
            "period_id",
            "locality_id",
            "numerator",
            "denominator",
            "value_float",
            "not_available",
            "not_available_reason",
            "source_return_id",
        ):
            if row[0] in counts and row[3] is None and row[5] is not None:
                row = (*row[:3], int(row[5]), *row[4:])  # a count given as its value only is still a count
            found.setdefault((row[0], row[1]), {})[row[2]] = row
        return found

    def _returns(self, figures) -> dict[int, dict]:
        """The returns the figures came from, as plain values (one query; no model objects for
        what is only read into a sentence)."""
        ids = {row[8] for rows in figures.values() for row in rows.values() if row[8] is not None}
        if not ids:
            return {}
        qs = self._scoped(AgencyReturn).filter(pk__in=ids)
        fields = ("pk", "agency_id", "agency__name", "period__label", "status", "submitted_at")
        names = ("submitted_by__first_name", "submitted_by__last_name", "submitted_by__email")
        return {row["pk"]: row for row in qs.values(*fields, *names)}

    def _manual_points(self, indicator, window, figures, returns) -> list[Point]:
        unit = UNITS[indicator.unit]
        threshold = self.threshold if indicator.suppress_small_numbers else 0
        selected = self.locality.pk if self.locality else None
        points = []
        for period in window:
            rows = figures.get((indicator.pk, period.pk), {})
            row = rows.get(selected)
            numerator, denominator = self._counts(indicator, rows, selected, threshold)
            figure = _value_figure(indicator.unit, unit, row, numerator, denominator)
            points.append(
                Point(
                    label=period.label,
                    figure=figure,
                    numerator=numerator,
                    denominator=denominator,
                    source=self._return_source(row, returns),
                    period=period,
                )
            )
        return points

    def _counts(self, indicator, rows, selected, threshold) -> tuple[Figure | None, Figure | None]:
        """The numerator and denominator of the selected area, suppressed along their line."""
        counts_numerator = indicator.unit != Unit.DAYS
        counts_denominator = indicator.unit in (Unit.PERCENT, Unit.DAYS)
        numerator = self._line_figure(rows, selected, 3, threshold) if counts_numerator else None
        denominator = self._line_figure(rows, selected, 4, threshold if counts_denominator else 0)
        return numerator, denominator

    def _line_figure(self, rows, selected, column: int, threshold: int) -> Figure:
        """One count of the selected area, suppressed with the localities, the rest of the area and
        the whole area (the total)."""
        own = rows.get(selected)
        value = own[column] if own is not None and not own[6] else None
        if not threshold:
            return _count_figure(value)
        whole_row = rows.get(None)
        total = whole_row[column] if whole_row is not None and not whole_row[6] else None
        # Every locality with a figure, in a fixed order, so each view suppresses the same line.
        parts = [(pk, rows[pk][column] if not rows[pk][6] else None) for pk in sorted(k for k in rows if k is not None)]
        numbers = [v for _, v in parts]
        if total is not None and any(v is not None for v in numbers):
            rest = max(0, total - sum(v or 0 for v in numbers))
            if rest:
                numbers.append(rest)
        if not any(is_small(v, threshold) for v in [*numbers, total]):
            return _count_figure(value)
        if not any(v is not None for v in numbers):
            return _count_figure(value) if selected is not None else suppress_count(total, threshold=threshold)
        hidden = line_hidden(numbers, total, threshold)
        if selected is None:
            position, shown = len(numbers), total
        else:
            position = next((i for i, (pk, _) in enumerate(parts) if pk == selected), None)
            if position is None:
                return _count_figure(value)
            shown = numbers[position]
        if shown is None:
            return _missing()
        if position in hidden:
            return Figure(shown, SUPPRESSED, Reason.PRIMARY if is_small(shown, threshold) else Reason.SECONDARY)
        return _count_figure(shown)

    def _return_source(self, row, returns) -> FigureSource | None:
        if row is None:
            return None
        source = self._sources.get(row[8])
        if source is None:
            source = self._sources[row[8]] = self._describe_return(returns.get(row[8]))
        if row[6] and row[7]:  # not available, with the agency's reason
            reason = f" Not available: {row[7]}."
            return FigureSource(source.text + reason, source.link, source.link_text, source.for_export + reason)
        return source

    def _may_open(self, facts: dict) -> bool:
        """``returns.view_return``, asked once per agency: the rule depends on the return's
        partnership and agency only (the business unit, or that agency's data leads)."""
        if self.user is None:
            return False
        key = facts["agency_id"]
        if key not in self._openable:
            agency_return = AgencyReturn(
                pk=facts["pk"], partnership_id=self.partnership.pk, agency_id=key, status=facts["status"]
            )
            self._openable[key] = self.user.has_perm("returns.view_return", agency_return)
        return self._openable[key]

    def _describe_return(self, facts: dict | None) -> FigureSource:
        """Where the figures of one return came from (worked out once per return, not per figure)."""
        if facts is None:
            return FigureSource("Supplied by an agency; the return it came from is no longer recorded.")
        name = f"{facts['submitted_by__first_name'] or ''} {facts['submitted_by__last_name'] or ''}".strip()
        who = name or facts["submitted_by__email"] or "someone no longer listed"  # as ``User.__str__``
        when = (
            f"{timezone.localtime(facts['submitted_at']):%d %B %Y}" if facts["submitted_at"] else "a date not recorded"
        )
        returned = f"{facts['agency__name']} return for {facts['period__label']}"
        link = self.return_links(facts["pk"]) if self._may_open(facts) else ""
        return FigureSource(
            f"{returned}, submitted by {who} on {when}.",
            link,
            f"Open the {facts['agency__name']} return",
            f"{returned}, submitted on {when}.",
        )

    # -- computed figures ------------------------------------------------------------------------
    def _computed_trends(self, computed, as_at_end) -> dict[str, tuple[list[Point], tuple[str, ...], str]]:
        """``{registry code: (points, benchmark labels, note)}`` from the child protection review."""
        from safeguard.indicators.models import Benchmark, IndicatorValue

        years = list(
            IndicatorValue.objects.visible_to(self.user)
            .filter(partnership=self.partnership)
            .values("collection_year")
            .annotate(latest=Max("computed_at"), rows=Count("id"))
            .order_by("-collection_year")
            .values_list("collection_year", "latest", "rows")
        )
        wanted = census_year_on(as_at_end)
        usable = [year for year, _, _ in years if year <= wanted]
        if not usable:
            return {}
        benchmarks = (
            Benchmark.objects.visible_to(self.user)
            .filter(partnership=self.partnership)
            .aggregate(latest=Max("updated_at"), rows=Count("id"))
        )
        review = cached_review(
            user=self.user,
            partnership=self.partnership,
            year=usable[0],
            locality_id=self.locality.pk if self.locality else None,
            threshold=self.threshold,
            fingerprint=(tuple(years), benchmarks["latest"], benchmarks["rows"], self.locality_key),
        )
        sources = self._extract_sources(computed, review.trend_years) if self.analyst else {}
        found = {}
        for _section, items in review.sections:
            for item in items:
                if not item.trend:
                    found[item.code] = ([], (), "This indicator is a breakdown: see the child protection review.")
                    continue
                labels = tuple(label for label in BENCHMARK_LABELS if any(label in r.benchmarks for r in item.trend))
                points = [
                    Point(
                        label=row.period,
                        figure=row.figures.value,
                        numerator=row.figures.numerator.figure,
                        denominator=row.figures.denominator.figure,
                        source=sources.get((item.code, row.period)) or _census_source(row.period),
                        benchmarks=tuple(row.benchmarks.get(label, _missing()) for label in labels),
                    )
                    for row in item.trend
                ]
                found[item.code] = (points, labels, "")
        return found

    def _extract_sources(self, computed, years) -> dict[tuple[str, str], FigureSource]:
        """The extracts behind each computed figure, with links: for the analyst role only."""
        from safeguard.extracts.models import Extract
        from safeguard.indicators.models import IndicatorValue, period_label

        rows = (
            IndicatorValue.objects.visible_to(self.user)
            .filter(
                partnership=self.partnership,
                code__in={i.registry_code for i in computed},
                collection_year__in=years,
                breakdown="",
                locality=self.locality,
            )
            .values_list("code", "collection_year", "extracts")
        )
        rows = list(rows)
        ids = {pk for _, _, extracts in rows for pk in (extracts or [])}
        names = {
            e.pk: e
            for e in Extract.objects.visible_to(self.user)
            .filter(pk__in=ids, partnership=self.partnership)
            .only("pk", "kind", "collection_year", "original_filename")
        }
        found = {}
        for code, year, extracts in rows:
            used = [names[pk] for pk in extracts or [] if pk in names]
            if not used:
                continue
            first = used[0]
            text = f"Worked out from the statutory extracts for {period_label(year)}: " + ", ".join(
                f"{e.get_kind_display()} {e.original_filename}" for e in used
            )
            link = _Links("extracts:extract_detail")(first.pk)
            found[(code, period_label(year))] = FigureSource(text + ".", link, "Open the extract")
        return found

    # -- one row ---------------------------------------------------------------------------------
    def _row(self, indicator, points, labels, commentaries, commentary_periods) -> IndicatorRow:
        unit = UNITS[indicator.unit]
        known = [p for p in points if p.figure.reason != Reason.NOT_AVAILABLE]
        latest = known[-1] if known else None
        previous = None
        if latest is not None:
            position = points.index(latest)
            previous = points[position - 1] if position > 0 else None
        rating = _rating(indicator, latest)
        benchmarks = list(zip(labels, latest.benchmarks, strict=True)) if latest is not None and labels else []
        area = self.locality.name if self.locality else self.partnership.name
        chart = None
        if self.charts_wanted and points:
            series = [charts.Series(area, tuple(p.figure for p in points), "local")]
            for index, label in enumerate(labels):
                values = tuple(p.benchmarks[index] for p in points)
                if any(v.shown for v in values):
                    series.append(charts.Series(label, values, "england" if index == 0 else "neighbours"))
            chart = _line_chart(
                title=f"{indicator.title}: {area}",
                categories=tuple(p.label for p in points),
                series=tuple(series),
                unit=unit,
                chart_id=f"indicator-{indicator.pk}-trend",
                category_label="Quarter" if indicator.period_kind == PeriodKind.QUARTER else "Year",
            )
        return IndicatorRow(
            indicator=indicator,
            unit=unit,
            points=points,
            latest=latest,
            previous=previous,
            rating=rating,
            travel=_travel(indicator, unit, latest, previous),
            target=format_value(float(indicator.target), unit) if indicator.target is not None else "",
            benchmarks=benchmarks,
            commentary=commentaries.get(indicator.pk),
            commentary_period=commentary_periods.get(indicator.pk),
            chart=chart,
            definition_url=self.definition_links(indicator.pk),
            commentary_url=(
                f"{self.commentary_links(indicator.pk)}?period={commentary_periods[indicator.pk].pk}"
                if commentary_periods.get(indicator.pk)
                else ""
            ),
            source_label=(
                f"Supplied by {indicator.agency.name}"
                if indicator.agency
                else "Worked out from the statutory extracts (children in need census)"
            ),
            benchmark_labels=labels,
        )


# --- The child protection review's figures, kept between requests ----------------------------------

_REVIEWS: OrderedDict[tuple, object] = OrderedDict()
_REVIEWS_LOCK = threading.Lock()
#: Reviews kept per process (one per partnership, year, locality and threshold in use).
REVIEWS_KEPT = 32


def cached_review(*, user, partnership, year: int, locality_id: int | None, threshold: int, fingerprint: tuple):
    """``build_review`` for the computed indicators, kept while nothing it reads has changed.

    Building the review works out every registry indicator's tables and their shared suppression:
    most of a dashboard request's time at the benchmark size. Its figures change only when the
    indicators are recomputed, benchmarks are imported or localities change, so ``fingerprint``
    holds each census year's latest ``computed_at`` and row count, the benchmarks' latest
    ``updated_at`` and count, and the localities with their active flags (read in two small queries
    on every request). The review does not depend on who asks, beyond the threshold: drill-through
    links are never asked for here."""
    from safeguard.indicators.views_review import build_review

    key = (partnership.pk, year, locality_id, threshold, fingerprint)
    with _REVIEWS_LOCK:
        found = _REVIEWS.get(key)
        if found is not None:
            _REVIEWS.move_to_end(key)
            return found
    review = build_review(
        user=user,
        partnership=partnership,
        year=year,
        locality_id=locality_id,
        suppress=bool(threshold),
        threshold=threshold or None,
        charts_wanted="none",
    )
    with _REVIEWS_LOCK:
        _REVIEWS[key] = review
        while len(_REVIEWS) > REVIEWS_KEPT:
            _REVIEWS.popitem(last=False)
    return review


#: ``charts.line_chart`` for the same figures gives the same chart: kept, as the chart module keeps
#: its drawings, so a page shown again does not format its 1,200 figures into 60 data tables anew.
_line_chart = lru_cache(maxsize=1024)(charts.line_chart)


# --- Figures ---------------------------------------------------------------------------------------


def line_hidden(values: list[int | None], total: int | None, threshold: int) -> set[int]:
    """The positions ``suppression.suppress_line(values, total=total)`` suppresses (``len(values)``
    is the total), worked out on the numbers alone: the dashboard needs one or two figures of each
    of thousands of lines, not every figure of each formatted. The same rule, step for step: every
    count from 1 to the threshold; then, when the line (its total included) has exactly one
    suppressed figure, the smallest other one too (non-zero figures first, the earliest when two are
    equal). ``tests/test_dashboard.py`` checks it gives the same answer as ``suppress_line``."""
    line = [*values, total] if total is not None else list(values)
    hidden = {i for i, v in enumerate(line) if is_small(v, threshold)}
    if total is None or not threshold or len(hidden) != 1:
        return hidden
    candidates = [(v == 0, v, i) for i, v in enumerate(line) if i not in hidden and v is not None]
    if candidates:
        hidden.add(min(candidates)[2])
    return hidden


def _missing() -> Figure:
    return Figure(None, NOT_AVAILABLE, Reason.NOT_AVAILABLE)


def _count_figure(value) -> Figure:
    """A count shown as it is (thousands separated, as ``format_value`` does, without its rounding
    machinery: counts are whole numbers)."""
    if value is None:
        return _missing()
    return Figure(value, f"{value:,}" if isinstance(value, int) else format_value(value, "count"))


def _value_figure(data_unit: str, unit: str, row, numerator: Figure | None, denominator: Figure | None) -> Figure:
    """The figure shown for a period: the count itself, or a percentage, rate or number of days
    that is "c" when a count it was worked out from is suppressed."""
    if row is None or row[6]:
        return _missing()
    value = row[5]
    if data_unit == Unit.COUNT:
        if numerator is not None and numerator.reason != Reason.NOT_AVAILABLE:
            return numerator
        return _missing() if value is None else Figure(float(value), format_value(float(value), unit))
    return derived_figure(
        float(value) if value is not None else None,
        unit=unit,
        numerator=numerator,
        denominator=denominator,
    )


def _rating(indicator, latest: Point | None) -> Rating | None:
    if latest is None or not latest.figure.shown:
        return None
    code = rag.rag_rating(
        latest.figure.visible_value,
        polarity=indicator.polarity,
        target=indicator.target,
        amber_threshold=indicator.amber_threshold,
    )
    if code is None:
        return None
    label, tag, meaning = RAG_WORDS[code]
    return Rating(code, label, tag, meaning)


def _travel(indicator, unit: str, latest: Point | None, previous: Point | None) -> Travel:
    if latest is None or previous is None:
        return Travel("Not compared", "There is no figure for the period before to compare with.")
    if latest.figure.suppressed or previous.figure.suppressed:
        return Travel("Not compared", f"The figure for {latest.label} or {previous.label} is suppressed.")
    now, before = latest.figure.visible_value, previous.figure.visible_value
    if now is None or before is None:
        return Travel("Not compared", f"There is no figure for {previous.label} to compare with.")
    shown_now, shown_before = _rounded(now, unit), _rounded(before, unit)
    moved = rag.direction_of_travel(shown_now, shown_before, polarity=indicator.polarity)
    before_text = format_value(before, unit)
    if moved is None or moved[0] == "same":
        return Travel("No change", f"The same as {previous.label} ({before_text}).")
    direction, judgement = moved
    movement = f"{direction.capitalize()} from {before_text} in {previous.label}."
    if judgement == "no judgement":
        return Travel(direction.capitalize(), f"{movement} Neither higher nor lower is better.")
    polarity = "Higher" if indicator.polarity == Polarity.HIGHER_IS_BETTER else "Lower"
    tag = "govuk-tag--green" if judgement == "better" else "govuk-tag--red"
    return Travel(f"{direction.capitalize()}, {judgement}", f"{movement} {polarity} is better.", tag)


def _rounded(value, unit: str) -> Decimal:
    """Compare figures as they are shown (12.34% and 12.31% are both 12.3%: no change)."""
    return Decimal(format_value(value, unit).rstrip("%").replace(",", ""))


def _no_census(indicator, trends: dict) -> str:
    if not trends:
        return "No figures yet: no children in need census has been loaded and worked out for this period."
    return f"No figures: '{indicator.registry_code}' is not an indicator the registry computes."


def _census_source(period: str) -> FigureSource:
    return FigureSource(f"Worked out from the statutory extracts (children in need census {period}).")


_PLACEHOLDER = 987654321


def _reverse_or_empty(name: str, *args) -> str:
    """A URL of a page that another part of the module provides: empty until it exists."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


class _Links:
    """``reverse`` for one URL name and many primary keys, resolved once (reversing a URL 60 or 120
    times was a tenth of a dashboard request). Empty when the page does not exist yet."""

    def __init__(self, name: str):
        self.pattern = _reverse_or_empty(name, _PLACEHOLDER)

    def __call__(self, pk: int) -> str:
        return self.pattern.replace(str(_PLACEHOLDER), str(pk)) if self.pattern else ""


# --- The public summary ----------------------------------------------------------------------------


@dataclass
class PublicRow:
    indicator: DataSetIndicator
    figure: Figure
    period: str
    travel: Travel
    unit_label: str


@dataclass
class PublicTheme:
    theme: Theme
    rows: list[PublicRow]


def public_summary(*, partnership: Partnership, today: dt.date | None = None) -> list[PublicTheme]:
    """The latest **submitted** agency figures by theme, whole area only, always suppressed, for
    the public site. Figures from returns reopened for correction are left out until resubmitted,
    and computed (census) figures are not published here: the DfE publishes those itself."""
    today = today or timezone.localdate()
    themes = list(Theme.objects.filter(partnership=partnership, is_active=True).order_by("position", "name"))
    indicators = list(
        DataSetIndicator.objects.filter(
            partnership=partnership, is_active=True, theme__is_active=True, source=Source.MANUAL
        ).order_by("position", "title", "pk")
    )
    periods = list(ReportingPeriod.objects.filter(partnership=partnership, end__lt=today).order_by("-end", "kind"))
    windows = _windows(periods, today)
    reader = _Reader(
        user=None,
        partnership=partnership,
        threshold=default_threshold(),
        locality=None,
        analyst=False,
        charts_wanted=False,
    )
    figures = reader._manual_figures(indicators, windows) if indicators else {}
    submitted = set(
        AgencyReturn.objects.filter(partnership=partnership, status=ReturnStatus.SUBMITTED).values_list("pk", flat=True)
    )
    for key, rows in list(figures.items()):
        figures[key] = {loc: row for loc, row in rows.items() if row[8] in submitted}
    blocks = []
    for theme in themes:
        rows = []
        for indicator in (i for i in indicators if i.theme_id == theme.pk):
            points = reader._manual_points(indicator, windows[indicator.period_kind], figures, {})
            known = [p for p in points if p.figure.reason != Reason.NOT_AVAILABLE]
            if not known:
                continue
            latest = known[-1]
            position = points.index(latest)
            previous = points[position - 1] if position > 0 else None
            unit = UNITS[indicator.unit]
            travel = _travel(indicator, unit, latest, previous)
            rows.append(PublicRow(indicator, latest.figure, latest.label, travel, Unit(indicator.unit).label))
        if rows:
            blocks.append(PublicTheme(theme, rows))
    return blocks


def theme_kind_choices() -> list[tuple[str, str]]:
    return [("", "Themes and priorities"), *ThemeKind.choices]
