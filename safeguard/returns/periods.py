"""The reporting-period rule of the multi-agency data set: which periods figures are reported for,
what they are called, and when the agencies' returns for them are due.

Source
------
- **Quarters** are quarters of the financial year (1 April to 31 March), the year local
  authorities, the NHS and the police report in and the one the DfE children in need census and
  partnership data sets use: Q1 April to June, Q2 July to September, Q3 October to December, Q4
  January to March. A quarter is labelled with its financial year: October to December 2025 is
  "2025-26 Q3", January to March 2026 is "2025-26 Q4".
- **Financial years** run 1 April to 31 March ("2025-26"); **calendar years** 1 January to
  31 December ("2025").
- **Due date**: a return is due ``DataSetSettings.due_days_after_period`` calendar days (30 unless
  the partnership changes it) after the last day of its period. When that day is not a working
  day it moves forward to the next working day: Monday to Friday, less England and Wales bank
  holidays (``safeguard.workdays.calendar``, the ``holidays`` package, England) and the
  partnership's own closure days (``workdays.ClosureDay``), the same working days as every other
  deadline in Safeguard (docs/working-days.md). So a return due on Christmas Day 2025 (a Thursday)
  is due on Monday 29 December 2025: Boxing Day is a bank holiday and 27-28 December a weekend.

Pure Python: no database. ``services.period_open`` reads the partnership's settings and closure
days and hands them in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from safeguard.workdays.calendar import Calendar

from .choices import PeriodKind

#: Used when a partnership has no ``DataSetSettings`` row (the model's default).
DEFAULT_DUE_DAYS = 30
QUARTER_STARTS = (4, 7, 10, 1)  # Q1 to Q4 of the financial year
_QUARTER_MONTHS = {4: "April to June", 7: "July to September", 10: "October to December", 1: "January to March"}


@dataclass(frozen=True)
class Period:
    """A reporting period: its kind, first and last days and label."""

    kind: str
    start: dt.date
    end: dt.date
    label: str

    @property
    def description(self) -> str:
        """In words, for hints: "October to December 2025", "April 2025 to March 2026"."""
        if self.kind == PeriodKind.QUARTER:
            return f"{_QUARTER_MONTHS[self.start.month]} {self.end.year}"
        return f"{self.start:%B %Y} to {self.end:%B %Y}"


def financial_year(day: dt.date) -> int:
    """The financial year a day falls in, by its first calendar year: 2025 for 1 April 2025 to
    31 March 2026."""
    return day.year if day.month >= 4 else day.year - 1


def fy_label(year: int) -> str:
    """``2025`` -> ``"2025-26"``; ``1999`` -> ``"1999-00"``."""
    return f"{year}-{(year + 1) % 100:02d}"


def is_period_start(kind: str, start: dt.date) -> bool:
    if start.day != 1:
        return False
    if kind == PeriodKind.QUARTER:
        return start.month in QUARTER_STARTS
    if kind == PeriodKind.FINANCIAL_YEAR:
        return start.month == 4
    if kind == PeriodKind.CALENDAR_YEAR:
        return start.month == 1
    return False


def start_rule(kind: str) -> str:
    """What a valid first day is, for messages."""
    return {
        PeriodKind.QUARTER: "a quarter starts on 1 April, 1 July, 1 October or 1 January",
        PeriodKind.FINANCIAL_YEAR: "a financial year starts on 1 April",
        PeriodKind.CALENDAR_YEAR: "a calendar year starts on 1 January",
    }.get(kind, "choose quarters, financial years or calendar years")


def period_starting(kind: str, start: dt.date) -> Period:
    """The period of ``kind`` that starts on ``start`` (``ValueError`` if none does)."""
    if kind not in PeriodKind.values or not is_period_start(kind, start):
        raise ValueError(f"{start.day} {start:%B %Y} is not the first day of a period: {start_rule(kind)}.")
    if kind == PeriodKind.QUARTER:
        end = _add_months(start, 3) - dt.timedelta(days=1)
        number = QUARTER_STARTS.index(start.month) + 1
        return Period(kind, start, end, f"{fy_label(financial_year(start))} Q{number}")
    if kind == PeriodKind.FINANCIAL_YEAR:
        return Period(kind, start, dt.date(start.year + 1, 3, 31), fy_label(start.year))
    return Period(kind, start, dt.date(start.year, 12, 31), str(start.year))


def period_containing(kind: str, day: dt.date) -> Period:
    """The period of ``kind`` that ``day`` falls in."""
    if kind == PeriodKind.QUARTER:
        month = {4: 4, 5: 4, 6: 4, 7: 7, 8: 7, 9: 7, 10: 10, 11: 10, 12: 10}.get(day.month, 1)
        return period_starting(kind, dt.date(day.year, month, 1))
    if kind == PeriodKind.FINANCIAL_YEAR:
        return period_starting(kind, dt.date(financial_year(day), 4, 1))
    return period_starting(kind, dt.date(day.year, 1, 1))


def previous_period(period: Period) -> Period:
    return period_containing(period.kind, period.start - dt.timedelta(days=1))


def next_period(period: Period) -> Period:
    return period_containing(period.kind, period.end + dt.timedelta(days=1))


def recent_periods(kind: str, today: dt.date, count: int) -> list[Period]:
    """The ``count`` most recent periods that have ended by ``today``, newest first."""
    period = previous_period(period_containing(kind, today))
    found = []
    for _ in range(count):
        found.append(period)
        period = previous_period(period)
    return found


def next_working_day(day: dt.date, closures: Iterable[dt.date] = ()) -> dt.date:
    """``day`` itself if it is a working day, otherwise the first working day after it."""
    calendar = Calendar(day, day + dt.timedelta(days=60), closures)  # no run of days off is this long
    while not calendar.is_working(day):
        day += dt.timedelta(days=1)
    return day


def due_date(end: dt.date, due_days_after_period: int, closures: Iterable[dt.date] = ()) -> dt.date:
    """When a return for a period ending on ``end`` is due: ``due_days_after_period`` calendar days
    after ``end``, moved forward to the next working day. Always after ``end`` (at least one day)."""
    return next_working_day(end + dt.timedelta(days=max(1, due_days_after_period)), closures)


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    return dt.date(day.year + month // 12, month % 12 + 1, 1)
