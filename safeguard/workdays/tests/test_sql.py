"""The database answers (the table and the SQL helpers) equal the Python answers.

The examples annotate ``CalendarDay`` itself, so they need no other model: any queryset whose
rows carry dates is annotated the same way.
"""

import datetime as dt

import pytest
from django.db import connection
from django.db.models import Value
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safeguard.workdays import calendar, sql
from safeguard.workdays.models import CalendarDay, ClosureDay
from safeguard.workdays.selectors import calendar_for
from safeguard.workdays.testing import ClosureDayFactory

D = dt.date
FIRST, LAST = D(2000, 1, 1), D(2040, 12, 31)


def _one(day, **annotations):
    return CalendarDay.objects.filter(date=day).annotate(**annotations).values(*annotations).get()


def test_the_table_matches_the_rule_for_every_date():
    cal = calendar.Calendar(FIRST, LAST)
    rows = list(CalendarDay.objects.values_list("date", "is_working", "working_index"))
    assert len(rows) == (LAST - FIRST).days + 1
    base = cal.index(FIRST) - rows[0][2]
    for day, working, index in rows:
        assert working is cal.is_working(day), day
        assert index == cal.index(day) - base, day


def test_the_icpc_deadline_in_sql():
    answer = _one(
        D(2024, 12, 20),
        due=sql.nth_working_day("date", 15),
        wd=sql.working_days_between("date", D(2025, 1, 15)),
        in_time=sql.within_working_days("date", D(2025, 1, 15), 15),
        late=sql.within_working_days("date", D(2025, 1, 16), 15),
    )
    assert answer == {"due": D(2025, 1, 15), "wd": 15, "in_time": True, "late": False}


def test_day_0_in_sql_is_the_start_even_at_a_weekend():
    saturday = D(2025, 1, 4)
    answer = _one(saturday, zero=sql.nth_working_day("date", 0), one=sql.nth_working_day("date", 1))
    assert answer == {"zero": saturday, "one": D(2025, 1, 6)}


@pytest.mark.parametrize(
    ("start", "event", "days", "expected"),
    [
        (D(2025, 1, 5), D(2025, 1, 4), 0, True),  # Sunday start, Saturday event: before the start
        (D(2025, 1, 4), D(2025, 1, 4), 0, True),  # day 0 itself, at a weekend
        (D(2025, 1, 4), D(2025, 1, 5), 0, False),  # the day after day 0
        (D(2025, 1, 6), D(2025, 1, 11), 4, False),  # Saturday after the Friday deadline
        (D(2025, 1, 6), D(2025, 1, 11), 5, True),
        (D(2024, 12, 20), D(2024, 12, 26), 2, False),  # Boxing Day after day 2 (Christmas Eve)
    ],
)
def test_within_in_sql_at_the_edges(start, event, days, expected):
    assert _one(start, ok=sql.within_working_days("date", event, days))["ok"] is expected
    assert calendar_for().within(start, event, days) is expected


def test_a_number_of_days_can_come_from_a_column():
    # working_index as "N": a column of the annotated rows (the indicator code's case: a local setting)
    row = (
        CalendarDay.objects.filter(date=D(2024, 12, 20))
        .annotate(n=Value(15), due=sql.nth_working_day("date", "n"))
        .values("due")
        .get()
    )
    assert row["due"] == D(2025, 1, 15)


def test_dates_outside_the_table_give_null_in_sql():
    answer = _one(
        D(2040, 12, 20),
        wd=sql.working_days_between("date", D(2041, 1, 2)),
        due=sql.nth_working_day("date", 30),
        in_time=sql.within_working_days("date", D(2041, 1, 2), 30),
    )
    assert answer == {"wd": None, "due": None, "in_time": False}


def test_closures_change_the_sql_answer_only_for_their_partnership(cast):
    ClosureDayFactory(partnership=cast.partnership, date=D(2024, 12, 24))
    ClosureDayFactory(partnership=cast.partnership, date=D(2024, 12, 25))  # a bank holiday: no effect
    # (the service refuses that one; the SQL must not count it twice if it is there anyway)
    mine, theirs = cast.partnership, cast.other_partnership
    answer = _one(
        D(2024, 12, 20),
        mine=sql.working_days_between("date", D(2025, 1, 15), partnership=mine),
        theirs=sql.working_days_between("date", D(2025, 1, 15), partnership=theirs.pk),
        back=sql.working_days_between(D(2025, 1, 15), "date", partnership=mine),
        national=sql.working_days_between("date", D(2025, 1, 15)),
        in_time=sql.within_working_days("date", D(2025, 1, 16), 15, partnership=mine),
        closed=sql.is_working_day(D(2024, 12, 24), partnership=mine),
        open_elsewhere=sql.is_working_day(D(2024, 12, 24), partnership=theirs),
    )
    assert answer == {
        "mine": 14,
        "theirs": 15,
        "back": -14,
        "national": 15,
        "in_time": True,
        "closed": False,
        "open_elsewhere": True,
    }


def test_the_documented_raw_sql_gives_the_same_count(cast):
    """The analysts' pattern in docs/working-days.md, with pairs in a VALUES list."""
    ClosureDayFactory(partnership=cast.partnership, date=D(2024, 12, 24))
    pairs = [(D(2024, 12, 20), D(2025, 1, 15)), (D(2022, 5, 31), D(2022, 6, 7)), (D(2024, 2, 28), D(2024, 3, 1))]
    values = ", ".join(["(%s, %s, %s)"] * len(pairs))
    params = [v for start, end in pairs for v in (start, end, cast.partnership.pk)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH e (start_date, end_date, partnership_id) AS (VALUES {values})
            SELECT ce.working_index - cs.working_index
                   - (SELECT COUNT(*) FROM workdays_closureday c
                      JOIN workdays_calendarday cc ON cc.date = c.date AND cc.is_working
                      WHERE c.partnership_id = e.partnership_id
                        AND c.date > e.start_date AND c.date <= e.end_date) AS working_days,
                   due.date AS icpc_due
            FROM e
            JOIN workdays_calendarday cs ON cs.date = e.start_date
            JOIN workdays_calendarday ce ON ce.date = e.end_date
            LEFT JOIN workdays_calendarday due ON due.is_working AND due.working_index = cs.working_index + 15
            """,
            params,
        )
        rows = cursor.fetchall()
    local = calendar_for(cast.partnership)
    national = calendar_for()
    assert [r[0] for r in rows] == [local.between(s, e) for s, e in pairs] == [14, 3, 2]
    assert [_as_date(r[1]) for r in rows] == [national.add(s, 15) for s, _ in pairs]


def _as_date(value):
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


# --- Property: SQL == Python ------------------------------------------------------------------
dates = st.dates(min_value=FIRST, max_value=LAST)
near = st.integers(min_value=-40, max_value=120)


@pytest.fixture
def closures(cast):
    """A partnership with closures around holidays and weekends, and one with none."""
    for day in [D(2022, 12, 28), D(2022, 12, 29), D(2022, 12, 30), D(2023, 5, 9), D(2024, 2, 29), D(2024, 12, 24)]:
        ClosureDayFactory(partnership=cast.partnership, date=day)
    ClosureDay.objects.create(partnership=cast.partnership, date=D(2023, 5, 8), reason="Also the coronation")
    return cast


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    start=st.one_of(dates, st.dates(min_value=D(2022, 12, 1), max_value=D(2025, 1, 31))),
    offset=near,
    days=st.integers(min_value=0, max_value=60),
    local=st.booleans(),
)
def test_sql_and_python_give_the_same_answers(closures, start, offset, days, local):
    partnership = closures.partnership if local else None
    end = min(max(start + dt.timedelta(days=offset), FIRST), LAST)
    cal = calendar_for(partnership)
    row = (
        CalendarDay.objects.filter(date=start)
        .annotate(
            end=Value(end),
            wd=sql.working_days_between("date", "end", partnership=partnership),
            in_time=sql.within_working_days("date", "end", days, partnership=partnership),
            working=sql.is_working_day("end", partnership=partnership),
            due=sql.nth_working_day("date", days),
        )
        .values("wd", "in_time", "working", "due")
        .get()
    )
    assert row["wd"] == cal.between(start, end)
    assert row["in_time"] is cal.within(start, end, days)
    assert row["working"] is cal.is_working(end)
    try:
        national_due = calendar_for().add(start, days)
    except calendar.OutOfCalendarRange:
        national_due = None  # SQL: NULL after the end of the table
    assert row["due"] == national_due


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=dates, end=dates)
def test_sql_and_python_agree_over_long_ranges(closures, start, end):
    """The partnership comes from a column of the annotated rows, as in a cross-partnership query."""
    row = (
        CalendarDay.objects.filter(date=start)
        .annotate(owner=Value(closures.partnership.pk), wd=sql.working_days_between("date", end, partnership="owner"))
        .values("wd")
        .get()
    )
    assert row["wd"] == calendar_for(closures.partnership).between(start, end)
