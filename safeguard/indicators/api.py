"""API for indicators: the registry and the partnership's computed values.

- ``GET /indicators``: every indicator's definition (the same as the definitions page).
- ``GET /indicators/values``: computed values of the partnerships where the token's user may read
  figures (``indicators.view``), filtered by ``partnership``, ``year``, ``code`` and ``locality``.
  Another partnership's values are never returned: asking for them gives an empty list, as every
  list filter of the API does.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import F
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from safeguard.core.access import partnerships_with_capability
from safeguard.core.roles import Capability
from safeguard.partnerships.api import Pagination, _filter_id

from . import registry, selectors
from .models import IndicatorValue

router = Router(tags=["Indicators"])


class IndicatorOut(Schema):
    code: str
    title: str
    definition: str
    numerator: str
    denominator: str = Field(description="Empty for a count.")
    unit: str = Field(description="percent, count, rate_per_10000 or days.")
    polarity: str = Field(description="higher_better, lower_better or neutral.")
    source: str
    section: str
    breakdown: str = Field(description="The breakdown dimension, empty when none.")
    benchmark_column: str = Field(description="The DfE table column it is compared with, if any.")


class ValueOut(Schema):
    id: int
    partnership_id: int
    code: str
    collection_year: int = Field(description="The year the census year ends: 2025 for 1 April 2024 to 31 March 2025.")
    period: str = Field(description="For example 2024-25.")
    locality_id: int | None = Field(description="Null for the whole partnership.")
    locality_name: str | None
    breakdown: str
    numerator: int | None
    denominator: int | None = Field(description="Null for counts; the population aged 0-17 for rates.")
    value: float | None = Field(description="Percent (0-100), count, rate per 10,000 or working days.")
    population_year: int | None
    computed_at: dt.datetime

    @staticmethod
    def resolve_locality_name(obj) -> str | None:
        return obj.locality.name if obj.locality_id else None


@router.get("", response=list[IndicatorOut], summary="List the indicators and their definitions")
def list_indicators(request):
    return [
        {
            "code": i.code,
            "title": i.title,
            "definition": i.definition,
            "numerator": i.numerator,
            "denominator": i.denominator,
            "unit": str(i.unit),
            "polarity": str(i.polarity),
            "source": i.source,
            "section": str(i.section),
            "breakdown": i.breakdown,
            "benchmark_column": i.benchmark_column,
        }
        for i in registry.all_indicators()
    ]


@router.get("/values", response=list[ValueOut], summary="List computed indicator values")
@paginate(Pagination)
def list_values(
    request,
    partnership: int | None = _filter_id("Only this partnership's values."),
    year: int | None = Query(None, ge=2000, le=2100, description="Census year ending, for example 2025."),
    code: str | None = Query(None, max_length=60, description="Only this indicator (see GET /indicators)."),
    locality: int | None = _filter_id("Only this locality's values (the whole partnership's have none)."),
):
    """Exact figures, for the analyst role only (others get an empty list: the suppressed figures are in
    the child protection process review and its spreadsheet). Ordered by year, indicator, area (the
    whole partnership first) and breakdown."""
    # Exact, unsuppressed figures: for the analyst role only (decision 0008, point 6). Others get the
    # review's suppressed figures from its spreadsheet export.
    readable = selectors.partnerships_viewing_indicators(user=request.user)
    exact = partnerships_with_capability(request.user, Capability.VIEW_CHILD_DATA)
    if exact is not None:
        readable = readable.filter(pk__in=exact)
    qs = IndicatorValue.objects.visible_to(request.user).filter(partnership__in=readable).select_related("locality")
    if partnership is not None:
        qs = qs.filter(partnership_id=partnership)
    if year is not None:
        qs = qs.filter(collection_year=year)
    if code is not None:
        qs = qs.filter(code=code)
    if locality is not None:
        qs = qs.filter(locality_id=locality)
    whole_first = F("locality_id").asc(nulls_first=True)
    return qs.order_by("partnership_id", "collection_year", "code", whole_first, "breakdown", "pk")


ROUTERS = [("/indicators", router)]
