"""Disclosure control for published and exported figures: small-number suppression.

Source
------
- Department for Education, "Children in need" national statistics (Explore Education
  Statistics), methodology and table footnotes: counts of 1 to 5 are replaced by "c"; further
  figures are suppressed ("secondary suppression") where a suppressed figure could otherwise be
  worked out from totals; percentages and rates are given to one decimal place; "z" marks a figure
  that does not apply and ":" one that is not available. Summarised in
  /work/shared/design/statutory.md, "Disclosure control for published figures".
- NHS hospital statistics use the same method with 1 to 7, so the threshold is a parameter: the
  default is the setting ``SAFEGUARD_SUPPRESSION_THRESHOLD`` (5 when unset), and a partnership may
  set its own (the caller passes it in).

What is suppressed, and why
---------------------------
- **Primary suppression**: every count from 1 to the threshold. A count of **0 is shown**, as the
  DfE shows it: knowing that no child in an area had a plan discloses nothing about any child,
  and hiding zeros would hide the good news and make tables unreadable. A suppressed count's
  display is "c" whatever its size, so the marker itself says nothing about the value.
- **Secondary suppression**, for tables whose lines add up to totals (localities by categories,
  with a total row and column; or a single column with its total): if a line (a row or a column,
  its total included) has exactly one suppressed figure, that figure is the total minus the
  visible ones. So the next smallest figure in the line is suppressed too, and the whole table is
  checked again until no line has exactly one suppressed figure. The second figure is chosen
  among non-zero counts first: a suppressed zero next to a suppressed 3 would let a reader work
  out that the pair adds up to 3, and since zeros are never suppressed for being small, that the
  3 is the whole of it. When a line's other figures are all zeros, its total is the one chosen
  (the total then being suppressed is itself protected in its own line).
- **Figures derived from counts**: a percentage, rate or median whose numerator or denominator is
  suppressed is "c" too; otherwise 78.46% could be multiplied back into the count it came from.
- Tables without totals (for example a trend over years with no total) need only primary
  suppression: no figure in them can be worked out from the others.

What is not done, as in the DfE tables: the complement of a count (the 2 conferences not within
15 working days out of 50) is not a figure of the table and is not suppressed; and figures a
reader could only bound (a suppressed pair adding up to 9), not recover, are left as they are.

Suppression applies to every published or exported figure, never to the analyst's own view:
pass ``threshold=0`` to show everything (the figures are still formatted the same way).

Use
---
``suppress_count`` for a figure on its own, ``suppress_line`` for one column with its total,
``suppress_table`` for a grid with row and/or column totals, and ``derived_figure`` for a
percentage, rate or median. Each returns ``Figure`` objects with the text to show (``display``)
and why (``reason``): the same objects feed the review page, its PDF and spreadsheet, and the
quarterly report.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from django.conf import settings

#: The DfE markers.
SUPPRESSED = "c"
NOT_AVAILABLE = ":"
NOT_APPLICABLE = "z"

DEFAULT_THRESHOLD = 5

UNITS = ("count", "percent", "rate_per_10000", "days")


class Reason(StrEnum):
    SHOWN = "shown"
    PRIMARY = "primary"
    SECONDARY = "secondary"
    DERIVED = "derived"
    NOT_AVAILABLE = "not_available"
    NOT_APPLICABLE = "not_applicable"


def reason_text(reason: Reason, threshold: int) -> str:
    """Why a figure is shown the way it is, in words (for notes, tooltips and screen readers)."""
    return {
        Reason.SHOWN: "",
        Reason.PRIMARY: f"Suppressed: a count from 1 to {threshold}, hidden to protect the children it counts.",
        Reason.SECONDARY: "Suppressed: it would otherwise reveal a small count by subtraction from the total.",
        Reason.DERIVED: "Suppressed: it is worked out from a count that is suppressed.",
        Reason.NOT_AVAILABLE: "Not available: there is no figure for this period or area.",
        Reason.NOT_APPLICABLE: "Not applicable.",
    }[reason]


def default_threshold() -> int:
    """The installation's threshold: ``SAFEGUARD_SUPPRESSION_THRESHOLD`` (default 5, the DfE's 1 to 5)."""
    value = getattr(settings, "SAFEGUARD_SUPPRESSION_THRESHOLD", DEFAULT_THRESHOLD)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(
            f"SAFEGUARD_SUPPRESSION_THRESHOLD must be a whole number of 1 or more, not {value!r}: "
            "5 follows the DfE (1 to 5 suppressed), 7 the NHS. Published figures are always suppressed."
        )
    return value


def _threshold(threshold: int | None) -> int:
    if threshold is None:
        return default_threshold()
    if threshold < 0:
        raise ValueError(f"A suppression threshold cannot be negative (got {threshold}).")
    return threshold


@dataclass(frozen=True)
class Figure:
    """One figure as it may be shown: ``display`` is the text ("1,234", "78.5%", "c", ":").

    ``value`` keeps the true figure for the code that produced it (a chart leaves a gap where
    ``suppressed`` is true, whatever ``value`` holds); never render ``value`` of a suppressed
    figure.
    """

    value: int | float | None
    display: str
    reason: Reason = Reason.SHOWN

    @property
    def suppressed(self) -> bool:
        return self.reason in (Reason.PRIMARY, Reason.SECONDARY, Reason.DERIVED)

    @property
    def shown(self) -> bool:
        return self.reason == Reason.SHOWN

    @property
    def is_marker(self) -> bool:
        """True for "c", ":" and "z": no number to show."""
        return self.reason != Reason.SHOWN

    @property
    def visible_value(self) -> int | float | None:
        """The value a reader may see: None when suppressed or missing."""
        return self.value if self.reason == Reason.SHOWN else None

    @property
    def label(self) -> str:
        """Words for a marker, for screen readers: "suppressed", "not available"."""
        if self.suppressed:
            return "suppressed"
        if self.reason == Reason.NOT_AVAILABLE:
            return "not available"
        if self.reason == Reason.NOT_APPLICABLE:
            return "not applicable"
        return ""

    def __str__(self) -> str:
        return self.display


# Formatting -------------------------------------------------------------------------------------


def round_half_up(value: float, places: int = 1) -> Decimal:
    """Round as the DfE tables do (half away from zero: 12.25 -> 12.3), not banker's rounding."""
    quantum = Decimal(1).scaleb(-places)
    return Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)


def format_value(value: int | float | None, unit: str) -> str:
    """A figure as text: counts with thousands separators; percentages and rates to one decimal
    place (the DfE convention); medians of days as a whole number or to one decimal place."""
    if value is None:
        return NOT_AVAILABLE
    if unit == "count":
        return f"{int(round_half_up(value, 0)):,}"
    if unit == "percent":
        return f"{round_half_up(value, 1):,}%"
    if unit == "rate_per_10000":
        return f"{round_half_up(value, 1):,}"
    if unit == "days":
        rounded = round_half_up(value, 1)
        return f"{rounded.to_integral_value():,}" if rounded == rounded.to_integral_value() else f"{rounded:,}"
    raise ValueError(f"Unknown unit {unit!r}: use one of {', '.join(UNITS)}.")


def rounded(value: float | None, unit: str) -> float | None:
    """The value as it is shown (rounded the same way), for comparisons and charts."""
    if value is None:
        return None
    return float(round_half_up(value, 0 if unit == "count" else 1))


# Single figures ---------------------------------------------------------------------------------


def is_small(count: int | None, threshold: int) -> bool:
    return count is not None and 1 <= count <= threshold


def suppress_count(count: int | None, *, threshold: int | None = None) -> Figure:
    """A count on its own (no total it adds up to): primary suppression only."""
    limit = _threshold(threshold)
    if count is None:
        return Figure(None, NOT_AVAILABLE, Reason.NOT_AVAILABLE)
    if is_small(count, limit):
        return Figure(count, SUPPRESSED, Reason.PRIMARY)
    return Figure(count, format_value(count, "count"))


def derived_figure(
    value: float | None, *, unit: str, numerator: Figure | None = None, denominator: Figure | None = None
) -> Figure:
    """A percentage, rate or median worked out from counts: "c" when either count is suppressed."""
    if (numerator is not None and numerator.suppressed) or (denominator is not None and denominator.suppressed):
        return Figure(value, SUPPRESSED, Reason.DERIVED)
    if value is None:
        return Figure(None, NOT_AVAILABLE, Reason.NOT_AVAILABLE)
    return Figure(value, format_value(value, unit))


def not_applicable() -> Figure:
    return Figure(None, NOT_APPLICABLE, Reason.NOT_APPLICABLE)


# Tables -----------------------------------------------------------------------------------------

Position = tuple[int, int]


@dataclass(frozen=True)
class SuppressedTable:
    """The result of ``suppress_table``: a grid of ``Figure`` objects and its totals."""

    cells: list[list[Figure]]
    row_totals: list[Figure] | None
    col_totals: list[Figure] | None
    grand_total: Figure | None
    threshold: int
    #: every suppressed position, totals included (row ``len(cells)``, column ``len(cells[0])``)
    hidden: frozenset = frozenset()

    def cell(self, row: int, col: int) -> Figure:
        return self.cells[row][col]

    @property
    def suppressed_count(self) -> int:
        figures = [f for row in self.cells for f in row]
        figures += (self.row_totals or []) + (self.col_totals or [])
        figures += [self.grand_total] if self.grand_total is not None else []
        return sum(1 for f in figures if f.suppressed)


@dataclass(frozen=True)
class SuppressedLine:
    """The result of ``suppress_line``: one column of figures and its total."""

    cells: list[Figure]
    total: Figure | None
    threshold: int

    @property
    def hidden(self) -> frozenset[int]:
        """Indices of the suppressed figures (``len(cells)`` for the total)."""
        figures = [*self.cells, *([self.total] if self.total is not None else [])]
        return frozenset(index for index, figure in enumerate(figures) if figure.suppressed)


def suppress_line(
    values: Sequence[int | None],
    *,
    total: int | None = None,
    threshold: int | None = None,
    hidden: Iterable[int] = (),
) -> SuppressedLine:
    """One line of counts with its total (localities and "all localities"): primary and secondary
    suppression. Without a total, only primary suppression applies.

    ``hidden``: indices to suppress whatever their value (``len(values)`` is the total), because
    another table shows the same line with them suppressed (see ``suppress_table``)."""
    table = suppress_table(
        [[v] for v in values],
        col_totals=[total] if total is not None else None,
        threshold=threshold,
        hidden=[(index, 0) for index in hidden],
    )
    total_figure = table.col_totals[0] if table.col_totals is not None else None
    return SuppressedLine([row[0] for row in table.cells], total_figure, table.threshold)


def suppress_table(
    cells: Sequence[Sequence[int | None]],
    *,
    row_totals: Sequence[int | None] | None = None,
    col_totals: Sequence[int | None] | None = None,
    grand_total: int | None = None,
    threshold: int | None = None,
    hidden: Iterable[Position] = (),
) -> SuppressedTable:
    """Primary and secondary suppression of a grid of counts with its totals.

    ``cells`` is a list of rows; ``row_totals`` (one per row) and ``col_totals`` (one per column)
    are the totals shown with it. With both, the grand total (the corner) is part of the table
    too: it is computed from the row totals when not given, because a reader can add them up.
    ``None`` is a figure that is not available: never suppressed, and not counted.

    A line's figures should add up to its total, as they do when every child counted in the total
    is in exactly one of its cells (add a "not recorded" row for the rest): that is the case this
    protects. ``threshold=0`` turns suppression off (the analyst's own view).

    The same figures shown in two tables must be suppressed the same way in both, or what one
    table hides the other gives away. ``hidden`` lists (row, column) positions to suppress whatever
    their value, because another table suppresses them; totals are at row ``len(cells)`` and column
    ``len(cells[0])``. Pass back what each table suppressed (``SuppressedTable.hidden``) until
    neither changes.
    """
    limit = _threshold(threshold)
    grid, lines = _extended_grid(cells, row_totals, col_totals, grand_total)
    hidden_here = {pos for pos, value in grid.items() if is_small(value, limit)}
    primary = set(hidden_here)
    if limit:
        hidden_here |= {pos for pos in hidden if grid.get(pos) is not None}
        _secondary_suppression(grid, lines, hidden_here)
    hidden = hidden_here

    def figure(pos: Position) -> Figure:
        value = grid[pos]
        if value is None:
            return Figure(None, NOT_AVAILABLE, Reason.NOT_AVAILABLE)
        if pos in primary:
            return Figure(value, SUPPRESSED, Reason.PRIMARY)
        if pos in hidden:
            return Figure(value, SUPPRESSED, Reason.SECONDARY)
        return Figure(value, format_value(value, "count"))

    n_rows, n_cols = len(cells), (len(cells[0]) if cells else 0)
    result_cells = [[figure((r, c)) for c in range(n_cols)] for r in range(n_rows)]
    result_rows = [figure((r, n_cols)) for r in range(n_rows)] if row_totals is not None else None
    result_cols = [figure((n_rows, c)) for c in range(n_cols)] if col_totals is not None else None
    corner = figure((n_rows, n_cols)) if (n_rows, n_cols) in grid else None
    return SuppressedTable(result_cells, result_rows, result_cols, corner, limit, frozenset(hidden))


def _extended_grid(cells, row_totals, col_totals, grand_total):
    """The cells and totals in one grid (totals in the extra row and column) and its lines."""
    n_rows = len(cells)
    n_cols = len(cells[0]) if cells else 0
    if any(len(row) != n_cols for row in cells):
        raise ValueError("Every row of the table must have the same number of cells.")
    if row_totals is not None and len(row_totals) != n_rows:
        raise ValueError(f"There are {n_rows} rows but {len(row_totals)} row totals: give one total a row.")
    if col_totals is not None and len(col_totals) != n_cols:
        raise ValueError(f"There are {n_cols} columns but {len(col_totals)} column totals: give one total a column.")
    for value in _all_values(cells, row_totals, col_totals, grand_total):
        if value is not None and (not isinstance(value, int) or value < 0):
            raise ValueError(f"Suppression works on counts (whole numbers of 0 or more), not {value!r}.")

    grid: dict[Position, int | None] = {(r, c): cells[r][c] for r in range(n_rows) for c in range(n_cols)}
    lines: list[list[Position]] = []
    if row_totals is not None:
        for r in range(n_rows):
            grid[(r, n_cols)] = row_totals[r]
            lines.append([(r, c) for c in range(n_cols + 1)])
    if col_totals is not None:
        for c in range(n_cols):
            grid[(n_rows, c)] = col_totals[c]
            lines.append([(r, c) for r in range(n_rows + 1)])
    if row_totals is not None and col_totals is not None:
        if grand_total is None and all(v is not None for v in row_totals):
            grand_total = sum(row_totals)
        grid[(n_rows, n_cols)] = grand_total
        lines.append([(n_rows, c) for c in range(n_cols + 1)])
        lines.append([(r, n_cols) for r in range(n_rows + 1)])
    return grid, lines


def _all_values(cells, row_totals, col_totals, grand_total):
    for row in cells:
        yield from row
    yield from row_totals or ()
    yield from col_totals or ()
    yield grand_total


def _secondary_suppression(grid: dict[Position, int | None], lines: list[list[Position]], hidden: set) -> None:
    """Until no line has exactly one suppressed figure, suppress the smallest other figure of each
    line that has (non-zero figures first; the earliest in the line when two are equal)."""
    changed = True
    while changed:
        changed = False
        for line in lines:
            suppressed_here = [pos for pos in line if pos in hidden]
            if len(suppressed_here) != 1:
                continue
            candidates = [(index, pos) for index, pos in enumerate(line) if pos not in hidden and grid[pos] is not None]
            if not candidates:
                continue
            _index, chosen = min(candidates, key=lambda item: (grid[item[1]] == 0, grid[item[1]], item[0]))
            hidden.add(chosen)
            changed = True
