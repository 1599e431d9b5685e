"""Every write of the working-day calendar: filling the national table, adding and removing a
partnership's closure days. The rule itself (which days are working days) is in ``calendar.py``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction

from safeguard.core.access import has_capability
from safeguard.core.concurrency import audit_actor, save_new
from safeguard.core.roles import Capability

from . import calendar
from .models import CalendarDay, ClosureDay

_BATCH = 2000
_LOCK_KEY = 7_344_201  # pg_advisory_xact_lock key: one refresh at a time


@dataclass(frozen=True)
class RefreshResult:
    first: dt.date
    last: dt.date
    written: int  # rows (re)written; 0 when the table already matched the rule

    def __str__(self) -> str:
        if not self.written:
            return f"The calendar from {self.first} to {self.last} is up to date."
        return f"Wrote {self.written} days; the calendar now runs from {self.first} to {self.last}."


def calendar_refresh(*, first_year: int = calendar.FIRST_YEAR, last_year: int | None = None) -> RefreshResult:
    """Make ``CalendarDay`` match the rule from 1 January ``first_year`` to 31 December ``last_year``.

    Idempotent and never shrinks the table (the range grows to cover what is already there). Only
    the rows from the first date that differs onwards are rewritten: normally none, or the new
    years; after an upgrade of ``holidays`` that adds a bank holiday, that date onwards (every
    later ``working_index`` moves by one). Run by the migration, ``manage.py refresh_calendar`` and
    the daily job ``tasks.refresh_calendar``.
    """
    last_year = last_year or calendar.DEFAULT_LAST_YEAR
    if not (1900 <= first_year <= last_year <= 2200):
        raise ValidationError("Choose years from 1900 to 2200, the first no later than the last.")
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        existing_first = CalendarDay.objects.order_by("date").values_list("date", flat=True).first()
        existing_last = CalendarDay.objects.order_by("-date").values_list("date", flat=True).first()
        first = dt.date(first_year, 1, 1)
        last = dt.date(last_year, 12, 31)
        if existing_first is not None:
            first, last = min(first, existing_first), max(last, existing_last)
        wanted = list(calendar.national_days(first, last))
        stored = {
            day: (working, index, name)
            for day, working, index, name in CalendarDay.objects.values_list(
                "date", "is_working", "working_index", "holiday_name"
            ).iterator(chunk_size=5000)
        }
        start = next(
            (
                i
                for i, row in enumerate(wanted)
                if stored.get(row.date) != (row.is_working, row.working_index, row.holiday_name)
            ),
            None,
        )
        if start is None:
            return RefreshResult(first, last, 0)
        CalendarDay.objects.filter(date__gte=wanted[start].date).delete()
        CalendarDay.objects.bulk_create(
            (
                CalendarDay(
                    date=r.date, is_working=r.is_working, working_index=r.working_index, holiday_name=r.holiday_name
                )
                for r in wanted[start:]
            ),
            batch_size=_BATCH,
        )
        return RefreshResult(first, last, len(wanted) - start)


def _row(r: calendar.DayRow) -> CalendarDay:
    return CalendarDay(date=r.date, is_working=r.is_working, working_index=r.working_index, holiday_name=r.holiday_name)


# --- Closure days -----------------------------------------------------------------------------
def _require_manage(user, partnership_id: int) -> None:
    if not has_capability(user, partnership_id, Capability.MANAGE_PARTNERSHIP):
        raise PermissionDenied("You cannot change this partnership's closure days.")


def _check_closure_date(day: dt.date) -> None:
    row = CalendarDay.objects.filter(date=day).first()
    if row is None:
        first = CalendarDay.objects.order_by("date").values_list("date", flat=True).first()
        last = CalendarDay.objects.order_by("-date").values_list("date", flat=True).first()
        raise ValidationError({"date": str(calendar.OutOfCalendarRange(day, first, last))})
    if not row.is_working:
        why = row.holiday_name or "at a weekend"
        raise ValidationError(
            {
                "date": f"{calendar.format_date(day)} is not a working day anyway ({why}). "
                "Add closures only for weekdays that are not bank holidays."
            }
        )


@transaction.atomic
def closure_add(*, partnership, by, date: dt.date, reason: str) -> ClosureDay:
    """Add a day on which the partnership's offices are closed: from now on its working-day
    answers (pages, API, SQL) skip that date."""
    _require_manage(by, partnership.pk)
    _check_closure_date(date)
    if ClosureDay.objects.filter(partnership=partnership, date=date).exists():
        raise ValidationError({"date": f"{calendar.format_date(date)} is already a closure day for this partnership."})
    closure = ClosureDay(partnership=partnership, date=date, reason=(reason or "").strip(), updated_by=by)
    try:
        with transaction.atomic():
            save_new(closure, by=by)
    except IntegrityError:  # added by someone else at the same moment
        raise ValidationError(
            {"date": f"{calendar.format_date(date)} is already a closure day for this partnership."}
        ) from None
    return closure


@transaction.atomic
def closure_remove(*, closure: ClosureDay, by) -> None:
    """Remove a closure day: the date counts as a working day again for the partnership."""
    _require_manage(by, closure.partnership_id)
    with audit_actor(by):
        closure.delete()
