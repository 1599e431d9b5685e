"""Filling the table, the Python API, and closure days: rules, bad input, another partnership."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from safeguard.workdays import selectors, services
from safeguard.workdays.calendar import OutOfCalendarRange
from safeguard.workdays.models import CalendarDay, ClosureDay

D = dt.date


def test_the_migration_filled_2000_to_2040():
    assert selectors.calendar_range() == (D(2000, 1, 1), D(2040, 12, 31))
    assert CalendarDay.objects.get(date=D(2023, 5, 8)).holiday_name == "Coronation of Charles III"


def test_refresh_is_idempotent_and_extends_the_table():
    assert services.calendar_refresh().written == 0
    result = services.calendar_refresh(last_year=2042)
    assert result.written == 365 + 365
    assert selectors.calendar_range()[1] == D(2042, 12, 31)
    assert services.calendar_refresh(last_year=2030).written == 0  # never shrinks
    assert selectors.add_working_days(D(2041, 12, 24), 1) == D(2041, 12, 27)


def test_refresh_repairs_a_wrong_row_and_every_index_after_it():
    day = CalendarDay.objects.get(date=D(2030, 6, 3))
    CalendarDay.objects.filter(date__gte=day.date).delete()
    CalendarDay.objects.create(date=day.date, is_working=False, working_index=day.working_index - 1)
    result = services.calendar_refresh()
    assert result.written == (D(2040, 12, 31) - D(2030, 6, 3)).days + 1
    assert CalendarDay.objects.get(date=day.date).is_working


def test_the_management_command(capsys):
    call_command("refresh_calendar", "--to-year", "2041")
    assert "now runs from 2000-01-01 to 2041-12-31" in capsys.readouterr().out
    with pytest.raises(Exception, match="Choose years"):
        call_command("refresh_calendar", "--from-year", "2050", "--to-year", "2041")


def test_the_scheduled_job_keeps_fifteen_years_ahead():
    from safeguard.core.scheduler import REGISTRY
    from safeguard.workdays import tasks

    assert "safeguard.workdays.tasks.refresh_calendar" in REGISTRY
    tasks.refresh_calendar.call()
    assert selectors.calendar_range()[1] >= D(dt.date.today().year + 15, 12, 31)


def test_the_python_api_answers(cast):
    assert selectors.is_working_day(D(2022, 9, 19)) is False
    assert selectors.working_days_between(D(2024, 12, 20), D(2025, 1, 15)) == 15
    assert selectors.add_working_days(D(2024, 12, 20), 15) == D(2025, 1, 15)
    assert selectors.within_working_days(D(2024, 12, 20), D(2025, 1, 15), 15)
    assert selectors.add_working_days(D(2024, 12, 20), 15, partnership=cast.partnership) == D(2025, 1, 15)
    with pytest.raises(OutOfCalendarRange, match="outside the working-day calendar"):
        selectors.working_days_between(D(1999, 1, 1), D(2025, 1, 15))


# --- Closure days -----------------------------------------------------------------------------
def test_a_manager_adds_a_closure_that_changes_answers_only_for_their_partnership(cast):
    closure = services.closure_add(
        partnership=cast.partnership, by=cast.manager, date=D(2024, 12, 24), reason="  Christmas Eve closure "
    )
    assert closure.reason == "Christmas Eve closure"
    assert closure.updated_by == cast.manager
    assert selectors.add_working_days(D(2024, 12, 20), 15, partnership=cast.partnership) == D(2025, 1, 16)
    assert selectors.add_working_days(D(2024, 12, 20), 15, partnership=cast.other_partnership) == D(2025, 1, 15)
    assert selectors.add_working_days(D(2024, 12, 20), 15) == D(2025, 1, 15)
    assert not selectors.is_working_day(D(2024, 12, 24), partnership=cast.partnership)

    services.closure_remove(closure=closure, by=cast.manager)
    assert selectors.add_working_days(D(2024, 12, 20), 15, partnership=cast.partnership) == D(2025, 1, 15)


def test_closure_changes_are_audited(cast):
    from auditlog.models import LogEntry

    closure = services.closure_add(partnership=cast.partnership, by=cast.manager, date=D(2025, 1, 2), reason="x")
    services.closure_remove(closure=closure, by=cast.manager)
    entries = LogEntry.objects.filter(object_repr__startswith="2025-01-02").order_by("timestamp")
    assert [e.action for e in entries] == [LogEntry.Action.CREATE, LogEntry.Action.DELETE]
    assert {e.actor for e in entries} == {cast.manager}


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (D(2024, 12, 25), "not a working day anyway \\(Christmas Day\\)"),
        (D(2024, 12, 28), "not a working day anyway \\(at a weekend\\)"),
        (D(2041, 1, 2), "outside the working-day calendar"),
    ],
)
def test_it_refuses_closures_that_would_change_nothing(cast, day, message):
    with pytest.raises(ValidationError, match=message) as error:
        services.closure_add(partnership=cast.partnership, by=cast.manager, date=day, reason="Closed")
    assert "date" in error.value.message_dict


def test_it_refuses_a_second_closure_on_the_same_date_and_an_empty_reason(cast):
    services.closure_add(partnership=cast.partnership, by=cast.manager, date=D(2025, 1, 2), reason="Closed")
    with pytest.raises(ValidationError, match="already a closure day"):
        services.closure_add(partnership=cast.partnership, by=cast.officer, date=D(2025, 1, 2), reason="Again")
    with pytest.raises(ValidationError) as error:
        services.closure_add(partnership=cast.partnership, by=cast.manager, date=D(2025, 1, 3), reason=" ")
    assert "reason" in error.value.message_dict
    # another partnership may close the same day
    services.closure_add(partnership=cast.other_partnership, by=cast.other_manager, date=D(2025, 1, 2), reason="x")


def test_only_managers_of_the_partnership_change_closures(cast):
    for user in (cast.read_only, cast.board_member, cast.data_lead, cast.other_manager):
        with pytest.raises(PermissionDenied):
            services.closure_add(partnership=cast.partnership, by=user, date=D(2025, 1, 2), reason="Closed")
    closure = services.closure_add(partnership=cast.partnership, by=cast.officer, date=D(2025, 1, 2), reason="x")
    with pytest.raises(PermissionDenied):
        services.closure_remove(closure=closure, by=cast.other_manager)
    assert ClosureDay.objects.filter(pk=closure.pk).exists()
