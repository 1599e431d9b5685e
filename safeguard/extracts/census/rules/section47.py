"""CIN census rules: section 47 enquiries and initial child protection conferences (ICPC).

Source: DfE, "Children in need census 2025 to 2026: validation rules" (codes and conditions as the
DfE states them are listed in ``shared/design/cin-census-rules.md``). The census records the
conference date (``DateOfInitialCPC``) in the ``Section47`` group that led to it, or at
``CINdetails`` level when no section 47 enquiry in the episode led to it (for example a
conference held after a transfer in).

An enquiry is *awaiting its conference* when it has no ``DateOfInitialCPC`` and is not flagged
``ICPCnotRequired``. Decision: a missing ``ICPCnotRequired`` flag is read as "a conference is
still expected" (the flag says a conference is not needed; without it nothing says so).

Working days and weekends
-------------------------
8675Q counts working days with ``ctx.calendar`` (day 0 is the start date; "within N working
days" means on or before the Nth working day after it). 8870Q and 8875 are about weekends only, as
the DfE words them: a target date or a conference on a bank holiday that is a weekday is not
reported.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from safeguard.extracts.census.records import ChildRecord, Section47Record
from safeguard.extracts.census.rules.assessments import (
    NO_HITS,
    add_hit,
    earliest_start_not_overdue,
    line_of,
    overdue_clause,
    starts_inside_another,
)
from safeguard.extracts.census.validation import ERROR, QUERY, CensusContext, Hit, rule

START = "S47ActualStartDate"
TARGET = "InitialCPCtarget"
ICPC = "DateOfInitialCPC"
NOT_REQUIRED = "ICPCnotRequired"
REFERRAL = "CINreferralDate"
CLOSURE = "CINclosureDate"

#: Working days from the start of the section 47 enquiry to the initial conference (Working
#: Together to Safeguard Children 2023; the DfE measures it from S47ActualStartDate).
ICPC_WORKING_DAYS = 15

_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_ONE_DAY = dt.timedelta(days=1)


def awaiting_conference(enquiry: Section47Record) -> bool:
    """No conference date, and not flagged as needing none (a missing flag counts as not flagged)."""
    return enquiry.icpc_date is None and enquiry.icpc_not_required is not True


def _started(enquiry: Section47Record) -> str:
    return f"started {enquiry.start_date}" if enquiry.start_date is not None else "with no start date"


# --- dates against the referral and the census year ---------------------------------------------


@rule(
    "2889",
    severity=ERROR,
    title="A section 47 enquiry does not start before the referral date of its episode.",
    fix="Correct the section 47 start date or the referral date: the enquiry starts on or after the referral.",
    fields=(START, REFERRAL),
)
def s47_starts_before_referral(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    hits = None
    for episode in child.episodes:
        referral = episode.referral_date
        if referral is None:
            continue
        for enquiry in episode.section47s:
            start = enquiry.start_date
            if start is not None and start < referral:
                message = (
                    f"The section 47 enquiry starting {start} starts before the episode's referral date, {referral}."
                )
                hits = add_hit(hits, Hit(START, line_of(enquiry, START), message))
    return hits or NO_HITS


@rule(
    "1104",
    severity=ERROR,
    title="An initial child protection conference is not held before the referral date of its episode.",
    fix="Correct the conference date or the referral date: the conference is on or after the referral.",
    fields=(ICPC, REFERRAL),
)
def icpc_before_referral(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """Both places a conference date can be recorded are checked: the ``Section47`` group and the
    ``CINdetails`` episode itself."""
    hits = None
    for episode in child.episodes:
        referral = episode.referral_date
        if referral is None:
            continue
        icpc = episode.initial_cpc_date
        if icpc is not None and icpc < referral:
            message = f"The episode's initial conference date {icpc} is before its referral date, {referral}."
            hits = add_hit(hits, Hit(ICPC, line_of(episode, ICPC), message))
        for enquiry in episode.section47s:
            icpc = enquiry.icpc_date
            if icpc is not None and icpc < referral:
                message = (
                    f"The initial conference on {icpc} for the section 47 enquiry {_started(enquiry)} is before the "
                    f"episode's referral date, {referral}."
                )
                hits = add_hit(hits, Hit(ICPC, line_of(enquiry, ICPC), message))
    return hits or NO_HITS


@rule(
    "8615",
    severity=ERROR,
    title="A section 47 enquiry with a conference date has a start date on or before that conference.",
    fix="Add or correct the section 47 start date: the enquiry starts on or before its initial conference.",
    fields=(START, ICPC),
)
def s47_start_missing_or_after_icpc(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    hits = None
    for episode in child.episodes:
        for enquiry in episode.section47s:
            icpc = enquiry.icpc_date
            if icpc is None:
                continue
            start = enquiry.start_date
            if start is None:
                message = f"The section 47 enquiry whose initial conference was on {icpc} has no start date."
            elif start > icpc:
                message = f"The section 47 enquiry starting {start} has an earlier initial conference date, {icpc}."
            else:
                continue
            hits = add_hit(hits, Hit(START, line_of(enquiry, START), message))
    return hits or NO_HITS


@rule(
    "8715",
    severity=ERROR,
    title="An initial child protection conference date falls within the census year.",
    fix=(
        "Correct the conference date, or leave it out if the conference had not taken place by the end of the "
        "census year."
    ),
    fields=(ICPC,),
)
def icpc_outside_census_year(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """Both places a conference date can be recorded are checked (``Section47`` and ``CINdetails``)."""
    hits = None
    first, last = ctx.period_start, ctx.period_end
    for episode in child.episodes:
        icpc = episode.initial_cpc_date
        if icpc is not None and not first <= icpc <= last:
            message = f"The episode's initial conference date {icpc} is outside the census year {first} to {last}."
            hits = add_hit(hits, Hit(ICPC, line_of(episode, ICPC), message))
        for enquiry in episode.section47s:
            icpc = enquiry.icpc_date
            if icpc is not None and not first <= icpc <= last:
                message = (
                    f"The initial conference on {icpc} for the section 47 enquiry {_started(enquiry)} is outside the "
                    f"census year {first} to {last}."
                )
                hits = add_hit(hits, Hit(ICPC, line_of(enquiry, ICPC), message))
    return hits or NO_HITS


@rule(
    "8740",
    severity=ERROR,
    title="A section 47 enquiry still awaiting its initial conference starts within the census year.",
    fix=(
        "Correct the start date, add the conference date, or set ICPCnotRequired if no conference was needed: an "
        "enquiry awaiting its conference must have started in the census year."
    ),
    fields=(START, ICPC, NOT_REQUIRED),
)
def open_s47_starts_outside_census_year(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """A missing start date on an enquiry awaiting its conference is reported here too."""
    hits = None
    first, last = ctx.period_start, ctx.period_end
    for episode in child.episodes:
        for enquiry in episode.section47s:
            if not awaiting_conference(enquiry):
                continue
            start = enquiry.start_date
            if start is None:
                message = "A section 47 enquiry with no initial conference date has no start date either."
            elif not first <= start <= last:
                message = (
                    f"The section 47 enquiry starting {start} has no initial conference date and starts outside the "
                    f"census year {first} to {last}."
                )
            else:
                continue
            hits = add_hit(hits, Hit(START, line_of(enquiry, START), message))
    return hits or NO_HITS


@rule(
    "8675Q",
    severity=QUERY,
    title=(
        "A section 47 enquiry still awaiting its initial conference at the end of the census year started no more "
        "than 15 working days before."
    ),
    fix=(
        "Add the conference date if it took place, set ICPCnotRequired if no conference was needed, or explain why "
        "the conference has not been held within 15 working days."
    ),
    fields=(START, ICPC, NOT_REQUIRED),
)
def open_s47_beyond_15_working_days(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """Queried when an enquiry awaiting its conference started so long before the end of the census
    year (31 March) that the year ended after its 15th working day.

    Decision on the boundary: an enquiry whose 15th working day is 31 March itself is *not*
    queried. When 31 March is not a working day, an enquiry whose 15th working day was the last
    working day before it is queried: the conference was due and had not been held. Example: an
    enquiry started on Friday 20 December 2024 has its 15th working day on Wednesday 15 January
    2025 (Christmas, Boxing Day and New Year's Day are not counted).
    """
    hits = None
    threshold = None
    for episode in child.episodes:
        for enquiry in episode.section47s:
            start = enquiry.start_date
            if start is None or not awaiting_conference(enquiry):
                continue
            if threshold is None:
                threshold = earliest_start_not_overdue(ctx.calendar, ctx.period_end, ICPC_WORKING_DAYS)
            if start < threshold:
                clause = overdue_clause(ctx.calendar, start, ICPC_WORKING_DAYS, ctx.period_end)
                message = f"The section 47 enquiry started on {start} has no initial conference date, and {clause}."
                hits = add_hit(hits, Hit(START, line_of(enquiry, START), message))
    return hits or NO_HITS


# --- weekends --------------------------------------------------------------------------------


def _weekend(day: dt.date) -> str:
    return f"{day} is a {_DAY_NAMES[day.weekday()]}"


@rule(
    "8870Q",
    severity=QUERY,
    title="The target date for the initial child protection conference is not a Saturday or Sunday.",
    fix=(
        "Check the target date: it is the 15th working day after the section 47 start date, so it is never a weekend."
    ),
    fields=(TARGET,),
)
def icpc_target_on_weekend(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    hits = None
    for episode in child.episodes:
        for enquiry in episode.section47s:
            target = enquiry.icpc_target
            if target is not None and target.weekday() >= 5:
                message = (
                    f"The conference target date for the section 47 enquiry {_started(enquiry)} falls on a weekend: "
                    f"{_weekend(target)}."
                )
                hits = add_hit(hits, Hit(TARGET, line_of(enquiry, TARGET), message))
    return hits or NO_HITS


@rule(
    "8875",
    severity=ERROR,
    title="An initial child protection conference is not held on a Saturday or Sunday.",
    fix="Correct the conference date: conferences are held on weekdays.",
    fields=(ICPC,),
)
def icpc_on_weekend(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """Both places a conference date can be recorded are checked (``Section47`` and ``CINdetails``)."""
    hits = None
    for episode in child.episodes:
        icpc = episode.initial_cpc_date
        if icpc is not None and icpc.weekday() >= 5:
            message = f"The episode's initial conference date falls on a weekend: {_weekend(icpc)}."
            hits = add_hit(hits, Hit(ICPC, line_of(episode, ICPC), message))
        for enquiry in episode.section47s:
            icpc = enquiry.icpc_date
            if icpc is not None and icpc.weekday() >= 5:
                message = (
                    f"The initial conference for the section 47 enquiry {_started(enquiry)} falls on a weekend: "
                    f"{_weekend(icpc)}."
                )
                hits = add_hit(hits, Hit(ICPC, line_of(enquiry, ICPC), message))
    return hits or NO_HITS


# --- enquiries within one episode ---------------------------------------------------------------


@rule(
    "2884",
    severity=ERROR,
    title=(
        "An initial child protection conference is recorded once: on the section 47 enquiry that led to it, or on "
        "the episode, not both."
    ),
    fix=(
        "Remove the episode's DateOfInitialCPC when the conference followed a section 47 enquiry in the episode; "
        "keep it on the Section47 group."
    ),
    fields=(ICPC,),
)
def icpc_recorded_on_episode_and_s47(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """The same conference date on the episode and on one of its section 47 enquiries."""
    hits = None
    for episode in child.episodes:
        icpc = episode.initial_cpc_date
        if icpc is None:
            continue
        for enquiry in episode.section47s:
            if enquiry.icpc_date == icpc:
                message = (
                    f"The initial conference on {icpc} is recorded both on the episode and on the section 47 enquiry "
                    f"{_started(enquiry)}."
                )
                hits = add_hit(hits, Hit(ICPC, line_of(episode, ICPC), message))
                break
    return hits or NO_HITS


@rule(
    "2991Q",
    severity=QUERY,
    title="An episode with a section 47 enquiry also has an assessment.",
    fix="Add the assessment that went with the section 47 enquiry, or explain why there was none.",
    fields=(START, "AssessmentActualStartDate"),
)
def s47_without_assessment(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    hits = None
    for episode in child.episodes:
        enquiries = episode.section47s
        if enquiries and not episode.assessments:
            first = enquiries[0]
            message = (
                f"The episode referred on {episode.referral_date or 'an unknown date'} has a section 47 enquiry "
                f"{_started(first)} but no assessment."
            )
            hits = add_hit(hits, Hit(START, line_of(first, START), message))
    return hits or NO_HITS


@rule(
    "8839",
    severity=ERROR,
    title="An episode has at most one section 47 enquiry awaiting its initial conference.",
    fix=(
        "For each enquiry that is finished, add its conference date or set ICPCnotRequired; remove duplicate enquiries."
    ),
    fields=(ICPC, NOT_REQUIRED),
)
def episode_has_two_open_s47s(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    hits = None
    for episode in child.episodes:
        enquiries = episode.section47s
        if len(enquiries) < 2:
            continue
        waiting = [e for e in enquiries if awaiting_conference(e)]
        if len(waiting) > 1:
            starts = ", ".join(str(e.start_date or "an unknown date") for e in waiting)
            message = (
                f"The episode referred on {episode.referral_date or 'an unknown date'} has {len(waiting)} section 47 "
                f"enquiries with no initial conference date and no ICPCnotRequired flag (starting {starts})."
            )
            hits = add_hit(hits, Hit(ICPC, line_of(waiting[1], ICPC), message))
    return hits or NO_HITS


@rule(
    "8868",
    severity=ERROR,
    title="A closed episode has no section 47 enquiry left without a conference date or ICPCnotRequired.",
    fix=(
        "Add the conference date of each section 47 enquiry in the closed episode, or set ICPCnotRequired; or "
        "remove the closure date if the episode is still open."
    ),
    fields=(CLOSURE, ICPC, NOT_REQUIRED),
)
def closed_episode_has_open_s47(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    hits = None
    for episode in child.episodes:
        closure = episode.closure_date
        if closure is None:
            continue
        for enquiry in episode.section47s:
            if awaiting_conference(enquiry):
                message = (
                    f"The episode closed on {closure}, but the section 47 enquiry {_started(enquiry)} has neither an "
                    "initial conference date nor ICPCnotRequired."
                )
                hits = add_hit(hits, Hit(ICPC, line_of(enquiry, ICPC), message))
    return hits or NO_HITS


@rule(
    "8890",
    severity=ERROR,
    title="A section 47 enquiry does not start while another enquiry in the same episode is still ongoing.",
    fix=(
        "Check the start and conference dates of the section 47 enquiries in the episode: record the conference "
        "(or ICPCnotRequired) of the earlier enquiry before the next starts, or remove a duplicate."
    ),
    fields=(START, ICPC, NOT_REQUIRED),
)
def s47_starts_while_another_is_ongoing(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """Within one episode (O(n log n), see ``starts_inside_another``): an enquiry is reported if it
    starts on or after the start of another one and before that one's conference.

    Decisions: an enquiry starting on the day of the other one's conference does not overlap it;
    two enquiries awaiting their conferences and starting on the same day do; an enquiry awaiting
    its conference is ongoing to the end of the census year (31 March included); an enquiry flagged
    ICPCnotRequired with no conference date has no end date and is taken to have ended the day it
    started, so no later enquiry starts inside it (the DfE's check gives it no end), although it
    may itself start inside another one. Enquiries with no start date are left to 8615 and 8740.
    """
    hits = None
    after_period = ctx.period_end + _ONE_DAY

    def ongoing_until(enquiry: Section47Record) -> dt.date:
        if enquiry.icpc_date is not None:
            return enquiry.icpc_date
        if enquiry.icpc_not_required is True:
            return enquiry.start_date
        return after_period

    for episode in child.episodes:
        if len(episode.section47s) < 2:
            continue
        for enquiry, other in starts_inside_another(episode.section47s, _start_of, ongoing_until):
            if other.icpc_date is not None:
                state = f"whose initial conference was on {other.icpc_date}"
            else:
                state = "which has no initial conference date"
            message = (
                f"The section 47 enquiry starting {enquiry.start_date} starts while the enquiry started on "
                f"{other.start_date}, {state}, is still ongoing."
            )
            hits = add_hit(hits, Hit(START, line_of(enquiry, START), message))
    return hits or NO_HITS


def _start_of(enquiry: Section47Record) -> dt.date | None:
    return enquiry.start_date
