"""The SQL answer to "ICPC within 15 working days of the s47 start" equals the Python calendar's
(``safeguard.workdays.selectors.within_working_days``) for random dates and random closure days,
including closures on weekends and bank holidays (which change nothing) and none at all (the SQL
then reads the national table directly)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safeguard.extracts.models import Section47
from safeguard.indicators import compute
from safeguard.indicators.testing import Census, calendar_table
from safeguard.workdays.models import ClosureDay
from safeguard.workdays.selectors import within_working_days

pytestmark = pytest.mark.usefixtures(calendar_table.__name__)

YEAR_START, YEAR_END = dt.date(2024, 4, 1), dt.date(2025, 3, 31)
icpc_dates = st.dates(min_value=YEAR_START, max_value=YEAR_END)
pairs = st.lists(st.tuples(icpc_dates, st.integers(min_value=-3, max_value=45)), min_size=1, max_size=25)
closures = st.lists(st.dates(min_value=dt.date(2024, 1, 1), max_value=YEAR_END), max_size=6, unique=True)


def _sql_answers(scope) -> dict[str, bool]:
    sql = compute.wrap(
        compute.events_sql(compute.ICPC_15, scope),
        "SELECT c.la_child_id, ev.num FROM {ev} JOIN extracts_censuschild c ON c.id = ev.child_id",
    )
    return {child: bool(num) for child, num in compute._run(sql, compute._values(scope))}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pairs=pairs, closed=closures)
def test_sql_icpc_timeliness_equals_the_python_calendar(cast, pairs, closed):
    partnership = cast.partnership
    Section47.objects.all().delete()
    ClosureDay.objects.filter(partnership=partnership).delete()
    ClosureDay.objects.bulk_create([ClosureDay(partnership=partnership, date=d, reason="Closed") for d in closed])
    census = Census(partnership, year=2025)
    expected = {}
    for n, (icpc, back) in enumerate(pairs):
        start = icpc - dt.timedelta(days=back)
        child = census.child(f"H{n:03d}")
        census.s47(census.episode(child, min(start, icpc)), start=start, icpc=icpc)
        expected[child.la_child_id] = within_working_days(start, icpc, 15, partnership=partnership)
    answers = _sql_answers(compute.scope_for([census.extract], 2025))
    assert answers == expected
    census.extract.delete()
