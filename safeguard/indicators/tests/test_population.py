"""Importing ONS population estimates: both layouts, matching to the partnership and its localities,
all-or-nothing with messages that name the row and the column."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from safeguard.indicators.models import PopulationEstimate
from safeguard.indicators.services import population_import
from safeguard.indicators.testing import IndicatorSettingsFactory, LocalityFactory


@pytest.fixture
def area(cast):
    cast.partnership.local_authority_code = "830"
    cast.partnership.save(update_fields=["local_authority_code"])
    IndicatorSettingsFactory(partnership=cast.partnership, ons_code="E10000007")
    north = LocalityFactory(partnership=cast.partnership, name="North", code="north", ons_code="E07000032")
    south = LocalityFactory(partnership=cast.partnership, name="South", code="south")
    return north, south


def _import(cast, text: str, **kwargs):
    return population_import(
        partnership=cast.partnership, by=cast.analyst, content=text.encode(), filename="mye.csv", **kwargs
    )


TOTALS = """area_code,area_name,year,age_0_17
E92000001,England,2024,"12,345,678"
E10000007,Testshire,2024,"172,040"
E07000032,North Testshire,2024,61000
SOUTH,South Testshire,2024,40500
E06000001,Elsewhere,2024,not a number outside the partnership
"""


def test_the_total_column_is_matched_to_the_partnership_and_its_localities(cast, area):
    north, south = area
    result = _import(cast, TOTALS)
    assert result.saved == 3
    assert result.messages[0] == "Used column 'age_0_17' (children aged 0 to 17)."
    assert "2 rows for other areas were ignored." in result.messages
    held = {(e.locality, e.year): e.population for e in PopulationEstimate.objects.all()}
    assert held == {(None, 2024): 172_040, (north, 2024): 61_000, (south, 2024): 40_500}
    assert PopulationEstimate.objects.get(locality=None).source == "mye.csv: column 'age_0_17' (children aged 0 to 17)"


def test_single_years_of_age_are_summed_and_the_year_can_be_given(cast, area):
    ages = ",".join(str(a) for a in range(91))
    north_row = ",".join(["100"] * 18 + ["999"] * 73)  # ages 18 to 90 are not counted
    text = f"Code,Name,Geography,All ages,{ages}\nE07000032,North Testshire,District,99999,{north_row}\n"
    result = _import(cast, text, year=2023)
    assert result.messages[0].startswith("Used single-year-of-age columns 0, 1, 2")
    estimate = PopulationEstimate.objects.get()
    assert (estimate.locality, estimate.year, estimate.population) == (area[0], 2023, 1_800)


def test_a_new_import_replaces_the_estimate_for_the_same_area_and_year(cast, area):
    _import(cast, TOTALS)
    _import(cast, "area_code,year,age_0_17\nE10000007,2024,180000\nE10000007,2025,181000\n")
    held = sorted(PopulationEstimate.objects.filter(locality=None).values_list("year", "population"))
    assert held == [(2024, 180_000), (2025, 181_000)]
    assert PopulationEstimate.objects.count() == 4


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "area_code,year,age_0_17\nE10000007,2024,172040\nE07000032,2024,lots\n",
            "Row 3, column 'age_0_17': 'lots' is not a whole number of children.",
        ),
        ("area_code,year,age_0_17\nE10000007,mid 24,100\n", "Row 2, column 'year': 'mid 24' is not a year."),
        ("area_code,age_0_17\nE10000007,100\n", "The file has no 'year' column"),
        ("name,year,age_0_17\nTestshire,2024,100\n", "The file has no area code column"),
        ("area_code,year,total\nE10000007,2024,100\n", "The file has no population column"),
        ("area_code,year,0,1,2\nE10000007,2024,1,2,3\n", "ages 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17"),
        ("area_code,sex,year,age_0_17\nE10000007,1,2024,100\n", "The file gives a row per sex"),
        (
            "area_code,year,age_0_17\nE10000007,2024,100\n830,2024,120\n",
            "Row 3: the whole partnership (Northdale Test Partnership) already has a mid-2024 estimate on row 2.",
        ),
        ("area_code,year,age_0_17\nE06000001,2024,100\n", "No row of the file is for the partnership's area"),
        ("", "The file is empty"),
    ],
)
def test_a_bad_file_saves_nothing_and_says_where_the_problem_is(cast, area, text, message):
    with pytest.raises(ValidationError) as caught:
        _import(cast, text)
    assert any(message in m for m in caught.value.messages), caught.value.messages
    assert not PopulationEstimate.objects.exists()


def test_only_analysts_and_the_business_unit_may_import(cast, area):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        population_import(partnership=cast.partnership, by=cast.read_only, content=TOTALS.encode(), filename="mye.csv")
    with pytest.raises(PermissionDenied):
        population_import(
            partnership=cast.partnership, by=cast.other_analyst, content=TOTALS.encode(), filename="mye.csv"
        )
    population_import(partnership=cast.partnership, by=cast.manager, content=TOTALS.encode(), filename="mye.csv")
    assert PopulationEstimate.objects.count() == 3


def test_the_command_imports_and_refuses_with_every_message(cast, area, tmp_path, capsys):
    good = tmp_path / "mye.csv"
    good.write_text(TOTALS)
    call_command("import_population", str(good), partnership=cast.partnership.slug)
    assert "Used column 'age_0_17'" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text("area_code,year,age_0_17\nE10000007,2024,x\n")
    with pytest.raises(CommandError, match="Row 2, column 'age_0_17'"):
        call_command("import_population", str(bad), partnership=cast.partnership.slug)
    with pytest.raises(CommandError, match="no partnership with the slug 'nowhere'"):
        call_command("import_population", str(good), partnership="nowhere")
