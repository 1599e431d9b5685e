"""CIN census rules: assessments (the ``Assessments`` groups of each ``CINdetails`` episode).

Source: DfE, "Children in need census 2025 to 2026: validation rules" (codes and conditions as the
DfE states them are listed in ``shared/design/cin-census-rules.md``); the assessment factor codes
are those of the DfE "Children in need census 2025 to 2026: guide", annex A (``codes.py``).

An assessment is *completed* when it has an ``AssessmentAuthorisationDate`` and *open* when it has
none. Every rule here is a plain function returning a sequence of ``Hit`` (the shared empty tuple
when nothing is wrong, so a clean child allocates nothing).

Working days
------------
8670Q counts working days with ``ctx.calendar`` (England and Wales bank holidays plus the
partnership's closures) and the convention of ``safeguard.workdays.calendar``: day 0 is the start
date and "within N working days" means on or before the Nth working day after it.

Shared helpers
--------------
This module also holds the few helpers the other part-2 rule modules (``section47``,
``cin_plans``, ``cp_plans``) import: the line of an element, the hit list made only on the first
problem, the O(n log n) overlap sweep (``starts_inside_another``), date ``Spans`` and the
working-day threshold (``earliest_start_not_overdue``).
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from operator import itemgetter
from typing import TypeVar

from safeguard.extracts.census.codes import NO_FACTORS_IDENTIFIED
from safeguard.extracts.census.records import AssessmentRecord, ChildRecord
from safeguard.extracts.census.validation import ERROR, QUERY, CensusContext, Hit, rule
from safeguard.workdays.calendar import Calendar, OutOfCalendarRange

START = "AssessmentActualStartDate"
END = "AssessmentAuthorisationDate"
FACTORS = "AssessmentFactors"
REFERRAL = "CINreferralDate"
CLOSURE = "CINclosureDate"
REASON = "ReasonForClosure"

#: Working days an assessment may stay open (Working Together to Safeguard Children 2023: at most
#: 45 working days from referral); the DfE measures 8670Q back from the end of the census year.
ASSESSMENT_WORKING_DAYS = 45
#: Reasons for closure that say the case closed after the assessment (RC8 no further action, RC9
#: referred to early help).
CLOSED_AFTER_ASSESSMENT = frozenset({"RC8", "RC9"})

T = TypeVar("T")

NO_HITS: tuple[Hit, ...] = ()
_OPEN = dt.date.max  # an open assessment is ongoing with no end in sight


# --- helpers shared with the other part-2 rule modules (section47, cin_plans, cp_plans) -------------


def line_of(record, field: str) -> int:
    """The line of ``field`` in ``record``, or the record's own line when the element is absent."""
    return record.lines.get(field) or record.line


def add_hit(hits: list[Hit] | None, hit: Hit) -> list[Hit]:
    """Append to a list made only when the first problem is found (a clean child allocates nothing)."""
    if hits is None:
        return [hit]
    hits.append(hit)
    return hits


def quote_codes(codes: Iterable[str]) -> str:
    return ", ".join(f"'{code}'" for code in codes)


def starts_inside_another(
    items: Iterable[T], start_of: Callable[[T], dt.date | None], until_of: Callable[[T], dt.date]
) -> list[tuple[T, T]]:
    """Each item whose start falls within another item's span, with one such other item.

    A span runs from its start up to, not including, ``until_of(item)``; the pairwise condition is
    "``b.start <= a.start < b.until`` for some ``b`` other than ``a``", which is how the DfE words
    its overlap rules. Sorting by start makes it O(n log n): every candidate ``b`` either starts on
    an earlier day (then the furthest-reaching of them is enough) or on the same day (then any other
    one reaching past that day is). Items with no start are skipped. Returns (item, witness) pairs
    in start order.
    """
    dated = []
    for item in items:
        start = start_of(item)
        if start is not None:
            dated.append((start, until_of(item), item))
    if len(dated) < 2:
        return []
    dated.sort(key=itemgetter(0))
    found: list[tuple[T, T]] = []
    furthest_until, furthest = dt.date.min, None  # among items starting on earlier days
    i, n = 0, len(dated)
    while i < n:
        day = dated[i][0]
        j = i + 1
        while j < n and dated[j][0] == day:
            j += 1
        group = dated[i:j]
        reaching = [entry for entry in group if entry[1] > day] if len(group) > 1 else []
        for entry in group:
            witness = furthest if furthest_until > day else None
            if witness is None:
                witness = next((other[2] for other in reaching if other is not entry), None)
            if witness is not None:
                found.append((entry[2], witness))
        for entry in group:
            if entry[1] > furthest_until:
                furthest_until, furthest = entry[1], entry[2]
        i = j
    return found


class Spans:
    """Date spans ``[start, until)`` answering "which span holds this day?" in O(log n).

    Built from (start, until, record) triples; ``holding(day)`` returns a record whose span holds
    ``day`` (the one reaching furthest), or None.
    """

    __slots__ = ("_furthest", "_reach", "_starts")

    def __init__(self, spans: Iterable[tuple[dt.date, dt.date, object]]):
        ordered = sorted(spans, key=itemgetter(0))
        self._starts = [start for start, _, _ in ordered]
        self._reach: list[dt.date] = []
        self._furthest: list = []
        reach, furthest = dt.date.min, None
        for _, until, record in ordered:
            if until > reach:
                reach, furthest = until, record
            self._reach.append(reach)
            self._furthest.append(furthest)

    def holding(self, day: dt.date):
        k = bisect_right(self._starts, day)
        if k and self._reach[k - 1] > day:
            return self._furthest[k - 1]
        return None


# --- working days, shared with the section 47 rules --------------------------------------------------


@lru_cache(maxsize=64)
def earliest_start_not_overdue(calendar: Calendar, period_end: dt.date, days: int) -> dt.date:
    """The earliest start date from which a step still open on ``period_end`` is within ``days``
    working days; a step that started before it and is still open has run longer.

    Found once per (calendar, census year, limit) by binary search over ``Calendar.within``, which
    only turns from False to True as the start moves later, so each rule afterwards compares one
    date per record. A ``period_end`` outside the calendar raises ``OutOfCalendarRange``: the
    import must be given a calendar that covers the census year. Starts before the first date the
    calendar holds count as overdue (the calendar goes back years before any census year).
    """
    lo, hi = calendar.first.toordinal(), period_end.toordinal()
    if hi < lo:
        raise OutOfCalendarRange(period_end, calendar.first, calendar.last, "period_end")
    while lo < hi:
        mid = (lo + hi) // 2
        if calendar.within(dt.date.fromordinal(mid), period_end, days):
            hi = mid
        else:
            lo = mid + 1
    return dt.date.fromordinal(lo)


def overdue_clause(calendar: Calendar, start: dt.date, days: int, period_end: dt.date) -> str:
    """The end of a message about a step still open after its limit, for example "the census year
    ended on 2025-03-31, after its 45th working day (2025-02-10)"."""
    try:
        deadline = calendar.add(start, days)
    except OutOfCalendarRange:
        return f"the census year ended on {period_end}, more than {days} working days after it started"
    return f"the census year ended on {period_end}, after its {days}th working day ({deadline})"


# --- dates ---------------------------------------------------------------------------------------


@rule(
    "1103",
    severity=ERROR,
    title="An assessment does not start before the referral date of its episode.",
    fix="Correct the assessment start date or the referral date: the assessment starts on or after the referral.",
    fields=(START, REFERRAL),
)
def assessment_starts_before_referral(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    hits = None
    for episode in child.episodes:
        referral = episode.referral_date
        if referral is None:
            continue
        for assessment in episode.assessments:
            start = assessment.start_date
            if start is not None and start < referral:
                message = f"The assessment starting {start} starts before the episode's referral date, {referral}."
                hits = add_hit(hits, Hit(START, line_of(assessment, START), message))
    return hits or NO_HITS


@rule(
    "8608",
    severity=ERROR,
    title="An assessment is not authorised before it starts.",
    fix="Correct the assessment start date or authorisation date: the authorisation is on or after the start.",
    fields=(START, END),
)
def assessment_authorised_before_it_starts(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    hits = None
    for episode in child.episodes:
        for assessment in episode.assessments:
            start, end = assessment.start_date, assessment.authorisation_date
            if start is not None and end is not None and start > end:
                message = f"The assessment starting {start} is authorised earlier, on {end}."
                hits = add_hit(hits, Hit(END, line_of(assessment, END), message))
    return hits or NO_HITS


@rule(
    "8696",
    severity=ERROR,
    title="An assessment's authorisation date falls within the census year.",
    fix=(
        "Correct the authorisation date, or leave it out if the assessment was not authorised by the end of the "
        "census year; an assessment completed before the census year belongs in an earlier return."
    ),
    fields=(END,),
)
def assessment_authorised_outside_census_year(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    hits = None
    first, last = ctx.period_start, ctx.period_end
    for episode in child.episodes:
        for assessment in episode.assessments:
            end = assessment.authorisation_date
            if end is not None and not first <= end <= last:
                message = (
                    f"The assessment starting {assessment.start_date or 'on an unknown date'} is authorised on {end}, "
                    f"outside the census year {first} to {last}."
                )
                hits = add_hit(hits, Hit(END, line_of(assessment, END), message))
    return hits or NO_HITS


@rule(
    "8736",
    severity=ERROR,
    title="An assessment not yet authorised starts within the census year.",
    fix=(
        "Correct the start date, or add the authorisation date if the assessment was completed: an open assessment "
        "must have started in the census year."
    ),
    fields=(START, END),
)
def open_assessment_starts_outside_census_year(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """A missing start date on an open assessment is reported here too: it cannot fall within the
    census year."""
    hits = None
    first, last = ctx.period_start, ctx.period_end
    for episode in child.episodes:
        for assessment in episode.assessments:
            if assessment.authorisation_date is not None:
                continue
            start = assessment.start_date
            if start is None:
                message = "An assessment with no authorisation date has no start date either."
            elif not first <= start <= last:
                message = (
                    f"The assessment starting {start} has no authorisation date and starts outside the census year "
                    f"{first} to {last}."
                )
            else:
                continue
            hits = add_hit(hits, Hit(START, line_of(assessment, START), message))
    return hits or NO_HITS


@rule(
    "8670Q",
    severity=QUERY,
    title="An assessment still open at the end of the census year has run no more than 45 working days.",
    fix=(
        "Add the authorisation date if the assessment was completed; otherwise check the start date and explain why "
        "the assessment has taken more than 45 working days."
    ),
    fields=(START, END),
)
def open_assessment_beyond_45_working_days(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """Queried when an assessment with no authorisation date started so long before the end of the
    census year (31 March) that the year ended after its 45th working day.

    Decision on the boundary: an assessment whose 45th working day is 31 March itself is *not*
    queried (it is still within 45 working days). When 31 March is not a working day, an
    assessment whose 45th working day was the last working day before it is queried: it was still
    open after its limit. This matches the DfE's wording, "the start date should not be before the
    reference date minus 45 working days".
    """
    hits = None
    threshold = None
    for episode in child.episodes:
        for assessment in episode.assessments:
            start = assessment.start_date
            if start is None or assessment.authorisation_date is not None:
                continue
            if threshold is None:
                threshold = earliest_start_not_overdue(ctx.calendar, ctx.period_end, ASSESSMENT_WORKING_DAYS)
            if start < threshold:
                clause = overdue_clause(ctx.calendar, start, ASSESSMENT_WORKING_DAYS, ctx.period_end)
                message = f"The assessment started on {start} has no authorisation date, and {clause}."
                hits = add_hit(hits, Hit(START, line_of(assessment, START), message))
    return hits or NO_HITS


# --- open assessments in one episode -------------------------------------------------------------


@rule(
    "8863Q",
    severity=QUERY,
    title="An assessment does not start while another assessment in the same episode is still open.",
    fix=(
        "Check the start and authorisation dates of the assessments in the episode: authorise the earlier one "
        "before the next starts, or remove a duplicate."
    ),
    fields=(START, END),
)
def assessment_starts_while_another_is_open(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """Within one episode (O(n log n), see ``starts_inside_another``): an assessment is queried if
    it starts on or after the start of another one and before that one's authorisation date.

    Decisions: an assessment that starts on the day the previous one was authorised does not
    overlap it; two assessments starting on the same day do; an open assessment (no authorisation
    date) is ongoing, so any later start overlaps it. Assessments with no start date are left to
    8736.
    """
    hits = None
    for episode in child.episodes:
        if len(episode.assessments) < 2:
            continue
        for assessment, other in starts_inside_another(episode.assessments, _start_of, _authorised_or_open):
            if other.authorisation_date is None:
                state = "which has no authorisation date"
            else:
                state = f"authorised on {other.authorisation_date}"
            message = (
                f"The assessment starting {assessment.start_date} starts while the assessment started on "
                f"{other.start_date}, {state}, is still open."
            )
            hits = add_hit(hits, Hit(START, line_of(assessment, START), message))
    return hits or NO_HITS


def _start_of(assessment: AssessmentRecord) -> dt.date | None:
    return assessment.start_date


def _authorised_or_open(assessment: AssessmentRecord) -> dt.date:
    return assessment.authorisation_date or _OPEN


@rule(
    "8896",
    severity=ERROR,
    title="An episode has at most one open assessment (one with no authorisation date).",
    fix="Add the authorisation date to every assessment that was completed, or remove a duplicate assessment.",
    fields=(END,),
)
def episode_has_two_open_assessments(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    hits = None
    for episode in child.episodes:
        assessments = episode.assessments
        if len(assessments) < 2:
            continue
        open_ones = [a for a in assessments if a.authorisation_date is None]
        if len(open_ones) > 1:
            starts = ", ".join(str(a.start_date or "an unknown date") for a in open_ones)
            message = (
                f"The episode referred on {episode.referral_date or 'an unknown date'} has {len(open_ones)} "
                f"assessments with no authorisation date (starting {starts})."
            )
            hits = add_hit(hits, Hit(END, line_of(open_ones[1], END), message))
    return hits or NO_HITS


@rule(
    "8867",
    severity=ERROR,
    title="A closed episode has no assessment left without an authorisation date.",
    fix=(
        "Add the authorisation date of each assessment in the closed episode, or remove the closure date if the "
        "episode is still open."
    ),
    fields=(CLOSURE, END),
)
def closed_episode_has_open_assessment(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    hits = None
    for episode in child.episodes:
        closure = episode.closure_date
        if closure is None:
            continue
        for assessment in episode.assessments:
            if assessment.authorisation_date is None:
                message = (
                    f"The episode closed on {closure}, but the assessment starting "
                    f"{assessment.start_date or 'on an unknown date'} has no authorisation date."
                )
                hits = add_hit(hits, Hit(END, line_of(assessment, END), message))
    return hits or NO_HITS


# --- factors identified at assessment ------------------------------------------------------------


@rule(
    "8614",
    severity=ERROR,
    title="Factors identified at assessment are recorded only for an authorised (completed) assessment.",
    fix="Add the assessment's authorisation date if it was completed; otherwise remove its factors.",
    fields=(FACTORS, END),
)
def factors_on_open_assessment(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    hits = None
    for episode in child.episodes:
        for assessment in episode.assessments:
            if assessment.authorisation_date is None and any(assessment.factors):
                message = (
                    f"The assessment starting {assessment.start_date or 'on an unknown date'} has no authorisation "
                    f"date but records factors {quote_codes(f for f in assessment.factors if f)}."
                )
                hits = add_hit(hits, Hit(FACTORS, line_of(assessment, FACTORS), message))
    return hits or NO_HITS


@rule(
    "8897Q",
    severity=QUERY,
    title="An assessment authorised in the census year records at least one factor identified at assessment.",
    fix="Add the factors identified at the end of the assessment, or '21' if no factors were identified.",
    fields=(FACTORS, END),
)
def completed_assessment_without_factors(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """Only assessments authorised on or after the start of the census year are queried: factors of
    an assessment completed in an earlier year were reported then."""
    hits = None
    first = ctx.period_start
    for episode in child.episodes:
        for assessment in episode.assessments:
            end = assessment.authorisation_date
            if end is not None and end >= first and not any(assessment.factors):
                message = (
                    f"The assessment starting {assessment.start_date or 'on an unknown date'} was authorised on {end} "
                    "but records no factors identified at assessment."
                )
                hits = add_hit(hits, Hit(FACTORS, line_of(assessment, FACTORS), message))
    return hits or NO_HITS


@rule(
    "8869",
    severity=ERROR,
    title="Factor '21' (no factors identified) is not combined with any other factor.",
    fix="Remove '21' if factors were identified, or remove the other factors if none were.",
    fields=(FACTORS,),
)
def no_factors_code_combined_with_others(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    hits = None
    for episode in child.episodes:
        for assessment in episode.assessments:
            factors = assessment.factors
            if len(factors) > 1 and NO_FACTORS_IDENTIFIED in factors:
                others = [f for f in factors if f and f != NO_FACTORS_IDENTIFIED]
                if others:
                    message = (
                        f"The assessment starting {assessment.start_date or 'on an unknown date'} records '21' "
                        f"(no factors identified) together with {quote_codes(others)}."
                    )
                    hits = add_hit(hits, Hit(FACTORS, line_of(assessment, FACTORS), message))
    return hits or NO_HITS


@rule(
    "8898",
    severity=ERROR,
    title="An assessment records each factor identified at assessment only once.",
    fix="Remove the repeated factor codes from the assessment.",
    fields=(FACTORS,),
)
def assessment_repeats_a_factor(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    hits = None
    for episode in child.episodes:
        for assessment in episode.assessments:
            factors = assessment.factors
            if len(factors) > 1 and len(set(factors)) < len(factors):
                seen: set[str] = set()
                repeated = []
                for code in factors:
                    if code in seen and code not in repeated:
                        repeated.append(code)
                    seen.add(code)
                message = (
                    f"The assessment starting {assessment.start_date or 'on an unknown date'} records "
                    f"{quote_codes(repeated)} more than once."
                )
                hits = add_hit(hits, Hit(FACTORS, line_of(assessment, FACTORS), message))
    return hits or NO_HITS


@rule(
    "8873Q",
    severity=QUERY,
    title=(
        "An episode whose only assessment found no factors ('21') is closed with reason RC8 or RC9 (closed after "
        "assessment)."
    ),
    fix=(
        "Use reason for closure RC8 (no further action) or RC9 (referred to early help), or check the assessment "
        "factors and explain why the case went on."
    ),
    fields=(FACTORS, END, REASON),
)
def no_factors_assessment_not_closed_as_rc8_or_rc9(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """Decision: only episodes that record a reason for closure are queried. An open episode has no
    reason yet, and which reason it will close with is not known."""
    hits = None
    for episode in child.episodes:
        reason = episode.reason_for_closure
        if not reason or reason in CLOSED_AFTER_ASSESSMENT or len(episode.assessments) != 1:
            continue
        assessment = episode.assessments[0]
        if assessment.authorisation_date is not None and NO_FACTORS_IDENTIFIED in assessment.factors:
            message = (
                f"The episode's only assessment (authorised {assessment.authorisation_date}) found no factors ('21'), "
                f"but the episode closed with reason '{reason}', not RC8 or RC9."
            )
            hits = add_hit(hits, Hit(REASON, line_of(episode, REASON), message))
    return hits or NO_HITS


def _obsolete_factor(child: ChildRecord, code: str, replacements: str) -> Sequence[Hit]:
    hits = None
    for episode in child.episodes:
        for assessment in episode.assessments:
            if code in assessment.factors:
                message = (
                    f"The assessment starting {assessment.start_date or 'on an unknown date'} uses factor '{code}', "
                    f"which is no longer used: record {replacements} instead."
                )
                hits = add_hit(hits, Hit(FACTORS, line_of(assessment, FACTORS), message))
    return hits or NO_HITS


@rule(
    "8945Q",
    severity=QUERY,
    title="Assessment factor '18A' is no longer used ('18B' or '18C' replace it).",
    fix="Replace factor '18A' with '18B' or '18C' (see the DfE census guide for which applies).",
    fields=(FACTORS,),
    years=(2025, None),
)
def obsolete_factor_18a(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """Applies from the 2024-25 collection (collection year 2025)."""
    return _obsolete_factor(child, "18A", "'18B' or '18C'")


@rule(
    "8950Q",
    severity=QUERY,
    title="Assessment factor '19A' is no longer used ('19B' or '19C' replace it).",
    fix="Replace factor '19A' with '19B' or '19C' (see the DfE census guide for which applies).",
    fields=(FACTORS,),
    years=(2025, None),
)
def obsolete_factor_19a(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """Applies from the 2024-25 collection (collection year 2025)."""
    return _obsolete_factor(child, "19A", "'19B' or '19C'")
