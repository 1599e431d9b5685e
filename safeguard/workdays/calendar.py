"""The working-day rule: which dates are working days, and how "within N working days" is counted.

Source
------
- Bank holidays: the ``holidays`` package (pinned in requirements.lock), country ``GB``
  (``holidays.UnitedKingdom``), subdivision ``"ENG"``. England and Wales share the same bank
  holidays (Banking and Financial Dealings Act 1971 and royal proclamations, as listed on
  https://www.gov.uk/bank-holidays); the package's ``WLS`` subdivision gives the same dates. It
  includes substitute days ("Christmas Day (observed)") and the one-off bank holidays: 3 June 2022
  (Platinum Jubilee), 19 September 2022 (State Funeral of Queen Elizabeth II) and 8 May 2023
  (Coronation of King Charles III); ``tests/test_calendar.py`` checks they are there.
- The counting convention: /work/shared/design/statutory.md, "Working days", following Working
  Together to Safeguard Children 2023 and the DfE children in need census: working days are Monday
  to Friday excluding England and Wales bank holidays, plus local closure days a partnership adds.
  **Day 0 is the start date**; "within N working days" means the event falls on or before the Nth
  working day after it.

Starts on a weekend or bank holiday
-----------------------------------
The start date is day 0 whatever kind of day it is; counting begins with the next working day.
So an enquiry started on Saturday 4 January 2025 has day 1 on Monday 6 January: exactly as if it
had started on Friday 3 January. Neither source adds a separate rule for such starts, so none is
invented here; this follows from "day 0 is the start date".

Other conventions (the same in Python and SQL)
----------------------------------------------
- ``between(a, b)`` is the number of working days after ``a`` up to and including ``b``; it is
  negative when ``b`` is before ``a``, and 0 when both fall in the same weekend.
- ``add(a, 0)`` is ``a`` itself (day 0), even on a weekend.
- An event on a non-working day after the deadline is late: Saturday after a Friday deadline is
  not "on or before" it, although ``between`` gives the same count for both.
- Dates outside the calendar's range raise ``OutOfCalendarRange`` (the SQL helpers give NULL).

This module is pure Python (no database): ``Calendar`` is the reference answer that the
database table (``models.CalendarDay``) and the SQL helpers (``sql.py``) are tested against.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

import holidays

COUNTRY = "GB"
SUBDIVISION = "ENG"  # England; Wales ("WLS") has the same bank holidays
FIRST_YEAR = 2000
#: The table is filled to at least this year by the first migration; ``refresh_calendar`` and the
#: daily job extend it (see ``services.calendar_refresh``).
DEFAULT_LAST_YEAR = 2040
#: Largest N the API and the pages accept: about 40 years of working days.
MAX_DAYS = 10_000


class OutOfCalendarRange(ValueError):
    """A date (or a result) outside the years the calendar holds."""

    def __init__(self, value: dt.date | None, first: dt.date | None, last: dt.date | None, field: str = "date"):
        self.field = field
        if first is None or last is None:
            message = "The working-day calendar is empty: run 'manage.py refresh_calendar'."
        elif value is None:
            message = (
                f"The answer falls after {format_date(last)}, the last date the working-day calendar holds: "
                "choose an earlier date or fewer days."
            )
        else:
            message = (
                f"{format_date(value)} is outside the working-day calendar, which runs from "
                f"{format_date(first)} to {format_date(last)}: choose a date in that range."
            )
        super().__init__(message)


def format_date(day: dt.date) -> str:
    """``Friday 20 December 2024``: the GOV.UK style, without a platform-specific ``%-d``."""
    return f"{day:%A} {day.day} {day:%B %Y}"


@lru_cache(maxsize=256)
def bank_holidays(year: int) -> dict[dt.date, str]:
    """England and Wales bank holidays in ``year`` (date -> name), from the ``holidays`` package."""
    return dict(holidays.country_holidays(COUNTRY, subdiv=SUBDIVISION, years=year).items())


def holiday_name(day: dt.date) -> str:
    return bank_holidays(day.year).get(day, "")


def is_national_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in bank_holidays(day.year)


@dataclass(frozen=True)
class DayRow:
    date: dt.date
    is_working: bool
    working_index: int
    holiday_name: str


def national_days(first: dt.date, last: dt.date) -> Iterator[DayRow]:
    """Every date from ``first`` to ``last`` with its running working-day index (counted from
    ``first``): the rows of ``CalendarDay``. Written as a plain loop on purpose, so the table and
    ``Calendar``'s arithmetic are two independent computations of the same rule."""
    index = 0
    day = first
    one = dt.timedelta(days=1)
    while day <= last:
        working = is_national_working_day(day)
        index += working
        yield DayRow(day, working, index, "" if working else holiday_name(day))
        day += one


def _weekdays_through(ordinal: int) -> int:
    """Monday-to-Friday days from 1 January of year 1 (a Monday) up to and including ``ordinal``."""
    weeks, rest = divmod(ordinal, 7)
    return weeks * 5 + min(rest, 5)


class Calendar:
    """Working-day arithmetic over ``first``..``last`` for England and Wales, less ``closures``.

    ``index(d)`` is the number of working days up to and including ``d`` (from an arbitrary
    origin), computed in O(log n): weekdays by formula, less bank holidays and closures on weekdays.
    """

    def __init__(self, first: dt.date, last: dt.date, closures: Iterable[dt.date] = ()):
        self.first, self.last = first, last
        holiday_ordinals = set()
        for year in range(first.year, last.year + 1):
            holiday_ordinals.update(d.toordinal() for d in bank_holidays(year) if d.weekday() < 5)
        # A closure on a weekend or bank holiday changes nothing: it is not counted twice.
        closure_ordinals = {d.toordinal() for d in closures if first <= d <= last and is_national_working_day(d)}
        self._off = sorted(holiday_ordinals | closure_ordinals)
        self._off_set = frozenset(self._off)

    # --- checks ---------------------------------------------------------------------------------
    def check(self, day: dt.date, field: str = "date") -> None:
        if not (self.first <= day <= self.last):
            raise OutOfCalendarRange(day, self.first, self.last, field)

    def index(self, day: dt.date) -> int:
        self.check(day)
        ordinal = day.toordinal()
        return _weekdays_through(ordinal) - bisect_right(self._off, ordinal)

    def is_working(self, day: dt.date) -> bool:
        self.check(day)
        return day.weekday() < 5 and day.toordinal() not in self._off_set

    # --- the API --------------------------------------------------------------------------------
    def between(self, start: dt.date, end: dt.date) -> int:
        """Working days after ``start`` up to and including ``end`` (negative if ``end`` < ``start``)."""
        self.check(start, "start")
        self.check(end, "end")
        return self.index(end) - self.index(start)

    def add(self, start: dt.date, days: int) -> dt.date:
        """The ``days``-th working day after ``start`` (``start`` itself when ``days`` is 0)."""
        if days < 0:
            raise ValueError("The number of working days cannot be negative.")
        self.check(start, "start")
        if days == 0:
            return start
        target = self.index(start) + days
        if self.index(self.last) < target:
            raise OutOfCalendarRange(None, self.first, self.last, "days")
        # The first date whose index reaches the target is a working day (only they raise it).
        lo, hi = start.toordinal() + 1, self.last.toordinal()
        while lo < hi:
            mid = (lo + hi) // 2
            if _weekdays_through(mid) - bisect_right(self._off, mid) >= target:
                hi = mid
            else:
                lo = mid + 1
        return dt.date.fromordinal(lo)

    def within(self, start: dt.date, event: dt.date, days: int) -> bool:
        """True if ``event`` falls on or before the ``days``-th working day after ``start``."""
        if days < 0:
            raise ValueError("The number of working days cannot be negative.")
        count = self.between(start, event)
        # Equivalent to ``event <= self.add(start, days)`` (see docs/working-days.md), and also
        # answers when that deadline would fall after the end of the calendar.
        return event <= start or count < days or (count == days and self.is_working(event))
