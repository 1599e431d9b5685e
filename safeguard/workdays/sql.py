"""Working days in SQL: expressions to annotate any queryset whose rows carry dates.

The arguments name the dates the way ``F()`` does, relative to the queryset being annotated
(``"s47_start"``, ``"enquiry__started_on"``), or are ``datetime.date`` constants; a partnership is
``None`` (bank holidays only), a ``Partnership``, its id, or a field name (``"partnership"``,
``"case__partnership_id"``). Numbers of days are ints or field names.

    from safeguard.workdays import sql

    Enquiry.objects.annotate(
        wd=sql.working_days_between("s47_start", "icpc_date", partnership="partnership"),
        icpc_in_time=sql.within_working_days("s47_start", "icpc_date", 15, partnership="partnership"),
        icpc_due=sql.nth_working_day("s47_start", 15),  # bank holidays only, see below
    )

Each helper is a few scalar subqueries on ``workdays_calendarday`` (probes of its primary key)
and, with a partnership, a count of that partnership's closures between the two dates (a range
scan of the ``(partnership, date)`` unique index). Dates outside the table give NULL (and
``within_working_days`` gives False). The answers are the same as ``calendar.Calendar``'s
(``tests/test_sql.py`` checks that with hypothesis); the raw SQL equivalent is in
docs/working-days.md.

Local closures and the Nth working day: ``nth_working_day`` answers for bank holidays only: with
closures it is not a single index lookup. Use ``within_working_days`` (exact with closures) for
timeliness, and ``selectors.add_working_days(..., partnership=...)`` for a deadline to display.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact, GreaterThanOrEqual, LessThanOrEqual

from .models import CalendarDay, ClosureDay


def _here(value):
    """A date or number as an expression of the annotated queryset itself."""
    if isinstance(value, str):
        return F(value)
    if isinstance(value, dt.date):
        return Value(value, output_field=DateField())
    if isinstance(value, int):
        return Value(value, output_field=IntegerField())
    return value


def _inside(value):
    """The same, seen from inside a subquery (one level down)."""
    if isinstance(value, str):
        return OuterRef(value)
    return _here(value)


def _partnership(value):
    if isinstance(value, str):
        return OuterRef(value)
    return getattr(value, "pk", value)


def working_index(date) -> Subquery:
    """The national working-day index of ``date`` (NULL outside the table)."""
    return Subquery(
        CalendarDay.objects.filter(date=_inside(date)).values("working_index")[:1], output_field=IntegerField()
    )


def _closures(partnership, after, through) -> Coalesce:
    """How many of the partnership's closures fall on national working days in (after, through]."""
    on_working_day = CalendarDay.objects.filter(date=OuterRef("date"), is_working=True)
    counted = (
        ClosureDay.objects.filter(
            partnership=_partnership(partnership), date__gt=_inside(after), date__lte=_inside(through)
        )
        .filter(Exists(on_working_day))
        .order_by()
        .values("partnership")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def closures_between(start, end, partnership):
    """Signed count of closures after ``start`` up to and including ``end`` (negative when
    ``end`` is before ``start``), matching the sign of ``working_days_between``."""
    if isinstance(start, dt.date) and isinstance(end, dt.date):
        return _closures(partnership, start, end) if end >= start else -_closures(partnership, end, start)
    return Case(
        When(GreaterThanOrEqual(_here(end), _here(start)), then=_closures(partnership, start, end)),
        default=-_closures(partnership, end, start),
        output_field=IntegerField(),
    )


def working_days_between(start, end, partnership=None) -> ExpressionWrapper:
    """Working days after ``start`` up to and including ``end``."""
    expression = working_index(end) - working_index(start)
    if partnership is not None:
        expression = expression - closures_between(start, end, partnership)
    return ExpressionWrapper(expression, output_field=IntegerField())


def is_working_day(date, partnership=None):
    """Whether ``date`` is a working day (for the partnership, if one is given)."""
    national = Subquery(
        CalendarDay.objects.filter(date=_inside(date)).values("is_working")[:1], output_field=BooleanField()
    )
    if partnership is None:
        return national
    closed = Exists(ClosureDay.objects.filter(partnership=_partnership(partnership), date=_inside(date)))
    return Case(When(closed, then=Value(False)), default=national, output_field=BooleanField())


def nth_working_day(start, days):
    """The ``days``-th working day after ``start`` (``start`` itself for 0), bank holidays only."""
    if isinstance(days, int) and days < 0:
        raise ValueError("The number of working days cannot be negative.")
    start_date = OuterRef(OuterRef(start)) if isinstance(start, str) else _here(start)
    start_index = Subquery(CalendarDay.objects.filter(date=start_date).values("working_index")[:1])
    lookup = Subquery(
        CalendarDay.objects.filter(is_working=True, working_index=start_index + _inside(days)).values("date")[:1],
        output_field=DateField(),
    )
    if isinstance(days, int):
        return ExpressionWrapper(_here(start), output_field=DateField()) if days == 0 else lookup
    return Case(When(Exact(F(days), 0), then=_here(start)), default=lookup, output_field=DateField())


def within_working_days(start, event, days, partnership=None) -> Case:
    """True when ``event`` falls on or before the ``days``-th working day after ``start``.

    Computed from the count, so it needs no deadline lookup and is exact with closures. For an
    event after the start: in time when ``count + (0 if the event is a working day else 1) <= days``
    (an event on a weekend after the Nth working day is late). An event on or before the start is
    always in time. False when a date is missing or outside the table. One count per row: the
    second clause is only evaluated for rows the first does not accept.
    """
    count = working_days_between(start, event, partnership)
    penalty = Case(
        When(Exact(Coalesce(is_working_day(event, partnership), Value(False)), True), then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    limit = _here(days)
    return Case(
        When(LessThanOrEqual(count + penalty, limit), then=Value(True)),
        When(LessThanOrEqual(_here(event), _here(start)) & LessThanOrEqual(count, 0), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )
