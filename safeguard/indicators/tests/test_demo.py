"""The demo reference data: localities, area settings, ONS-style populations and DfE-style
benchmarks, loaded through the import services and only once."""

import datetime as dt

import pytest

from safeguard.indicators import benchmarks, population
from safeguard.indicators.choices import AreaKind
from safeguard.indicators.demo import (
    AREAS,
    BENCHMARK_YEARS,
    NORTHDALE,
    benchmarks_csv,
    compute_demo_indicators,
    load_demo_reference_data,
    population_csv,
)
from safeguard.indicators.models import Benchmark, IndicatorSettings, PopulationEstimate
from safeguard.partnerships.demo import load_demo_data
from safeguard.partnerships.models import Locality

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 1)


def test_the_reference_data_loads_once_for_each_demo_partnership():
    load_demo_data(today=TODAY)
    assert load_demo_reference_data() == ["northdale", "eastmoor-westbrook"]
    counts = (
        Locality.objects.count(),
        IndicatorSettings.objects.count(),
        PopulationEstimate.objects.count(),
        Benchmark.objects.count(),
    )
    assert load_demo_reference_data() == []
    assert (
        Locality.objects.count(),
        IndicatorSettings.objects.count(),
        PopulationEstimate.objects.count(),
        Benchmark.objects.count(),
    ) == counts
    assert compute_demo_indicators() == []  # no census yet: nothing to compute

    northdale = Locality.objects.filter(partnership__slug="northdale")
    assert sorted(northdale.values_list("name", flat=True)) == ["Dalesgate", "Fellside", "Kirkby Moor", "Thornbeck"]
    joint = Locality.objects.filter(partnership__slug="eastmoor-westbrook").order_by("name")
    assert list(joint.values_list("name", "local_authority_code")) == [("Eastmoor", "992"), ("Westbrook", "993")]

    # Northdale has its own estimate and its localities'; the joint partnership only its localities'.
    estimates = PopulationEstimate.objects.filter(partnership__slug="northdale")
    assert sorted(set(estimates.values_list("year", flat=True))) == [2021, 2022, 2023, 2024, 2025]
    whole = estimates.get(year=2025, locality=None)
    assert whole.population == NORTHDALE.population[2025]
    assert sum(estimates.filter(year=2025, locality__isnull=False).values_list("population", flat=True)) == (
        whole.population
    )
    assert not PopulationEstimate.objects.filter(partnership__slug="eastmoor-westbrook", locality=None).exists()

    settings = IndicatorSettings.objects.get(partnership__slug="northdale")
    assert len(settings.neighbours) == 10
    held = Benchmark.objects.filter(partnership__slug="northdale")
    assert sorted(set(held.values_list("collection_year", flat=True))) == list(BENCHMARK_YEARS)
    assert set(held.values_list("area_kind", flat=True)) == {AreaKind.ENGLAND, AreaKind.STATISTICAL_NEIGHBOURS}


def test_england_2024_25_is_the_published_figure_and_a_suppressed_neighbour_is_left_out_of_the_average():
    load_demo_data(today=TODAY)
    load_demo_reference_data()
    england = Benchmark.objects.filter(partnership__slug="northdale", area_kind=AreaKind.ENGLAND, collection_year=2025)
    assert england.get(code="referrals").value == 632_830
    assert england.get(code="icpc_within_15_wd").value == 81.4
    assert england.get(code="cpp_open_31_march").value == 49_420
    neighbours = Benchmark.objects.get(
        partnership__slug="northdale",
        area_kind=AreaKind.STATISTICAL_NEIGHBOURS,
        code="cpp_ended_2y_plus",
        collection_year=2026,
    )
    assert neighbours.area_name == "Average of 9 of 10 statistical neighbours"


def test_the_files_are_in_the_layouts_the_importers_read():
    for area in AREAS.values():
        for year in area.population:
            header, _rows = population.read_table(population_csv(area, year))
            assert header[:4] == ["code", "name", "geography", "all_ages"]
            assert header[4:] == [str(age) for age in range(18)]
    parsed = benchmarks.parse_benchmarks(benchmarks_csv(), la_code="991", neighbours=["981", "982"])
    assert not parsed.errors
    assert len(parsed.columns_used) == 18
