"""Charts as accessible SVG, drawn with matplotlib, each with the data table that goes beside it.

Three kinds: ``line_chart`` (a trend over years, with optional benchmark lines such as England and
statistical neighbours), ``bar_chart`` (one figure per locality, horizontal, with a benchmark
line) and ``category_chart`` (a breakdown such as plans by category of abuse: grouped or stacked
bars over years). Each returns a ``Chart``: the SVG markup, safe to put straight into a page or a
PDF, and a ``DataTable`` with the same figures as text.

How the SVG is made accessible and safe
---------------------------------------
- ``<svg role="img" aria-labelledby="...">`` with a ``<title>`` (the chart's title) and a
  ``<desc>`` that says what the chart shows and lists its figures; the data table beside the
  chart is the full text alternative (WCAG 2.2 1.1.1).
- Text stays text (``svg.fonttype: none``): it scales, can be selected, and is drawn in the page's
  own typeface (Arial), never baked into paths.
- GOV.UK colours with at least 3:1 contrast against white for every line and bar (WCAG 1.4.11);
  lines also differ by dash and marker and bars by hatching, so colour is never the only cue
  (WCAG 1.4.1).
- No inline ``style`` attributes and no ``<style>`` element: the site's Content Security Policy
  (``style-src 'self'``) would block them, so matplotlib's styles are rewritten as SVG
  presentation attributes, which CSP does not govern.
- Deterministic: the same figures give byte-identical SVG (``svg.hashsalt`` is fixed, the date
  and metadata are dropped, and only the ids a chart refers to are kept, prefixed with the
  chart's own id so several charts can share a page).
- A suppressed or missing figure ("c", ":") is a gap: no point, no bar, never a zero. A bar chart
  writes the marker where the bar would be.

matplotlib is used through its object-oriented API only (no pyplot state), with the Agg backend;
rendering holds a lock because a few settings (``rcParams``) are process-wide. Lines, bars and text
are placed straight onto the figure (``_Area``) rather than through matplotlib's Axes, whose tick
machinery took most of a chart's time: a chart takes about 50 ms. Charts are cached by their
content, so a page showing the same figures again does not redraw them.

The SVG uses plain element names with an explicit ``xmlns`` and SVG 2 ``href`` (no xlink), so it
never depends on the namespace prefixes other code registers with ElementTree.
"""

from __future__ import annotations

import io
import re
import threading
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import matplotlib
from django.utils.safestring import SafeString, mark_safe
from matplotlib import rc_context
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator

from .suppression import NOT_AVAILABLE, format_value

# Agg: no display needed. Only pyplot would use the backend; choosing it here keeps any later
# pyplot import in the same process off a GUI toolkit.
matplotlib.use("Agg")

# GOV.UK Design System colours (https://design-system.service.gov.uk/styles/colour/), each with at
# least 3:1 contrast against white (tests/test_charts.py checks).
TEXT = "#0b0c0c"
SECONDARY_TEXT = "#505a5f"
GRID = "#b1b4b6"  # decorative grid lines only
LOCAL = "#1d70b8"  # GOV.UK blue: the partnership's own figure
ENGLAND = "#0b0c0c"
NEIGHBOURS = "#505a5f"
REGION = "#4c2c92"
CATEGORY_COLOURS = ("#1d70b8", "#4c2c92", "#28a197", "#d4351c", "#b58840", "#505a5f", "#00703c", "#d53880")
HATCHES = ("", "//", "..", "xx", "\\\\", "oo", "--", "++")

#: How each kind of series is drawn on a line chart: colour, dash pattern, marker.
SERIES_STYLES = {
    "local": (LOCAL, "-", "o"),
    "england": (ENGLAND, "--", "s"),
    "neighbours": (NEIGHBOURS, ":", "^"),
    "region": (REGION, "-.", "D"),
}

FONT_FAMILY = "arial, sans-serif"  # the site's typeface (safeguard.scss)
_RC = {
    "svg.fonttype": "none",
    "svg.hashsalt": "safeguard-charts",
    "font.family": "DejaVu Sans",  # metrics for layout; the SVG asks for FONT_FAMILY
    "font.size": 11,
    "text.color": TEXT,
    "hatch.linewidth": 0.8,
}
_LOCK = threading.Lock()
_SVG_NS = "http://www.w3.org/2000/svg"
_XLINK_NS = "http://www.w3.org/1999/xlink"

Value = float | int | str | None  # a number, or a marker ("c", ":") or None for a gap


@dataclass(frozen=True)
class DataTable:
    """The chart's figures as text: a caption, column headings and rows (first cell a heading)."""

    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Chart:
    svg: SafeString
    title: str
    description: str
    table: DataTable
    chart_id: str = ""


@dataclass(frozen=True)
class Series:
    """One line (or one group of bars): a name, one value per category, and how to draw it."""

    name: str
    values: tuple[Value, ...]
    kind: str = "local"  # local, england, neighbours, region (line charts)

    def __post_init__(self):
        object.__setattr__(self, "values", tuple(_plain(v) for v in self.values))


def _plain(value) -> Value:
    """Accept numbers, markers, None, or a ``suppression.Figure`` (its visible value or marker)."""
    if value is None or isinstance(value, int | float | str):
        return value
    if hasattr(value, "visible_value") and hasattr(value, "display"):
        return value.visible_value if value.visible_value is not None else value.display
    raise TypeError(f"A chart value must be a number, a marker or a Figure, not {type(value).__name__}.")


def _number(value: Value) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _text(value: Value, unit: str) -> str:
    if value is None:
        return NOT_AVAILABLE
    if isinstance(value, str):
        return value
    return format_value(value, unit)


def _spoken(value: Value, unit: str) -> str:
    """A value for the description: markers in words."""
    text = _text(value, unit)
    return {"c": "suppressed", ":": "not available", "z": "not applicable"}.get(text, text)


def _safe(label: str) -> str:
    """Text for matplotlib: a ``$`` would start mathematical notation."""
    return label.replace("$", r"\$")


# Public functions -------------------------------------------------------------------------------


def line_chart(
    *,
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    unit: str,
    chart_id: str,
    category_label: str = "Year",
) -> Chart:
    """A trend: one line per series over the categories (years). The first series is usually the
    partnership's own; benchmark series (kind ``england``, ``neighbours``, ``region``) are drawn
    dashed or dotted in dark colours."""
    spec = _Spec("line", title, tuple(categories), tuple(series), unit, chart_id, category_label)
    return _chart(spec)


def bar_chart(
    *,
    title: str,
    categories: Sequence[str],
    values: Sequence[Value],
    unit: str,
    chart_id: str,
    benchmarks: Sequence[tuple[str, Value]] = (),
    category_label: str = "Locality",
    series_name: str = "",
) -> Chart:
    """Horizontal bars, one a category (locality), with a vertical line for each benchmark
    (``("England", 81.0)``)."""
    bench = tuple((name, _plain(value)) for name, value in benchmarks)
    spec = _Spec(
        "bar",
        title,
        tuple(categories),
        (Series(series_name or title, tuple(values)),),
        unit,
        chart_id,
        category_label,
        bench,
    )
    return _chart(spec)


def category_chart(
    *,
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    unit: str,
    chart_id: str,
    stacked: bool = False,
    category_label: str = "Year",
) -> Chart:
    """A breakdown over the categories (years): one bar a series (category of abuse), side by
    side, or stacked. In a stacked bar a suppressed part is left out and the bar is marked "c"."""
    kind = "stacked" if stacked else "grouped"
    spec = _Spec(kind, title, tuple(categories), tuple(series), unit, chart_id, category_label)
    return _chart(spec)


# Rendering --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Spec:
    kind: str
    title: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    unit: str
    chart_id: str
    category_label: str
    benchmarks: tuple[tuple[str, Value], ...] = field(default=())


def _chart(spec: _Spec) -> Chart:
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", spec.chart_id):
        raise ValueError(
            f"A chart id must start with a letter and hold only letters, digits, - and _: {spec.chart_id!r}"
        )
    for s in spec.series:
        if len(s.values) != len(spec.categories):
            raise ValueError(f"Series {s.name!r} has {len(s.values)} values for {len(spec.categories)} categories.")
    description = _description(spec)
    svg = _render(spec, description)
    return Chart(mark_safe(svg), spec.title, description, _table(spec), spec.chart_id)  # ElementTree escaped every text


def _table(spec: _Spec) -> DataTable:
    columns = (spec.category_label, *(s.name for s in spec.series))
    rows = [
        (category, *(_text(s.values[i], spec.unit) for s in spec.series)) for i, category in enumerate(spec.categories)
    ]
    for name, value in spec.benchmarks:
        rows.append((f"{name} (benchmark)", _text(value, spec.unit)))
    return DataTable(f"{spec.title}: the figures in the chart", columns, tuple(rows))


def _description(spec: _Spec) -> str:
    kinds = {
        "line": "Line chart",
        "bar": "Bar chart",
        "grouped": "Grouped bar chart",
        "stacked": "Stacked bar chart",
    }
    span = f", {spec.categories[0]} to {spec.categories[-1]}" if spec.categories and spec.kind != "bar" else ""
    parts = [f"{kinds[spec.kind]}: {spec.title}{span}."]
    for s in spec.series:
        if len(spec.categories) <= 12:
            points = "; ".join(f"{c} {_spoken(v, spec.unit)}" for c, v in zip(spec.categories, s.values, strict=True))
        else:
            points = _extremes(spec.categories, s.values, spec.unit)
        parts.append(f"{s.name}: {points}." if len(spec.series) > 1 or spec.kind != "bar" else f"{points}.")
    for name, value in spec.benchmarks:
        parts.append(f"{name}: {_spoken(value, spec.unit)} (line across the bars).")
    if any(_number(v) is None for s in spec.series for v in s.values):
        parts.append("Suppressed or missing figures are left as gaps.")
    return " ".join(parts)


def _extremes(categories, values, unit) -> str:
    known = [(float(v), c) for c, v in zip(categories, values, strict=True) if _number(v) is not None]
    if not known:
        return "no figures shown"
    high, low = max(known), min(known)
    return f"highest {high[1]} {format_value(high[0], unit)}, lowest {low[1]} {format_value(low[0], unit)}"


@lru_cache(maxsize=512)
def _render(spec: _Spec, description: str) -> str:
    with _LOCK, rc_context(_RC):
        figure = _draw(spec)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches=None)
    return _accessible_svg(buffer.getvalue(), spec.chart_id, spec.title, description)


# Speed: matplotlib's constrained layout, Axes (with their tick machinery) and legend boxes took
# most of a chart's time, so the layout is worked out here (sizes in points, text about 0.6 em a
# glyph), and axes, grid lines, labels and the legend are drawn as plain lines, shapes and text.
_WIDTH = 7.2 * 72
_FONT = _RC["font.size"]
_LINE = 1.6 * _FONT
_GLYPH = 0.6 * _FONT
_LABEL_CHARS = 28  # longer category names are shortened in the chart (the table has them whole)
_SAMPLE = 26  # width of a legend sample, points


@dataclass(frozen=True)
class _Key:
    """One legend entry: how its sample is drawn."""

    label: str
    colour: str
    dash: str = "-"
    marker: str = ""
    patch: bool = False
    hatch: str = ""


def _short(label: str) -> str:
    if len(label) > _LABEL_CHARS:
        label = label[: _LABEL_CHARS - 1].rstrip() + "\N{HORIZONTAL ELLIPSIS}"
    return _safe(label)


def _legend_keys(spec: _Spec) -> list[_Key]:
    if spec.kind == "bar":
        keys = []
        for index, (name, value) in enumerate(spec.benchmarks):
            if _number(value) is not None:
                colour, dash, _marker = SERIES_STYLES[("england", "neighbours", "region")[index % 3]]
                keys.append(_Key(f"{name} {_text(value, spec.unit)}", colour, dash))
        return keys
    if spec.kind == "line":
        if len(spec.series) < 2:
            return []
        return [_Key(s.name, *SERIES_STYLES.get(s.kind, SERIES_STYLES["local"])) for s in spec.series]
    return [
        _Key(s.name, CATEGORY_COLOURS[i % len(CATEGORY_COLOURS)], patch=True, hatch=HATCHES[i % len(HATCHES)])
        for i, s in enumerate(spec.series)
    ]


def _legend_rows(keys: list[_Key]) -> list[list[_Key]]:
    """Entries in rows that fit the chart's width."""
    rows, row, used = [], [], 0.0
    for key in keys:
        width = _SAMPLE + 8 + len(_short(key.label)) * _GLYPH + 18
        if row and used + width > _WIDTH - 20:
            rows.append(row)
            row, used = [], 0.0
        row.append(key)
        used += width
    return [*rows, row] if row else rows


class _Area:
    """The plotting area of a chart: maps data values to figure coordinates and draws straight onto
    the figure (no matplotlib Axes, whose tick machinery costs more than the rest of the chart).

    ``box`` is (left, bottom, right, top) in points from the figure's bottom-left corner; ``x`` and
    ``y`` are the data ranges (``y`` may run downwards, for bars listed from the top)."""

    def __init__(self, figure: Figure, height: float, box, x: tuple[float, float], y: tuple[float, float]):
        self.figure, self.height = figure, height
        self.left, self.bottom, self.right, self.top = box
        self.x_range, self.y_range = x, y

    def fx(self, value: float, offset: float = 0.0) -> float:
        low, high = self.x_range
        return (self.left + (value - low) / (high - low) * (self.right - self.left) + offset) / _WIDTH

    def fy(self, value: float, offset: float = 0.0) -> float:
        low, high = self.y_range
        return (self.bottom + (value - low) / (high - low) * (self.top - self.bottom) + offset) / self.height

    def line(self, xs, ys, **style) -> None:
        nan = float("nan")
        points_x = [nan if x is None else self.fx(x) for x in xs]
        points_y = [nan if y is None else self.fy(y) for y in ys]
        self.figure.lines.append(Line2D(points_x, points_y, transform=self.figure.transFigure, **style))

    def bar(self, x0: float, x1: float, y0: float, y1: float, **style) -> None:
        left, bottom = self.fx(x0), self.fy(y0)
        self.figure.patches.append(
            Rectangle(
                (left, bottom),
                self.fx(x1) - left,
                self.fy(y1) - bottom,
                transform=self.figure.transFigure,
                **style,
            )
        )

    def text(self, x: float, y: float, text: str, *, dx: float = 0.0, dy: float = 0.0, **style) -> None:
        """Text at a data point, moved by (dx, dy) points."""
        self.figure.text(self.fx(x, dx), self.fy(y, dy), text, color=TEXT, **style)

    def frame(self, *, left: bool = True, bottom: bool = True) -> None:
        if left:
            self.figure.lines.append(
                Line2D(
                    [self.left / _WIDTH] * 2,
                    [self.bottom / self.height, self.top / self.height],
                    transform=self.figure.transFigure,
                    color=SECONDARY_TEXT,
                    linewidth=0.8,
                )
            )
        if bottom:
            self.figure.lines.append(
                Line2D(
                    [self.left / _WIDTH, self.right / _WIDTH],
                    [self.bottom / self.height] * 2,
                    transform=self.figure.transFigure,
                    color=SECONDARY_TEXT,
                    linewidth=0.8,
                )
            )


def _draw(spec: _Spec) -> Figure:
    keys = _legend_keys(spec)
    legend = _legend_rows(keys)
    if spec.kind == "bar":
        longest = max((len(_short(c)) for c in spec.categories), default=4)
        left = min(_WIDTH * 0.45, longest * _GLYPH + 14)
        top = 10 + len(legend) * _LINE
        bottom = 12 + _LINE
        height = top + bottom + max(2, len(spec.categories)) * 0.42 * 72
    else:
        left = 7 * _GLYPH + 10  # room for "100,000" or "100%"
        top = 12
        bottom = 10 + _LINE + (len(legend) * _LINE + 6 if legend else 0)
        height = 3.6 * 72
    figure = Figure(figsize=(_WIDTH / 72, height / 72))
    figure.patch.set_visible(False)  # no background: the page's own shows through
    box = (left, bottom, _WIDTH - 16, height - top)
    {"line": _draw_lines, "bar": _draw_bars, "grouped": _draw_grouped, "stacked": _draw_stacked}[spec.kind](
        figure, height, box, spec
    )
    if legend:
        first = height - 8 - _FONT if spec.kind == "bar" else 6 + (len(legend) - 0.5) * _LINE
        _draw_legend(figure, legend, first, height)
    if not any(_number(v) is not None for s in spec.series for v in s.values):
        message = "No figures to show: they are suppressed or not available"
        middle = ((box[0] + box[2]) / 2 / _WIDTH, (box[1] + box[3]) / 2 / height)
        figure.text(*middle, message, ha="center", va="center", color=TEXT)
    return figure


def _draw_legend(figure: Figure, rows: list[list[_Key]], first: float, height: float) -> None:
    """Each row centred; ``first`` is the height of the first row's middle above the bottom, in points."""
    for number, row in enumerate(rows):
        widths = [_SAMPLE + 8 + len(_short(k.label)) * _GLYPH + 18 for k in row]
        x = (_WIDTH - sum(widths) + 18) / 2
        y = (first - number * _LINE) / height
        for key, width in zip(row, widths, strict=True):
            x0, x1 = x / _WIDTH, (x + _SAMPLE) / _WIDTH
            if key.patch:
                figure.patches.append(
                    Rectangle(
                        (x0, y - 5 / height),
                        _SAMPLE / _WIDTH,
                        10 / height,
                        transform=figure.transFigure,
                        facecolor=key.colour,
                        edgecolor="white",
                        hatch=key.hatch,
                    )
                )
            else:
                figure.lines.append(
                    Line2D(
                        [x0, x1],
                        [y, y],
                        transform=figure.transFigure,
                        color=key.colour,
                        linestyle=key.dash,
                        linewidth=2,
                    )
                )
                if key.marker:
                    mid = (x0 + x1) / 2
                    figure.lines.append(
                        Line2D([mid], [y], transform=figure.transFigure, color=key.colour, marker=key.marker)
                    )
            figure.text((x + _SAMPLE + 6) / _WIDTH, y, _short(key.label), va="center", ha="left", color=TEXT)
            x += width


def _value_ticks(spec: _Spec, values: list[float]) -> list[float]:
    """Round-numbered ticks from zero to the first one at or above the largest value."""
    top = max(values, default=0.0)
    upper = max(1.0, top * 1.05)
    if spec.unit == "percent" and top > 85:
        upper = 100.0
    locator = MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10], integer=spec.unit == "count")
    ticks = [float(t) for t in locator.tick_values(0, upper) if t >= 0]
    end = next((i for i, t in enumerate(ticks) if t >= top), len(ticks) - 1)
    return ticks[: max(end, 1) + 1]


def _tick_label(value: float, unit: str) -> str:
    return f"{value:,.0f}%" if unit == "percent" else f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"


def _vertical_area(figure, height, box, spec: _Spec, x_range, values: list[float]) -> _Area:
    """A plotting area with values up the side: grid lines, value labels and category labels below."""
    ticks = _value_ticks(spec, values)
    area = _Area(figure, height, box, x_range, (0.0, ticks[-1]))
    for tick in ticks[1:]:
        area.line(x_range, [tick, tick], color=GRID, linewidth=0.6)
    for tick in ticks:
        area.text(x_range[0], tick, _tick_label(tick, spec.unit), dx=-6, ha="right", va="center")
    for position, label in enumerate(spec.categories):
        area.text(position, 0, _short(label), dy=-6, ha="center", va="top")
    return area


def _draw_lines(figure, height, box, spec: _Spec) -> None:
    everything = [n for s in spec.series for n in (_number(v) for v in s.values) if n is not None]
    area = _vertical_area(figure, height, box, spec, (-0.3, max(len(spec.categories) - 1, 0) + 0.3), everything)
    area.frame()
    for s in sorted(spec.series, key=lambda s: s.kind == "local"):  # the partnership's own line on top
        colour, dash, marker = SERIES_STYLES.get(s.kind, SERIES_STYLES["local"])
        local = s.kind == "local"
        area.line(
            range(len(s.values)),
            [_number(v) for v in s.values],
            color=colour,
            linestyle=dash,
            marker=marker,
            markersize=6 if local else 5,
            linewidth=2.5 if local else 1.8,
        )


def _draw_bars(figure, height, box, spec: _Spec) -> None:
    values = spec.series[0].values
    numbers = [_number(v) for v in values]
    bench = [(i, _number(value)) for i, (_name, value) in enumerate(spec.benchmarks) if _number(value) is not None]
    ticks = _value_ticks(spec, [y for y in numbers if y is not None] + [b for _, b in bench])
    rows = len(spec.categories)
    area = _Area(figure, height, box, (0.0, ticks[-1]), (rows - 0.5, -0.5))  # first category at the top
    for tick in ticks[1:]:
        area.line([tick, tick], [rows - 0.5, -0.5], color=GRID, linewidth=0.6)
    for tick in ticks:
        area.text(tick, rows - 0.5, _tick_label(tick, spec.unit), dy=-6, ha="center", va="top")
    for position, (label, value, number) in enumerate(zip(spec.categories, values, numbers, strict=True)):
        area.text(0, position, _short(label), dx=-6, ha="right", va="center")
        if number is None:  # a gap, marked with the marker itself: never a zero-length bar
            area.text(0, position, _text(value, spec.unit), dx=4, ha="left", va="center")
        else:
            area.bar(0, number, position + 0.3, position - 0.3, facecolor=LOCAL, edgecolor="none")
    for index, number in bench:
        colour, dash, _marker = SERIES_STYLES[("england", "neighbours", "region")[index % 3]]
        area.line([number, number], [rows - 0.5, -0.5], color=colour, linestyle=dash, linewidth=2)
    area.frame()


def _draw_grouped(figure, height, box, spec: _Spec) -> None:
    everything = [n for s in spec.series for n in (_number(v) for v in s.values) if n is not None]
    area = _vertical_area(figure, height, box, spec, (-0.5, len(spec.categories) - 0.5), everything)
    width = 0.8 / max(1, len(spec.series))
    for index, s in enumerate(spec.series):
        style = {
            "facecolor": CATEGORY_COLOURS[index % len(CATEGORY_COLOURS)],
            "edgecolor": "white",
            "hatch": HATCHES[index % len(HATCHES)],
        }
        for position, value in enumerate(s.values):
            x = position - 0.4 + width * index
            number = _number(value)
            if number is None:  # a gap, marked with the marker itself
                area.text(x + width / 2, 0, _text(value, spec.unit), dy=2, ha="center", va="bottom", fontsize=9)
            else:
                area.bar(x, x + width, 0, number, **style)
    area.frame()


def _draw_stacked(figure, height, box, spec: _Spec) -> None:
    totals = [
        sum(n for n in (_number(s.values[i]) for s in spec.series) if n is not None)
        for i in range(len(spec.categories))
    ]
    area = _vertical_area(figure, height, box, spec, (-0.5, len(spec.categories) - 0.5), totals)
    bottoms = [0.0] * len(spec.categories)
    incomplete = [False] * len(spec.categories)
    for index, s in enumerate(spec.series):
        style = {
            "facecolor": CATEGORY_COLOURS[index % len(CATEGORY_COLOURS)],
            "edgecolor": "white",
            "hatch": HATCHES[index % len(HATCHES)],
        }
        for position, value in enumerate(s.values):
            number = _number(value)
            if number is None:
                incomplete[position] = incomplete[position] or value is not None
                continue
            area.bar(position - 0.3, position + 0.3, bottoms[position], bottoms[position] + number, **style)
            bottoms[position] += number
    for position, flagged in enumerate(incomplete):
        if flagged:  # the bar leaves out a suppressed part: say so rather than look complete
            area.text(position, bottoms[position], "includes c", dy=2, ha="center", va="bottom", fontsize=9)
    area.frame()


# SVG post-processing ----------------------------------------------------------------------------

_URL_REF = re.compile(r"url\(#([^)]+)\)")
_PRESENTATION = {
    "fill",
    "fill-opacity",
    "fill-rule",
    "stroke",
    "stroke-width",
    "stroke-opacity",
    "stroke-linejoin",
    "stroke-linecap",
    "stroke-dasharray",
    "stroke-dashoffset",
    "stroke-miterlimit",
    "opacity",
    "font-size",
    "font-family",
    "font-weight",
    "font-style",
    "text-anchor",
    "dominant-baseline",
    "clip-path",
}


def _accessible_svg(raw: str, chart_id: str, title: str, description: str) -> str:
    """matplotlib's SVG made fit to inline: see the module docstring."""
    body = raw[raw.index("<svg") :]
    root = ET.fromstring(body)  # noqa: S314  (our own output, not user input)
    _remove(root, lambda child: child.tag in (f"{{{_SVG_NS}}}metadata", f"{{{_SVG_NS}}}style"))
    _remove(root, lambda child: child.tag == f"{{{_SVG_NS}}}defs" and not len(child))  # left empty
    _remove(root, lambda child: child.tag == f"{{{_SVG_NS}}}g" and not len(child) and not child.attrib)
    referenced = set()
    for element in root.iter():
        for name, value in element.attrib.items():
            referenced.update(_URL_REF.findall(value))
            if name in (f"{{{_XLINK_NS}}}href", "href") and value.startswith("#"):
                referenced.add(value[1:])
    for element in root.iter():
        _style_to_attributes(element)
        if element.tag == f"{{{_SVG_NS}}}path" and "d" in element.attrib:
            element.set("d", " ".join(element.get("d").split()))
        if element.get("transform", "").startswith("rotate(-0 "):  # matplotlib's no-op rotation of text
            del element.attrib["transform"]
        old = element.attrib.pop("id", None)
        if old in referenced:
            element.set("id", f"{chart_id}-{old}")
        for name, value in list(element.attrib.items()):
            if "url(#" in value:
                element.set(name, _URL_REF.sub(lambda m: f"url(#{chart_id}-{m.group(1)})", value))
            elif name in (f"{{{_XLINK_NS}}}href", "href") and value.startswith("#"):
                del element.attrib[name]  # SVG 2 "href": no xlink namespace to declare
                element.set("href", f"#{chart_id}-{value[1:]}")
    # The <style> matplotlib writes sets these on every element; inherited attributes do the same.
    root.set("stroke-linejoin", "round")
    root.set("stroke-linecap", "butt")
    for name in ("width", "height", "version"):
        root.attrib.pop(name, None)
    root.set("width", "100%")
    root.set("class", "sg-chart__svg")
    root.set("role", "img")
    root.set("aria-labelledby", f"{chart_id}-title {chart_id}-desc")
    title_element = ET.Element(f"{{{_SVG_NS}}}title", {"id": f"{chart_id}-title"})
    title_element.text = title
    desc_element = ET.Element(f"{{{_SVG_NS}}}desc", {"id": f"{chart_id}-desc"})
    desc_element.text = description
    root.insert(0, desc_element)
    root.insert(0, title_element)
    # Plain names and an explicit xmlns: the markup never depends on the prefixes other code
    # registers with ElementTree (qrcode, used for two-factor set-up, registers "svg").
    for element in root.iter():
        element.tag = element.tag.rpartition("}")[2]
    root.attrib = {"xmlns": _SVG_NS, **root.attrib}
    ET.indent(root, space="")
    return ET.tostring(root, encoding="unicode")


def _remove(root, unwanted) -> None:
    for parent in list(root.iter()):
        for child in list(parent):
            if unwanted(child):
                parent.remove(child)


def _style_to_attributes(element) -> None:
    style = element.attrib.pop("style", None)
    if not style:
        return
    for declaration in style.split(";"):
        if ":" not in declaration:
            continue
        name, value = (part.strip() for part in declaration.split(":", 1))
        if name == "font-family":
            value = FONT_FAMILY
        if name in _PRESENTATION:
            element.set(name, value)
