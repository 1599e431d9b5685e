"""Writes for indicators, localities, population estimates, benchmarks and area settings.

- ``indicators_compute`` recomputes a partnership's figures from its current CIN census extracts
  and replaces its ``IndicatorValue`` rows for those years in one transaction (the partnership row
  is locked first, so two recomputations never interleave). It runs after every import
  (``receivers.py`` -> ``tasks.compute_indicators``) and daily (local closure days may change).
- Imports of population estimates and benchmarks are all-or-nothing: a file with any problem saves
  nothing, and the ``ValidationError`` lists every problem with its row and column.
- ``by=None`` is the system (management commands, tasks), never a web request. A web user needs
  ``extracts.import`` or ``partnerships.manage`` in the partnership for every write here.
"""

from __future__ import annotations

import logging
import re
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from safeguard.core.concurrency import save_new, save_versioned
from safeguard.partnerships.models import Locality, Partnership

from . import benchmarks, compute, population, registry, selectors
from .models import Benchmark, IndicatorSettings, IndicatorValue, PopulationEstimate

logger = logging.getLogger(__name__)

#: Row-level messages shown for one refused file; the rest are counted.
MAX_MESSAGES = 50


def _require_manage(by, partnership_id: int) -> None:
    if by is None:
        return
    if not selectors.can_manage_reference_data(by, Partnership(pk=partnership_id)):
        raise PermissionDenied(
            "Only the partnership's analysts and business unit can change its localities, populations and benchmarks."
        )


def _actor(by):
    return by if by is not None and getattr(by, "is_authenticated", False) else None


def _refuse(messages: list[str]) -> None:
    shown = messages[:MAX_MESSAGES]
    if len(messages) > MAX_MESSAGES:
        shown.append(f"... and {len(messages) - MAX_MESSAGES} more problems. Correct these first, then upload again.")
    raise ValidationError(shown)


# --- Computing ----------------------------------------------------------------------------------------
@dataclass
class ComputeResult:
    values: list[IndicatorValue] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)


@transaction.atomic
def indicators_compute(*, partnership: Partnership, years=None) -> ComputeResult:
    """Recompute the partnership's figures for ``years`` (default: every year with a current CIN
    census extract) and replace its stored values for those years (all its values when ``years``
    is None, so a year whose extract was withdrawn loses its figures)."""
    started = time.perf_counter()
    Partnership.objects.select_for_update().filter(pk=partnership.pk).first()  # one recomputation at a time
    wanted = None if years is None else sorted({int(y) for y in years})
    by_year: dict[int, list[int]] = defaultdict(list)
    for extract_id, year in compute.current_extracts(partnership.pk, wanted).values_list("pk", "collection_year"):
        by_year[year].append(extract_id)
    result = ComputeResult(years=sorted(by_year))
    now = timezone.now()
    for year in result.years:
        scope = compute.scope_for(by_year[year], year)
        population_years = {area: mid_year for area, (_, mid_year) in compute.populations(scope).items()}
        for indicator in registry.all_indicators():
            begun = time.perf_counter()
            for locality_id, breakdown, numerator, denominator in indicator.compute(scope, year):
                is_rate = indicator.kind == registry.RATE
                result.values.append(
                    IndicatorValue(
                        partnership=partnership,
                        code=indicator.code,
                        collection_year=year,
                        locality_id=locality_id,
                        breakdown=breakdown,
                        numerator=numerator,
                        denominator=denominator,
                        value=indicator.value_of(numerator, denominator),
                        population_year=population_years.get(locality_id) if is_rate and denominator else None,
                        computed_at=now,
                        extracts=sorted(scope.extract_ids),
                    )
                )
            key = indicator.code if len(result.years) == 1 else f"{indicator.code} {year}"
            result.timings[key] = time.perf_counter() - begun
    stale = IndicatorValue.objects.filter(partnership=partnership)
    if wanted is not None:
        stale = stale.filter(collection_year__in=wanted)
    stale.delete()
    IndicatorValue.objects.bulk_create(result.values, batch_size=1000)
    result.seconds = time.perf_counter() - started
    logger.info(
        "Computed %d indicator values for partnership %s (years %s) in %.2f s",
        len(result.values),
        partnership.pk,
        ", ".join(map(str, result.years)) or "none",
        result.seconds,
    )
    return result


# --- Localities ------------------------------------------------------------------------------------
LOCALITY_FIELDS = ("name", "code", "local_authority_code", "ons_code")


def _clean_locality(partnership_id: int, data: dict, *, exclude_pk: int | None = None) -> dict:
    data = {
        "name": (data.get("name") or "").strip(),
        "code": (data.get("code") or "").strip().lower(),
        "local_authority_code": (data.get("local_authority_code") or "").strip(),
        "ons_code": (data.get("ons_code") or "").strip().upper(),
    }
    errors: dict[str, list[str]] = {}
    others = Locality.objects.filter(partnership_id=partnership_id).exclude(pk=exclude_pk)
    if data["name"] and others.filter(name__iexact=data["name"]).exists():
        errors["name"] = ["Another locality of this partnership has this name. Choose a different name."]
    if data["code"] and others.filter(code=data["code"]).exists():
        errors["code"] = ["Another locality of this partnership uses this code. Choose a different code."]
    if data["ons_code"] and not re.fullmatch(r"[EWSN]\d{8}", data["ons_code"]):
        errors["ons_code"] = ["Enter an ONS area code: a letter and eight digits, for example E08000021."]
    if errors:
        raise ValidationError(errors)
    return data


@transaction.atomic
def locality_create(*, partnership: Partnership, by, **data) -> Locality:
    _require_manage(by, partnership.pk)
    locality = Locality(partnership=partnership, **_clean_locality(partnership.pk, data))
    locality.updated_by = _actor(by)
    save_new(locality, by=by)
    return locality


@transaction.atomic
def locality_update(*, locality: Locality, by, expected_version: int, **data) -> Locality:
    _require_manage(by, locality.partnership_id)
    for name, value in _clean_locality(locality.partnership_id, data, exclude_pk=locality.pk).items():
        setattr(locality, name, value)
    save_versioned(locality, expected_version=expected_version, by=by, fields=list(LOCALITY_FIELDS))
    return locality


@transaction.atomic
def locality_set_active(*, locality: Locality, by, expected_version: int, active: bool) -> Locality:
    """Retire a locality (kept for earlier figures and children already placed in it) or bring it back."""
    _require_manage(by, locality.partnership_id)
    locality.is_active = active
    save_versioned(locality, expected_version=expected_version, by=by, fields=["is_active"])
    return locality


# --- Area settings --------------------------------------------------------------------------------
def _clean_neighbours(text: str) -> str:
    codes = [c.strip().upper() for c in re.split(r"[\s,;]+", text or "") if c.strip()]
    bad = [c for c in codes if not re.fullmatch(r"\d{3}|[EWSN]\d{8}", c)]
    if bad:
        raise ValidationError(
            {
                "neighbour_codes": f"These are not local authority codes: {', '.join(bad)}. Enter three-digit codes "
                "(for example 830) or nine-character ONS codes, separated by commas."
            }
        )
    return ",".join(dict.fromkeys(codes))


@transaction.atomic
def indicator_settings_save(
    *, partnership: Partnership, by, ons_code: str, region_code: str, neighbour_codes: str, expected_version: int = 0
) -> IndicatorSettings:
    _require_manage(by, partnership.pk)
    settings = selectors.settings_for(partnership=partnership)
    settings.ons_code = (ons_code or "").strip().upper()
    settings.region_code = (region_code or "").strip().upper()
    settings.neighbour_codes = _clean_neighbours(neighbour_codes)
    errors = {}
    for name in ("ons_code", "region_code"):
        value = getattr(settings, name)
        if value and not re.fullmatch(r"[EWSN]\d{8}", value):
            errors[name] = ["Enter a nine-character ONS code: a letter and eight digits, for example E10000016."]
    if errors:
        raise ValidationError(errors)
    if settings.pk is None:
        settings.updated_by = _actor(by)
        save_new(settings, by=by)
    else:
        save_versioned(
            settings,
            expected_version=expected_version or settings.version,
            by=by,
            fields=["ons_code", "region_code", "neighbour_codes"],
        )
    return settings


# --- Population estimates ------------------------------------------------------------------------------
@dataclass
class ImportResult:
    saved: int
    messages: list[str]


@transaction.atomic
def population_import(*, partnership: Partnership, by, content: bytes, filename: str, year: int | None = None):
    """Save the partnership's and its localities' estimates from an ONS CSV; all or nothing.

    An estimate for an area and year already held is replaced."""
    _require_manage(by, partnership.pk)
    settings = selectors.settings_for(partnership=partnership)
    localities = list(Locality.objects.filter(partnership=partnership))
    areas = population.areas_for(partnership, localities, settings.ons_code)
    parsed = population.parse_population(content, areas=areas, year=year)
    if parsed.errors:
        _refuse(parsed.errors)
    source = f"{filename[:150]}: {parsed.columns_used}"[:300]
    for row in parsed.rows:
        PopulationEstimate.objects.filter(
            partnership=partnership, year=row.year, locality=row.locality
        ).delete()  # replaced (one per area and year)
        estimate = PopulationEstimate(
            partnership=partnership,
            year=row.year,
            locality=row.locality,
            area_code=row.area_code[:20],
            area_name=row.area_name,
            population=row.population,
            source=source,
            imported_by=_actor(by),
        )
        save_new(estimate, by=by)
    messages = [f"Used {parsed.columns_used}."]
    for row in parsed.rows:
        where = f"locality {row.locality.name}" if row.locality else "the whole partnership"
        messages.append(f"Row {row.line}: {where}, mid-{row.year}: {row.population:,} children aged 0 to 17.")
    if parsed.ignored_rows:
        messages.append(f"{parsed.ignored_rows} rows for other areas were ignored.")
    transaction.on_commit(lambda: _recompute_later(partnership.pk))
    return ImportResult(saved=len(parsed.rows), messages=messages)


# --- Benchmarks ---------------------------------------------------------------------------------------
@transaction.atomic
def benchmarks_import(*, partnership: Partnership, by, content: bytes, filename: str) -> ImportResult:
    """Save England, regional, own-authority and statistical-neighbour figures from a DfE table;
    all or nothing. Figures for the indicators and years in the file replace those held."""
    _require_manage(by, partnership.pk)
    settings = selectors.settings_for(partnership=partnership)
    parsed = benchmarks.parse_benchmarks(
        content,
        la_code=partnership.local_authority_code,
        ons_code=settings.ons_code,
        region_code=settings.region_code,
        neighbours=settings.neighbours,
    )
    if parsed.errors:
        _refuse(parsed.errors)
    pairs = {(row.code, row.collection_year) for row in parsed.rows}
    for code, year in pairs:
        Benchmark.objects.filter(partnership=partnership, code=code, collection_year=year).delete()
    Benchmark.objects.bulk_create(
        [
            Benchmark(
                partnership=partnership,
                code=row.code,
                collection_year=row.collection_year,
                area_kind=row.area_kind,
                area_code=row.area_code,
                area_name=row.area_name,
                value=row.value,
                marker=row.marker,
                source=filename[:300],
            )
            for row in parsed.rows
        ]
    )
    years = sorted({year for _, year in pairs})
    periods = ", ".join(f"{y - 1}-{y % 100:02d}" for y in years)
    messages = [
        f"Read the columns {', '.join(parsed.columns_used)} for {periods}: {len(parsed.rows)} figures saved.",
        *parsed.notes,
    ]
    logger.info("Imported %d benchmarks for partnership %s", len(parsed.rows), partnership.pk)
    return ImportResult(saved=len(parsed.rows), messages=messages)


#: Set inside ``indicators_recomputation_held`` (a bulk load that computes the figures itself at the end).
_HELD: ContextVar[set[int] | None] = ContextVar("indicators_recomputation_held", default=None)


@contextmanager
def indicators_recomputation_held() -> Iterator[set[int]]:
    """Within the block, loads and imports do not queue recomputations: the partnerships they would
    have recomputed are collected in the set yielded, and the caller computes their figures once at
    the end (``indicators_compute``). For bulk loads such as the demo data, where queuing one
    recomputation per file would leave the worker a dozen identical jobs."""
    held: set[int] = set()
    token = _HELD.set(held)
    try:
        yield held
    finally:
        _HELD.reset(token)


def indicators_queue_recomputation(*, partnership_id: int, years: list[int] | None = None) -> None:
    """Queue a recomputation of a partnership's figures (``years`` None: every year); a failure to
    queue is logged, and the daily recomputation catches up."""
    from . import tasks

    held = _HELD.get()
    if held is not None:
        held.add(partnership_id)
        return
    try:
        tasks.compute_indicators.enqueue(partnership_id=partnership_id, years=years)
    except Exception:
        logger.exception("Could not queue the recomputation of partnership %s's indicators", partnership_id)


def _recompute_later(partnership_id: int) -> None:
    """Rates use the population: recompute after a population or benchmark import."""
    indicators_queue_recomputation(partnership_id=partnership_id, years=None)
