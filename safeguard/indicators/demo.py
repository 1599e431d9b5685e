"""Synthetic reference data for the demo partnerships' figures: localities, area settings, ONS-style
population estimates and DfE-style benchmarks, all loaded through the services an analyst's uploads
use (``locality_create``, ``indicator_settings_save``, ``population_import``, ``benchmarks_import``);
and ``compute_demo_indicators``, which computes the figures once the demo census extracts are in.

Every place, authority and code here is invented: Northdale (991), Eastmoor Borough (992) and
Westbrook County (993), the statistical neighbours (981 to 990, 994 to 997) and their nine-character
codes (``E06000991``...), which no real ONS area uses. England's 2024-25 figures that
``shared/design/statutory.md`` quotes are the published ones; England's other figures and every
neighbour's are invented, close to the published national series, so the comparisons look credible.

Idempotent: a locality, area settings, population year or benchmark set already held is left alone.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass

from django.db.models import Max, Min

from safeguard.accounts.models import User
from safeguard.extracts.choices import ExtractKind
from safeguard.extracts.models import Extract
from safeguard.partnerships.models import Locality, Partnership

from . import services
from .models import Benchmark, IndicatorSettings, IndicatorValue, PopulationEstimate

DEMO_PARTNERSHIPS = ("northdale", "eastmoor-westbrook")
#: Census years (the year the census year ends) the demo compares: 2021-22 to 2025-26.
BENCHMARK_YEARS = (2022, 2023, 2024, 2025, 2026)


@dataclass(frozen=True)
class DemoLocality:
    name: str
    code: str
    local_authority_code: str = ""
    ons_code: str = ""
    #: Share of the partnership's children aged 0 to 17 who live there.
    share: float = 0.0


@dataclass(frozen=True)
class DemoArea:
    slug: str
    name: str
    ons_code: str  # the whole area's code in population tables ("" for a joint partnership: its localities sum)
    neighbours: tuple[str, ...]
    localities: tuple[DemoLocality, ...]
    #: Children aged 0 to 17 in the whole area at mid-year.
    population: dict[int, int]


# Northdale's localities in the order the census generator weights them (most children first): a
# busy town centre with a higher rate of need, then smaller, more rural areas.
NORTHDALE = DemoArea(
    slug="northdale",
    name="Northdale",
    ons_code="E06000991",
    neighbours=("981", "982", "983", "984", "985", "986", "987", "988", "989", "990"),
    localities=(
        DemoLocality("Dalesgate", "dalesgate", share=0.38),
        DemoLocality("Fellside", "fellside", share=0.29),
        DemoLocality("Kirkby Moor", "kirkby-moor", share=0.20),
        DemoLocality("Thornbeck", "thornbeck", share=0.13),
    ),
    population={2021: 47_850, 2022: 48_120, 2023: 48_390, 2024: 48_610, 2025: 48_800},
)
# A joint partnership of two authorities: one locality each, placing every child of its authority's
# census; the partnership's population is the sum of theirs (no row of its own).
EASTMOOR_WESTBROOK = DemoArea(
    slug="eastmoor-westbrook",
    name="Eastmoor and Westbrook",
    ons_code="",
    neighbours=("981", "983", "985", "986", "988", "990", "994", "995", "996", "997"),
    localities=(
        DemoLocality("Eastmoor", "eastmoor", local_authority_code="992", ons_code="E06000992", share=0.42),
        DemoLocality("Westbrook", "westbrook", local_authority_code="993", ons_code="E10000993", share=0.58),
    ),
    population={2024: 66_930, 2025: 67_240},
)
AREAS = {area.slug: area for area in (NORTHDALE, EASTMOOR_WESTBROOK)}

#: Invented statistical neighbours: (three-digit code, nine-character code, name, children aged 0-17).
NEIGHBOURS = (
    ("981", "E06000981", "Ashcombe", 41_200),
    ("982", "E06000982", "Brackenridge", 52_800),
    ("983", "E06000983", "Calderholme", 38_900),
    ("984", "E06000984", "Dunsworth", 57_300),
    ("985", "E06000985", "Elmstead", 44_600),
    ("986", "E06000986", "Farrowdale", 61_900),
    ("987", "E06000987", "Greywell", 35_400),
    ("988", "E06000988", "Hartwick", 49_700),
    ("989", "E06000989", "Inglebrook", 46_100),
    ("990", "E06000990", "Larkhaven", 54_500),
    ("994", "E10000994", "Marlow Fen", 72_800),
    ("995", "E10000995", "Netherwold", 68_300),
    ("996", "E06000996", "Oakhurst", 33_700),
    ("997", "E10000997", "Penhallow", 75_100),
)
#: A neighbour of both demo partnerships whose latest share of plans lasting 2 years or more is "c".
SUPPRESSED_NEIGHBOUR = "986"

ENGLAND_CHILDREN = 12_150_000
#: England's figures by census year. 2024-25 is the DfE's (statutory.md: 632,830 referrals, 22.6%
#: re-referrals, 6.5% NFA, 648,830 assessments with a median of 33 working days and about 86% within
#: 45, 230,590 enquiries, 72,100 conferences of which 58,670 within 15 working days, 61,840 plans
#: started, 62,300 ended, 49,420 open; about a quarter second or later). The other years, and the
#: shares of plans lasting 2 years or more and reviewed on time, are invented near that series.
ENGLAND = {
    # year: referrals, re-referral %, NFA %, assessments, within 45 %, median days, S47s, ICPCs,
    #       ICPCs within 15 %, plans started, plans ended, plans open, second or later %, 2 years+ %,
    #       reviewed on time %
    2022: (650_270, 21.5, 6.6, 646_400, 84.1, 34, 201_940, 74_480, 78.3, 63_620, 64_100, 50_920, 23.3, 3.4, 91.8),
    2023: (650_910, 22.4, 6.4, 653_680, 84.7, 34, 214_190, 74_960, 78.9, 63_750, 63_540, 51_130, 23.6, 3.5, 91.5),
    2024: (621_880, 22.4, 6.5, 640_010, 85.6, 33, 225_190, 72_880, 80.1, 62_270, 63_410, 50_010, 24.0, 3.6, 91.2),
    2025: (632_830, 22.6, 6.5, 648_830, 86.0, 33, 230_590, 72_100, 81.4, 61_840, 62_300, 49_420, 24.5, 3.7, 90.9),
    2026: (628_410, 22.1, 6.3, 651_200, 86.4, 33, 234_760, 71_380, 82.0, 61_250, 61_820, 48_930, 24.8, 3.6, 91.4),
}  # fmt: skip
COUNT_COLUMNS = (
    "referrals",
    "assessments_completed",
    "s47_enquiries",
    "icpcs",
    "cpp_starting",
    "cpp_ending",
    "cpp_at_31_march",
)
PERCENT_COLUMNS = (
    "re_referrals_percent",
    "referrals_nfa_percent",
    "assessments_within_45_days_percent",
    "icpcs_within_15_days_percent",
    "cpp_second_or_subsequent_percent",
    "cpp_ending_2_years_plus_percent",
    "cpp_reviewed_on_time_percent",
)
MEASURES = (
    "referrals",
    "re_referrals_percent",
    "referrals_nfa_percent",
    "assessments_completed",
    "assessments_within_45_days_percent",
    "assessments_median_days",
    "s47_enquiries",
    "s47_icpc_percent",
    "icpcs",
    "icpcs_within_15_days_percent",
    "cpp_starting",
    "cpp_starting_rate",
    "cpp_ending",
    "cpp_at_31_march",
    "cpp_at_31_march_rate",
    "cpp_second_or_subsequent_percent",
    "cpp_ending_2_years_plus_percent",
    "cpp_reviewed_on_time_percent",
)
LAYOUT = (
    "time_period",
    "time_identifier",
    "geographic_level",
    "country_code",
    "country_name",
    "region_code",
    "region_name",
    "old_la_code",
    "new_la_code",
    "la_name",
)
BENCHMARKS_FILENAME = "children_in_need_la_2021-22_to_2025-26 (demo).csv"


# --- Loading ------------------------------------------------------------------------------------------
def load_demo_reference_data() -> list[str]:
    """Localities, area settings, populations and benchmarks of each demo partnership that lacks
    them. Returns the slugs of the partnerships something was added to."""
    loaded = []
    for partnership in Partnership.objects.filter(slug__in=DEMO_PARTNERSHIPS).order_by("pk"):
        area = AREAS[partnership.slug]
        manager = _demo_user("manager", partnership)
        analyst = _demo_user("analyst", partnership)
        added = _localities(partnership, area, by=manager)
        added |= _settings(partnership, area, by=manager)
        added |= _populations(partnership, area, by=analyst)
        added |= _benchmarks(partnership, by=analyst)
        if added:
            loaded.append(partnership.slug)
    return loaded


def _demo_user(key: str, partnership: Partnership) -> User | None:
    """The partnership's demo user for a role (None, the system, if it was removed)."""
    return User.objects.filter(email=f"{key}@{partnership.slug}.example", is_active=True).first()


def _localities(partnership: Partnership, area: DemoArea, *, by) -> bool:
    held = Locality.objects.filter(partnership=partnership)
    codes = set(held.values_list("code", flat=True))
    names = {name.casefold() for name in held.values_list("name", flat=True)}
    added = False
    for locality in area.localities:
        if locality.code in codes or locality.name.casefold() in names:
            continue  # already there (or a locality of the same name was added by hand)
        services.locality_create(
            partnership=partnership,
            by=by,
            name=locality.name,
            code=locality.code,
            local_authority_code=locality.local_authority_code,
            ons_code=locality.ons_code,
        )
        added = True
    return added


def _settings(partnership: Partnership, area: DemoArea, *, by) -> bool:
    if IndicatorSettings.objects.filter(partnership=partnership).exists():
        return False
    services.indicator_settings_save(
        partnership=partnership,
        by=by,
        ons_code=area.ons_code,
        region_code="",
        neighbour_codes=",".join(area.neighbours),
    )
    return True


def _populations(partnership: Partnership, area: DemoArea, *, by) -> bool:
    held = set(PopulationEstimate.objects.filter(partnership=partnership).values_list("year", flat=True))
    added = False
    for year in sorted(area.population):
        if year in held:
            continue
        services.population_import(
            partnership=partnership,
            by=by,
            content=population_csv(area, year),
            filename=f"ons_mye2_persons_mid-{year}_{area.slug} (demo).csv",
            year=year,
        )
        added = True
    return added


def _benchmarks(partnership: Partnership, *, by) -> bool:
    if Benchmark.objects.filter(partnership=partnership).exists():
        return False
    services.benchmarks_import(partnership=partnership, by=by, content=benchmarks_csv(), filename=BENCHMARKS_FILENAME)
    return True


# --- The files ----------------------------------------------------------------------------------------
#: Children of each single year of age, as a share of those aged 0 to 17 (slightly more teenagers
#: than babies, as in recent ONS estimates).
AGE_SHARES = tuple(0.051 + 0.0005 * age for age in range(18))
ADULTS_PER_CHILD = 3.8  # for the "All ages" column, which the import does not read


def population_csv(area: DemoArea, year: int) -> bytes:
    """An ONS "MYE2 - Persons" style table for one mid-year: Code, Name, Geography, All ages, then one
    column per single year of age 0 to 17 (the import sums them). England's row, the whole area's
    (when it has an ONS code) and each locality's: the import ignores England."""
    total = area.population[year]
    rows = [("E92000001", "ENGLAND", "Country", ENGLAND_CHILDREN + (year - 2024) * 15_000)]
    if area.ons_code:
        rows.append((area.ons_code, area.name, "Unitary Authority", total))
    for locality in area.localities:
        code = locality.ons_code or locality.code
        geography = "Local Authority" if locality.ons_code else "Locality (wards)"
        rows.append((code, locality.name, geography, round(total * locality.share)))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Code", "Name", "Geography", "All ages", *map(str, range(18))])
    for code, name, geography, children in rows:
        ages = _split(children)
        writer.writerow([code, name, geography, round(children * (1 + ADULTS_PER_CHILD)), *ages])
    return out.getvalue().encode()


def _split(children: int) -> list[int]:
    """Children by single year of age, summing exactly to ``children``."""
    weight = sum(AGE_SHARES)
    ages = [int(children * share / weight) for share in AGE_SHARES]
    ages[-1] += children - sum(ages)
    return ages


def benchmarks_csv() -> bytes:
    """A table in the layout of the DfE's Explore Education Statistics downloads: England and each
    invented neighbour, every demo year. One neighbour's smallest figure is suppressed ("c")."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*LAYOUT, *MEASURES])
    for year in BENCHMARK_YEARS:
        period = f"{year - 1}{year % 100:02d}"
        england = _england(year)
        writer.writerow(
            [period, "Financial year", "National", "E92000001", "England", "", "", "", "", ""]
            + [england[m] for m in MEASURES]
        )
        for index, (code, ons_code, name, children) in enumerate(NEIGHBOURS):
            figures = _neighbour(england, year, index, children)
            writer.writerow(
                [period, "Financial year", "Local authority", "E92000001", "England", "", "", code, ons_code, name]
                + [figures[m] for m in MEASURES]
            )
    return out.getvalue().encode()


def _england(year: int) -> dict[str, str]:
    (ref, rr, nfa, ass, a45, median, s47, icpc, i15, start, end, open_, second, long_, reviewed) = ENGLAND[year]
    counts = dict(zip(COUNT_COLUMNS, (ref, ass, s47, icpc, start, end, open_), strict=True))
    percents = dict(zip(PERCENT_COLUMNS, (rr, nfa, a45, i15, second, long_, reviewed), strict=True))
    figures = {name: str(value) for name, value in counts.items()}
    figures |= {name: f"{value:.1f}" for name, value in percents.items()}
    figures["assessments_median_days"] = str(median)
    figures["s47_icpc_percent"] = f"{100 * icpc / s47:.1f}"
    figures["cpp_starting_rate"] = f"{10_000 * start / ENGLAND_CHILDREN:.1f}"
    figures["cpp_at_31_march_rate"] = f"{10_000 * open_ / ENGLAND_CHILDREN:.1f}"
    return figures


def _neighbour(england: dict[str, str], year: int, index: int, children: int) -> dict[str, str]:
    """A neighbour's figures: England's scaled to its size, with its own steady leaning (each
    authority is consistently a little above or below England) and some year-to-year noise."""
    leaning = random.Random(f"neighbour-{index}")  # noqa: S311 - invented figures, not security
    noise = random.Random(f"neighbour-{index}-{year}")  # noqa: S311
    need = leaning.uniform(0.8, 1.3) * noise.uniform(0.95, 1.05)  # demand relative to England, per child
    size = children / ENGLAND_CHILDREN
    figures = {}
    for name in COUNT_COLUMNS:
        figures[name] = str(round(float(england[name]) * size * need))
    for name in PERCENT_COLUMNS:
        lean = leaning.uniform(-4.0, 4.0)
        value = float(england[name]) + lean + noise.uniform(-1.5, 1.5)
        figures[name] = f"{min(99.9, max(0.5, value)):.1f}"
    figures["assessments_median_days"] = str(round(float(england["assessments_median_days"]) + leaning.randint(-4, 5)))
    figures["s47_icpc_percent"] = f"{100 * int(figures['icpcs']) / max(1, int(figures['s47_enquiries'])):.1f}"
    figures["cpp_starting_rate"] = f"{10_000 * int(figures['cpp_starting']) / children:.1f}"
    figures["cpp_at_31_march_rate"] = f"{10_000 * int(figures['cpp_at_31_march']) / children:.1f}"
    if NEIGHBOURS[index][0] == SUPPRESSED_NEIGHBOUR and year == BENCHMARK_YEARS[-1]:
        figures["cpp_ending_2_years_plus_percent"] = "c"  # 1 to 5 plans: suppressed by the DfE
    return figures


# --- Computing ----------------------------------------------------------------------------------------
def compute_demo_indicators() -> list[tuple[str, int]]:
    """Compute the figures of each demo partnership whose current census extracts are newer than its
    figures (or which has none yet). Returns (slug, number of census years) for each one computed."""
    computed = []
    for partnership in Partnership.objects.filter(slug__in=DEMO_PARTNERSHIPS).order_by("pk"):
        current = Extract.objects.filter(partnership=partnership, kind=ExtractKind.CIN_CENSUS, is_current=True)
        newest_load = current.aggregate(newest=Max("finished_at"))["newest"]
        if newest_load is None:
            continue
        oldest_value = IndicatorValue.objects.filter(partnership=partnership).aggregate(oldest=Min("computed_at"))
        if oldest_value["oldest"] is not None and oldest_value["oldest"] >= newest_load:
            continue
        result = services.indicators_compute(partnership=partnership)
        computed.append((partnership.slug, len(result.years)))
    return computed
