"""CIN census rules: child in need plans (the ``CINPlanDates`` groups of each episode).

Source: DfE, "Children in need census 2025 to 2026: validation rules" (codes and conditions as the
DfE states them are listed in ``shared/design/cin-census-rules.md``).

Decisions where the DfE wording leaves room
-------------------------------------------
- A plan with no ``CINPlanEndDate`` is *open*: for the overlap rules it runs to the end of the
  census year, 31 March included (the DfE measures open plans to the reference date).
- Plans are compared across the whole child, not only within one episode: the DfE words these
  rules about "the child", and a CIN plan cannot run alongside another plan of the same child
  whichever episode holds it. Overlapping episodes themselves are rule 8820's business.
- A plan runs from its start date up to, not including, its end date when compared with another
  plan (4014), with a child protection plan (4016, 4017) or a review (4003): the day one plan ends
  another may start, as the DfE allows ("unless the start date equals the end date").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from safeguard.extracts.census.records import ChildRecord, CINPlanRecord, CPPlanRecord
from safeguard.extracts.census.rules.assessments import NO_HITS, Spans, add_hit, line_of, starts_inside_another
from safeguard.extracts.census.validation import ERROR, QUERY, CensusContext, Hit, rule

START = "CINPlanStartDate"
END = "CINPlanEndDate"
REFERRAL = "CINreferralDate"
NFA = "ReferralNFA"
DEATH = "PersonDeathDate"
CPP_START = "CPPstartDate"
CPP_END = "CPPendDate"
REVIEW = "CPPreviewDate"

_ONE_DAY = dt.timedelta(days=1)


def _cin_plans(child: ChildRecord) -> list[CINPlanRecord]:
    return [plan for episode in child.episodes for plan in episode.cin_plans]


def _cp_plans(child: ChildRecord) -> list[CPPlanRecord]:
    return [plan for episode in child.episodes for plan in episode.cp_plans]


def _has_both_kinds(child: ChildRecord) -> bool:
    """True when the child has at least one CIN plan and one child protection plan (cheap check
    before building anything)."""
    cin = cp = False
    for episode in child.episodes:
        cin = cin or bool(episode.cin_plans)
        cp = cp or bool(episode.cp_plans)
    return cin and cp


def _until(end: dt.date | None, after_period: dt.date) -> dt.date:
    return end if end is not None else after_period


def _cin_plan(plan: CINPlanRecord) -> str:
    ends = f"ending {plan.end_date}" if plan.end_date is not None else "with no end date"
    return f"the CIN plan starting {plan.start_date} ({ends})"


def _cp_plan(plan: CPPlanRecord) -> str:
    ends = f"ending {plan.end_date}" if plan.end_date is not None else "with no end date"
    return f"the child protection plan starting {plan.start_date} ({ends})"


# --- one plan at a time --------------------------------------------------------------------------


@rule(
    "4000",
    severity=ERROR,
    title="A referral with no further action (ReferralNFA true) has no CIN plan.",
    fix="Remove the CIN plan from the episode, or set ReferralNFA to false if the referral led to further action.",
    fields=(NFA, START),
)
def cin_plan_on_no_further_action_referral(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    hits = None
    for episode in child.episodes:
        if episode.referral_nfa is True and episode.cin_plans:
            plan = episode.cin_plans[0]
            message = (
                f"The episode referred on {episode.referral_date or 'an unknown date'} is a referral with no further "
                f"action, but it has a CIN plan starting {plan.start_date or 'on an unknown date'}."
            )
            hits = add_hit(hits, Hit(START, line_of(plan, START), message))
    return hits or NO_HITS


@rule(
    "4010",
    severity=ERROR,
    title="A CIN plan has a start date, on or before the end of the census year.",
    fix="Add the CIN plan's start date, or correct it: a plan in this return starts by the end of the census year.",
    fields=(START,),
)
def cin_plan_start_missing_or_after_census_year(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """Decision: a plan that started before the census year is fine (it is carried over, still open
    or ended during the year); only a missing start, or one after 31 March, is reported."""
    hits = None
    last = ctx.period_end
    for episode in child.episodes:
        for plan in episode.cin_plans:
            start = plan.start_date
            if start is None:
                message = "A CIN plan has no start date."
            elif start > last:
                message = f"The CIN plan starting {start} starts after the census year ended on {last}."
            else:
                continue
            hits = add_hit(hits, Hit(START, line_of(plan, START), message))
    return hits or NO_HITS


@rule(
    "4011",
    severity=ERROR,
    title="A CIN plan does not end before it starts.",
    fix="Correct the CIN plan's start or end date: the end date is on or after the start date.",
    fields=(START, END),
)
def cin_plan_ends_before_it_starts(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    hits = None
    for episode in child.episodes:
        for plan in episode.cin_plans:
            start, end = plan.start_date, plan.end_date
            if start is not None and end is not None and end < start:
                message = f"The CIN plan starting {start} ends earlier, on {end}."
                hits = add_hit(hits, Hit(END, line_of(plan, END), message))
    return hits or NO_HITS


@rule(
    "4012Q",
    severity=QUERY,
    title="A CIN plan does not start and end on the same day.",
    fix="Check the CIN plan's dates and correct them, or explain why the plan lasted a single day.",
    fields=(START, END),
)
def cin_plan_starts_and_ends_same_day(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    hits = None
    for episode in child.episodes:
        for plan in episode.cin_plans:
            end = plan.end_date
            if end is not None and end == plan.start_date:
                message = f"The CIN plan starting {end} also ends on {end}."
                hits = add_hit(hits, Hit(END, line_of(plan, END), message))
    return hits or NO_HITS


@rule(
    "4013",
    severity=ERROR,
    title="A CIN plan's end date falls within the census year.",
    fix=(
        "Correct the CIN plan's end date, or leave it out if the plan was still open at the end of the census year; "
        "a plan that ended before the census year belongs in an earlier return."
    ),
    fields=(END,),
)
def cin_plan_ends_outside_census_year(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    hits = None
    first, last = ctx.period_start, ctx.period_end
    for episode in child.episodes:
        for plan in episode.cin_plans:
            end = plan.end_date
            if end is not None and not first <= end <= last:
                message = (
                    f"The CIN plan starting {plan.start_date or 'on an unknown date'} ends on {end}, outside the "
                    f"census year {first} to {last}."
                )
                hits = add_hit(hits, Hit(END, line_of(plan, END), message))
    return hits or NO_HITS


@rule(
    "4015",
    severity=ERROR,
    title="A CIN plan does not start before the referral date of its episode.",
    fix="Correct the CIN plan's start date or the referral date: the plan starts on or after the referral.",
    fields=(START, REFERRAL),
)
def cin_plan_starts_before_referral(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    hits = None
    for episode in child.episodes:
        referral = episode.referral_date
        if referral is None:
            continue
        for plan in episode.cin_plans:
            start = plan.start_date
            if start is not None and start < referral:
                message = f"The CIN plan starting {start} starts before the episode's referral date, {referral}."
                hits = add_hit(hits, Hit(START, line_of(plan, START), message))
    return hits or NO_HITS


@rule(
    "4008",
    severity=ERROR,
    title="A CIN plan does not start after the child's date of death.",
    fix="Correct the CIN plan's start date or the child's date of death.",
    fields=(START, DEATH),
)
def cin_plan_starts_after_death(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    death = child.death_date
    if death is None:
        return NO_HITS
    hits = None
    for episode in child.episodes:
        for plan in episode.cin_plans:
            start = plan.start_date
            if start is not None and start > death:
                message = f"The CIN plan starting {start} starts after the child's date of death, {death}."
                hits = add_hit(hits, Hit(START, line_of(plan, START), message))
    return hits or NO_HITS


@rule(
    "4009Q",
    severity=QUERY,
    title="A CIN plan does not end after the child's date of death (nor stay open after it).",
    fix="End the CIN plan on or before the child's date of death, or correct the date of death.",
    fields=(END, DEATH),
)
def cin_plan_ends_after_death(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """Decision: a plan with no end date for a child who died within the census year (on or before
    31 March) is queried too: it was still open after the death. A death recorded after the census
    year leaves open plans alone."""
    death = child.death_date
    if death is None:
        return NO_HITS
    hits = None
    for episode in child.episodes:
        for plan in episode.cin_plans:
            end = plan.end_date
            if end is not None and end > death:
                message = (
                    f"The CIN plan starting {plan.start_date or 'on an unknown date'} ends on {end}, after the child's "
                    f"date of death, {death}."
                )
            elif end is None and death <= ctx.period_end:
                message = (
                    f"The CIN plan starting {plan.start_date or 'on an unknown date'} has no end date, but the child "
                    f"died on {death}."
                )
            else:
                continue
            hits = add_hit(hits, Hit(END, line_of(plan, END), message))
    return hits or NO_HITS


# --- plans of the child against each other -------------------------------------------------------


@rule(
    "4004",
    severity=ERROR,
    title="A child has at most one open CIN plan (one with no end date).",
    fix="Add the end date of every CIN plan that has ended, or remove a duplicate plan.",
    fields=(END,),
)
def child_has_two_open_cin_plans(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    count = 0
    for episode in child.episodes:
        for plan in episode.cin_plans:
            if plan.end_date is None:
                count += 1
    if count < 2:
        return NO_HITS
    open_plans = [plan for plan in _cin_plans(child) if plan.end_date is None]
    starts = ", ".join(str(plan.start_date or "an unknown date") for plan in open_plans)
    message = f"The child has {len(open_plans)} CIN plans with no end date (starting {starts})."
    return [Hit(END, line_of(open_plans[1], END), message)]


@rule(
    "4014",
    severity=ERROR,
    title="A child's CIN plans do not overlap.",
    fix=(
        "Correct the start and end dates of the child's CIN plans so that each starts on or after the day the "
        "previous one ends, or remove a duplicate plan."
    ),
    fields=(START, END),
)
def cin_plans_overlap(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """O(n log n) over the child's plans (see ``starts_inside_another``): a plan is reported when it
    starts on or after another plan's start and before that plan's end (31 March included when the
    other plan is open). Decisions: a plan starting the day another ends does not overlap it (the
    DfE excepts it); two plans starting on the same day do; a plan starting and ending the same day
    overlaps nothing."""
    count = 0
    for episode in child.episodes:
        count += len(episode.cin_plans)
    if count < 2:
        return NO_HITS
    after_period = ctx.period_end + _ONE_DAY
    hits = None
    for plan, other in starts_inside_another(_cin_plans(child), _start_of, lambda p: _until(p.end_date, after_period)):
        message = f"The CIN plan starting {plan.start_date} overlaps {_cin_plan(other)}."
        hits = add_hit(hits, Hit(START, line_of(plan, START), message))
    return hits or NO_HITS


def _start_of(plan: CINPlanRecord) -> dt.date | None:
    return plan.start_date


# --- CIN plans against child protection plans ----------------------------------------------------


@rule(
    "4001",
    severity=ERROR,
    title="A child does not have an open CIN plan and an open child protection plan at the same time.",
    fix=(
        "End the CIN plan when the child protection plan starts (or the child protection plan when the CIN plan "
        "starts), or correct the dates."
    ),
    fields=(END, CPP_END),
)
def open_cin_plan_alongside_open_cp_plan(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """Decision: this rule is about two plans that are both still open (no end date) at the end of
    the census year; a CIN plan and a child protection plan whose dates overlap otherwise are
    reported by 4016 and 4017, which say which plan started inside which."""
    if not _has_both_kinds(child):
        return NO_HITS
    open_cp = next((plan for plan in _cp_plans(child) if plan.end_date is None), None)
    if open_cp is None:
        return NO_HITS
    hits = None
    for plan in _cin_plans(child):
        if plan.end_date is None:
            message = (
                f"The CIN plan starting {plan.start_date or 'on an unknown date'} has no end date while "
                f"{_cp_plan(open_cp)} is also open."
            )
            hits = add_hit(hits, Hit(END, line_of(plan, END), message))
    return hits or NO_HITS


@rule(
    "4016",
    severity=ERROR,
    title="A CIN plan does not start while a child protection plan is open.",
    fix=(
        "Start the CIN plan on or after the day the child protection plan ends, or correct the child protection "
        "plan's dates."
    ),
    fields=(START, CPP_START, CPP_END),
)
def cin_plan_starts_during_cp_plan(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """A CIN plan start on or after a child protection plan's start and before its end (31 March
    included when it is open); a CIN plan starting the day the child protection plan ends is the
    usual step down and is fine. O((n + m) log m)."""
    if not _has_both_kinds(child):
        return NO_HITS
    after_period = ctx.period_end + _ONE_DAY
    spans = Spans(
        (plan.start_date, _until(plan.end_date, after_period), plan)
        for plan in _cp_plans(child)
        if plan.start_date is not None
    )
    hits = None
    for plan in _cin_plans(child):
        start = plan.start_date
        if start is None:
            continue
        holder = spans.holding(start)
        if holder is not None:
            message = f"The CIN plan starting {start} starts while {_cp_plan(holder)} is open."
            hits = add_hit(hits, Hit(START, line_of(plan, START), message))
    return hits or NO_HITS


@rule(
    "4017",
    severity=ERROR,
    title="A child protection plan does not start while a CIN plan is open.",
    fix=(
        "End the CIN plan on the day the child protection plan starts (or before), or correct the child protection "
        "plan's start date."
    ),
    fields=(START, END, CPP_START),
)
def cp_plan_starts_during_cin_plan(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """A child protection plan start on or after a CIN plan's start and before its end (31 March
    included when it is open); a child protection plan starting the day the CIN plan ends is fine.
    O((n + m) log n)."""
    if not _has_both_kinds(child):
        return NO_HITS
    after_period = ctx.period_end + _ONE_DAY
    spans = Spans(
        (plan.start_date, _until(plan.end_date, after_period), plan)
        for plan in _cin_plans(child)
        if plan.start_date is not None
    )
    hits = None
    for plan in _cp_plans(child):
        start = plan.start_date
        if start is None:
            continue
        holder = spans.holding(start)
        if holder is not None:
            message = f"The child protection plan starting {start} starts while {_cin_plan(holder)} is open."
            hits = add_hit(hits, Hit(CPP_START, line_of(plan, CPP_START), message))
    return hits or NO_HITS


@rule(
    "4003",
    severity=ERROR,
    title="A child protection review is not held while a CIN plan is open.",
    fix=(
        "Check the review date and the CIN plan's dates: a CIN plan starts when the child protection plan ends "
        "(a review that ends the plan may fall on that day)."
    ),
    fields=(REVIEW, START, END, CPP_END),
)
def cp_review_during_cin_plan(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """A review date on or after a CIN plan's start and before its end (31 March included when it
    is open), unless the review is on the day its own child protection plan ends (the review that
    ended the plan and stepped down to a CIN plan). O((r + n) log n)."""
    if not _has_both_kinds(child):
        return NO_HITS
    after_period = ctx.period_end + _ONE_DAY
    spans = None
    hits = None
    for cp_plan in _cp_plans(child):
        for index, review in enumerate(cp_plan.reviews):
            if review is None or review == cp_plan.end_date:
                continue
            if spans is None:
                spans = Spans(
                    (plan.start_date, _until(plan.end_date, after_period), plan)
                    for plan in _cin_plans(child)
                    if plan.start_date is not None
                )
            holder = spans.holding(review)
            if holder is not None:
                line = cp_plan.review_lines[index] if index < len(cp_plan.review_lines) else 0
                message = (
                    f"The review on {review} of the child protection plan starting "
                    f"{cp_plan.start_date or 'on an unknown date'} falls while {_cin_plan(holder)} is open."
                )
                hits = add_hit(hits, Hit(REVIEW, line or line_of(cp_plan, REVIEW), message))
    return hits or NO_HITS
