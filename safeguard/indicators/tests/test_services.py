"""Recomputing after an import (signal -> task), the management command, the drill-through to
children (analysts only, access-logged), and the factories themselves."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.http import Http404

from safeguard.audit.models import AccessLog
from safeguard.extracts.signals import extract_loaded
from safeguard.indicators import registry, selectors
from safeguard.indicators.models import IndicatorValue
from safeguard.indicators.testing import (
    BenchmarkFactory,
    Census,
    ChildProtectionPlanFactory,
    CpReviewFactory,
    IndicatorSettingsFactory,
    IndicatorValueFactory,
    LocalityFactory,
    PopulationEstimateFactory,
    Section47Factory,
    calendar_table,
)

pytestmark = pytest.mark.usefixtures(calendar_table.__name__)
D = dt.date


@pytest.fixture
def census(cast):
    north = LocalityFactory(partnership=cast.partnership, name="North", code="north")
    c = Census(cast.partnership, year=2025)
    first = c.episode(c.child("S01", locality=north), D(2024, 5, 1))
    c.s47(first, start=D(2024, 12, 20), icpc=D(2025, 1, 15))
    second = c.episode(c.child("S02"), D(2024, 6, 1))
    c.s47(second, start=D(2024, 12, 20), icpc=D(2025, 1, 16))
    c.north = north
    return c


def test_a_loaded_census_file_recomputes_its_year_and_the_next_two(cast, census, django_capture_on_commit_callbacks):
    extract_loaded.send(sender=None, extract=census.extract, superseded=None)
    value = IndicatorValue.objects.get(partnership=cast.partnership, code="icpc_within_15_wd", locality=None)
    assert (value.numerator, value.denominator, value.value) == (1, 2, 50.0)


def test_other_extract_kinds_do_not_recompute(cast, census):
    census.extract.kind = "annex_a"
    extract_loaded.send(sender=None, extract=census.extract, superseded=None)
    assert not IndicatorValue.objects.exists()


def test_the_command_prints_every_value_as_json(cast, census, capsys):
    call_command("compute_indicators", partnership=cast.partnership.slug, format="json")
    rows = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    icpc = [r for r in rows if r["code"] == "icpc_within_15_wd"]
    assert icpc == [
        {"code": "icpc_within_15_wd", "period": "2024-25", "collection_year": 2025, "locality": None,
         "breakdown": "", "numerator": 1, "denominator": 2, "value": 50.0},
        {"code": "icpc_within_15_wd", "period": "2024-25", "collection_year": 2025, "locality": "North",
         "breakdown": "", "numerator": 1, "denominator": 1, "value": 100.0},
    ]  # fmt: skip
    assert {r["code"] for r in rows} == {i.code for i in registry.all_indicators()}


def test_the_command_prints_a_table_and_refuses_an_unknown_partnership(cast, census, capsys):
    call_command("compute_indicators", partnership=cast.partnership.slug, year=[2025])
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == [
        "code",
        "period",
        "locality",
        "breakdown",
        "numerator",
        "denominator",
        "value",
    ]
    assert any(line.startswith("icpc_within_15_wd") and "50.0" in line for line in out.splitlines())
    with pytest.raises(CommandError, match="no partnership with the slug"):
        call_command("compute_indicators", partnership="nowhere")


def test_an_analyst_sees_the_children_behind_a_figure_and_it_is_logged(cast, census):
    kwargs = {"partnership": cast.partnership, "code": "icpc_within_15_wd", "year": 2025, "breakdown": ""}
    late = selectors.indicator_members(user=cast.analyst, locality_id=None, part="denominator", **kwargs)
    assert [c.la_child_id for c in late] == ["S01", "S02"]
    in_time = selectors.indicator_members(user=cast.analyst, locality_id=None, part="numerator", **kwargs)
    assert [c.la_child_id for c in in_time] == ["S01"]
    north = selectors.indicator_members(user=cast.analyst, locality_id=census.north.pk, part="denominator", **kwargs)
    assert [c.la_child_id for c in north] == ["S01"]
    assert AccessLog.objects.filter(user=cast.analyst, action="view").count() == 3


def test_the_drill_through_is_for_analysts_of_the_partnership_only(cast, census):
    kwargs = {"code": "icpcs", "year": 2025, "locality_id": None, "breakdown": "", "part": "numerator"}
    with pytest.raises(PermissionDenied):
        selectors.indicator_members(user=cast.manager, partnership=cast.partnership, **kwargs)
    with pytest.raises(Http404):
        selectors.indicator_members(user=cast.other_analyst, partnership=cast.partnership, **kwargs)
    with pytest.raises(Http404):
        selectors.indicator_members(user=cast.analyst, partnership=cast.partnership, **{**kwargs, "code": "nope"})
    theirs = LocalityFactory(partnership=cast.other_partnership)
    with pytest.raises(Http404):
        selectors.indicator_members(
            user=cast.analyst, partnership=cast.partnership, **{**kwargs, "locality_id": theirs.pk}
        )
    assert not AccessLog.objects.exists()
    assert (
        list(selectors.indicator_members(user=cast.analyst, partnership=cast.partnership, **{**kwargs, "year": 2019}))
        == []
    )


def test_counts_have_no_denominator_children_and_shares_ignore_the_category(cast, census):
    plan = ChildProtectionPlanFactory(episode=census.extract.children.get(la_child_id="S01").episodes.get(),
                                      start_date=D(2025, 1, 15), initial_category="EMO")  # fmt: skip
    get = registry.get
    assert list(get("icpcs").members([census.extract], 2025, None, "", "denominator")) == []
    share = get("cpp_initial_category")
    assert list(share.members([census.extract], 2025, None, "NEG", "numerator")) == []
    assert [c.pk for c in share.members([census.extract], 2025, None, "NEG", "denominator")] == [plan.child_id]
    with pytest.raises(ValueError, match="'everyone' is not a part of a figure"):
        share.members([census.extract], 2025, None, "", "everyone")


def test_selectors_return_nothing_to_someone_of_another_partnership(cast):
    IndicatorValueFactory(partnership=cast.partnership)
    BenchmarkFactory(partnership=cast.partnership)
    assert selectors.indicator_values(user=cast.other_manager, partnership=cast.partnership) == []
    assert selectors.benchmarks_for(user=cast.other_manager, partnership=cast.partnership) == {}
    assert len(selectors.indicator_values(user=cast.read_only, partnership=cast.partnership, codes=["referrals"])) == 1
    assert list(selectors.benchmarks_for(user=cast.read_only, partnership=cast.partnership, years=[2025])) == [
        ("re_referrals_12m", 2025, "england")
    ]


def test_every_factory_builds_a_valid_record(cast):
    for factory in (IndicatorValueFactory, PopulationEstimateFactory, BenchmarkFactory, IndicatorSettingsFactory):
        factory(partnership=cast.partnership).full_clean()
    LocalityFactory(partnership=cast.partnership).full_clean()
    review = CpReviewFactory(plan__episode__child__extract__partnership=cast.partnership)
    review.full_clean()
    assert review.plan.extract == review.extract == review.plan.child.extract
    s47 = Section47Factory(episode__child__extract__partnership=cast.partnership)
    s47.full_clean()
    assert s47.child == s47.episode.child


def test_a_bulk_load_holds_the_recomputations_it_would_queue(cast, monkeypatch):
    from safeguard.indicators import services, tasks

    queued = []

    class FakeTask:
        @staticmethod
        def enqueue(**kwargs):
            queued.append(kwargs)

    monkeypatch.setattr(tasks, "compute_indicators", FakeTask)
    with services.indicators_recomputation_held() as held:
        services.indicators_queue_recomputation(partnership_id=cast.partnership.pk, years=[2025])
        services.indicators_queue_recomputation(partnership_id=cast.partnership.pk)
    assert held == {cast.partnership.pk} and queued == []
    services.indicators_queue_recomputation(partnership_id=cast.partnership.pk, years=[2025])
    assert queued == [{"partnership_id": cast.partnership.pk, "years": [2025]}]
