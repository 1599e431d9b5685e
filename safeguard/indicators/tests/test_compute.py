"""Every indicator on a small census worked out by hand, by locality and for the whole partnership.

The partnership has two localities, North (N) and South (S); some children are in no locality (X):
they count in the partnership's totals only. Census year 2024-25 (collection year 2025) runs from
1 April 2024 to 31 March 2025. Bank holidays in range: 6 May, 27 May, 26 August, 25 and 26 December
2024, 1 January 2025; Good Friday 18 April and Easter Monday 21 April 2025, 5 and 26 May 2025.
"wd" below = working days after the start, up to and including the end (day 0 is the start).

2024-25 file (LA 830)
---------------------
Child (locality): what the file holds.

- C01 (N): referral 10 Apr 2024; assessment authorised Wed 12 Jun (wd 43: April 14, May 21, June 8),
  in time; s47 Fri 20 Dec 2024, ICPC Wed 15 Jan 2025 = day 15, in time; plan 15 Jan 2025 NEG, open
  (under 3 months at 31 March).
- C02 (N): referral Mon 4 Nov 2024; assessment authorised Mon 20 Jan 2025 (wd 52: Nov 19, Dec 20,
  Jan 13), late; s47 Fri 20 Dec 2024, ICPC Thu 16 Jan 2025 = day 16, late (in time if 2 Jan is closed).
- C03 (S): referral 28 Feb 2024 (earlier year, open on 1 April, closed 31 May), then 26 Feb 2025:
  364 days later, a re-referral.
- C04 (S): referral 27 Feb 2024 (closed 30 Apr), then 27 Feb 2025: 366 days (across 29 Feb 2024) but
  the same date a year later, so within 12 months: a re-referral. (A "365 days" rule would say no.)
- C05 (X): referral 27 Feb 2024 (closed 30 Apr), then 28 Feb 2025: 367 days, after the anniversary:
  not a re-referral.
- C06 (N): referral 2 Sep 2024, no further action.
- C07 (S): episode 1 referred 1 May 2022; plan P1 1 Jun 2022 to 10 Jun 2024 (NEG; lasted 2 years or
  more; ended in the year). Episode 2 referred 1 Aug 2024 (not a re-referral: 2022); assessment
  1 Aug to Fri 30 Aug (wd 20), in time; s47 Mon 2 Sep, ICPC 16 Sep (wd 10); plan P2 16 Sep 2024 PHY,
  previous plans 1, within 2 years of P1 ending; reviews 10 Dec 2024 (by 16 Dec) and 5 Mar 2025: on time.
- C08 (N): referral 15 Apr 2024; assessment authorised Wed 19 Jun (wd 45: April 11, May 21, June 13),
  in time; s47 1 May, ICPC 20 May (wd 12); plan 20 May 2024 EMO, latest MUL, previous plans 2 (no
  earlier plan in any file); first review 28 Aug 2024, after 20 Aug: late.
- C09 (S): referral Fri 10 May 2024; assessment authorised 31 May (wd 14); a second assessment of the
  episode from 1 Nov to 13 Dec 2024 (wd 30 from its own start: in time, although more than 45 after
  the referral); s47 13 May, ICPC 3 Jun (wd 14); plan 3 Jun 2024 to 31 Jan 2025 SAB (under 2 years).
- C10 (X): referral 9 Sep 2024; s47 Tue 10 Sep, ICPC Tue 1 Oct = day 15, in time; plan 1 Oct 2024
  MUL, latest NEG; review 20 Dec 2024 (by 1 Jan), none overdue at 31 March: on time.
- C11 (N): referral 20 Mar 2025; s47 25 Mar 2025, no conference yet; assessment not completed.
- C12 (S): referral 1 Feb 2024 (earlier year, open); ICPC on the episode 5 Apr 2024 (its s47 was in
  2023-24); plan 5 Apr 2024 NEG; reviews 1 Jul 2024 (by 5 Jul) and 6 Jan 2025, more than 6 months
  after the first (due by 1 Jan): late.
- C15 (X): referral 3 Jun 2024 (closed 1 Jul); assessment 3 Jun to Fri 28 Jun (wd 19); s47 10 Jun,
  conference not required.

Ignored: a superseded 2024-25 extract of the same partnership and another partnership's extract.

Working it out (numerator / denominator = value)
-------------------------------------------------
- referrals: N 5 (C01 C02 C06 C08 C11), S 4 (C03 C04 C07 C09), total 12 (with C05 C10 C15).
- re-referrals: N 0/5, S 2/4 = 50%, total 2/12 = 16.67%. NFA: N 1/5 = 20%, S 0/4, total 1/12.
- assessments completed: N 3 (C01 43, C02 52, C08 45), S 3 (C07 20, C09 14 and 30), total 7 (C15 19).
  Within 45: N 2/3, S 3/3, total 6/7. Median (lower): N 45, S 20, total 30 of [14 19 20 30 43 45 52].
- s47 started: N 4 (C01 C02 C08 C11), S 2 (C07 C09), total 8 (C10 C15). Leading to an ICPC: N 3/4,
  S 2/2, total 6/8.
- ICPCs: N 3 (C01 C02 C08), S 3 (C07 C09 and C12 on the episode), total 7 (C10).
  Within 15 wd (s47 ones only): N 2/3, S 2/2, total 5/6.
- plans started: N 2 (C01 C08), S 3 (C07-P2 C09 C12), total 6 (C10). Ended: S 2 (C07-P1 C09),
  total 2. Open at 31 March: N 2 (C01 C08), S 2 (C07-P2 C12), total 5 (C10).
- rates, population mid-2024 (mid-2023 and mid-2025 also held, not used): partnership 40,000,
  North 25,000, South 15,000. Started: total 6/40,000 = 1.5, N 0.8, S 2.0 per 10,000.
  Open: total 1.25, N 0.8, S 1.333.
- initial category (started): N NEG 1 EMO 1 of 2; S PHY 1 SAB 1 NEG 1 of 3; total NEG 2, EMO, PHY,
  SAB, MUL 1 each, of 6. Latest (open): N NEG 1 MUL 1 of 2; S PHY 1 NEG 1 of 2; total NEG 3 MUL 1
  PHY 1 of 5.
- second or subsequent: N 1/2 (C08, previous plans 2), S 1/3 (C07-P2), total 2/6. Within 2 years of
  a previous plan ending: S 1/3 (C07-P2), N 0/2, total 1/6. Ended after 2 years or more: S 1/2
  (C07-P1), N none (no plans ended: no value), total 1/2.
- reviews on time, open at 31 March and lasting 3 months (C01 started 15 Jan: not yet): N 0/1 (C08),
  S 1/2 (C07-P2 on time, C12 late), total 2/4 (C10 on time).

2025-26 file (LA 830): the assessment over Easter 2025, and a re-referral found in last year's file
------------------------------------------------------------------------------------------------------
C13 (N) referral Mon 14 Apr 2025, assessment authorised Fri 20 Jun 2025: wd 45 (April 10 with Good
Friday and Easter Monday skipped, May 20 with both May bank holidays skipped, June 15), in time; a
count of weekdays would say 49. C14 (S) the same referral, authorised Mon 23 Jun: wd 46, late.
C15 (X) referral 1 May 2025: its previous referral (3 June 2024) is only in the 2024-25 file: a
re-referral. So: referrals 3 (1 each), re-referrals 1/3; assessments 2, within 45 1/2; lower median
45 (N 45, S 46).
"""

from __future__ import annotations

import datetime as dt

import pytest

from safeguard.extracts.choices import ExtractStatus
from safeguard.indicators import registry
from safeguard.indicators.models import IndicatorValue
from safeguard.indicators.services import indicators_compute
from safeguard.indicators.testing import (
    Census,
    ExtractFactory,
    LocalityFactory,
    PopulationEstimateFactory,
    calendar_table,
)
from safeguard.workdays.testing import ClosureDayFactory

D = dt.date
TOTAL = None
pytestmark = pytest.mark.usefixtures(calendar_table.__name__)


@pytest.fixture
def north(cast):
    return LocalityFactory(partnership=cast.partnership, name="North", code="north")


@pytest.fixture
def south(cast):
    return LocalityFactory(partnership=cast.partnership, name="South", code="south")


@pytest.fixture
def census(cast, north, south):
    """The 2024-25 file of the module docstring."""
    c = Census(cast.partnership, year=2025)
    N, S, X = north, south, None

    c01 = c.child("C01", locality=N)
    e = c.episode(c01, D(2024, 4, 10))
    c.assessment(e, authorised=D(2024, 6, 12))
    c.s47(e, start=D(2024, 12, 20), icpc=D(2025, 1, 15))
    c.plan(e, start=D(2025, 1, 15), initial="NEG")

    c02 = c.child("C02", locality=N)
    e = c.episode(c02, D(2024, 11, 4))
    c.assessment(e, authorised=D(2025, 1, 20))
    c.s47(e, start=D(2024, 12, 20), icpc=D(2025, 1, 16))

    c03 = c.child("C03", locality=S)
    c.episode(c03, D(2024, 2, 28), closure=D(2024, 5, 31), reason="RC7")
    c.episode(c03, D(2025, 2, 26))

    c04 = c.child("C04", locality=S)
    c.episode(c04, D(2024, 2, 27), closure=D(2024, 4, 30), reason="RC7")
    c.episode(c04, D(2025, 2, 27))

    c05 = c.child("C05", locality=X)
    c.episode(c05, D(2024, 2, 27), closure=D(2024, 4, 30), reason="RC7")
    c.episode(c05, D(2025, 2, 28))

    c06 = c.child("C06", locality=N)
    c.episode(c06, D(2024, 9, 2), nfa=True, closure=D(2024, 9, 2), reason="RC8")

    c07 = c.child("C07", locality=S)
    e1 = c.episode(c07, D(2022, 5, 1), closure=D(2024, 6, 10), reason="RC7")
    c.plan(e1, start=D(2022, 6, 1), end=D(2024, 6, 10), initial="NEG", reviews=[D(2022, 8, 20)])
    e2 = c.episode(c07, D(2024, 8, 1))
    c.assessment(e2, authorised=D(2024, 8, 30))
    c.s47(e2, start=D(2024, 9, 2), icpc=D(2024, 9, 16))
    c.plan(e2, start=D(2024, 9, 16), initial="PHY", previous=1, reviews=[D(2024, 12, 10), D(2025, 3, 5)])

    c08 = c.child("C08", locality=N)
    e = c.episode(c08, D(2024, 4, 15))
    c.assessment(e, authorised=D(2024, 6, 19))
    c.s47(e, start=D(2024, 5, 1), icpc=D(2024, 5, 20))
    c.plan(e, start=D(2024, 5, 20), initial="EMO", latest="MUL", previous=2, reviews=[D(2024, 8, 28), D(2025, 1, 20)])

    c09 = c.child("C09", locality=S)
    e = c.episode(c09, D(2024, 5, 10))
    c.assessment(e, authorised=D(2024, 5, 31))
    c.assessment(e, start=D(2024, 11, 1), authorised=D(2024, 12, 13))
    c.s47(e, start=D(2024, 5, 13), icpc=D(2024, 6, 3))
    c.plan(e, start=D(2024, 6, 3), end=D(2025, 1, 31), initial="SAB", reviews=[D(2024, 8, 30)])

    c10 = c.child("C10", locality=X)
    e = c.episode(c10, D(2024, 9, 9))
    c.s47(e, start=D(2024, 9, 10), icpc=D(2024, 10, 1))
    c.plan(e, start=D(2024, 10, 1), initial="MUL", latest="NEG", reviews=[D(2024, 12, 20)])

    c11 = c.child("C11", locality=N)
    e = c.episode(c11, D(2025, 3, 20))
    c.assessment(e, start=D(2025, 3, 20))
    c.s47(e, start=D(2025, 3, 25))

    c12 = c.child("C12", locality=S)
    e = c.episode(c12, D(2024, 2, 1), initial_cpc=D(2024, 4, 5))
    c.plan(e, start=D(2024, 4, 5), initial="NEG", reviews=[D(2024, 7, 1), D(2025, 1, 6)])

    c15 = c.child("C15", locality=X)
    e = c.episode(c15, D(2024, 6, 3), closure=D(2024, 7, 1), reason="RC7")
    c.assessment(e, authorised=D(2024, 6, 28))
    c.s47(e, start=D(2024, 6, 10), not_required=True)

    # Not counted: a superseded file of the same year, and another partnership's file.
    old = Census(cast.partnership, extract=ExtractFactory(partnership=cast.partnership, is_current=False))
    old.extract.status = ExtractStatus.SUPERSEDED
    old.extract.save(update_fields=["status"])
    old.episode(old.child("C99"), D(2024, 6, 1))
    other = Census(cast.other_partnership, year=2025)
    other.episode(other.child("C01"), D(2024, 6, 1))

    for year, population in ((2023, 39_000), (2024, 40_000), (2025, 41_000)):
        PopulationEstimateFactory(partnership=cast.partnership, year=year, population=population)
    PopulationEstimateFactory(partnership=cast.partnership, year=2024, locality=N, population=25_000, area_code="N")
    PopulationEstimateFactory(partnership=cast.partnership, year=2024, locality=S, population=15_000, area_code="S")
    return c


def pct(num, den):
    return None if not den else 100 * num / den


# code -> {area: (numerator, denominator, value)}; area "N", "S" or TOTAL
EXPECTED_2025 = {
    "referrals": {"N": (5, None, 5), "S": (4, None, 4), TOTAL: (12, None, 12)},
    "re_referrals_12m": {"N": (0, 5, 0), "S": (2, 4, 50), TOTAL: (2, 12, pct(2, 12))},
    "referrals_nfa": {"N": (1, 5, 20), "S": (0, 4, 0), TOTAL: (1, 12, pct(1, 12))},
    "assessments_completed": {"N": (3, None, 3), "S": (3, None, 3), TOTAL: (7, None, 7)},
    "assessments_within_45_wd": {"N": (2, 3, pct(2, 3)), "S": (3, 3, 100), TOTAL: (6, 7, pct(6, 7))},
    "assessment_median_wd": {"N": (45, 3, 45), "S": (20, 3, 20), TOTAL: (30, 7, 30)},
    "s47_started": {"N": (4, None, 4), "S": (2, None, 2), TOTAL: (8, None, 8)},
    "s47_to_icpc": {"N": (3, 4, 75), "S": (2, 2, 100), TOTAL: (6, 8, 75)},
    "icpcs": {"N": (3, None, 3), "S": (3, None, 3), TOTAL: (7, None, 7)},
    "icpc_within_15_wd": {"N": (2, 3, pct(2, 3)), "S": (2, 2, 100), TOTAL: (5, 6, pct(5, 6))},
    "cpp_started": {"N": (2, None, 2), "S": (3, None, 3), TOTAL: (6, None, 6)},
    "cpp_ended": {"N": (0, None, 0), "S": (2, None, 2), TOTAL: (2, None, 2)},
    "cpp_open_31_march": {"N": (2, None, 2), "S": (2, None, 2), TOTAL: (5, None, 5)},
    "cpp_started_rate": {"N": (2, 25_000, 0.8), "S": (3, 15_000, 2.0), TOTAL: (6, 40_000, 1.5)},
    "cpp_open_rate": {"N": (2, 25_000, 0.8), "S": (2, 15_000, 2 / 1.5), TOTAL: (5, 40_000, 1.25)},
    "cpp_second_or_subsequent": {"N": (1, 2, 50), "S": (1, 3, pct(1, 3)), TOTAL: (2, 6, pct(2, 6))},
    "cpp_second_within_2y": {"N": (0, 2, 0), "S": (1, 3, pct(1, 3)), TOTAL: (1, 6, pct(1, 6))},
    "cpp_ended_2y_plus": {"N": (0, 0, None), "S": (1, 2, 50), TOTAL: (1, 2, 50)},
    "cp_reviews_on_time": {"N": (0, 1, 0), "S": (1, 2, 50), TOTAL: (2, 4, 50)},
}
EXPECTED_CATEGORIES_2025 = {
    "cpp_initial_category": {
        "N": {"NEG": 1, "EMO": 1, "PHY": 0, "SAB": 0, "MUL": 0},
        "S": {"NEG": 1, "EMO": 0, "PHY": 1, "SAB": 1, "MUL": 0},
        TOTAL: {"NEG": 2, "EMO": 1, "PHY": 1, "SAB": 1, "MUL": 1},
    },
    "cpp_latest_category": {
        "N": {"NEG": 1, "EMO": 0, "PHY": 0, "SAB": 0, "MUL": 1},
        "S": {"NEG": 1, "EMO": 0, "PHY": 1, "SAB": 0, "MUL": 0},
        TOTAL: {"NEG": 3, "EMO": 0, "PHY": 1, "SAB": 0, "MUL": 1},
    },
}


def _stored(partnership, year, north, south):
    names = {north.pk: "N", south.pk: "S", None: TOTAL}
    out: dict = {}
    for v in IndicatorValue.objects.filter(partnership=partnership, collection_year=year):
        out.setdefault(v.code, {}).setdefault(names[v.locality_id], {})[v.breakdown] = v
    return out


def _check(stored, code, area, expected):
    value = stored[code][area][""]
    num, den, figure = expected
    assert (value.numerator, value.denominator) == (num, den), (code, area)
    if figure is None:
        assert value.value is None, (code, area)
    else:
        assert value.value == pytest.approx(figure), (code, area)


def test_every_indicator_matches_the_hand_computed_answers(cast, census, north, south):
    result = indicators_compute(partnership=cast.partnership)
    assert result.years == [2025]
    stored = _stored(cast.partnership, 2025, north, south)
    assert set(stored) == {i.code for i in registry.all_indicators()}
    for code, areas in EXPECTED_2025.items():
        for area, expected in areas.items():
            _check(stored, code, area, expected)
    for code, areas in EXPECTED_CATEGORIES_2025.items():
        for area, counts in areas.items():
            total = sum(counts.values())
            for category, count in counts.items():
                value = stored[code][area][category]
                assert (value.numerator, value.denominator) == (count, total), (code, area, category)
                assert value.value == pytest.approx(100 * count / total)
            assert "not_recorded" not in stored[code][area]
    rate = stored["cpp_started_rate"][TOTAL][""]
    assert rate.population_year == 2024
    assert rate.extracts == [census.extract.pk]


def test_the_registry_compute_gives_the_same_rows(cast, census, north, south):
    rows = registry.get("icpc_within_15_wd").compute([census.extract], 2025)
    assert sorted(rows, key=lambda r: (r[0] is not None, r[0] or 0)) == [
        (None, "", 5, 6),
        *sorted([(north.pk, "", 2, 3), (south.pk, "", 2, 2)]),
    ]


def test_a_local_closure_day_puts_a_conference_in_time(cast, census, north, south):
    """With 2 January 2025 closed, C02's conference on 16 January is on the 15th working day."""
    ClosureDayFactory(partnership=cast.partnership, date=D(2025, 1, 2))
    indicators_compute(partnership=cast.partnership)
    stored = _stored(cast.partnership, 2025, north, south)
    _check(stored, "icpc_within_15_wd", "N", (3, 3, 100))
    _check(stored, "icpc_within_15_wd", TOTAL, (6, 6, 100))
    # C02's assessment (4 Nov to 20 Jan) loses a working day too: 51, still late.
    _check(stored, "assessments_within_45_wd", "N", (2, 3, pct(2, 3)))
    # Another partnership's closure changes nothing here.
    ClosureDayFactory(partnership=cast.other_partnership, date=D(2025, 1, 3))
    indicators_compute(partnership=cast.partnership)
    _check(_stored(cast.partnership, 2025, north, south), "icpc_within_15_wd", TOTAL, (6, 6, 100))


@pytest.fixture
def census_2026(cast, census, north, south):
    c = Census(cast.partnership, year=2026)
    e = c.episode(c.child("C13", locality=north), D(2025, 4, 14))
    c.assessment(e, authorised=D(2025, 6, 20))
    e = c.episode(c.child("C14", locality=south), D(2025, 4, 14))
    c.assessment(e, authorised=D(2025, 6, 23))
    c.episode(c.child("C15"), D(2025, 5, 1))
    return c


def test_the_next_year_counts_easter_and_looks_back_into_last_years_file(cast, census_2026, north, south):
    result = indicators_compute(partnership=cast.partnership, years=[2026])
    assert result.years == [2026]
    stored = _stored(cast.partnership, 2026, north, south)
    _check(stored, "referrals", TOTAL, (3, None, 3))
    _check(stored, "re_referrals_12m", TOTAL, (1, 3, pct(1, 3)))
    _check(stored, "re_referrals_12m", "N", (0, 1, 0))
    _check(stored, "assessments_completed", TOTAL, (2, None, 2))
    _check(stored, "assessments_within_45_wd", "N", (1, 1, 100))
    _check(stored, "assessments_within_45_wd", "S", (0, 1, 0))
    _check(stored, "assessment_median_wd", TOTAL, (45, 2, 45))
    _check(stored, "assessment_median_wd", "S", (46, 1, 46))
    # Only 2026 was recomputed; 2025 has no values yet. The rates use the mid-2025 estimate.
    assert not IndicatorValue.objects.filter(partnership=cast.partnership, collection_year=2025).exists()
    assert stored["cpp_started_rate"][TOTAL][""].population_year == 2025


def test_recomputing_replaces_the_values_and_drops_withdrawn_years(cast, census, census_2026):
    indicators_compute(partnership=cast.partnership)
    per_year = IndicatorValue.objects.filter(partnership=cast.partnership, collection_year=2026).count()
    assert per_year > 0
    indicators_compute(partnership=cast.partnership)
    assert IndicatorValue.objects.filter(partnership=cast.partnership, collection_year=2026).count() == per_year
    census_2026.extract.is_current = False
    census_2026.extract.status = ExtractStatus.SUPERSEDED
    census_2026.extract.save(update_fields=["is_current", "status"])
    indicators_compute(partnership=cast.partnership)
    assert not IndicatorValue.objects.filter(partnership=cast.partnership, collection_year=2026).exists()
    assert IndicatorValue.objects.filter(partnership=cast.partnership, collection_year=2025).exists()
    assert not IndicatorValue.objects.filter(partnership=cast.other_partnership).exists()


def test_a_partnership_without_localities_or_population_still_gets_totals(cast):
    c = Census(cast.other_partnership, year=2025)
    c.plan(c.episode(c.child("Z1"), D(2024, 5, 1)), start=D(2024, 6, 1))
    indicators_compute(partnership=cast.other_partnership)
    rate = IndicatorValue.objects.get(partnership=cast.other_partnership, code="cpp_started_rate")
    assert (rate.locality_id, rate.numerator, rate.denominator, rate.value) == (None, 1, None, None)
    median = IndicatorValue.objects.get(partnership=cast.other_partnership, code="assessment_median_wd")
    assert (median.numerator, median.denominator, median.value) == (None, 0, None)


def test_the_whole_partnership_rate_falls_back_to_the_sum_of_its_localities(cast, north, south):
    c = Census(cast.partnership, year=2025)
    c.plan(c.episode(c.child("Y1", locality=north), D(2024, 5, 1)), start=D(2024, 6, 1))
    PopulationEstimateFactory(partnership=cast.partnership, year=2024, locality=north, population=6_000)
    PopulationEstimateFactory(partnership=cast.partnership, year=2023, locality=south, population=4_000)
    indicators_compute(partnership=cast.partnership)
    rate = IndicatorValue.objects.get(partnership=cast.partnership, code="cpp_started_rate", locality=None)
    assert (rate.numerator, rate.denominator, rate.value, rate.population_year) == (1, 10_000, 1.0, 2023)
