"""Reads for indicators, populations, benchmarks and localities. Every read starts from
``visible_to(user)``; child-level drill-through is for the analyst role only and is access-logged.

Who may do what (``rules`` permissions registered in ``apps.py``):

- ``indicators.view_indicators``: ``indicators.view`` in the partnership (every staff role and read-only);
- ``indicators.manage_reference_data``: localities, population estimates, benchmarks and area
  settings, and recomputing figures: ``extracts.import`` (analysts) or ``partnerships.manage``
  (the business unit, which keeps the partnership's other reference records).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import Http404

from safeguard.audit.services import access_log_record
from safeguard.core.access import has_capability, partnerships_with_capability
from safeguard.core.roles import Capability
from safeguard.extracts.models import CensusChild
from safeguard.partnerships.models import Locality, Partnership

from . import compute, registry
from .models import Benchmark, IndicatorSettings, IndicatorValue, PopulationEstimate

MANAGE_CAPABILITIES = (Capability.IMPORT_EXTRACTS, Capability.MANAGE_PARTNERSHIP)


# --- Permissions ------------------------------------------------------------------------------------
def _partnership_id(obj) -> int | None:
    if obj is None:
        return None
    if isinstance(obj, Partnership):
        return obj.pk
    return getattr(obj, "partnership_id", None)


def can_view_indicators(user, obj=None) -> bool:
    return has_capability(user, _partnership_id(obj), Capability.VIEW_INDICATORS)


def can_manage_reference_data(user, obj=None) -> bool:
    partnership_id = _partnership_id(obj)
    return any(has_capability(user, partnership_id, capability) for capability in MANAGE_CAPABILITIES)


def can_view_child_data(user, obj=None) -> bool:
    return has_capability(user, _partnership_id(obj), Capability.VIEW_CHILD_DATA)


def _with_capabilities(user, capabilities) -> list[int] | None:
    ids: set[int] = set()
    for capability in capabilities:
        found = partnerships_with_capability(user, capability)
        if found is None:
            return None
        ids.update(found)
    return sorted(ids)


def partnerships_viewing_indicators(*, user):
    """Partnerships whose figures the user may read, by name."""
    ids = _with_capabilities(user, [Capability.VIEW_INDICATORS])
    qs = Partnership.objects.visible_to(user).order_by("name")
    return qs if ids is None else qs.filter(pk__in=ids)


def partnerships_managing_reference_data(*, user):
    ids = _with_capabilities(user, MANAGE_CAPABILITIES)
    qs = Partnership.objects.visible_to(user).filter(is_active=True).order_by("name")
    return qs if ids is None else qs.filter(pk__in=ids)


def partnership_for_indicators(*, user, pk: int | None) -> Partnership:
    """The partnership a page shows: the one asked for (404 when the user may not read its
    figures), or the first the user may read."""
    qs = partnerships_viewing_indicators(user=user)
    partnership = qs.filter(pk=pk).first() if pk is not None else qs.first()
    if partnership is None:
        raise Http404("No such partnership")
    return partnership


# --- Indicator values and benchmarks -------------------------------------------------------------------
def indicator_values(*, user, partnership, years=None, codes=None) -> list[IndicatorValue]:
    """The partnership's computed values (empty for a partnership the user may not read): one query."""
    if not can_view_indicators(user, partnership):
        return []
    qs = IndicatorValue.objects.visible_to(user).filter(partnership=partnership).select_related("locality")
    if years is not None:
        qs = qs.filter(collection_year__in=list(years))
    if codes is not None:
        qs = qs.filter(code__in=list(codes))
    whole_first = F("locality__name").asc(nulls_first=True)
    return list(qs.order_by("collection_year", "code", whole_first, "breakdown"))


def value_years(*, user, partnership) -> list[int]:
    """Census years with computed values, newest first."""
    if not can_view_indicators(user, partnership):
        return []
    return list(
        IndicatorValue.objects.visible_to(user)
        .filter(partnership=partnership)
        .order_by("-collection_year")
        .values_list("collection_year", flat=True)
        .distinct()
    )


def benchmarks_for(*, user, partnership, years=None) -> dict[tuple[str, int, str], Benchmark]:
    """``{(code, collection_year, area_kind): Benchmark}`` for the partnership (one query)."""
    if not can_view_indicators(user, partnership):
        return {}
    qs = Benchmark.objects.visible_to(user).filter(partnership=partnership)
    if years is not None:
        qs = qs.filter(collection_year__in=list(years))
    return {(b.code, b.collection_year, b.area_kind): b for b in qs.order_by("area_code")}


def indicator_members(*, user, partnership, code: str, year: int, locality_id, breakdown: str, part: str):
    """The children behind one figure (analysts only; every call is written to the access log).

    404 for a partnership the user cannot see, an unknown indicator or another partnership's
    locality; ``PermissionDenied`` without ``extracts.view_child_data`` in the partnership.
    """
    if not Partnership.objects.visible_to(user).filter(pk=partnership.pk).exists():
        raise Http404("No such partnership")
    if not can_view_child_data(user, partnership):
        raise PermissionDenied("Only the partnership's analysts can see the children behind a figure.")
    try:
        indicator = registry.get(code)
    except KeyError:
        raise Http404("No such indicator") from None
    if locality_id is not None and not Locality.objects.filter(pk=locality_id, partnership=partnership).exists():
        raise Http404("No such locality")
    extracts = list(compute.current_extracts(partnership.pk, [year]))
    figure = IndicatorValue.objects.filter(
        partnership=partnership, code=code, collection_year=year, locality_id=locality_id, breakdown=breakdown or ""
    ).first() or (extracts[0] if extracts else partnership)
    access_log_record(user=user, obj=figure, action="view")
    if not extracts:
        return CensusChild.objects.none()
    children = indicator.members(extracts, year, locality_id, breakdown or "", part)
    return children.select_related("locality").order_by("la_child_id", "pk")


# --- Localities -------------------------------------------------------------------------------------
def locality_list(*, user):
    return Locality.objects.visible_to(user).select_related("partnership")


def locality_get(*, user, pk):
    return locality_list(user=user).get(pk=pk)


# --- Populations, benchmarks, settings ----------------------------------------------------------------
def population_list(*, user):
    return PopulationEstimate.objects.visible_to(user).select_related("partnership", "locality")


def benchmark_list(*, user):
    return Benchmark.objects.visible_to(user).select_related("partnership")


def settings_for(*, partnership) -> IndicatorSettings:
    """The partnership's settings (an unsaved empty one when none were saved yet)."""
    return IndicatorSettings.objects.filter(partnership=partnership).first() or IndicatorSettings(
        partnership=partnership
    )


def partnership_get(*, user, pk):
    """A partnership the user can see (for the area settings page)."""
    return Partnership.objects.visible_to(user).get(pk=pk)
