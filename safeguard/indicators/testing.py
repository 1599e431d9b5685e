"""Factories for indicators, and helpers that build child-level census rows directly with the ORM.

``Census`` writes a current CIN census extract and its rows without the XML parser, so an
indicator test states its data in a few readable lines:

    census = Census(partnership, year=2025)
    child = census.child("C001", locality=north)
    episode = census.episode(child, referral=date(2024, 5, 1))
    s47 = census.s47(episode, start=date(2024, 12, 20), icpc=date(2025, 1, 15))

All data is synthetic: LAchildIDs like ``C001``, no names.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import factory
import pytest

from safeguard.extracts.models import (
    CensusAssessment,
    CensusChild,
    ChildProtectionPlan,
    CinEpisode,
    CpReview,
    Extract,
    Section47,
)
from safeguard.extracts.testing import (  # noqa: F401  (the census factories, re-exported for indicator tests)
    CensusAssessmentFactory,
    CensusChildFactory,
    ChildProtectionPlanFactory,
    CinEpisodeFactory,
    CpReviewFactory,
    ExtractFactory,
    Section47Factory,
)
from safeguard.partnerships.models import Locality

from .choices import AreaKind
from .models import Benchmark, IndicatorSettings, IndicatorValue, PopulationEstimate


@pytest.fixture
def calendar_table(db):
    """The working-day table (the migration fills it; a transactional test elsewhere may have
    flushed it). Test modules that compute working days import this fixture and use it."""
    from safeguard.workdays.models import CalendarDay
    from safeguard.workdays.services import calendar_refresh

    if not CalendarDay.objects.exists():
        calendar_refresh()


class LocalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Locality

    partnership = factory.SubFactory("safeguard.core.testing.PartnershipFactory")
    name = factory.Sequence(lambda n: f"Locality {n}")
    code = factory.Sequence(lambda n: f"locality-{n}")


class IndicatorValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndicatorValue

    partnership = factory.SubFactory("safeguard.core.testing.PartnershipFactory")
    code = "referrals"
    collection_year = 2025
    numerator = 120
    value = 120.0
    computed_at = factory.Faker("date_time", tzinfo=dt.UTC)


class PopulationEstimateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PopulationEstimate

    partnership = factory.SubFactory("safeguard.core.testing.PartnershipFactory")
    year = 2024
    area_code = "E10000099"
    area_name = "Testshire"
    population = 100_000
    source = "test"


class BenchmarkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Benchmark

    partnership = factory.SubFactory("safeguard.core.testing.PartnershipFactory")
    code = "re_referrals_12m"
    collection_year = 2025
    area_kind = AreaKind.ENGLAND
    area_code = "E92000001"
    area_name = "England"
    value = 22.6


class IndicatorSettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndicatorSettings

    partnership = factory.SubFactory("safeguard.core.testing.PartnershipFactory")
    ons_code = "E10000099"


class Census:
    """One current census extract of a partnership and helpers that add its child-level rows."""

    def __init__(self, partnership, *, year: int = 2025, la_code: str = "830", extract: Extract | None = None):
        self.partnership = partnership
        self.extract = extract or ExtractFactory(
            partnership=partnership, collection_year=year, local_authority_code=la_code, current=True
        )

    def child(self, la_child_id: str, *, locality: Locality | None = None, **fields) -> CensusChild:
        return CensusChildFactory(extract=self.extract, la_child_id=la_child_id, locality=locality, **fields)

    def episode(
        self,
        child: CensusChild,
        referral: dt.date,
        *,
        nfa: bool = False,
        closure: dt.date | None = None,
        reason: str = "",
        initial_cpc: dt.date | None = None,
    ) -> CinEpisode:
        return CinEpisodeFactory(
            child=child,
            extract=self.extract,
            referral_date=referral,
            referral_nfa=nfa,
            closure_date=closure,
            reason_for_closure=reason,
            initial_cpc_date=initial_cpc,
        )

    def assessment(
        self, episode: CinEpisode, *, start: dt.date | None = None, authorised: dt.date | None = None
    ) -> CensusAssessment:
        return CensusAssessmentFactory(
            episode=episode,
            child=episode.child,
            extract=self.extract,
            start_date=start or episode.referral_date,
            authorisation_date=authorised,
            factors="21",
        )

    def s47(
        self, episode: CinEpisode, *, start: dt.date, icpc: dt.date | None = None, not_required: bool = False
    ) -> Section47:
        return Section47Factory(
            episode=episode,
            child=episode.child,
            extract=self.extract,
            start_date=start,
            icpc_target=None,
            icpc_date=icpc,
            icpc_not_required=not_required,
        )

    def plan(
        self,
        episode: CinEpisode,
        *,
        start: dt.date,
        end: dt.date | None = None,
        initial: str = "NEG",
        latest: str | None = None,
        previous: int = 0,
        reviews: Iterable[dt.date] = (),
    ) -> ChildProtectionPlan:
        plan = ChildProtectionPlanFactory(
            episode=episode,
            child=episode.child,
            extract=self.extract,
            start_date=start,
            end_date=end,
            initial_category=initial,
            latest_category=latest or initial,
            previous_plans=previous,
        )
        CpReview.objects.bulk_create([CpReview(extract=self.extract, plan=plan, review_date=d) for d in reviews])
        return plan


def harness_objects(cast, partnership) -> dict:
    """One locality for the ``localities/<int:pk>/...`` URLs (the area settings page uses the
    partnership itself)."""
    return {Locality: LocalityFactory(partnership=partnership)}
