"""Small-number suppression: hand-worked tables, then properties over random tables.

The hand examples are the ones a reviewer would check with a pencil; the properties say what the
method guarantees for any table: every count from 1 to the threshold is hidden, no line is left
with exactly one hidden figure (so none can be recovered by subtraction), and figures that are
shown are shown exactly.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from safeguard.core import suppression
from safeguard.core.suppression import (
    NOT_AVAILABLE,
    SUPPRESSED,
    Figure,
    Reason,
    derived_figure,
    format_value,
    suppress_count,
    suppress_line,
    suppress_table,
)


def shown(figures):
    return [f.display for f in figures]


# Primary suppression ----------------------------------------------------------------------------


def test_counts_of_1_to_5_are_c_and_zero_is_shown():
    line = suppress_line([0, 1, 3, 5, 6, 1200], threshold=5)
    assert shown(line.cells) == ["0", "c", "c", "c", "6", "1,200"]
    assert [f.reason for f in line.cells[:3]] == [Reason.SHOWN, Reason.PRIMARY, Reason.PRIMARY]


def test_the_nhs_threshold_hides_6_and_7():
    assert shown(suppress_line([5, 6, 7, 8], threshold=7).cells) == ["c", "c", "c", "8"]


def test_threshold_zero_is_the_analysts_unsuppressed_view():
    line = suppress_line([1, 2, 40], total=43, threshold=0)
    assert shown(line.cells) == ["1", "2", "40"]
    assert line.total.display == "43"


def test_a_figure_on_its_own_gets_primary_suppression_only():
    assert suppress_count(4, threshold=5).display == SUPPRESSED
    assert suppress_count(0, threshold=5).display == "0"
    assert suppress_count(None, threshold=5).display == NOT_AVAILABLE
    assert suppress_count(12345, threshold=5).display == "12,345"


def test_the_default_threshold_comes_from_the_setting(settings):
    del settings.SAFEGUARD_SUPPRESSION_THRESHOLD
    assert suppression.default_threshold() == 5
    settings.SAFEGUARD_SUPPRESSION_THRESHOLD = 7
    assert suppression.default_threshold() == 7
    assert suppress_count(7).display == SUPPRESSED


def test_a_bad_threshold_setting_fails_loudly(settings):
    settings.SAFEGUARD_SUPPRESSION_THRESHOLD = "five"
    with pytest.raises(ValueError, match="must be a whole number"):
        suppression.default_threshold()
    settings.SAFEGUARD_SUPPRESSION_THRESHOLD = 0  # published figures are never left unsuppressed
    with pytest.raises(ValueError, match="1 or more"):
        suppression.default_threshold()


def test_figures_that_are_not_counts_are_refused():
    with pytest.raises(ValueError, match="whole numbers"):
        suppress_line([1.5, 2])
    with pytest.raises(ValueError, match="one total a column"):
        suppress_table([[1, 2]], col_totals=[3])


# Secondary suppression --------------------------------------------------------------------------


def test_naive_suppression_leaks_a_value_that_secondary_suppression_protects():
    """Plans started by locality: North 3, Central 20, South 30, all 53.

    Hiding only the 3 leaks it: 53 - 20 - 30 = 3. The smallest other figure (20) is hidden too,
    so a reader learns only that North and Central together had 23.
    """
    values, total = [3, 20, 30], 53
    naive = [SUPPRESSED if 1 <= v <= 5 else str(v) for v in values]
    visible = [int(v) for v in naive if v != SUPPRESSED]
    assert total - sum(visible) == 3  # the leak

    line = suppress_line(values, total=total, threshold=5)
    assert shown(line.cells) == ["c", "c", "30"]
    assert line.total.display == "53"
    assert line.cells[1].reason == Reason.SECONDARY


def test_a_zero_is_not_chosen_to_hide_a_small_count():
    """North 3, Central 0, South 50, East 60 (113): hiding the 0 would show that North and Central
    add up to 3, and a zero is never hidden for being small, so North would be 3. 50 is hidden."""
    line = suppress_line([3, 0, 50, 60], total=113, threshold=5)
    assert shown(line.cells) == ["c", "0", "c", "60"]


def test_a_table_with_row_and_column_totals_is_protected_in_both_directions():
    """Plans by locality (rows) and initial category (columns: neglect, emotional, physical).

    ::

                 NEG  EMO  PHY | total
        North     40    2   10 |   52
        South     30   12    9 |   51
        Not rec.   8    7    0 |   15
        total     78   21   19 |  118

    Primary: EMO North (2). Row North then has one hidden figure: its smallest other is PHY North
    (10). Column EMO has one (2): its smallest other is EMO Not recorded (7). Column PHY has one
    (10): its smallest non-zero other is PHY South (9). Row Not recorded has one (7): its
    smallest non-zero other is NEG Not recorded (8). Row South has one (9): EMO South (12).
    Column NEG has one (8): NEG South (30). Every line now has two or more hidden figures.
    """
    table = suppress_table(
        [[40, 2, 10], [30, 12, 9], [8, 7, 0]], row_totals=[52, 51, 15], col_totals=[78, 21, 19], threshold=5
    )
    assert [shown(row) for row in table.cells] == [["40", "c", "c"], ["c", "c", "c"], ["c", "c", "0"]]
    assert shown(table.row_totals) == ["52", "51", "15"]
    assert shown(table.col_totals) == ["78", "21", "19"]
    assert table.grand_total.display == "118"
    assert table.cells[0][1].reason == Reason.PRIMARY
    assert {table.cells[0][2].reason, table.cells[2][1].reason} == {Reason.SECONDARY}


def test_a_small_total_is_suppressed_and_protected_in_the_totals_line():
    """Categories by year with a column total each year. 2024-25 had 4 plans: the total is 4 (c);
    the other hidden figure in that column is the 4 itself. The totals row has no total of its own
    (years are not added up), so it is not a line."""
    table = suppress_table([[4, 30], [0, 22]], col_totals=[4, 52], threshold=5)
    assert [shown(row) for row in table.cells] == [["c", "30"], ["0", "22"]]
    assert shown(table.col_totals) == ["c", "52"]
    assert table.row_totals is None and table.grand_total is None


def test_the_grand_total_is_worked_out_when_both_totals_are_given():
    table = suppress_table([[10, 20], [30, 40]], row_totals=[30, 70], col_totals=[40, 60])
    assert table.grand_total.display == "100"


def test_figures_another_table_hides_are_hidden_here_too():
    """Plans started by locality, North 40, South 3, East 10 (53), are also the row totals of the
    breakdown by category. If that table hid North's 40 and this line showed it, a reader could
    subtract across the two; so the line is told to hide it as well (South's 3 makes two: East's 10
    can be shown). A forced figure that leaves exactly one hidden brings in a second as usual."""
    alone = suppress_line([40, 3, 10], total=53, threshold=5)
    assert shown(alone.cells) == ["40", "c", "c"] and alone.hidden == {1, 2}
    told = suppress_line([40, 3, 10], total=53, threshold=5, hidden={0})
    assert shown(told.cells) == ["c", "c", "10"] and told.hidden == {0, 1}
    assert told.cells[0].reason == Reason.SECONDARY
    forced_total = suppress_line([40, 30, 10], total=80, threshold=5, hidden={3})
    assert shown(forced_total.cells) == ["40", "30", "c"] and forced_total.total.display == "c"
    table = suppress_table([[40, 0], [30, 10]], row_totals=[40, 40], col_totals=[70, 10], hidden={(0, 2)})
    assert (0, 2) in table.hidden and table.row_totals[0].display == "c"
    assert sum(1 for f in [*table.row_totals, table.grand_total] if f.suppressed) >= 2


def test_threshold_zero_ignores_figures_to_hide():
    assert suppress_line([40, 3], total=43, threshold=0, hidden={0}).hidden == frozenset()


def test_a_table_without_totals_needs_only_primary_suppression():
    table = suppress_table([[3, 40], [50, 60]], threshold=5)
    assert [shown(row) for row in table.cells] == [["c", "40"], ["50", "60"]]


def test_missing_figures_are_not_available_and_never_hidden():
    line = suppress_line([None, 3, 40], total=43, threshold=5)
    assert shown(line.cells) == [":", "c", "c"]
    assert line.cells[0].reason == Reason.NOT_AVAILABLE


# Derived figures and formatting -----------------------------------------------------------------


def test_a_percentage_is_c_when_its_numerator_or_denominator_is():
    numerator, denominator = suppress_count(3), suppress_count(40)
    assert derived_figure(7.5, unit="percent", numerator=numerator, denominator=denominator).display == "c"
    assert derived_figure(7.5, unit="percent", numerator=denominator, denominator=numerator).reason == Reason.DERIVED
    assert derived_figure(80.0, unit="percent", numerator=suppress_count(32), denominator=denominator).display == (
        "80.0%"
    )
    assert derived_figure(None, unit="percent").display == NOT_AVAILABLE


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (12.25, "percent", "12.3%"),  # half away from zero, not banker's rounding
        (12.35, "percent", "12.4%"),
        (80.0, "percent", "80.0%"),
        (45.04999, "rate_per_10000", "45.0"),
        (332.95, "rate_per_10000", "333.0"),
        (1234, "count", "1,234"),
        (0, "count", "0"),
        (33.0, "days", "33"),
        (33.5, "days", "33.5"),
    ],
)
def test_figures_are_formatted_the_dfe_way(value, unit, text):
    assert format_value(value, unit) == text


def test_an_unknown_unit_says_which_units_exist():
    with pytest.raises(ValueError, match="count, percent, rate_per_10000, days"):
        format_value(1, "furlongs")


def test_a_figure_knows_what_a_reader_may_see():
    figure = suppress_count(3)
    assert figure.suppressed and figure.visible_value is None and figure.label == "suppressed"
    assert str(figure) == "c"
    assert Figure(12, "12").visible_value == 12


# Properties -------------------------------------------------------------------------------------

counts = st.one_of(st.integers(0, 8), st.integers(0, 8), st.integers(0, 300))


@st.composite
def tables(draw):
    n_rows, n_cols = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    cells = [[draw(counts) for _ in range(n_cols)] for _ in range(n_rows)]
    with_rows, with_cols = draw(st.booleans()), draw(st.booleans())
    row_totals = [sum(row) for row in cells] if with_rows else None
    col_totals = [sum(row[c] for row in cells) for c in range(n_cols)] if with_cols else None
    threshold = draw(st.sampled_from([5, 5, 7, 1]))
    return cells, row_totals, col_totals, threshold


def _lines(cells, table):
    """Each line as (cells' figures, total figure), as a reader sees the table."""
    n_rows, n_cols = len(cells), len(cells[0])
    lines = []
    if table.row_totals is not None:
        lines += [(table.cells[r], table.row_totals[r]) for r in range(n_rows)]
    if table.col_totals is not None:
        lines += [([table.cells[r][c] for r in range(n_rows)], table.col_totals[c]) for c in range(n_cols)]
    if table.grand_total is not None:
        lines.append((table.col_totals, table.grand_total))
        lines.append((table.row_totals, table.grand_total))
    return lines


def _number(figure):
    return int(figure.display.replace(",", ""))


def _all_figures(table):
    figures = [f for row in table.cells for f in row]
    figures += (table.row_totals or []) + (table.col_totals or [])
    return figures + ([table.grand_total] if table.grand_total is not None else [])


@hsettings(max_examples=300, deadline=None)
@given(tables())
def test_every_count_from_1_to_the_threshold_is_suppressed(spec):
    cells, row_totals, col_totals, threshold = spec
    table = suppress_table(cells, row_totals=row_totals, col_totals=col_totals, threshold=threshold)
    for figure in _all_figures(table):
        if 1 <= figure.value <= threshold:
            assert figure.display == SUPPRESSED


@hsettings(max_examples=300, deadline=None)
@given(tables())
def test_no_line_is_left_with_exactly_one_suppressed_figure(spec):
    cells, row_totals, col_totals, threshold = spec
    table = suppress_table(cells, row_totals=row_totals, col_totals=col_totals, threshold=threshold)
    for line_cells, total in _lines(cells, table):
        assert sum(1 for f in [*line_cells, total] if f.suppressed) != 1


@hsettings(max_examples=300, deadline=None)
@given(tables())
def test_no_suppressed_figure_can_be_recovered_by_subtraction_from_a_visible_total(spec):
    cells, row_totals, col_totals, threshold = spec
    table = suppress_table(cells, row_totals=row_totals, col_totals=col_totals, threshold=threshold)
    for line_cells, total in _lines(cells, table):
        if total.suppressed:
            continue
        hidden = [f for f in line_cells if f.suppressed]
        if hidden:
            # What a reader can work out: the hidden figures' sum, never one of them alone.
            visible = sum(_number(f) for f in line_cells if f.shown)
            worked_out = _number(total) - visible
            assert worked_out == sum(f.value for f in hidden)
            assert len(hidden) >= 2


@hsettings(max_examples=300, deadline=None)
@given(tables())
def test_figures_that_are_shown_are_unchanged(spec):
    cells, row_totals, col_totals, threshold = spec
    table = suppress_table(cells, row_totals=row_totals, col_totals=col_totals, threshold=threshold)
    for figure in _all_figures(table):
        if not figure.suppressed:
            assert figure.display == f"{figure.value:,}"
    for r, row in enumerate(cells):
        assert [f.value for f in table.cells[r]] == row


@hsettings(max_examples=200, deadline=None)
@given(tables())
def test_without_a_threshold_nothing_is_suppressed(spec):
    cells, row_totals, col_totals, _threshold = spec
    table = suppress_table(cells, row_totals=row_totals, col_totals=col_totals, threshold=0)
    assert table.suppressed_count == 0
