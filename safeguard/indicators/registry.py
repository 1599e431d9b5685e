"""The indicator registry: every figure Safeguard computes from the CIN census, in one list.

Each ``Indicator`` says in words what it counts (for practitioners and the definitions page), where
the rule comes from, and how it is computed: ``compute(extracts, year)`` runs its SQL (``compute.py``)
over the partnership's current census extracts of that year and returns rows of
``(locality_id | None, breakdown_value, numerator, denominator)`` (None: the whole partnership);
``members(extracts, year, locality_id, breakdown_value, part)`` lists the children behind a figure.

Sources
-------
- DfE, "Children in need census: guide" (each year) and the DfE "Children in need" national
  statistics (Explore Education Statistics): the census items and how the DfE counts them.
- Working Together to Safeguard Children 2023 (HM Government), "Providing help, support and
  protection": assessments within 45 working days of the referral; the initial child protection
  conference within 15 working days of the strategy discussion at which the section 47 enquiry
  started; the first review conference within 3 months of the initial conference, then at most
  every 6 months. See /work/shared/design/statutory.md.

Add an indicator by adding an entry to ``INDICATORS``: its code is stable (it is stored with every
value and benchmark), so never reuse or rename one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from . import compute as sql
from .choices import Part, Polarity, Section, Unit

CENSUS = "DfE Children in need census guide and national statistics"
WT_HELP = "Working Together to Safeguard Children 2023, 'Providing help, support and protection'"

#: How an indicator's rows are formed from its events query.
COUNT, RATIO, SHARE, RATE, MEDIAN = "count", "ratio", "share", "rate", "median"


@dataclass(frozen=True)
class Indicator:
    code: str
    title: str
    definition: str
    numerator: str
    denominator: str
    unit: str
    polarity: str
    source: str
    section: str
    breakdown: str = ""
    benchmark_column: str = ""
    compute: Callable = field(default=None, repr=False, compare=False)
    members: Callable = field(default=None, repr=False, compare=False)
    #: what it counts in SQL (``compute.py``), and how its rows are formed
    measure: sql.Measure = field(default=None, repr=False, compare=False)
    kind: str = RATIO

    def value_of(self, numerator: int | None, denominator: int | None) -> float | None:
        """The figure from a row's numerator and denominator, in the indicator's unit."""
        if numerator is None:
            return None
        if self.unit in (Unit.PERCENT, Unit.RATE_PER_10000):
            if not denominator:
                return None
            scale = 100 if self.unit == Unit.PERCENT else 10_000
            return numerator * scale / denominator
        return float(numerator)


# --- compute and members ---------------------------------------------------------------------------
def _breakdown_values(indicator: Indicator, present: set[str]) -> list[str]:
    if not indicator.breakdown:
        return [""]
    return list(sql.CATEGORIES) + sorted(present - set(sql.CATEGORIES))


def _measures_on(rows: sql.Rows) -> list[sql.Measure]:
    """Every measure counted from ``rows``: their figures come from one statement."""
    return list(dict.fromkeys(i.measure for i in INDICATORS if i.measure.family.rows is rows))


def _compute(indicator: Indicator, extracts, year: int) -> list[sql.Row]:
    scope = sql.scope_for(extracts, year)
    areas = [None, *scope.locality_ids]
    figures = sql.figures(_measures_on(indicator.measure.family.rows), scope)
    if indicator.kind == MEDIAN:
        medians = figures.medians[indicator.measure]
        return [(area, "", *(medians.get(area) or (None, 0))) for area in areas]
    groups = figures.totals[indicator.measure]
    present = {breakdown for _, breakdown in groups} if indicator.breakdown else set()
    breakdowns = _breakdown_values(indicator, present)
    areas += sorted({loc for loc, _ in groups if loc is not None} - set(scope.locality_ids))
    totals: dict[tuple[int | None, str], list[int]] = {(area, bd): [0, 0] for area in areas for bd in breakdowns}
    for (locality_id, breakdown), (num, den) in groups.items():
        breakdown = breakdown if indicator.breakdown else ""
        for area in {None, locality_id}:
            cell = totals.setdefault((area, breakdown), [0, 0])
            cell[0] += num
            cell[1] += den
    if indicator.kind == SHARE:
        by_area: dict[int | None, int] = {}
        for (area, _), (num, _den) in totals.items():
            by_area[area] = by_area.get(area, 0) + num
        return [(area, bd, num, by_area[area]) for (area, bd), (num, _den) in totals.items()]
    if indicator.kind == RATE:
        population = sql.populations(scope)
        return [(area, bd, num, (population.get(area) or (None, None))[0]) for (area, bd), (num, _) in totals.items()]
    if indicator.kind == COUNT:
        return [(area, bd, num, None) for (area, bd), (num, _) in totals.items()]
    return [(area, bd, num, den) for (area, bd), (num, den) in totals.items()]


def _members(indicator: Indicator, extracts, year: int, locality_id, breakdown_value, part: str):
    from safeguard.extracts.models import CensusChild

    if part not in Part.values:
        raise ValueError(f"'{part}' is not a part of a figure: use 'numerator' or 'denominator'.")
    scope = sql.scope_for(extracts, year)
    if indicator.kind in (COUNT, RATE) and part == Part.DENOMINATOR:
        return CensusChild.objects.none()  # a count has no denominator; a rate's is the population
    if indicator.kind == MEDIAN:
        part = Part.DENOMINATOR  # the children whose assessments the median is taken over
    breakdown = breakdown_value if indicator.breakdown else None
    if indicator.kind == SHARE and part == Part.DENOMINATOR:
        breakdown = None  # the denominator is every plan in the area, whatever its category
    return sql.members(indicator.measure, scope, locality_id=locality_id, breakdown=breakdown, part=part)


def _indicator(**kwargs) -> Indicator:
    indicator = Indicator(**kwargs)
    object.__setattr__(indicator, "compute", partial(_compute, indicator))
    object.__setattr__(indicator, "members", partial(_members, indicator))
    return indicator


IN_YEAR = "in the census year (1 April to 31 March)"
EARLIER_FILES = (
    "Earlier referrals are looked for in this year's census file, which also holds the episodes referred in "
    "earlier years that were still open on 1 April, and in the previous year's current census file of the same "
    "local authority (the same LAchildID), so a referral closed before 1 April still counts."
)
WITHIN_12_MONTHS = (
    "Within 12 months means on or before the same date a year later (for a referral on 29 February, on or "
    "before 28 February)."
)
WORKING_DAYS = (
    "Working days are Monday to Friday except England and Wales bank holidays and the partnership's local "
    "closure days (the DfE's own figures skip bank holidays only). The start date is day 0; 'within N working "
    "days' means on or before the Nth working day after it."
)
CATEGORY = (
    "Categories: neglect (NEG), emotional abuse (EMO), physical abuse (PHY), sexual abuse (SAB) and multiple "
    "categories (MUL); 'not_recorded' for a plan with no valid category."
)
POPULATION = (
    "Children aged 0 to 17 from the ONS mid-year estimate within the census year (mid-2024 for 2024-25), or the "
    "latest earlier one imported. For the whole partnership, the partnership's own estimate; without one, the sum "
    "of every locality's estimate."
)

INDICATORS: list[Indicator] = [
    # --- Referrals -----------------------------------------------------------------------------
    _indicator(
        code="referrals",
        title="Referrals",
        definition=f"Referrals to children's social care {IN_YEAR}: CIN episodes whose referral date is in the year.",
        numerator="Referrals in the year",
        denominator="",
        unit=Unit.COUNT,
        polarity=Polarity.NEUTRAL,
        source=CENSUS,
        section=Section.REFERRALS,
        benchmark_column="referrals",
        measure=sql.REFERRAL,
        kind=COUNT,
    ),
    _indicator(
        code="re_referrals_12m",
        title="Re-referrals within 12 months of a previous referral",
        definition=(
            "Referrals in the year made within 12 months after a previous referral of the same child. "
            f"{WITHIN_12_MONTHS} {EARLIER_FILES}"
        ),
        numerator="Referrals in the year with a previous referral of the child in the 12 months before",
        denominator="Referrals in the year",
        unit=Unit.PERCENT,
        polarity=Polarity.LOWER_BETTER,
        source=CENSUS,
        section=Section.REFERRALS,
        benchmark_column="re_referrals_percent",
        measure=sql.RE_REFERRAL,
    ),
    _indicator(
        code="referrals_nfa",
        title="Referrals with no further action",
        definition="Referrals in the year recorded as needing no further action (ReferralNFA).",
        numerator="Referrals in the year with no further action",
        denominator="Referrals in the year",
        unit=Unit.PERCENT,
        polarity=Polarity.NEUTRAL,
        source=CENSUS,
        section=Section.REFERRALS,
        benchmark_column="referrals_nfa_percent",
        measure=sql.REFERRAL_NFA,
    ),
    # --- Assessments ---------------------------------------------------------------------------
    _indicator(
        code="assessments_completed",
        title="Assessments completed",
        definition=f"Child and family assessments authorised (completed) {IN_YEAR}.",
        numerator="Assessments completed in the year",
        denominator="",
        unit=Unit.COUNT,
        polarity=Polarity.NEUTRAL,
        source=CENSUS,
        section=Section.ASSESSMENTS,
        benchmark_column="assessments_completed",
        measure=sql.ASSESSMENT,
        kind=COUNT,
    ),
    _indicator(
        code="assessments_within_45_wd",
        title="Assessments completed within 45 working days of the referral",
        definition=(
            "Assessments completed in the year whose authorisation date is within 45 working days of the referral "
            "(Working Together 2023: 'within 45 working days from the point of referral'). The first assessment of "
            "an episode is measured from the referral date; a later assessment in the same episode, which has no "
            f"referral of its own, from its own start date. {WORKING_DAYS}"
        ),
        numerator="Assessments completed in the year within 45 working days",
        denominator="Assessments completed in the year",
        unit=Unit.PERCENT,
        polarity=Polarity.HIGHER_BETTER,
        source=f"{CENSUS}; {WT_HELP}",
        section=Section.ASSESSMENTS,
        benchmark_column="assessments_within_45_days_percent",
        measure=sql.ASSESSMENT_45,
    ),
    _indicator(
        code="assessment_median_wd",
        title="Median working days to complete an assessment",
        definition=(
            "The median number of working days from the referral (or, for a later assessment in the same episode, "
            "its start) to the authorisation of assessments completed in the year. For an even number of "
            f"assessments, the lower of the two middle values. {WORKING_DAYS}"
        ),
        numerator="Median working days",
        denominator="Assessments completed in the year",
        unit=Unit.DAYS,
        polarity=Polarity.LOWER_BETTER,
        source=f"{CENSUS}; {WT_HELP}",
        section=Section.ASSESSMENTS,
        benchmark_column="assessments_median_days",
        measure=sql.ASSESSMENT_DAYS,
        kind=MEDIAN,
    ),
    # --- Section 47 enquiries and conferences ----------------------------------------------------
    _indicator(
        code="s47_started",
        title="Section 47 enquiries started",
        definition=f"Section 47 enquiries whose start date is {IN_YEAR}.",
        numerator="Section 47 enquiries started in the year",
        denominator="",
        unit=Unit.COUNT,
        polarity=Polarity.NEUTRAL,
        source=CENSUS,
        section=Section.SECTION_47,
        benchmark_column="s47_enquiries",
        measure=sql.S47,
        kind=COUNT,
    ),
    _indicator(
        code="s47_to_icpc",
        title="Section 47 enquiries leading to an initial child protection conference",
        definition=(
            "Section 47 enquiries started in the year with an initial child protection conference recorded. "
            "Conferences held after 31 March are not in the file yet, so enquiries started late in March lower the "
            "figure slightly."
        ),
        numerator="Section 47 enquiries started in the year with a conference date",
        denominator="Section 47 enquiries started in the year",
        unit=Unit.PERCENT,
        polarity=Polarity.NEUTRAL,
        source=CENSUS,
        section=Section.SECTION_47,
        benchmark_column="s47_icpc_percent",
        measure=sql.S47_ICPC,
    ),
    _indicator(
        code="icpcs",
        title="Initial child protection conferences",
        definition=(
            f"Initial child protection conferences held {IN_YEAR}: those recorded on a section 47 enquiry and those "
            "recorded on the CIN episode (when the enquiry was in an earlier year)."
        ),
        numerator="Initial conferences in the year",
        denominator="",
        unit=Unit.COUNT,
        polarity=Polarity.NEUTRAL,
        source=CENSUS,
        section=Section.SECTION_47,
        benchmark_column="icpcs",
        measure=sql.ICPC,
        kind=COUNT,
    ),
    _indicator(
        code="icpc_within_15_wd",
        title="Initial child protection conferences within 15 working days of the section 47 start",
        definition=(
            "Initial conferences held in the year on or before the 15th working day after the start of their section "
            "47 enquiry (the DfE measures from the enquiry's start date; Working Together 2023 from the strategy "
            f"discussion at which it started). Conferences recorded without an enquiry are not included. {WORKING_DAYS}"
        ),
        numerator="Initial conferences in the year within 15 working days of the section 47 start",
        denominator="Initial conferences in the year recorded on a section 47 enquiry",
        unit=Unit.PERCENT,
        polarity=Polarity.HIGHER_BETTER,
        source=f"{CENSUS}; {WT_HELP}",
        section=Section.SECTION_47,
        benchmark_column="icpcs_within_15_days_percent",
        measure=sql.ICPC_15,
    ),
    # --- Child protection plans ------------------------------------------------------------------
    _indicator(
        code="cpp_started",
        title="Child protection plans started",
        definition=f"Child protection plans whose start date is {IN_YEAR}.",
        numerator="Plans started in the year",
        denominator="",
        unit=Unit.COUNT,
        polarity=Polarity.NEUTRAL,
        source=CENSUS,
        section=Section.CP_PLANS,
        benchmark_column="cpp_starting",
        measure=sql.PLAN_STARTED,
        kind=COUNT,
    ),
    _indicator(
        code="cpp_ended",
        title="Child protection plans ended",
        definition=f"Child protection plans whose end date is {IN_YEAR}.",
        numerator="Plans ended in the year",
        denominator="",
        unit=Unit.COUNT,
        polarity=Polarity.NEUTRAL,
        source=CENSUS,
        section=Section.CP_PLANS,
        benchmark_column="cpp_ending",
        measure=sql.PLAN_ENDED,
        kind=COUNT,
    ),
    _indicator(
        code="cpp_open_31_march",
        title="Child protection plans open at 31 March",
        definition="Plans started on or before 31 March with no end date, or an end date after 31 March.",
        numerator="Plans open at 31 March",
        denominator="",
        unit=Unit.COUNT,
        polarity=Polarity.NEUTRAL,
        source=CENSUS,
        section=Section.CP_PLANS,
        benchmark_column="cpp_at_31_march",
        measure=sql.PLAN_OPEN,
        kind=COUNT,
    ),
    _indicator(
        code="cpp_started_rate",
        title="Child protection plans started per 10,000 children",
        definition=f"Plans started in the year per 10,000 children aged 0 to 17. {POPULATION}",
        numerator="Plans started in the year",
        denominator="Children aged 0 to 17 (ONS mid-year estimate)",
        unit=Unit.RATE_PER_10000,
        polarity=Polarity.NEUTRAL,
        source=f"{CENSUS}; ONS mid-year population estimates",
        section=Section.CP_PLANS,
        benchmark_column="cpp_starting_rate",
        measure=sql.PLAN_STARTED,
        kind=RATE,
    ),
    _indicator(
        code="cpp_open_rate",
        title="Child protection plans open at 31 March per 10,000 children",
        definition=f"Plans open at 31 March per 10,000 children aged 0 to 17. {POPULATION}",
        numerator="Plans open at 31 March",
        denominator="Children aged 0 to 17 (ONS mid-year estimate)",
        unit=Unit.RATE_PER_10000,
        polarity=Polarity.NEUTRAL,
        source=f"{CENSUS}; ONS mid-year population estimates",
        section=Section.CP_PLANS,
        benchmark_column="cpp_at_31_march_rate",
        measure=sql.PLAN_OPEN,
        kind=RATE,
    ),
    _indicator(
        code="cpp_initial_category",
        title="Plans started, by initial category of abuse",
        definition=f"The share of plans started in the year in each initial category of abuse. {CATEGORY}",
        numerator="Plans started in the year in the category",
        denominator="Plans started in the year",
        unit=Unit.PERCENT,
        polarity=Polarity.NEUTRAL,
        source=CENSUS,
        section=Section.CP_PLANS,
        breakdown="initial_category",
        measure=sql.PLAN_STARTED,
        kind=SHARE,
    ),
    _indicator(
        code="cpp_latest_category",
        title="Plans open at 31 March, by latest category of abuse",
        definition=f"The share of plans open at 31 March in each latest category of abuse. {CATEGORY}",
        numerator="Plans open at 31 March in the category",
        denominator="Plans open at 31 March",
        unit=Unit.PERCENT,
        polarity=Polarity.NEUTRAL,
        source=CENSUS,
        section=Section.CP_PLANS,
        breakdown="latest_category",
        measure=sql.PLAN_OPEN,
        kind=SHARE,
    ),
    _indicator(
        code="cpp_second_or_subsequent",
        title="Second or subsequent child protection plans",
        definition=(
            "Plans started in the year for a child who had been on a plan before, at any time: the plan records "
            "previous plans (NumberOfPreviousCPP above 0), or an earlier plan of the child is in this year's census "
            "file or in the current census files of the two years before for the same local authority."
        ),
        numerator="Plans started in the year that are second or subsequent plans",
        denominator="Plans started in the year",
        unit=Unit.PERCENT,
        polarity=Polarity.LOWER_BETTER,
        source=CENSUS,
        section=Section.CP_PLANS,
        benchmark_column="cpp_second_or_subsequent_percent",
        measure=sql.PLAN_SECOND,
    ),
    _indicator(
        code="cpp_second_within_2y",
        title="Plans started within 2 years of a previous plan ending",
        definition=(
            "Plans started in the year for a child whose previous plan ended on or before the new start and no more "
            "than 2 years before it (on or after the same date two years earlier). Previous plans are looked for in "
            "this year's census file and in the current census files of the two years before for the same local "
            "authority (the same LAchildID); NumberOfPreviousCPP gives no dates, so a plan older than those files "
            "cannot count."
        ),
        numerator="Plans started in the year within 2 years of a previous plan ending",
        denominator="Plans started in the year",
        unit=Unit.PERCENT,
        polarity=Polarity.LOWER_BETTER,
        source=CENSUS,
        section=Section.CP_PLANS,
        measure=sql.PLAN_SECOND_2Y,
    ),
    _indicator(
        code="cpp_ended_2y_plus",
        title="Plans ended after lasting 2 years or more",
        definition=(
            "Plans ended in the year that had lasted 2 years or more: the end date is on or after the same date two "
            "years after the start."
        ),
        numerator="Plans ended in the year that lasted 2 years or more",
        denominator="Plans ended in the year",
        unit=Unit.PERCENT,
        polarity=Polarity.LOWER_BETTER,
        source=CENSUS,
        section=Section.CP_PLANS,
        benchmark_column="cpp_ending_2_years_plus_percent",
        measure=sql.PLAN_ENDED_2Y,
    ),
    _indicator(
        code="cp_reviews_on_time",
        title="Child protection plans reviewed on time",
        definition=(
            "Plans open at 31 March that had lasted at least 3 months, whose reviews were all on time: the first "
            "review conference within 3 months of the plan's start, each later one within 6 months of the one "
            "before, and the last one no more than 6 months before 31 March (none overdue then). Months are calendar "
            "months: 'within 3 months' of 30 November is on or before 28 February (29 in a leap year). Reviews on or "
            "before the plan's start are ignored."
        ),
        numerator="Plans open at 31 March, lasting 3 months or more, with every review on time",
        denominator="Plans open at 31 March that had lasted 3 months or more",
        unit=Unit.PERCENT,
        polarity=Polarity.HIGHER_BETTER,
        source=f"{CENSUS}; {WT_HELP}",
        section=Section.CP_PLANS,
        benchmark_column="cpp_reviewed_on_time_percent",
        measure=sql.REVIEWED_ON_TIME,
    ),
]

_BY_CODE = {indicator.code: indicator for indicator in INDICATORS}
assert len(_BY_CODE) == len(INDICATORS), "indicator codes must be unique"


def all_indicators() -> list[Indicator]:
    return list(INDICATORS)


def get(code: str) -> Indicator:
    """The indicator with this code (``KeyError`` for an unknown one)."""
    return _BY_CODE[code]


def by_benchmark_column() -> dict[str, Indicator]:
    return {i.benchmark_column: i for i in INDICATORS if i.benchmark_column}


def sections() -> list[tuple[str, list[Indicator]]]:
    """The indicators grouped by section, in the order of ``Section``."""
    return [(section.label, [i for i in INDICATORS if i.section == section]) for section in Section]
