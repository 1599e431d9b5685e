"""API for the working-day calendar: the same answers as the pages and the Python API.

Every answer says which partnership's closure days it used (``partnership_id``; null for bank
holidays only). A date outside the calendar, or an answer that would fall after it, is refused
with 422 and a message giving the range; so is a partnership the token's user cannot see.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from safeguard.api.errors import ErrorOut, ValidationErrorOut
from safeguard.partnerships.api import MAX_ID, Pagination
from safeguard.partnerships.models import Partnership

from . import calendar, selectors

router = Router(tags=["Working-day calendar"])

ERRORS = {401: ErrorOut, 422: ValidationErrorOut}
START = Query(..., description="Day 0, for example 2024-12-20 (an S47 start).")
END = Query(..., description="The last day counted (if it is a working day).")


def _partnership_param():
    return Query(
        None, ge=1, le=MAX_ID, description="Also skip this partnership's closure days (default: bank holidays only)."
    )


def _calendar(user, partnership_id: int | None):
    partnership = None
    if partnership_id is not None:
        partnership = Partnership.objects.visible_to(user).filter(pk=partnership_id).first()
        if partnership is None:
            raise ValidationError(
                {"partnership": f"There is no partnership with id {partnership_id} that you can see. Check the id."}
            )
    try:
        return partnership, selectors.calendar_for(partnership)
    except calendar.OutOfCalendarRange as exc:
        raise ValidationError(str(exc)) from None


def _ask(question):
    try:
        return question()
    except calendar.OutOfCalendarRange as exc:
        raise ValidationError({exc.field: str(exc)}) from None


class WorkingDaysOut(Schema):
    start: dt.date
    end: dt.date
    partnership_id: int | None
    working_days: int = Field(description="Working days after start, up to and including end (negative if earlier).")


class AddOut(Schema):
    start: dt.date
    days: int
    partnership_id: int | None
    date: dt.date = Field(description="The days-th working day after start (start itself for 0).")


class DayOut(Schema):
    date: dt.date
    partnership_id: int | None
    is_working: bool
    holiday_name: str
    closure_reason: str


class ClosureOut(Schema):
    id: int
    partnership_id: int
    date: dt.date
    reason: str


@router.get("/working-days", response={200: WorkingDaysOut, **ERRORS}, summary="Count working days between two dates")
def working_days(
    request,
    start: dt.date = START,
    end: dt.date = END,
    partnership: int | None = _partnership_param(),
):
    _, cal = _calendar(request.user, partnership)
    count = _ask(lambda: cal.between(start, end))
    return {"start": start, "end": end, "partnership_id": partnership, "working_days": count}


@router.get("/add", response={200: AddOut, **ERRORS}, summary="The date N working days after a start date")
def add_days(
    request,
    start: dt.date = START,
    days: int = Query(..., ge=0, le=calendar.MAX_DAYS, description="How many working days, for example 15."),
    partnership: int | None = _partnership_param(),
):
    _, cal = _calendar(request.user, partnership)
    answer = _ask(lambda: cal.add(start, days))
    return {"start": start, "days": days, "partnership_id": partnership, "date": answer}


@router.get("/days/{date}", response={200: DayOut, **ERRORS}, summary="Is this date a working day?")
def day(request, date: dt.date, partnership: int | None = _partnership_param()):
    owner, cal = _calendar(request.user, partnership)
    _ask(lambda: cal.check(date))
    return {**selectors.day_info(date, owner), "partnership_id": partnership}


@router.get("/closures", response=list[ClosureOut], summary="List local closure days")
@paginate(Pagination)
def list_closures(
    request,
    partnership: int | None = Query(None, ge=1, le=MAX_ID, description="Only this partnership's closure days."),
    year: int | None = Query(None, ge=1900, le=2200, description="Only closure days in this year."),
):
    qs = selectors.closure_list(user=request.user)
    if partnership is not None:
        qs = qs.filter(partnership_id=partnership)
    if year is not None:
        qs = qs.filter(date__year=year)
    return qs.order_by("date", "partnership_id", "pk")


#: (URL prefix, router) pairs for ``safeguard.api.api`` to mount.
ROUTERS = [("/calendar", router)]
