"""CIN census rules: child protection plans (the ``ChildProtectionPlans`` groups of each episode)
and their reviews.

Source: DfE, "Children in need census 2025 to 2026: validation rules" (codes and conditions as the
DfE states them are listed in ``shared/design/cin-census-rules.md``); categories of abuse from the
DfE census guide, annex A (``codes.CATEGORIES_OF_ABUSE``).

Decisions where the DfE wording leaves room
-------------------------------------------
- A plan with no ``CPPendDate`` is *open*: for 8940 it runs to the end of the census year, 31
  March included.
- Plans are compared across the whole child (8935, 8940: "this child is showing..."), not only
  within one episode.
- A plan starts at an initial conference (2883, 2885): the conference is recorded on the section
  47 enquiry that led to it, or on the episode (``CINdetails``) when no enquiry in the episode
  holds a conference date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from safeguard.extracts.census.codes import CATEGORIES_OF_ABUSE
from safeguard.extracts.census.records import ChildRecord, CPPlanRecord
from safeguard.extracts.census.rules.assessments import NO_HITS, add_hit, line_of, starts_inside_another
from safeguard.extracts.census.validation import ERROR, QUERY, CensusContext, Hit, rule

START = "CPPstartDate"
END = "CPPendDate"
INITIAL = "InitialCategoryOfAbuse"
LATEST = "LatestCategoryOfAbuse"
PREVIOUS = "NumberOfPreviousCPP"
REVIEW = "CPPreviewDate"
ICPC = "DateOfInitialCPC"
REFERRAL = "CINreferralDate"
DEATH = "PersonDeathDate"

_ONE_DAY = dt.timedelta(days=1)
_CATEGORY_LIST = ", ".join(CATEGORIES_OF_ABUSE)


def _starting(plan: CPPlanRecord) -> str:
    return f"starting {plan.start_date}" if plan.start_date is not None else "with no start date"


def _review_line(plan: CPPlanRecord, index: int) -> int:
    lines = plan.review_lines
    return (lines[index] if index < len(lines) else 0) or line_of(plan, REVIEW)


# --- dates of one plan ---------------------------------------------------------------------------


@rule(
    "8720",
    severity=ERROR,
    title="A child protection plan has a start date, on or before the end of the census year.",
    fix="Add the plan's start date, or correct it: a plan in this return starts by the end of the census year.",
    fields=(START,),
)
def cp_plan_start_missing_or_after_census_year(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """Decision: a plan that started before the census year is fine (carried over); only a missing
    start, or one after 31 March, is reported."""
    hits = None
    last = ctx.period_end
    for episode in child.episodes:
        for plan in episode.cp_plans:
            start = plan.start_date
            if start is None:
                message = "A child protection plan has no start date."
            elif start > last:
                message = f"The child protection plan starting {start} starts after the census year ended on {last}."
            else:
                continue
            hits = add_hit(hits, Hit(START, line_of(plan, START), message))
    return hits or NO_HITS


@rule(
    "8925",
    severity=ERROR,
    title="A child protection plan does not end before it starts.",
    fix="Correct the plan's start or end date: the end date is after the start date.",
    fields=(START, END),
)
def cp_plan_ends_before_it_starts(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    hits = None
    for episode in child.episodes:
        for plan in episode.cp_plans:
            start, end = plan.start_date, plan.end_date
            if start is not None and end is not None and end < start:
                message = f"The child protection plan starting {start} ends earlier, on {end}."
                hits = add_hit(hits, Hit(END, line_of(plan, END), message))
    return hits or NO_HITS


@rule(
    "8840",
    severity=ERROR,
    title="A child protection plan does not start and end on the same day.",
    fix="Correct the plan's start or end date: a child protection plan lasts more than one day.",
    fields=(START, END),
)
def cp_plan_starts_and_ends_same_day(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    hits = None
    for episode in child.episodes:
        for plan in episode.cp_plans:
            end = plan.end_date
            if end is not None and end == plan.start_date:
                message = f"The plan starting {end} also ends on {end}."
                hits = add_hit(hits, Hit(END, line_of(plan, END), message))
    return hits or NO_HITS


@rule(
    "8930",
    severity=ERROR,
    title="A child protection plan's end date falls within the census year.",
    fix=(
        "Correct the plan's end date, or leave it out if the plan was still open at the end of the census year; a "
        "plan that ended before the census year belongs in an earlier return."
    ),
    fields=(END,),
)
def cp_plan_ends_outside_census_year(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    hits = None
    first, last = ctx.period_start, ctx.period_end
    for episode in child.episodes:
        for plan in episode.cp_plans:
            end = plan.end_date
            if end is not None and not first <= end <= last:
                message = (
                    f"The child protection plan {_starting(plan)} ends on {end}, outside the census year {first} to "
                    f"{last}."
                )
                hits = add_hit(hits, Hit(END, line_of(plan, END), message))
    return hits or NO_HITS


@rule(
    "1105",
    severity=ERROR,
    title="A child protection plan does not start before the referral date of its episode.",
    fix="Correct the plan's start date or the referral date: the plan starts on or after the referral.",
    fields=(START, REFERRAL),
)
def cp_plan_starts_before_referral(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    hits = None
    for episode in child.episodes:
        referral = episode.referral_date
        if referral is None:
            continue
        for plan in episode.cp_plans:
            start = plan.start_date
            if start is not None and start < referral:
                message = (
                    f"The child protection plan starting {start} starts before the episode's referral date, {referral}."
                )
                hits = add_hit(hits, Hit(START, line_of(plan, START), message))
    return hits or NO_HITS


@rule(
    "8915",
    severity=ERROR,
    title="A child protection plan does not start after the child's date of death.",
    fix="Correct the plan's start date or the child's date of death.",
    fields=(START, DEATH),
)
def cp_plan_starts_after_death(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    death = child.death_date
    if death is None:
        return NO_HITS
    hits = None
    for episode in child.episodes:
        for plan in episode.cp_plans:
            start = plan.start_date
            if start is not None and start > death:
                message = f"The child protection plan starting {start} starts after the child's date of death, {death}."
                hits = add_hit(hits, Hit(START, line_of(plan, START), message))
    return hits or NO_HITS


@rule(
    "8920",
    severity=ERROR,
    title="A child protection plan does not end after the child's date of death (nor stay open after it).",
    fix="End the plan on or before the child's date of death, or correct the date of death.",
    fields=(END, DEATH),
)
def cp_plan_ends_after_death(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """Decision: a plan with no end date for a child who died within the census year (on or before
    31 March) is reported too: it was still open after the death. A death recorded after the census
    year leaves open plans alone."""
    death = child.death_date
    if death is None:
        return NO_HITS
    hits = None
    for episode in child.episodes:
        for plan in episode.cp_plans:
            end = plan.end_date
            if end is not None and end > death:
                message = (
                    f"The child protection plan {_starting(plan)} ends on {end}, after the child's date of death, "
                    f"{death}."
                )
            elif end is None and death <= ctx.period_end:
                message = f"The child protection plan {_starting(plan)} has no end date, but the child died on {death}."
            else:
                continue
            hits = add_hit(hits, Hit(END, line_of(plan, END), message))
    return hits or NO_HITS


# --- other items of one plan ---------------------------------------------------------------------


def _category_problem(plan: CPPlanRecord, which: str, code: str) -> str:
    if not code:
        return f"The child protection plan {_starting(plan)} has no {which} category of abuse."
    return (
        f"The child protection plan {_starting(plan)} has {which} category of abuse '{code}', which is not one of "
        f"the codes {_CATEGORY_LIST}."
    )


@rule(
    "8905",
    severity=ERROR,
    title="A child protection plan has a valid initial category of abuse.",
    fix=f"Record the initial category of abuse as one of {_CATEGORY_LIST}.",
    fields=(INITIAL,),
)
def cp_plan_initial_category_missing_or_invalid(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    hits = None
    for episode in child.episodes:
        for plan in episode.cp_plans:
            code = plan.initial_category
            if code not in CATEGORIES_OF_ABUSE:
                message = _category_problem(plan, "initial", code)
                hits = add_hit(hits, Hit(INITIAL, line_of(plan, INITIAL), message))
    return hits or NO_HITS


@rule(
    "8910",
    severity=ERROR,
    title="A child protection plan has a valid latest category of abuse.",
    fix=f"Record the latest category of abuse as one of {_CATEGORY_LIST}.",
    fields=(LATEST,),
)
def cp_plan_latest_category_missing_or_invalid(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    hits = None
    for episode in child.episodes:
        for plan in episode.cp_plans:
            code = plan.latest_category
            if code not in CATEGORIES_OF_ABUSE:
                message = _category_problem(plan, "latest", code)
                hits = add_hit(hits, Hit(LATEST, line_of(plan, LATEST), message))
    return hits or NO_HITS


@rule(
    "8730",
    severity=ERROR,
    title="A child protection plan records the number of previous child protection plans.",
    fix="Add NumberOfPreviousCPP to the plan (0 when the child had no earlier plan).",
    fields=(PREVIOUS,),
)
def cp_plan_previous_plans_missing(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """The published schema types the element as a positive integer, but 0 is meaningful and
    accepted (see ``shared/design/cin-census.md``)."""
    hits = None
    for episode in child.episodes:
        for plan in episode.cp_plans:
            if plan.number_of_previous_cpp is None:
                message = f"The child protection plan {_starting(plan)} does not record the number of previous plans."
                hits = add_hit(hits, Hit(PREVIOUS, line_of(plan, PREVIOUS), message))
    return hits or NO_HITS


@rule(
    "8841",
    severity=ERROR,
    title="A child protection review is held after the day the plan starts.",
    fix="Correct the review date or the plan's start date: reviews are held after the plan starts.",
    fields=(REVIEW, START),
)
def cp_review_on_or_before_plan_start(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    hits = None
    for episode in child.episodes:
        for plan in episode.cp_plans:
            start = plan.start_date
            if start is None or not plan.reviews:
                continue
            for index, review in enumerate(plan.reviews):
                if review is not None and review <= start:
                    when = "on the same day as" if review == start else "before"
                    message = f"The review on {review} is {when} the start of its child protection plan, {start}."
                    hits = add_hit(hits, Hit(REVIEW, _review_line(plan, index), message))
    return hits or NO_HITS


@rule(
    "8842Q",
    severity=QUERY,
    title="Every child protection review recorded has a date.",
    fix="Add the review's date, or remove the empty review.",
    fields=(REVIEW,),
)
def cp_review_without_date(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    hits = None
    for episode in child.episodes:
        for plan in episode.cp_plans:
            for index, review in enumerate(plan.reviews):
                if review is None:
                    message = f"A review of the child protection plan {_starting(plan)} has no date."
                    hits = add_hit(hits, Hit(REVIEW, _review_line(plan, index), message))
    return hits or NO_HITS


# --- plans of the child against each other -------------------------------------------------------


@rule(
    "8935",
    severity=ERROR,
    title="A child has at most one open child protection plan (one with no end date).",
    fix="Add the end date of every child protection plan that has ended, or remove a duplicate plan.",
    fields=(END,),
)
def child_has_two_open_cp_plans(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    count = 0
    for episode in child.episodes:
        for plan in episode.cp_plans:
            if plan.end_date is None:
                count += 1
    if count < 2:
        return NO_HITS
    open_plans = [plan for episode in child.episodes for plan in episode.cp_plans if plan.end_date is None]
    starts = ", ".join(str(plan.start_date or "an unknown date") for plan in open_plans)
    message = f"The child has {count} child protection plans with no end date (starting {starts})."
    return [Hit(END, line_of(open_plans[1], END), message)]


@rule(
    "8940",
    severity=ERROR,
    title="A child's child protection plans do not overlap.",
    fix=(
        "Correct the start and end dates of the child's child protection plans so that each starts after the "
        "previous one ends, or remove a duplicate plan."
    ),
    fields=(START, END),
)
def cp_plans_overlap(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """O(n log n) over the child's plans (see ``starts_inside_another``): a plan is reported when it
    starts on or after another plan's start and on or before that plan's end date (31 March when
    the other plan is open).

    Decision on same-day overlaps: unlike CIN plans (4014), the DfE makes no exception for a plan
    starting on the day another ends, so that is an overlap here: a new child protection plan needs
    a new initial conference, and one plan ending and another starting on the same day is usually
    one plan recorded twice (a change of category is recorded as the latest category instead).
    """
    count = 0
    for episode in child.episodes:
        count += len(episode.cp_plans)
    if count < 2:
        return NO_HITS
    last = ctx.period_end
    plans = [plan for episode in child.episodes for plan in episode.cp_plans]
    hits = None
    for plan, other in starts_inside_another(plans, _start_of, lambda p: (p.end_date or last) + _ONE_DAY):
        if other.end_date is None:
            span = f"the plan starting {other.start_date}, which has no end date"
        else:
            span = f"the plan running from {other.start_date} to {other.end_date}"
        message = f"The child protection plan starting {plan.start_date} overlaps {span}."
        hits = add_hit(hits, Hit(START, line_of(plan, START), message))
    return hits or NO_HITS


def _start_of(plan: CPPlanRecord) -> dt.date | None:
    return plan.start_date


# --- plans against initial conferences -----------------------------------------------------------


@rule(
    "2883",
    severity=ERROR,
    title=(
        "An episode has no more child protection plans starting in the census year than initial conferences held in it."
    ),
    fix=(
        "Add the initial child protection conference that started each plan (on its section 47 enquiry, or on the "
        "episode), or correct the plans' start dates."
    ),
    fields=(START, ICPC),
)
def more_cp_plans_than_conferences(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """Counted per episode: plans whose start date falls within the census year, against conference
    dates within the census year on the episode's section 47 enquiries and on the episode itself
    (both counted, as the DfE counts them)."""
    hits = None
    first, last = ctx.period_start, ctx.period_end
    for episode in child.episodes:
        if not episode.cp_plans:
            continue
        starting = [
            plan for plan in episode.cp_plans if plan.start_date is not None and first <= plan.start_date <= last
        ]
        if not starting:
            continue
        conferences = [
            e.icpc_date for e in episode.section47s if e.icpc_date is not None and first <= e.icpc_date <= last
        ]
        if episode.initial_cpc_date is not None and first <= episode.initial_cpc_date <= last:
            conferences.append(episode.initial_cpc_date)
        if len(starting) <= len(conferences):
            continue
        starting.sort(key=_start_of)
        plan_dates = ", ".join(str(plan.start_date) for plan in starting)
        if not conferences:
            held = "no initial conference"
        elif len(conferences) == 1:
            held = f"only 1 initial conference ({conferences[0]})"
        else:
            held = f"only {len(conferences)} initial conferences ({', '.join(str(d) for d in sorted(conferences))})"
        message = (
            f"The episode referred on {episode.referral_date or 'an unknown date'} has {len(starting)} child "
            f"protection plans starting in the census year ({plan_dates}) but {held} in it."
        )
        extra = starting[len(conferences)]
        hits = add_hit(hits, Hit(START, line_of(extra, START), message))
    return hits or NO_HITS


@rule(
    "2885",
    severity=ERROR,
    title="A child protection plan starts on the day of the initial conference that decided it.",
    fix=(
        "Correct the plan's start date or the conference date: a plan starts on the day of its initial child "
        "protection conference."
    ),
    fields=(START, ICPC),
)
def cp_plan_start_differs_from_conference(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """For each plan starting within the census year: its start date must equal the conference
    date of a section 47 enquiry in the episode, or, when no enquiry in the episode has a conference
    date, the conference date recorded on the episode.

    Decision: the DfE says "a CINdetails conference date if there is no associated section 47
    record"; an enquiry that ended with no conference (ICPCnotRequired) is not associated with the
    plan, so only enquiries that hold a conference date count."""
    hits = None
    first, last = ctx.period_start, ctx.period_end
    for episode in child.episodes:
        if not episode.cp_plans:
            continue
        s47_conferences = {e.icpc_date for e in episode.section47s if e.icpc_date is not None}
        for plan in episode.cp_plans:
            start = plan.start_date
            if start is None or not first <= start <= last:
                continue
            if s47_conferences:
                if start in s47_conferences:
                    continue
                held = ", ".join(str(day) for day in sorted(s47_conferences))
                message = (
                    f"The child protection plan starting {start} does not start on the day of an initial conference "
                    f"of the episode's section 47 enquiries ({held})."
                )
            else:
                icpc = episode.initial_cpc_date
                if start == icpc:
                    continue
                if icpc is None:
                    message = (
                        f"The child protection plan starting {start} has no initial conference: neither the episode "
                        "nor its section 47 enquiries record one."
                    )
                else:
                    message = (
                        f"The child protection plan starting {start} does not start on the day of the episode's "
                        f"initial conference, {icpc}."
                    )
            hits = add_hit(hits, Hit(START, line_of(plan, START), message))
    return hits or NO_HITS
