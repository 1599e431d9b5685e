"""Reads of the working-day calendar, and its Python API.

The Python API answers exactly what the SQL helpers in ``sql.py`` answer (the tests check it):

    from safeguard.workdays.selectors import add_working_days, within_working_days

    due = add_working_days(s47_start, 15, partnership=partnership)  # ICPC deadline
    in_time = within_working_days(s47_start, icpc_date, 15, partnership=partnership)

``partnership=None`` counts England and Wales bank holidays only; with a partnership its closure
days are skipped too. Dates outside the calendar raise ``calendar.OutOfCalendarRange`` (a
``ValueError`` whose message says the range). Each call runs two small queries; for many answers
in Python, take one ``calendar_for(partnership)`` and ask it, or use the SQL helpers.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Max, Min

from . import calendar
from .models import CalendarDay, ClosureDay


def calendar_range() -> tuple[dt.date | None, dt.date | None]:
    """The first and last dates the table holds (None, None when empty)."""
    bounds = CalendarDay.objects.aggregate(first=Min("date"), last=Max("date"))
    return bounds["first"], bounds["last"]


def closure_dates(*, partnership) -> list[dt.date]:
    if partnership is None:
        return []
    return list(ClosureDay.objects.filter(partnership=partnership).values_list("date", flat=True))


def calendar_for(partnership=None) -> calendar.Calendar:
    """A ``Calendar`` over the table's range, less the partnership's closure days."""
    first, last = calendar_range()
    if first is None:
        raise calendar.OutOfCalendarRange(None, None, None)
    return calendar.Calendar(first, last, closure_dates(partnership=partnership))


def is_working_day(day: dt.date, partnership=None) -> bool:
    return calendar_for(partnership).is_working(day)


def working_days_between(start: dt.date, end: dt.date, partnership=None) -> int:
    """Working days after ``start`` up to and including ``end`` (negative if ``end`` is earlier)."""
    return calendar_for(partnership).between(start, end)


def add_working_days(start: dt.date, n: int, partnership=None) -> dt.date:
    """The ``n``-th working day after ``start``; ``start`` itself for 0 (day 0 is the start date)."""
    return calendar_for(partnership).add(start, n)


def within_working_days(start: dt.date, event: dt.date, n: int, partnership=None) -> bool:
    """True when ``event`` falls on or before the ``n``-th working day after ``start``."""
    return calendar_for(partnership).within(start, event, n)


def day_info(day: dt.date, partnership=None) -> dict:
    """What kind of day ``day`` is: for the calculator page and the API."""
    cal = calendar_for(partnership)
    closure = None
    if partnership is not None:
        closure = ClosureDay.objects.filter(partnership=partnership, date=day).values_list("reason", flat=True).first()
    return {
        "date": day,
        "is_working": cal.is_working(day),
        "holiday_name": calendar.holiday_name(day),
        "closure_reason": closure or "",
    }


# --- Closure days -----------------------------------------------------------------------------
def closure_list(*, user):
    return ClosureDay.objects.visible_to(user).select_related("partnership")


def closure_get(*, user, pk):
    return closure_list(user=user).get(pk=pk)
