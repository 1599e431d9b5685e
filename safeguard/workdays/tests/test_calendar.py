"""The rule itself (pure Python, checked by hand against https://www.gov.uk/bank-holidays)."""

import datetime as dt

import pytest

from safeguard.workdays import calendar
from safeguard.workdays.calendar import Calendar, OutOfCalendarRange

D = dt.date
CAL = Calendar(D(2000, 1, 1), D(2040, 12, 31))


def test_the_installed_holidays_package_knows_the_one_off_bank_holidays():
    assert calendar.holiday_name(D(2022, 6, 2)) == "Spring Bank Holiday"
    assert "Jubilee" in calendar.holiday_name(D(2022, 6, 3))
    assert "Funeral" in calendar.holiday_name(D(2022, 9, 19))
    assert "Coronation" in calendar.holiday_name(D(2023, 5, 8))
    # 2022 had no late-May spring bank holiday: it moved to 2 June
    assert CAL.is_working(D(2022, 5, 30))


def test_england_and_wales_share_the_same_bank_holidays():
    import holidays

    for year in (2022, 2023, 2024):
        assert set(holidays.country_holidays("GB", subdiv="WLS", years=year)) == set(calendar.bank_holidays(year))


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2021, 12, 24), True),  # Friday
        (D(2021, 12, 27), False),  # Christmas Day (substitute: 25th was a Saturday)
        (D(2021, 12, 28), False),  # Boxing Day (substitute: 26th was a Sunday)
        (D(2021, 12, 29), True),
        (D(2022, 1, 3), False),  # New Year's Day (substitute: 1st was a Saturday)
        (D(2022, 12, 26), False),  # Boxing Day on a Monday
        (D(2022, 12, 27), False),  # Christmas Day substitute (25th was a Sunday)
        (D(2023, 1, 2), False),  # New Year's Day substitute (1st was a Sunday)
        (D(2024, 3, 29), False),  # Good Friday
        (D(2024, 4, 1), False),  # Easter Monday
        (D(2025, 4, 18), False),  # Good Friday
        (D(2025, 4, 21), False),  # Easter Monday
        (D(2038, 4, 23), False),  # Good Friday, late Easter
        (D(2008, 3, 21), False),  # Good Friday, early Easter
        (D(2024, 2, 29), True),  # leap day, a Thursday
        (D(2020, 2, 29), False),  # leap day, a Saturday
        (D(2020, 5, 8), False),  # early May bank holiday moved to VE Day (a Friday)
        (D(2020, 5, 4), True),
    ],
)
def test_it_knows_which_days_are_working_days(day, working):
    assert CAL.is_working(day) is working


def test_the_icpc_deadline_for_an_s47_started_on_20_december_2024_is_15_january_2025():
    # By hand: Mon 23 (1), Tue 24 (2), [Christmas, Boxing Day], Fri 27 (3), Mon 30 (4), Tue 31 (5),
    # [New Year's Day], Thu 2 Jan (6), Fri 3 (7), Mon 6 (8) ... Fri 10 (12), Mon 13 (13), Tue 14 (14),
    # Wed 15 (15).
    start = D(2024, 12, 20)
    assert CAL.add(start, 15) == D(2025, 1, 15)
    assert CAL.between(start, D(2025, 1, 15)) == 15
    assert CAL.within(start, D(2025, 1, 15), 15)
    assert not CAL.within(start, D(2025, 1, 16), 15)


def test_day_0_is_the_start_even_at_a_weekend():
    saturday, sunday, friday = D(2025, 1, 4), D(2025, 1, 5), D(2025, 1, 3)
    assert CAL.add(saturday, 0) == saturday
    assert CAL.add(saturday, 1) == D(2025, 1, 6)  # Monday is day 1
    assert CAL.add(sunday, 1) == D(2025, 1, 6)
    assert CAL.add(saturday, 5) == CAL.add(friday, 5) == D(2025, 1, 10)
    assert CAL.between(saturday, sunday) == 0
    assert CAL.between(friday, D(2025, 1, 6)) == 1


def test_a_start_on_a_bank_holiday_counts_from_the_next_working_day():
    christmas = D(2024, 12, 25)
    assert CAL.add(christmas, 1) == D(2024, 12, 27)
    assert CAL.add(D(2022, 9, 19), 1) == D(2022, 9, 20)  # the Queen's funeral
    assert CAL.add(D(2023, 5, 5), 1) == D(2023, 5, 9)  # over the coronation weekend


def test_the_jubilee_weekend_of_2022():
    # Wednesday 1 June 2022: Thursday and Friday were bank holidays, so day 1 is Monday 6 June.
    assert CAL.add(D(2022, 6, 1), 1) == D(2022, 6, 6)
    assert CAL.between(D(2022, 5, 31), D(2022, 6, 7)) == 3  # 1, 6, 7 June


def test_easter_and_christmas_counts():
    assert CAL.between(D(2024, 3, 28), D(2024, 4, 2)) == 1  # Good Friday to Easter Monday skipped
    assert CAL.between(D(2021, 12, 24), D(2022, 1, 4)) == 4  # 29, 30, 31 Dec, 4 Jan
    assert CAL.between(D(2023, 12, 22), D(2024, 1, 2)) == 4  # 27, 28, 29 Dec, 2 Jan


def test_leap_years():
    assert CAL.add(D(2024, 2, 28), 1) == D(2024, 2, 29)
    assert CAL.add(D(2024, 2, 28), 2) == D(2024, 3, 1)
    assert CAL.between(D(2024, 2, 1), D(2024, 3, 1)) == 21  # Feb 2024 has 21 weekdays with the 29th
    assert CAL.between(D(2023, 2, 1), D(2023, 3, 1)) == 20


def test_a_whole_year_has_the_expected_number_of_working_days():
    assert CAL.between(D(2023, 12, 31), D(2024, 12, 31)) == 262 - 8  # 262 weekdays, 8 bank holidays
    assert CAL.between(D(2021, 12, 31), D(2022, 12, 31)) == 260 - 10  # 2 extra in 2022


def test_counts_are_negative_backwards_and_within_accepts_early_events():
    assert CAL.between(D(2025, 1, 15), D(2024, 12, 20)) == -15
    assert CAL.within(D(2025, 1, 15), D(2025, 1, 1), 0)


def test_an_event_on_the_weekend_after_the_deadline_is_late():
    start = D(2025, 1, 6)  # Monday; day 5 is Monday 13th, day 4 is Friday 10th
    assert CAL.add(start, 4) == D(2025, 1, 10)
    assert CAL.between(start, D(2025, 1, 11)) == 4
    assert not CAL.within(start, D(2025, 1, 11), 4)
    assert CAL.within(start, D(2025, 1, 11), 5)


def test_closures_are_skipped_and_closures_on_holidays_change_nothing():
    closures = [D(2024, 12, 24), D(2024, 12, 25), D(2024, 12, 28)]  # a weekday, Christmas, a Saturday
    local = Calendar(D(2000, 1, 1), D(2040, 12, 31), closures)
    assert local.add(D(2024, 12, 20), 15) == D(2025, 1, 16)
    assert local.between(D(2024, 12, 20), D(2025, 1, 15)) == 14
    assert not local.is_working(D(2024, 12, 24))


def test_dates_outside_the_calendar_are_refused_with_the_range():
    with pytest.raises(OutOfCalendarRange, match="1 January 2000 to Monday 31 December 2040"):
        CAL.between(D(1999, 12, 31), D(2000, 1, 5))
    with pytest.raises(OutOfCalendarRange, match="after Monday 31 December 2040"):
        CAL.add(D(2040, 12, 20), 30)
    with pytest.raises(ValueError, match="negative"):
        CAL.add(D(2024, 1, 1), -1)
