"""Practice points: procedural rules that appear in the manual as text **and** are data other modules use.

Source: the partnership's amendment log for the multi-agency child protection procedures (the
"December 2017" and "September 2017" releases reproduced in ``shared/seeds/002``):

- *Child Protection Conferences* and *Implementation of Child Protection Plans*: "When a child is
  being returned to carers in whose care the significant harm originally occurred, a Child
  Protection Plan should be considered appropriate for a minimum of 6 months. If the child is placed
  out of county notification should also be sent to the host authority."
- *Domestic Abuse*, *Working with Parents who are Misusing Substances*, *Parents with Mental Health
  Needs*: where a child lives in a household with domestic abuse, parental/carer mental ill health
  and parental/carer substance misuse (the "toxic trio"), "practitioners must ensure that all cases
  where the 'toxic trio' are present are discussed with their line manager and/or designated
  safeguarding lead".

A chapter shows a practice point by naming its code on a line of its own in the Markdown, for
example ``[[practice-point: cp-plan-after-return-home]]``; the manual renders the statement below in
a highlighted box, so the words practitioners read and the rule other modules apply cannot drift
apart. Other modules import the constants and functions here (for example an audit question "was
the toxic trio discussed with a manager?" or a data check on plan length after a return home).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class PracticePoint:
    code: str
    title: str
    statement: str
    applies_to: tuple[str, ...]  # chapter titles in which the practice point appears

    def shortcode(self) -> str:
        return f"[[practice-point: {self.code}]]"


# --- A child protection plan of at least 6 months after a return home --------------------------------

MINIMUM_PLAN_MONTHS_AFTER_RETURN = 6

CP_PLAN_AFTER_RETURN_HOME = PracticePoint(
    code="cp-plan-after-return-home",
    title="A child protection plan of at least 6 months after a return home",
    statement=(
        "When a child is being returned to carers in whose care the significant harm originally occurred, a child "
        "protection plan should be considered appropriate for a minimum of 6 months. If the child is placed out of "
        "county, notification should also be sent to the host authority."
    ),
    applies_to=("Child Protection Conferences", "Implementation of Child Protection Plans"),
)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months later, or the month's last day when it has no such day
    (31 August + 6 months is 28 February, or 29 February in a leap year)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def minimum_plan_end(returned_home_on: dt.date) -> dt.date:
    """The earliest date a plan started at a return home should end under the 6-month practice point."""
    return add_months(returned_home_on, MINIMUM_PLAN_MONTHS_AFTER_RETURN)


def plan_meets_minimum_after_return(*, returned_home_on: dt.date, plan_ended_on: dt.date | None) -> bool:
    """True when the plan lasted (or is still running, ``plan_ended_on`` None) at least 6 months."""
    return plan_ended_on is None or plan_ended_on >= minimum_plan_end(returned_home_on)


def host_authority_notification_required(*, responsible_authority: str, placement_authority: str) -> bool:
    """Out of county: the child lives in another local authority, which must be notified."""
    return responsible_authority.strip().casefold() != placement_authority.strip().casefold()


# --- The toxic trio ----------------------------------------------------------------------------------

DOMESTIC_ABUSE = "domestic_abuse"
PARENTAL_MENTAL_ILL_HEALTH = "parental_mental_ill_health"
PARENTAL_SUBSTANCE_MISUSE = "parental_substance_misuse"
TOXIC_TRIO_FACTORS = frozenset({DOMESTIC_ABUSE, PARENTAL_MENTAL_ILL_HEALTH, PARENTAL_SUBSTANCE_MISUSE})
TOXIC_TRIO_LABELS = {
    DOMESTIC_ABUSE: "Domestic abuse",
    PARENTAL_MENTAL_ILL_HEALTH: "Parental or carer mental ill health",
    PARENTAL_SUBSTANCE_MISUSE: "Parental or carer substance misuse (drugs or alcohol)",
}

TOXIC_TRIO = PracticePoint(
    code="toxic-trio",
    title="The toxic trio: discuss with your manager or designated safeguarding lead",
    statement=(
        "Where a child lives in a household with domestic abuse, parental or carer mental ill health and parental or "
        "carer substance misuse (drugs or alcohol), the interaction between them, the 'toxic trio', must be fully "
        "considered in the assessment. They indicate increased risk to the child. Discuss every case where the toxic "
        "trio are present with your line manager or designated safeguarding lead, so that the right support and "
        "interventions are identified."
    ),
    applies_to=("Domestic Abuse", "Parents Misusing Substances", "Parental Mental Ill Health"),
)


def toxic_trio_factors_present(factors: Iterable[str]) -> frozenset[str]:
    """Which of the three factors are among ``factors`` (unknown factor codes are ignored)."""
    return TOXIC_TRIO_FACTORS & frozenset(factors)


def toxic_trio_present(factors: Iterable[str]) -> bool:
    """All three factors together: the procedure requires a discussion with a manager or DSL."""
    return toxic_trio_factors_present(factors) == TOXIC_TRIO_FACTORS


def needs_manager_or_dsl_discussion(factors: Iterable[str]) -> bool:
    return toxic_trio_present(factors)


# --- Registry ----------------------------------------------------------------------------------------

PRACTICE_POINTS: dict[str, PracticePoint] = {p.code: p for p in (CP_PLAN_AFTER_RETURN_HOME, TOXIC_TRIO)}


def practice_point_get(code: str) -> PracticePoint:
    """The practice point with this code; ``KeyError`` names the codes that exist."""
    try:
        return PRACTICE_POINTS[code]
    except KeyError:
        raise KeyError(f"No practice point '{code}'. Known: {', '.join(sorted(PRACTICE_POINTS))}.") from None
