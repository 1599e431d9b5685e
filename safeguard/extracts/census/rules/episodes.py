"""CIN census rules: CIN episodes (the CINdetails groups): referral, closure, no further action, and
what may be recorded on an episode.

Source: DfE, "Children in need census 2025 to 2026: validation rules" (conditions listed in
``shared/design/cin-census-rules.md``) and the guide's code sets (``codes.py``). Codes and
conditions are the DfE's; titles, messages and fixes are our own words.

"Activity" on an episode, as the rules use it:

- 2990 (closed as RC8/RC9 after assessment): the DfE lists what such an episode cannot hold: a
  Section47 group, a ChildProtectionPlans group, a CINPlanDates group, or DateOfInitialCPC at
  CINdetails level. Assessments are not activity here (RC8 and RC9 need one: see 8825Q).
- 8565 (activity after closure): the dates the DfE lists must be on or before CINclosureDate:
  AssessmentActualStartDate, AssessmentAuthorisationDate, S47ActualStartDate, DateOfInitialCPC (at
  both levels), CPPendDate, CINPlanStartDate and CINPlanEndDate. A CP plan's start is covered by
  its end (8925 keeps start before end); reviews fall inside the plan.
- 8831 (activity on a referral with no further action): AssessmentActualStartDate,
  AssessmentAuthorisationDate, S47ActualStartDate and DateOfInitialCPC (at either level). CIN plans
  on such an episode are rule 4000 and CP plans rule 8832, so they are not repeated here.

Every rule returns ``()`` when it has nothing to report, so a clean child costs no allocation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from functools import lru_cache

from safeguard.extracts.census.codes import PRIMARY_NEED_CODES, REASONS_FOR_CLOSURE, REFERRAL_SOURCES
from safeguard.extracts.census.records import ChildRecord, EpisodeRecord
from safeguard.extracts.census.validation import ERROR, QUERY, CensusContext, Hit, rule
from safeguard.workdays.calendar import Calendar

NO_HITS: tuple[Hit, ...] = ()
_REFERRAL_SOURCES = frozenset(REFERRAL_SOURCES)
_PRIMARY_NEEDS = frozenset(PRIMARY_NEED_CODES)
_REASONS_FOR_CLOSURE = frozenset(REASONS_FOR_CLOSURE)
#: Closure reasons meaning "case closed after assessment" (no further action / referred to early help).
CLOSED_AFTER_ASSESSMENT = frozenset({"RC8", "RC9"})
DIED = "RC2"
#: 8606: a referral may come at most 40 weeks (280 days) before the (expected) birth.
PRE_BIRTH_REFERRAL_DAYS = 280
_PRE_BIRTH = dt.timedelta(days=PRE_BIRTH_REFERRAL_DAYS)


def _add(hits: Sequence[Hit], hit: Hit) -> list[Hit]:
    """``hits`` with ``hit`` added: a new list the first time (rules start from the shared empty
    tuple, so a child with nothing to report allocates nothing)."""
    if hits is NO_HITS:
        return [hit]
    hits.append(hit)
    return hits


def _line(record, field: str) -> int:
    """The line of ``field`` in ``record``, or the record's own line when the field is absent."""
    return record.lines.get(field, record.line)


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day is not None else "(no date)"


def _census(ctx: CensusContext) -> str:
    return f"{ctx.year - 1}-{ctx.year % 100:02d}"


def _episode(episode: EpisodeRecord) -> str:
    """How a message names an episode: by its referral date."""
    return f"the episode referred on {_iso(episode.referral_date)}"


def _the_episode(episode: EpisodeRecord) -> str:
    """The same, to start a sentence."""
    return f"The episode referred on {_iso(episode.referral_date)}"


def _reason(code: str) -> str:
    return f"{code} ({REASONS_FOR_CLOSURE[code].lower()})" if code in REASONS_FOR_CLOSURE else f"'{code}'"


@lru_cache(maxsize=64)
def working_day_before(calendar: Calendar, day: dt.date) -> dt.date:
    """The last working day before ``day`` (weekends, bank holidays and the calendar's closures
    are skipped): "one working day prior" in 8569Q."""
    one = dt.timedelta(days=1)
    before = day - one
    while not calendar.is_working(before):
        before -= one
    return before


# --- The child has episodes -----------------------------------------------------------------------
@rule(
    "8590",
    severity=ERROR,
    title="The child has at least one CIN episode",
    fix="Add the child's CINdetails (referral and what followed), or remove the child from the return.",
    fields=("CINdetails",),
)
def child_without_episode(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """DfE 8590: every child must have at least one CINdetails group."""
    if child.episodes:
        return NO_HITS
    return [Hit("CINdetails", child.line, "This child has no CIN episode (CINdetails).")]


# --- Referral -------------------------------------------------------------------------------------
@rule(
    "8600",
    severity=ERROR,
    title="The referral date is given and is not after the census year",
    fix="Give the date of the referral; a referral after 31 March belongs in the next census.",
    fields=("CINreferralDate",),
)
def referral_missing_or_after_census_year(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """DfE 8600: CINreferralDate must be present and on or before the reference date (the end of
    the census year)."""
    hits = NO_HITS
    end = ctx.period_end
    for episode in child.episodes:
        referred = episode.referral_date
        if referred is None:
            message = "An episode has no referral date (CINreferralDate)."
        elif referred > end:
            message = (
                f"The referral on {referred.isoformat()} is after the end of the {_census(ctx)} census year "
                f"({end.isoformat()})."
            )
        else:
            continue
        hits = _add(hits, Hit("CINreferralDate", _line(episode, "CINreferralDate"), message))
    return hits


@rule(
    "8606",
    severity=ERROR,
    title="No referral is more than 40 weeks before the (expected) date of birth",
    fix="Check the referral date and the date of birth or expected date of birth, and correct the one that is wrong.",
    fields=("CINreferralDate", "PersonBirthDate", "ExpectedPersonBirthDate"),
)
def referral_long_before_birth(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """DfE 8606: CINreferralDate cannot be more than 280 days (40 weeks) before PersonBirthDate or
    ExpectedPersonBirthDate; checked against whichever of the two is given."""
    born, expected = child.birth_date, child.expected_birth_date
    hits = NO_HITS
    for episode in child.episodes:
        referred = episode.referral_date
        if referred is None:
            continue
        if born is not None and referred < born and referred < born - _PRE_BIRTH:
            hits = _add(hits, _referred_before_birth(episode, "date of birth", born))
        if expected is not None and referred < expected - _PRE_BIRTH:
            hits = _add(hits, _referred_before_birth(episode, "expected date of birth", expected))
    return hits


def _referred_before_birth(episode: EpisodeRecord, what: str, birth: dt.date) -> Hit:
    return Hit(
        "CINreferralDate",
        _line(episode, "CINreferralDate"),
        f"The referral on {episode.referral_date.isoformat()} is more than 40 weeks before the child's {what}, "
        f"{birth.isoformat()}.",
    )


@rule(
    "8555Q",
    severity=QUERY,
    title="No referral is after the child's date of death",
    fix="Check the referral date and the date of death, and correct the one that is wrong.",
    fields=("CINreferralDate", "PersonDeathDate"),
)
def referral_after_death(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """DfE 8555Q: if PersonDeathDate is present, no CINreferralDate should be after it."""
    died = child.death_date
    if died is None:
        return NO_HITS
    hits = NO_HITS
    for episode in child.episodes:
        if episode.referral_date is not None and episode.referral_date > died:
            hits = _add(
                hits,
                Hit(
                    "CINreferralDate",
                    _line(episode, "CINreferralDate"),
                    f"The referral on {episode.referral_date.isoformat()} is after the child's date of death, "
                    f"{died.isoformat()}.",
                ),
            )
    return hits


@rule(
    "8866",
    severity=ERROR,
    title="The referral source is given with a code from the DfE list",
    fix="Give ReferralSource as a DfE code: 1A-1D, 2A-2B, 3A-3F, 4, 5A-5D, 6, 7, 8, 9 or 10 (unknown).",
    fields=("ReferralSource",),
)
def referral_source_missing_or_invalid(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """DfE 8866: ReferralSource must be present and a code from the referral source table."""
    hits = NO_HITS
    for episode in child.episodes:
        source = episode.referral_source
        if source in _REFERRAL_SOURCES:
            continue
        if source:
            message = f"ReferralSource '{source}' on {_episode(episode)} is not a DfE referral source code."
        else:
            message = f"ReferralSource is missing on {_episode(episode)}."
        hits = _add(hits, Hit("ReferralSource", _line(episode, "ReferralSource"), message))
    return hits


@rule(
    "8650",
    severity=ERROR,
    title="A primary need code is from the DfE list",
    fix="Give PrimaryNeedCode as N0 to N9.",
    fields=("PrimaryNeedCode",),
)
def primary_need_invalid(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """DfE 8650: if present, PrimaryNeedCode must be a code from the primary need table (N0-N9)."""
    hits = NO_HITS
    for episode in child.episodes:
        if episode.primary_need and episode.primary_need not in _PRIMARY_NEEDS:
            hits = _add(
                hits,
                Hit(
                    "PrimaryNeedCode",
                    _line(episode, "PrimaryNeedCode"),
                    f"PrimaryNeedCode '{episode.primary_need}' on {_episode(episode)} is not N0 to N9.",
                ),
            )
    return hits


@rule(
    "8610",
    severity=ERROR,
    title="A referral that led to further action has a primary need code",
    fix="Give the child's primary need (N0 to N9) on every episode that is not a referral with no further action.",
    fields=("PrimaryNeedCode", "ReferralNFA"),
)
def primary_need_missing(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """DfE 8610: if ReferralNFA is false, PrimaryNeedCode must be present."""
    hits = NO_HITS
    for episode in child.episodes:
        if episode.referral_nfa is False and not episode.primary_need:
            hits = _add(
                hits,
                Hit(
                    "PrimaryNeedCode",
                    _line(episode, "PrimaryNeedCode"),
                    f"PrimaryNeedCode is missing on {_episode(episode)}, which led to further action.",
                ),
            )
    return hits


# --- No further action ----------------------------------------------------------------------------
@rule(
    "8568",
    severity=ERROR,
    title="ReferralNFA is given as true or false",
    fix="Give ReferralNFA as true (or 1) for a referral with no further action, otherwise false (or 0).",
    fields=("ReferralNFA",),
)
def referral_nfa_missing_or_invalid(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """DfE 8568: ReferralNFA must be present and a boolean (true, false, 1 or 0). The parser gives
    ``None`` for a missing or unreadable value."""
    hits = NO_HITS
    for episode in child.episodes:
        if episode.referral_nfa is None:
            hits = _add(
                hits,
                Hit(
                    "ReferralNFA",
                    _line(episode, "ReferralNFA"),
                    f"ReferralNFA on {_episode(episode)} is missing or is not true, false, 1 or 0.",
                ),
            )
    return hits


@rule(
    "8569Q",
    severity=QUERY,
    title="A referral with no further action was made in the census year (or on the working day before it)",
    fix="Check the referral date and ReferralNFA: a referral with no further action belongs in the census for the "
    "year it was made.",
    fields=("CINreferralDate", "ReferralNFA"),
)
def old_referral_marked_nfa(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """DfE 8569Q: if CINreferralDate is before [the start of the census year minus one working day],
    ReferralNFA should be false. "One working day prior" is the last working day before 1 April
    (weekends, bank holidays and the partnership's closures skipped): for 2024-25, 1 April 2024 was
    Easter Monday and 29 March Good Friday, so the cut-off is Thursday 28 March 2024, and a referral
    on that day may still be marked as no further action."""
    cutoff = None
    hits = NO_HITS
    for episode in child.episodes:
        referred = episode.referral_date
        if episode.referral_nfa is not True or referred is None or referred >= ctx.period_start:
            continue
        if cutoff is None:
            cutoff = working_day_before(ctx.calendar, ctx.period_start)
        if referred >= cutoff:
            continue
        hits = _add(
            hits,
            Hit(
                "ReferralNFA",
                _line(episode, "ReferralNFA"),
                f"The referral on {referred.isoformat()} is marked as no further action, but it is before "
                f"{cutoff.isoformat()}, the last working day before the {_census(ctx)} census year.",
            ),
        )
    return hits


def _nfa_activity(episode: EpisodeRecord) -> Iterator[tuple[str, int, dt.date, str]]:
    """What 8831 counts as activity on an episode: (element, line, date, description)."""
    for assessment in episode.assessments:
        if assessment.start_date is not None:
            yield (
                "AssessmentActualStartDate",
                _line(assessment, "AssessmentActualStartDate"),
                assessment.start_date,
                "an assessment starting",
            )
        if assessment.authorisation_date is not None:
            yield (
                "AssessmentAuthorisationDate",
                _line(assessment, "AssessmentAuthorisationDate"),
                assessment.authorisation_date,
                "an assessment authorised",
            )
    for s47 in episode.section47s:
        if s47.start_date is not None:
            yield (
                "S47ActualStartDate",
                _line(s47, "S47ActualStartDate"),
                s47.start_date,
                "a section 47 enquiry starting",
            )
        if s47.icpc_date is not None:
            yield (
                "DateOfInitialCPC",
                _line(s47, "DateOfInitialCPC"),
                s47.icpc_date,
                "an initial child protection conference",
            )
    if episode.initial_cpc_date is not None:
        yield (
            "DateOfInitialCPC",
            _line(episode, "DateOfInitialCPC"),
            episode.initial_cpc_date,
            "an initial child protection conference",
        )


@rule(
    "8831",
    severity=ERROR,
    title="A referral with no further action has no assessment, section 47 enquiry or conference",
    fix="If the referral led to an assessment, enquiry or conference, set ReferralNFA to false; otherwise remove "
    "those records from the episode.",
    fields=(
        "ReferralNFA",
        "AssessmentActualStartDate",
        "AssessmentAuthorisationDate",
        "S47ActualStartDate",
        "DateOfInitialCPC",
    ),
)
def activity_on_nfa_referral(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """DfE 8831: if ReferralNFA is true, the episode cannot have AssessmentActualStartDate,
    AssessmentAuthorisationDate, S47ActualStartDate or DateOfInitialCPC (see the module docstring
    for why CIN plans and CP plans are left to 4000 and 8832)."""
    hits = NO_HITS
    for episode in child.episodes:
        if episode.referral_nfa is not True or not (
            episode.assessments or episode.section47s or episode.initial_cpc_date is not None
        ):
            continue
        for element, line, day, what in _nfa_activity(episode):
            hits = _add(
                hits,
                Hit(
                    element,
                    line,
                    f"{_the_episode(episode)} is a referral with no further action, but it records {what} "
                    f"on {day.isoformat()}.",
                ),
            )
    return hits


@rule(
    "8832",
    severity=ERROR,
    title="A referral with no further action has no child protection plan",
    fix="If the referral led to a child protection plan, set ReferralNFA to false; otherwise remove the plan.",
    fields=("ReferralNFA", "CPPstartDate"),
)
def cp_plan_on_nfa_referral(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """DfE 8832: if ReferralNFA is true, the episode cannot have a ChildProtectionPlans group."""
    hits = NO_HITS
    for episode in child.episodes:
        if episode.referral_nfa is not True:
            continue
        for plan in episode.cp_plans:
            hits = _add(
                hits,
                Hit(
                    "CPPstartDate",
                    _line(plan, "CPPstartDate"),
                    f"{_the_episode(episode)} is a referral with no further action, but it has a child "
                    f"protection plan starting {_iso(plan.start_date)}.",
                ),
            )
    return hits


# --- Closure --------------------------------------------------------------------------------------
@rule(
    "8620",
    severity=ERROR,
    title="A closure date falls in the census year",
    fix="Correct the closure date; an episode closed before 1 April should not be in the return.",
    fields=("CINclosureDate",),
)
def closure_outside_census_year(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """DfE 8620: if present, CINclosureDate must be within the census year (1 April to 31 March)."""
    start, end = ctx.period_start, ctx.period_end
    hits = NO_HITS
    for episode in child.episodes:
        if episode.closure_date is not None and not start <= episode.closure_date <= end:
            hits = _add(
                hits,
                Hit(
                    "CINclosureDate",
                    _line(episode, "CINclosureDate"),
                    f"The closure date {episode.closure_date.isoformat()} of {_episode(episode)} is outside the "
                    f"{_census(ctx)} census year ({start.isoformat()} to {end.isoformat()}).",
                ),
            )
    return hits


@rule(
    "8630",
    severity=ERROR,
    title="An episode does not close before its referral",
    fix="Check the referral and closure dates of the episode and correct the one that is wrong.",
    fields=("CINclosureDate", "CINreferralDate"),
)
def closure_before_referral(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """DfE 8630: if present, CINclosureDate must be on or after CINreferralDate."""
    hits = NO_HITS
    for episode in child.episodes:
        if (
            episode.closure_date is not None
            and episode.referral_date is not None
            and episode.closure_date < episode.referral_date
        ):
            hits = _add(
                hits,
                Hit(
                    "CINclosureDate",
                    _line(episode, "CINclosureDate"),
                    f"The episode closes on {episode.closure_date.isoformat()}, before its referral on "
                    f"{episode.referral_date.isoformat()}.",
                ),
            )
    return hits


@rule(
    "8640",
    severity=ERROR,
    title="A reason for closure is from the DfE list",
    fix="Give ReasonForClosure as RC1 to RC9.",
    fields=("ReasonForClosure",),
)
def reason_for_closure_invalid(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """DfE 8640: if present, ReasonForClosure must be a code from the reason for closure table."""
    hits = NO_HITS
    for episode in child.episodes:
        if episode.reason_for_closure and episode.reason_for_closure not in _REASONS_FOR_CLOSURE:
            hits = _add(
                hits,
                Hit(
                    "ReasonForClosure",
                    _line(episode, "ReasonForClosure"),
                    f"ReasonForClosure '{episode.reason_for_closure}' on {_episode(episode)} is not RC1 to RC9.",
                ),
            )
    return hits


@rule(
    "8805",
    severity=ERROR,
    title="A closed episode has a reason for closure",
    fix="Give the reason the episode closed (RC1 to RC9), or remove the closure date if it is still open.",
    fields=("CINclosureDate", "ReasonForClosure"),
)
def closure_without_reason(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """DfE 8805: if CINclosureDate is present, ReasonForClosure must be present."""
    hits = NO_HITS
    for episode in child.episodes:
        if episode.closure_date is not None and not episode.reason_for_closure:
            hits = _add(
                hits,
                Hit(
                    "ReasonForClosure",
                    _line(episode, "CINclosureDate"),
                    f"{_the_episode(episode)} closed on {episode.closure_date.isoformat()} without a reason for "
                    "closure.",
                ),
            )
    return hits


@rule(
    "8810",
    severity=ERROR,
    title="A reason for closure comes with a closure date",
    fix="Give the date the episode closed, or remove the reason for closure if it is still open.",
    fields=("ReasonForClosure", "CINclosureDate"),
)
def reason_without_closure(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """DfE 8810: if ReasonForClosure is present, CINclosureDate must be present."""
    hits = NO_HITS
    for episode in child.episodes:
        if episode.reason_for_closure and episode.closure_date is None:
            hits = _add(
                hits,
                Hit(
                    "CINclosureDate",
                    _line(episode, "ReasonForClosure"),
                    f"{_the_episode(episode)} has reason for closure {_reason(episode.reason_for_closure)} but "
                    "no closure date.",
                ),
            )
    return hits


@rule(
    "8585Q",
    severity=QUERY,
    title="An episode closed because the child died comes with a date of death",
    fix="Give the child's date of death, or correct the reason for closure.",
    fields=("ReasonForClosure", "PersonDeathDate"),
)
def closed_as_died_without_death_date(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """DfE 8585Q: if ReasonForClosure is RC2 (died), PersonDeathDate should be present."""
    if child.death_date is not None:
        return NO_HITS
    hits = NO_HITS
    for episode in child.episodes:
        if episode.reason_for_closure == DIED:
            hits = _add(
                hits,
                Hit(
                    "ReasonForClosure",
                    _line(episode, "ReasonForClosure"),
                    f"{_the_episode(episode)} closed with RC2 (died), but the child has no date of death.",
                ),
            )
    return hits


@rule(
    "8825Q",
    severity=QUERY,
    title="An episode closed after assessment (RC8 or RC9) has an assessment",
    fix="Add the assessment to the episode, or correct the reason for closure.",
    fields=("ReasonForClosure", "Assessments"),
)
def closed_after_assessment_without_assessment(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """DfE 8825Q: if ReasonForClosure is RC8 or RC9, the episode should have at least one
    Assessments group."""
    hits = NO_HITS
    for episode in child.episodes:
        if episode.reason_for_closure in CLOSED_AFTER_ASSESSMENT and not episode.assessments:
            hits = _add(
                hits,
                Hit(
                    "ReasonForClosure",
                    _line(episode, "ReasonForClosure"),
                    f"{_the_episode(episode)} closed with {_reason(episode.reason_for_closure)}, but it has no "
                    "assessment.",
                ),
            )
    return hits


def _after_assessment_activity(episode: EpisodeRecord) -> Iterator[tuple[str, int, str]]:
    """What 2990 counts as activity on an episode: (element, line, description)."""
    for s47 in episode.section47s:
        yield "S47ActualStartDate", s47.line, f"a section 47 enquiry starting {_iso(s47.start_date)}"
    for plan in episode.cp_plans:
        yield "CPPstartDate", plan.line, f"a child protection plan starting {_iso(plan.start_date)}"
    for plan in episode.cin_plans:
        yield "CINPlanStartDate", plan.line, f"a CIN plan starting {_iso(plan.start_date)}"
    if episode.initial_cpc_date is not None:
        yield (
            "DateOfInitialCPC",
            _line(episode, "DateOfInitialCPC"),
            f"an initial child protection conference on {episode.initial_cpc_date.isoformat()}",
        )


@rule(
    "2990",
    severity=ERROR,
    title="An episode closed after assessment (RC8 or RC9) has no enquiry, conference or plan",
    fix="If the episode went on to a section 47 enquiry, conference or plan, give the reason it finally closed; "
    "otherwise remove those records.",
    fields=("ReasonForClosure", "S47ActualStartDate", "CPPstartDate", "CINPlanStartDate", "DateOfInitialCPC"),
)
def activity_after_closed_after_assessment(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """DfE 2990: if ReasonForClosure is RC8 (closed after assessment, no further action) or RC9
    (closed after assessment, referred to early help), the episode cannot have a Section47,
    ChildProtectionPlans or CINPlanDates group, nor DateOfInitialCPC at CINdetails level."""
    hits = NO_HITS
    for episode in child.episodes:
        if episode.reason_for_closure not in CLOSED_AFTER_ASSESSMENT:
            continue
        for element, line, what in _after_assessment_activity(episode):
            hits = _add(
                hits,
                Hit(
                    element,
                    line,
                    f"{_the_episode(episode)} closed with {_reason(episode.reason_for_closure)}, but it "
                    f"records {what}.",
                ),
            )
    return hits


def _dated_activity(episode: EpisodeRecord) -> Iterator[tuple[str, int, dt.date, str]]:
    """The dates 8565 compares with the closure date: (element, line, date, description)."""
    yield from _nfa_activity(episode)
    for plan in episode.cp_plans:
        if plan.end_date is not None:
            yield "CPPendDate", _line(plan, "CPPendDate"), plan.end_date, "a child protection plan ending"
    for plan in episode.cin_plans:
        if plan.start_date is not None:
            yield "CINPlanStartDate", _line(plan, "CINPlanStartDate"), plan.start_date, "a CIN plan starting"
        if plan.end_date is not None:
            yield "CINPlanEndDate", _line(plan, "CINPlanEndDate"), plan.end_date, "a CIN plan ending"


def _anything_after(episode: EpisodeRecord, closed: dt.date) -> bool:
    """Whether any date 8565 checks is after ``closed``: the quick test before the detail."""
    for assessment in episode.assessments:
        if (assessment.start_date or closed) > closed or (assessment.authorisation_date or closed) > closed:
            return True
    for s47 in episode.section47s:
        if (s47.start_date or closed) > closed or (s47.icpc_date or closed) > closed:
            return True
    for plan in episode.cp_plans:
        if (plan.end_date or closed) > closed:
            return True
    for plan in episode.cin_plans:
        if (plan.start_date or closed) > closed or (plan.end_date or closed) > closed:
            return True
    return (episode.initial_cpc_date or closed) > closed


@rule(
    "8565",
    severity=ERROR,
    title="Nothing on an episode happens after the episode closed",
    fix="Check the closure date: it must be on or after every assessment, enquiry, conference and plan date on "
    "the episode.",
    fields=(
        "CINclosureDate",
        "AssessmentActualStartDate",
        "AssessmentAuthorisationDate",
        "S47ActualStartDate",
        "DateOfInitialCPC",
        "CPPendDate",
        "CINPlanStartDate",
        "CINPlanEndDate",
    ),
)
def activity_after_closure(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """DfE 8565: if CINclosureDate is present, it must be on or after every one of these dates that
    is present on the episode: AssessmentActualStartDate, AssessmentAuthorisationDate,
    S47ActualStartDate, DateOfInitialCPC (CINdetails and Section47 level), CPPendDate,
    CINPlanStartDate and CINPlanEndDate."""
    hits = NO_HITS
    for episode in child.episodes:
        closed = episode.closure_date
        if closed is None or not _anything_after(episode, closed):
            continue
        for element, line, day, what in _dated_activity(episode):
            if day > closed:
                hits = _add(
                    hits,
                    Hit(
                        element,
                        line,
                        f"{_the_episode(episode)} closed on {closed.isoformat()}, but it records {what} "
                        f"on {day.isoformat()}.",
                    ),
                )
    return hits


# --- Open episodes and overlaps -------------------------------------------------------------------
def _open_further_action(episode: EpisodeRecord) -> bool:
    return episode.closure_date is None and episode.referral_nfa is False


@rule(
    "8815",
    severity=ERROR,
    title="At most one episode that is not a referral with no further action is open",
    fix="Give every episode but the current one its closure date and reason for closure.",
    fields=("CINclosureDate", "ReferralNFA"),
)
def several_open_episodes(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """DfE 8815: a child may have only one CINdetails group with no CINclosureDate and ReferralNFA
    false. (Open episodes with ReferralNFA true do not count.) Reported once per child, on the
    earliest open episode."""
    if len(child.episodes) < 2:
        return NO_HITS
    open_episodes = [episode for episode in child.episodes if _open_further_action(episode)]
    if len(open_episodes) < 2:
        return NO_HITS
    dates = ", ".join(_iso(episode.referral_date) for episode in open_episodes)
    return [
        Hit(
            "CINclosureDate",
            open_episodes[0].line,
            f"This child has {len(open_episodes)} open episodes that led to further action (referred on {dates}): "
            "only one may be open.",
        )
    ]


@rule(
    "8816",
    severity=ERROR,
    title="An open episode that led to further action is the child's latest episode",
    fix="Close the earlier episode (closure date and reason), or correct the referral dates.",
    fields=("CINreferralDate", "CINclosureDate", "ReferralNFA"),
)
def open_episode_not_latest(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """DfE 8816: if a CINdetails group has no CINclosureDate and ReferralNFA false, its
    CINreferralDate must be the latest of all the child's referral dates."""
    if len(child.episodes) < 2:
        return NO_HITS
    latest = max((e.referral_date for e in child.episodes if e.referral_date is not None), default=None)
    if latest is None:
        return NO_HITS
    hits = NO_HITS
    for episode in child.episodes:
        if _open_further_action(episode) and episode.referral_date is not None and episode.referral_date < latest:
            hits = _add(
                hits,
                Hit(
                    "CINreferralDate",
                    _line(episode, "CINreferralDate"),
                    f"{_the_episode(episode)} is still open but is not the child's latest episode (there is a "
                    f"referral on {latest.isoformat()}).",
                ),
            )
    return hits


def _by_dates(episode: EpisodeRecord) -> tuple[dt.date, dt.date]:
    """Referral date, then closure date (open last): an episode opened and closed on one day sorts
    before another referred that day, which may then start as it closes."""
    return episode.referral_date, episode.closure_date or dt.date.max


def _starts_inside(later: EpisodeRecord, earlier: EpisodeRecord, ctx: CensusContext) -> bool:
    """Whether ``later``'s referral date falls inside ``earlier``: from its referral up to (not
    including) its closure, or up to the reference date when it is open and led to further action.
    An episode may start on the day the previous one closed."""
    start = later.referral_date
    if start < earlier.referral_date:
        return False
    if earlier.closure_date is not None:
        return start < earlier.closure_date
    return earlier.referral_nfa is False and start <= ctx.period_end


@rule(
    "8820",
    severity=ERROR,
    title="A child's episodes do not overlap",
    fix="Correct the referral or closure dates so that each episode starts on or after the day the one before it "
    "closed.",
    fields=("CINreferralDate", "CINclosureDate"),
)
def episodes_overlap(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """DfE 8820: when a child has several CINdetails groups, no episode's CINreferralDate may fall
    (a) between another episode's CINreferralDate and its CINclosureDate, or (b) between another's
    CINreferralDate and the reference date when that one has no closure date and ReferralNFA false.
    As the DfE notes, one episode may start on the day the previous one closes, so the closure day
    itself is not inside; that includes an episode opened and closed on the day another is referred.
    Each overlapping pair is reported once."""
    if len(child.episodes) < 2:
        return NO_HITS
    dated = sorted((e for e in child.episodes if e.referral_date is not None), key=_by_dates)
    hits = NO_HITS
    for i, earlier in enumerate(dated):
        for later in dated[i + 1 :]:
            if _starts_inside(later, earlier, ctx):
                outer, inner = earlier, later
            elif (
                later.referral_date == earlier.referral_date
                and earlier.closure_date != earlier.referral_date
                and _starts_inside(earlier, later, ctx)
            ):
                outer, inner = later, earlier
            else:
                continue
            ends = f"closed on {outer.closure_date.isoformat()}" if outer.closure_date else "is still open"
            hits = _add(
                hits,
                Hit(
                    "CINreferralDate",
                    _line(inner, "CINreferralDate"),
                    f"{_the_episode(inner)} starts inside {_episode(outer)}, which {ends}.",
                ),
            )
    return hits
