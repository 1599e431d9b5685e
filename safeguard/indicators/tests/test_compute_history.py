"""Looking back into earlier census files, worked out by hand: re-referrals within 12 months and
second plans found only in an earlier file, at the edges of the look-back, across authorities.

Census year 2025-26 (collection year 2026): 1 April 2025 to 31 March 2026. Its referrals look back to
1 April 2024 (12 months before the year began); its plans into the current files of the two years
before. The partnership holds files of two authorities: 830 (2024, 2025 and 2026) and 831 (2025).
Every child is in no locality, so only the partnership's totals are checked.

- H01: 2026 referral 10 Apr 2025; 830's 2025 file has a referral 10 Apr 2024, the same date a year
  before: a re-referral.
- H02: 2026 referral 1 Apr 2025; 830's 2025 file has one on 1 Apr 2024, the first day the look-back
  reaches: a re-referral.
- H03: 2026 referral 1 May 2025; the same LAchildID in 831's 2025 file was referred 1 Jun 2024:
  another authority's child, not a re-referral.
- H04 to H08 (2026 referrals 1 May 2025; their earlier files' episodes were referred before 1 April
  2024, so none is a re-referral) start plans in 2025-26, none recording previous plans:
  - H04 plan 1 Jun 2025; 830's 2024 file has a plan 1 May 2023 to 31 May 2023: a second plan, but it
    ended more than 2 years before (31 May 2025 was the last day within 2 years).
  - H05 plan 1 Sep 2025; 830's 2025 file has a plan 1 Apr 2024 to 1 Jan 2025: second, within 2 years.
  - H06 plan 1 Oct 2025; 830's 2025 file has plans 1 May 2024 to 1 Aug 2024 and 1 Sep 2024 to
    1 Dec 2025 (ended after the new plan started, which a valid file cannot hold): second, and within
    2 years of the first one ending.
  - H07 plan 1 Oct 2025; 830's 2025 file has only the plan 1 May 2024 to 1 Dec 2025: second, but no
    earlier plan ended on or before 1 Oct 2025.
  - H08 plan 1 Sep 2025; 831's 2025 file has a plan 1 May 2024 to 1 Jul 2024: another authority's
    child, so neither.

So: referrals 8, re-referrals 2/8 (H01 H02); plans started 5, second or subsequent 4/5 (H04 to H07),
within 2 years of a previous plan ending 2/5 (H05 H06).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from safeguard.indicators import compute, registry
from safeguard.indicators.models import IndicatorValue
from safeguard.indicators.services import indicators_compute
from safeguard.indicators.testing import Census, calendar_table

D = dt.date
pytestmark = pytest.mark.usefixtures(calendar_table.__name__)


@pytest.fixture
def files(cast):
    partnership = cast.partnership
    now, last, before, other = (
        Census(partnership, year=2026, la_code="830"),
        Census(partnership, year=2025, la_code="830"),
        Census(partnership, year=2024, la_code="830"),
        Census(partnership, year=2025, la_code="831"),
    )
    now.episode(now.child("H01"), D(2025, 4, 10))
    last.episode(last.child("H01"), D(2024, 4, 10))
    now.episode(now.child("H02"), D(2025, 4, 1))
    last.episode(last.child("H02"), D(2024, 4, 1))
    now.episode(now.child("H03"), D(2025, 5, 1))
    other.episode(other.child("H03"), D(2024, 6, 1))

    def plan_now(la_child_id: str, start: dt.date) -> None:
        now.plan(now.episode(now.child(la_child_id), D(2025, 5, 1)), start=start)

    def plans_then(census: Census, la_child_id: str, referral: dt.date, *spans) -> None:
        episode = census.episode(census.child(la_child_id), referral)
        for start, end in spans:
            census.plan(episode, start=start, end=end)

    plan_now("H04", D(2025, 6, 1))
    plans_then(before, "H04", D(2023, 1, 1), (D(2023, 5, 1), D(2023, 5, 31)))
    plan_now("H05", D(2025, 9, 1))
    plans_then(last, "H05", D(2024, 3, 1), (D(2024, 4, 1), D(2025, 1, 1)))
    plan_now("H06", D(2025, 10, 1))
    plans_then(last, "H06", D(2024, 3, 1), (D(2024, 5, 1), D(2024, 8, 1)), (D(2024, 9, 1), D(2025, 12, 1)))
    plan_now("H07", D(2025, 10, 1))
    plans_then(last, "H07", D(2024, 3, 1), (D(2024, 5, 1), D(2025, 12, 1)))
    plan_now("H08", D(2025, 9, 1))
    plans_then(other, "H08", D(2024, 3, 1), (D(2024, 5, 1), D(2024, 7, 1)))
    return now


EXPECTED = {
    "referrals": (8, None),
    "re_referrals_12m": (2, 8),
    "cpp_started": (5, None),
    "cpp_second_or_subsequent": (4, 5),
    "cpp_second_within_2y": (2, 5),
}


def test_earlier_files_are_searched_by_authority_up_to_the_look_back(cast, files):
    indicators_compute(partnership=cast.partnership, years=[2026])
    for code, expected in EXPECTED.items():
        value = IndicatorValue.objects.get(partnership=cast.partnership, collection_year=2026, code=code, locality=None)
        assert (value.numerator, value.denominator) == expected, code


@pytest.mark.parametrize(
    ("code", "children"),
    [("re_referrals_12m", ["H01", "H02"]), ("cpp_second_within_2y", ["H05", "H06"])],
)
def test_the_children_behind_a_look_back_figure_are_those_counted(cast, files, code, children):
    members = registry.get(code).members([files.extract], 2026, None, "", "numerator")
    assert sorted(members.values_list("la_child_id", flat=True)) == children


def test_one_select_reads_each_table_whatever_the_number_of_earlier_files(cast, files):
    scope = compute.scope_for([files.extract], 2026)
    assert scope.authorities == ("830", "831")
    with CaptureQueriesContext(connection) as queries:
        for rows in dict.fromkeys(i.measure.family.rows for i in registry.all_indicators()):
            compute.figures(registry._measures_on(rows), scope)
    assert len([q for q in queries.captured_queries if q["sql"].startswith("SELECT")]) == 4
