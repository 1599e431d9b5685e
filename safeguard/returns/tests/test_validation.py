"""Each rule of validation.py with a figure it accepts and one it refuses, and the message saying
what to fix. Pure Python: unsaved records stand in for indicators and localities."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safeguard.partnerships.models import Locality
from safeguard.returns import validation as v
from safeguard.returns.choices import Unit
from safeguard.returns.models import DataSetIndicator


def indicator(pk=1, unit=Unit.COUNT, threshold=25, **extra):
    return DataSetIndicator(
        pk=pk,
        code=f"ind-{pk}",
        title=f"Indicator {pk}",
        unit=unit,
        comment_above_change_percent=threshold,
        numerator_label="Assessments in time" if unit == Unit.PERCENT else "",
        denominator_label="Assessments" if unit == Unit.PERCENT else "",
        **extra,
    )


def percent(pk=2, **extra):
    return indicator(pk, unit=Unit.PERCENT, **extra)


NORTH = Locality(pk=11, name="North", code="north")
SOUTH = Locality(pk=12, name="South", code="south")


def check(rows, *, previous=None, submitting=True):
    return v.check_return(rows, previous=previous or {}, submitting=submitting)


def messages(problems):
    return [(p.slot.path, p.field, p.message) for p in problems]


# --- whole numbers ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "number"), [(12, 12), ("12", 12), (" 1,234 ", 1234), (12.0, 12), ("0", 0), (None, None), ("", None)]
)
def test_whole_numbers_of_zero_or_more_are_read(raw, number):
    assert v.whole_number(raw) == (number, None)


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        (-3, "cannot be negative"),
        ("-3", "cannot be negative"),
        ("12.5", "for example 12 (no letters, spaces or decimal points)"),
        (12.5, "12.5 is not a whole number"),
        ("twelve", "no letters"),
        ("1 2", "no letters"),
        (True, "Enter a whole number of 0 or more"),
        (2**31, "no bigger than 2,147,483,647"),
        ("٣", "no letters"),  # an Arabic-Indic digit: isdigit() but not a figure the database stores
    ],
)
def test_anything_else_is_refused_with_a_message(raw, says):
    number, message = v.whole_number(raw)
    assert number is None
    assert says in message


@given(st.integers(min_value=0, max_value=v.MAX_FIGURE))
def test_every_storable_whole_number_round_trips_as_text(number):
    assert v.whole_number(str(number)) == (number, None)
    assert v.whole_number(f"{number:,}") == (number, None)


def test_a_row_with_a_bad_figure_names_the_field():
    slot = v.Slot(indicator())
    _, problems = check([(slot, v.Entry(value="ten"))])
    assert messages(problems) == [("ind-1", "value", messages(problems)[0][2])]
    assert problems[0].message.startswith("Enter a whole number of 0 or more")


# --- numerator and denominator -----------------------------------------------------------------
def test_a_numerator_not_above_its_denominator_passes():
    _, problems = check([(v.Slot(percent()), v.Entry(value=9, denominator=10))])
    assert problems == []


def test_a_numerator_above_its_denominator_is_refused_on_a_draft_too():
    _, problems = check([(v.Slot(percent()), v.Entry(value=11, denominator=10))], submitting=False)
    assert [(p.field, p.message) for p in problems] == [
        (
            "value",
            "The numerator (Assessments in time: 11) cannot be more than the denominator (Assessments: 10). "
            "Check both figures",
        )
    ]


def test_a_percentage_needs_both_halves_to_be_submitted_but_not_for_a_draft():
    slot = v.Slot(percent())
    assert check([(slot, v.Entry(value=5))], submitting=False)[1] == []
    _, problems = check([(slot, v.Entry(value=5))])
    assert [(p.field, p.message) for p in problems] == [("denominator", "Enter the denominator (Assessments)")]
    _, problems = check([(slot, v.Entry(denominator=5))])
    assert [(p.field, p.message) for p in problems] == [("value", "Enter the numerator (Assessments in time)")]


# --- not available ------------------------------------------------------------------------------
def test_not_available_with_a_reason_and_no_figure_passes():
    figures, problems = check([(v.Slot(indicator()), v.Entry(not_available=True, reason="System migration"))])
    assert problems == []
    assert figures[(1, None)] == v.Figures(None, None, True, "System migration", "")


def test_not_available_needs_a_reason():
    _, problems = check([(v.Slot(indicator()), v.Entry(not_available=True, reason="  "))], submitting=False)
    assert [(p.field, p.message) for p in problems] == [
        ("reason", "Say why the figure is not available, for example 'the new case system cannot report it yet'")
    ]


def test_not_available_cannot_have_a_figure():
    _, problems = check([(v.Slot(indicator()), v.Entry(value=4, not_available=True, reason="x"))], submitting=False)
    assert [(p.field, p.message) for p in problems] == [
        ("value", "Remove the figure, or untick 'Not available': a figure cannot be given and not available")
    ]


def test_a_reason_without_not_available_is_not_kept():
    figures, problems = check([(v.Slot(indicator()), v.Entry(value=4, reason="left over"))])
    assert problems == []
    assert figures[(1, None)].reason == ""


def test_a_long_reason_or_comment_is_refused_with_its_length():
    slot = v.Slot(indicator())
    _, problems = check([(slot, v.Entry(not_available=True, reason="x" * 501, comment="y" * 5001))], submitting=False)
    assert [(p.field, p.message) for p in problems] == [
        ("reason", "Shorten the reason to 500 characters or fewer (it has 501)"),
        ("comment", "Shorten the comment to 5,000 characters or fewer (it has 5,001)"),
    ]


# --- blanks -------------------------------------------------------------------------------------
def test_a_blank_is_allowed_in_a_draft_but_not_on_submit():
    slot = v.Slot(indicator())
    assert check([(slot, v.Entry())], submitting=False)[1] == []
    _, problems = check([(slot, v.Entry(comment="only a comment"))])
    assert [(p.field, p.message) for p in problems] == [
        ("value", "Enter the figure, or tick 'Not available' and say why")
    ]


# --- comment on a large change ------------------------------------------------------------------
def test_a_change_within_the_threshold_needs_no_comment():
    previous = {(1, None): v.Previous(Decimal(100), "2025-26 Q1")}
    assert check([(v.Slot(indicator()), v.Entry(value=125))], previous=previous)[1] == []
    assert check([(v.Slot(indicator()), v.Entry(value=75))], previous=previous)[1] == []


def test_a_change_above_the_threshold_needs_a_comment_saying_by_how_much():
    previous = {(1, None): v.Previous(Decimal(44), "2025-26 Q1")}
    _, problems = check([(v.Slot(indicator()), v.Entry(value=102))], previous=previous)
    assert [(p.field, p.message) for p in problems] == [
        (
            "comment",
            "Add a comment saying why: the figure rose by 132%, from 44 in 2025-26 Q1 to 102 "
            "(a comment is needed above 25%)",
        )
    ]
    assert check([(v.Slot(indicator()), v.Entry(value=102, comment="Awareness campaign"))], previous=previous)[1] == []


def test_a_fall_is_a_change_too_and_a_draft_is_not_held_up():
    previous = {(1, None): v.Previous(Decimal(200), "2025-26 Q1")}
    assert check([(v.Slot(indicator()), v.Entry(value=100))], previous=previous, submitting=False)[1] == []
    _, problems = check([(v.Slot(indicator()), v.Entry(value=100))], previous=previous)
    assert "fell by 50%, from 200 in 2025-26 Q1 to 100" in problems[0].message


def test_from_zero_to_anything_needs_a_comment():
    previous = {(1, None): v.Previous(Decimal(0), "2025-26 Q1")}
    _, problems = check([(v.Slot(indicator()), v.Entry(value=3))], previous=previous)
    assert "rose, from 0 in 2025-26 Q1 to 3" in problems[0].message
    assert check([(v.Slot(indicator()), v.Entry(value=0))], previous=previous)[1] == []


def test_a_percentage_is_compared_as_a_percentage():
    previous = {(2, None): v.Previous(Decimal("80.0"), "2025-26 Q1")}
    _, problems = check([(v.Slot(percent()), v.Entry(value=50, denominator=100))], previous=previous)
    assert "fell by 38%, from 80.0% in 2025-26 Q1 to 50.0%" in problems[0].message
    assert check([(v.Slot(percent()), v.Entry(value=70, denominator=100))], previous=previous)[1] == []


def test_the_threshold_is_the_indicators_own():
    previous = {(1, None): v.Previous(Decimal(100), "2025-26 Q1")}
    strict = v.Slot(indicator(threshold=5))
    assert check([(strict, v.Entry(value=106))], previous=previous)[1][0].field == "comment"
    assert check([(strict, v.Entry(value=105))], previous=previous)[1] == []


# --- localities ---------------------------------------------------------------------------------
def test_localities_adding_up_to_the_whole_area_or_less_pass():
    by_locality = indicator(by_locality=True)
    rows = [
        (v.Slot(by_locality), v.Entry(value=100)),
        (v.Slot(by_locality, NORTH), v.Entry(value=60)),
        (v.Slot(by_locality, SOUTH), v.Entry(value=40)),
    ]
    assert check(rows)[1] == []


def test_localities_adding_up_to_more_than_the_whole_area_are_refused():
    by_locality = percent(by_locality=True)
    rows = [
        (v.Slot(by_locality), v.Entry(value=50, denominator=100)),
        (v.Slot(by_locality, NORTH), v.Entry(value=30, denominator=70)),
        (v.Slot(by_locality, SOUTH), v.Entry(value=30, denominator=40)),
    ]
    _, problems = check(rows, submitting=False)
    assert messages(problems) == [
        (
            "ind-2",
            "value",
            "The localities' figures add up to 60, more than the whole area's 50. "
            "The whole area includes every locality: check the figures",
        ),
        (
            "ind-2",
            "denominator",
            "The localities' denominators add up to 110, more than the whole area's 100. "
            "The whole area includes every locality: check the figures",
        ),
    ]


def test_problems_come_in_row_order():
    first, second = v.Slot(indicator(1)), v.Slot(indicator(3))
    _, problems = check([(first, v.Entry(value="x")), (second, v.Entry(value=-1))])
    assert [p.slot.path for p in problems] == ["ind-1", "ind-3"]


def test_figure_values_and_texts():
    assert v.figure_value(percent(), 45, 50) == Decimal("90.0000")
    assert v.figure_value(percent(), 1, 3) == Decimal("33.3333")
    assert v.figure_value(percent(), 0, 0) is None
    assert v.figure_value(indicator(), 12, None) == Decimal(12)
    assert v.figure_text(Unit.PERCENT, 45, 50) == "45 of 50 (90.0%)"
    assert v.figure_text(Unit.COUNT, 1234, None) == "1,234"
    assert v.figure_text(Unit.COUNT, None, None, True) == "not available"
    assert v.figure_text(Unit.COUNT, None, None) == ""
