"""Importing DfE benchmark tables: England, the region, the own authority and the statistical
neighbours' mean are kept; markers mean no value; a bad file saves nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from safeguard.indicators.choices import AreaKind
from safeguard.indicators.models import Benchmark
from safeguard.indicators.services import benchmarks_import
from safeguard.indicators.testing import IndicatorSettingsFactory

HEADER = (
    "time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,"
    "old_la_code,new_la_code,la_name,re_referrals_percent,cpp_starting_rate,unrelated_measure\n"
)
LA = "202425,Reporting year,Local authority,E92000001,England,E12000004,East Midlands"
ROWS = [
    "202425,Reporting year,National,E92000001,England,,,,,,22.6,39.9,1",
    "202425,Reporting year,Regional,E92000001,England,E12000004,East Midlands,,,,21.0,41.2,1",
    "202425,Reporting year,Regional,E92000001,England,E12000007,London,,,,19.5,30.1,1",
    f"{LA},830,E10000007,Testshire,25.1,44.0,1",
    f"{LA},831,E06000015,Alpha,20.0,c,1",
    f"{LA},832,E06000018,Beta,c,50.0,1",
    f"{LA},833,E06000016,Gamma,30.0,60.0,1",
    "202324,Reporting year,National,E92000001,England,,,,,,21.9,40.2,1",
    "202425,Reporting year,Local authority district,E92000001,England,E12000004,East Midlands,,E07000032,Dist,1,1,1",
]


@pytest.fixture
def neighbours(cast):
    cast.partnership.local_authority_code = "830"
    cast.partnership.save(update_fields=["local_authority_code"])
    return IndicatorSettingsFactory(partnership=cast.partnership, ons_code="", neighbour_codes="831,832,833,834")


def _import(cast, text: str):
    return benchmarks_import(partnership=cast.partnership, by=cast.analyst, content=text.encode(), filename="cin.csv")


def _held(code, year=2025):
    return {
        b.area_kind: (b.area_code, b.area_name, b.value, b.marker)
        for b in Benchmark.objects.filter(code=code, collection_year=year)
    }


def test_england_region_own_authority_and_the_neighbours_mean_are_kept(cast, neighbours):
    result = _import(cast, HEADER + "\n".join(ROWS) + "\n")
    assert result.messages[0] == (
        "Read the columns re_referrals_percent, cpp_starting_rate for 2023-24, 2024-25: 10 figures saved."
    )
    assert "Columns not used (no indicator compares with them): unrelated_measure." in result.messages
    assert "2024-25: statistical neighbours not in the file: 834." in result.messages
    assert _held("re_referrals_12m") == {
        AreaKind.ENGLAND: ("E92000001", "England", 22.6, ""),
        AreaKind.REGION: ("E12000004", "East Midlands", 21.0, ""),
        AreaKind.LA: ("830", "Testshire", 25.1, ""),
        # 832 is suppressed ("c") and 834 is missing: the mean of 831 and 833
        AreaKind.STATISTICAL_NEIGHBOURS: ("", "Average of 2 of 4 statistical neighbours", 25.0, ""),
    }
    assert _held("cpp_started_rate")[AreaKind.STATISTICAL_NEIGHBOURS][2] == 55.0
    # 2023-24 has an England row only: no authority rows, so no region and no neighbour mean
    assert _held("re_referrals_12m", 2024) == {AreaKind.ENGLAND: ("E92000001", "England", 21.9, "")}


def test_a_suppressed_own_figure_keeps_its_marker_and_a_set_region_wins(cast, neighbours):
    neighbours.region_code = "E12000007"
    neighbours.save()
    rows = [ROWS[0], ROWS[2], ROWS[3].replace("25.1", "c")]
    _import(cast, HEADER + "\n".join(rows) + "\n")
    held = _held("re_referrals_12m")
    assert held[AreaKind.LA] == ("830", "Testshire", None, "c")
    assert held[AreaKind.REGION][:2] == ("E12000007", "London")


def test_a_new_file_replaces_only_the_indicators_and_years_it_holds(cast, neighbours):
    _import(cast, HEADER + "\n".join(ROWS) + "\n")
    _import(
        cast,
        "time_period,geographic_level,country_code,country_name,cpp_starting_rate\n202425,National,E92000001,England,41\n",
    )
    assert _held("cpp_started_rate") == {AreaKind.ENGLAND: ("E92000001", "England", 41.0, "")}
    assert _held("re_referrals_12m")[AreaKind.ENGLAND][2] == 22.6


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([ROWS[3], ROWS[0].replace("202425", "2024")], "Row 3, column 'time_period': '2024' is not a reporting year."),
        (
            [ROWS[0], ROWS[1].replace("21.0", "twenty")],
            "Row 3, column 're_referrals_percent': 'twenty' is not a number.",
        ),
        ([ROWS[8]], "The file has no National, Regional or Local authority rows"),
    ],
)
def test_a_bad_file_saves_nothing(cast, neighbours, rows, message):
    with pytest.raises(ValidationError) as caught:
        _import(cast, HEADER + "\n".join(rows) + "\n")
    assert any(message in m for m in caught.value.messages), caught.value.messages
    assert not Benchmark.objects.exists()


def test_a_file_in_another_layout_is_refused_with_what_it_needs(cast, neighbours):
    with pytest.raises(ValidationError, match="no 'time_period' or 'geographic_level' column"):
        _import(cast, "year,area,value\n2025,England,1\n")
    with pytest.raises(ValidationError, match="None of the file's columns is a measure"):
        _import(cast, "time_period,geographic_level,something\n202425,National,1\n")


def test_without_neighbours_the_answer_says_how_to_add_them(cast):
    result = _import(cast, HEADER + ROWS[0] + "\n")
    assert any("No statistical neighbours are set" in m for m in result.messages)
    assert not Benchmark.objects.filter(area_kind=AreaKind.STATISTICAL_NEIGHBOURS).exists()


def test_the_command_imports_and_refuses(cast, neighbours, tmp_path, capsys):
    good = tmp_path / "cin.csv"
    good.write_text(HEADER + "\n".join(ROWS) + "\n")
    call_command("import_benchmarks", str(good), partnership=cast.partnership.slug)
    assert "10 figures saved" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + ROWS[0].replace("202425", "24-25") + "\n")
    with pytest.raises(CommandError, match="Nothing was saved"):
        call_command("import_benchmarks", str(bad), partnership=cast.partnership.slug)
    with pytest.raises(CommandError, match="There is no file at"):
        call_command("import_benchmarks", str(tmp_path / "missing.csv"), partnership=cast.partnership.slug)
