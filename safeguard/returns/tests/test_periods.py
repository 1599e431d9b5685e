"""The reporting-period rule: financial-year quarters and years, labels, and due dates moved to the
next working day, with real calendar cases (England bank holidays)."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safeguard.returns import periods
from safeguard.returns.choices import PeriodKind
from safeguard.workdays.calendar import Calendar, is_national_working_day

Q, FY, CY = PeriodKind.QUARTER, PeriodKind.FINANCIAL_YEAR, PeriodKind.CALENDAR_YEAR


@pytest.mark.parametrize(
    ("start", "end", "label", "words"),
    [
        (dt.date(2025, 4, 1), dt.date(2025, 6, 30), "2025-26 Q1", "April to June 2025"),
        (dt.date(2025, 7, 1), dt.date(2025, 9, 30), "2025-26 Q2", "July to September 2025"),
        (dt.date(2025, 10, 1), dt.date(2025, 12, 31), "2025-26 Q3", "October to December 2025"),
        (dt.date(2026, 1, 1), dt.date(2026, 3, 31), "2025-26 Q4", "January to March 2026"),
        (dt.date(2000, 1, 1), dt.date(2000, 3, 31), "1999-00 Q4", "January to March 2000"),
    ],
)
def test_quarters_are_financial_year_quarters(start, end, label, words):
    period = periods.period_starting(Q, start)
    assert (period.end, period.label, period.description) == (end, label, words)


def test_a_leap_year_fourth_quarter_ends_on_31_march_and_includes_29_february():
    period = periods.period_starting(Q, dt.date(2024, 1, 1))
    assert (period.start, period.end, period.label) == (dt.date(2024, 1, 1), dt.date(2024, 3, 31), "2023-24 Q4")
    assert periods.period_containing(Q, dt.date(2024, 2, 29)) == period
    assert (period.end - period.start).days + 1 == 91  # 31 + 29 + 31


def test_financial_and_calendar_years():
    assert periods.period_starting(FY, dt.date(2025, 4, 1)).label == "2025-26"
    assert periods.period_starting(FY, dt.date(2025, 4, 1)).end == dt.date(2026, 3, 31)
    assert periods.period_containing(FY, dt.date(2026, 2, 1)).start == dt.date(2025, 4, 1)
    assert periods.period_starting(CY, dt.date(2024, 1, 1)).label == "2024"
    assert periods.period_containing(CY, dt.date(2024, 12, 31)).end == dt.date(2024, 12, 31)


@pytest.mark.parametrize(
    ("kind", "start"),
    [(Q, dt.date(2025, 5, 1)), (Q, dt.date(2025, 4, 2)), (FY, dt.date(2025, 1, 1)), (CY, dt.date(2025, 4, 1))],
)
def test_a_period_must_start_on_its_first_day(kind, start):
    with pytest.raises(ValueError, match="is not the first day of a period"):
        periods.period_starting(kind, start)


def test_previous_next_and_recent_periods():
    q3 = periods.period_starting(Q, dt.date(2025, 10, 1))
    assert periods.previous_period(q3).label == "2025-26 Q2"
    assert periods.next_period(q3).label == "2025-26 Q4"
    assert periods.next_period(periods.next_period(q3)).label == "2026-27 Q1"
    recent = periods.recent_periods(Q, dt.date(2025, 11, 15), 3)
    assert [p.label for p in recent] == ["2025-26 Q2", "2025-26 Q1", "2024-25 Q4"]


@pytest.mark.parametrize(
    ("end", "days", "due", "why"),
    [
        (dt.date(2025, 6, 30), 30, dt.date(2025, 7, 30), "a Wednesday: no change"),
        (dt.date(2025, 6, 30), 33, dt.date(2025, 8, 4), "Saturday 2 August -> Monday"),
        (dt.date(2025, 9, 30), 86, dt.date(2025, 12, 29), "Christmas Day (Thu), Boxing Day (Fri), weekend"),
        (dt.date(2024, 9, 30), 87, dt.date(2024, 12, 27), "Boxing Day 2024 (Thu) -> Friday 27"),
        (dt.date(2026, 9, 30), 86, dt.date(2026, 12, 29), "Christmas Day (Fri), weekend, Boxing Day observed (Mon)"),
        (dt.date(2026, 3, 31), 6, dt.date(2026, 4, 7), "Easter Monday 2026"),
        (dt.date(2026, 3, 31), 3, dt.date(2026, 4, 7), "Good Friday, the weekend and Easter Monday"),
        (dt.date(2024, 3, 31), 30, dt.date(2024, 4, 30), "leap-year Q4 (2023-24) due 30 April"),
        (dt.date(2023, 12, 31), 60, dt.date(2024, 2, 29), "29 February 2024 is a Thursday: a real due date"),
    ],
)
def test_the_due_date_moves_forward_to_the_next_working_day(end, days, due, why):
    assert periods.due_date(end, days) == due, why


def test_the_partnerships_closure_days_move_it_further():
    closures = [dt.date(2025, 12, 29), dt.date(2025, 12, 30)]
    assert periods.due_date(dt.date(2025, 9, 30), 86, closures) == dt.date(2025, 12, 31)


def test_a_return_is_always_due_after_its_period():
    assert periods.due_date(dt.date(2025, 6, 30), 0) == dt.date(2025, 7, 1)


@given(
    end=st.dates(min_value=dt.date(2001, 1, 1), max_value=dt.date(2039, 6, 30)),
    days=st.integers(min_value=1, max_value=120),
)
def test_the_due_date_is_the_first_working_day_on_or_after_the_day_given(end, days):
    due = periods.due_date(end, days)
    earliest = end + dt.timedelta(days=days)
    calendar = Calendar(earliest, earliest + dt.timedelta(days=30))
    assert calendar.is_working(due)
    assert is_national_working_day(due)
    assert due >= earliest
    assert (due - earliest).days <= 5  # the longest run of days off in England is Christmas and a weekend
    day = earliest
    while day < due:
        assert not calendar.is_working(day)
        day += dt.timedelta(days=1)


@given(day=st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2090, 12, 31)), kind=st.sampled_from([Q, FY, CY]))
def test_every_day_falls_in_exactly_one_period_of_each_kind(day, kind):
    period = periods.period_containing(kind, day)
    assert period.start <= day <= period.end
    assert periods.is_period_start(kind, period.start)
    assert periods.next_period(period).start == period.end + dt.timedelta(days=1)
    assert periods.previous_period(periods.next_period(period)) == period
