"""Synthetic census records for the part-2 rule tests: builders, the case table and a generator of
plausible valid children (for the false-positive check and the timing).

Everything here is made up: dates and codes only, no person. The default collection year is 2025
(census year 1 April 2024 to 31 March 2025).
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from dataclasses import dataclass

from safeguard.extracts.census.records import (
    AssessmentRecord,
    ChildRecord,
    CINPlanRecord,
    CPPlanRecord,
    EpisodeRecord,
    Section47Record,
)
from safeguard.workdays.calendar import Calendar

CALENDAR = Calendar(dt.date(2015, 1, 1), dt.date(2035, 12, 31))

DateLike = str | dt.date | None

_next_line = itertools.count(10, 10).__next__


def day(value: DateLike) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def _lines(present: dict[str, object]) -> tuple[int, dict[str, int]]:
    """A record's own line and one line for each element that is present (as the parser gives)."""
    base = _next_line()
    names = [name for name, value in present.items() if value not in (None, "", [], ())]
    return base, {name: base + offset for offset, name in enumerate(names, start=1)}


def assessment(start: DateLike, end: DateLike = None, factors: list[str] | None = None) -> AssessmentRecord:
    """An assessment; a completed one (with ``end``) gets factor 16A unless told otherwise."""
    start, end = day(start), day(end)
    if factors is None:
        factors = ["16A"] if end is not None else []
    line, lines = _lines({"AssessmentActualStartDate": start, "AssessmentAuthorisationDate": end})
    if factors:
        lines["AssessmentFactors"] = line + 9
    return AssessmentRecord(start_date=start, authorisation_date=end, factors=list(factors), line=line, lines=lines)


def cin_plan(start: DateLike, end: DateLike = None) -> CINPlanRecord:
    start, end = day(start), day(end)
    line, lines = _lines({"CINPlanStartDate": start, "CINPlanEndDate": end})
    return CINPlanRecord(start_date=start, end_date=end, line=line, lines=lines)


def s47(
    start: DateLike, icpc: DateLike = None, *, target: DateLike = "auto", not_required: bool | None = False
) -> Section47Record:
    """A section 47 enquiry; its conference target is the 15th working day after the start unless
    given."""
    start, icpc = day(start), day(icpc)
    if target == "auto":
        target = CALENDAR.add(start, 15) if start is not None else None
    target = day(target)
    line, lines = _lines(
        {
            "S47ActualStartDate": start,
            "InitialCPCtarget": target,
            "DateOfInitialCPC": icpc,
            "ICPCnotRequired": not_required,
        }
    )
    return Section47Record(
        start_date=start, icpc_target=target, icpc_date=icpc, icpc_not_required=not_required, line=line, lines=lines
    )


def cp_plan(
    start: DateLike,
    end: DateLike = None,
    *,
    initial: str = "NEG",
    latest: str = "NEG",
    previous: int | None = 0,
    reviews: tuple[DateLike, ...] = (),
) -> CPPlanRecord:
    start, end = day(start), day(end)
    line, lines = _lines(
        {
            "CPPstartDate": start,
            "CPPendDate": end,
            "InitialCategoryOfAbuse": initial,
            "LatestCategoryOfAbuse": latest,
            "NumberOfPreviousCPP": previous,
        }
    )
    review_dates = [day(r) for r in reviews]
    review_lines = [line + 20 + i for i in range(len(review_dates))]
    return CPPlanRecord(
        start_date=start,
        end_date=end,
        initial_category=initial,
        latest_category=latest,
        number_of_previous_cpp=previous,
        reviews=review_dates,
        review_lines=review_lines,
        line=line,
        lines=lines,
    )


def episode(
    referral: DateLike = "2024-04-15",
    *,
    closure: DateLike = None,
    reason: str = "",
    icpc: DateLike = None,
    nfa: bool | None = False,
    assessments: tuple[AssessmentRecord, ...] = (),
    cin_plans: tuple[CINPlanRecord, ...] = (),
    s47s: tuple[Section47Record, ...] = (),
    cp_plans: tuple[CPPlanRecord, ...] = (),
) -> EpisodeRecord:
    referral, closure, icpc = day(referral), day(closure), day(icpc)
    line, lines = _lines(
        {
            "CINreferralDate": referral,
            "ReferralSource": "1A",
            "PrimaryNeedCode": "N1",
            "CINclosureDate": closure,
            "ReasonForClosure": reason,
            "DateOfInitialCPC": icpc,
            "ReferralNFA": nfa,
        }
    )
    return EpisodeRecord(
        referral_date=referral,
        referral_source="1A",
        primary_need="N1",
        closure_date=closure,
        reason_for_closure=reason,
        initial_cpc_date=icpc,
        referral_nfa=nfa,
        assessments=list(assessments),
        cin_plans=list(cin_plans),
        section47s=list(s47s),
        cp_plans=list(cp_plans),
        line=line,
        lines=lines,
    )


_child_ids = itertools.count(1)


def child(*episodes: EpisodeRecord, death: DateLike = None) -> ChildRecord:
    death = day(death)
    line, lines = _lines({"LAchildID": "x", "PersonBirthDate": "x", "PersonDeathDate": death})
    return ChildRecord(
        la_child_id=f"SYN{next(_child_ids):06d}",
        birth_date=dt.date(2015, 6, 1),
        sex="F",
        death_date=death,
        ethnicity="WBRI",
        disabilities=["NONE"],
        episodes=list(episodes),
        line=line,
        lines=lines,
    )


# --- shapes used by many cases -------------------------------------------------------------------

# Monday 10 June 2024 + 15 working days = Monday 1 July 2024.
S47_START, ICPC = "2024-06-10", "2024-07-01"


def done(start: DateLike = "2024-04-16") -> AssessmentRecord:
    """A completed assessment authorised 5 working days after ``start``."""
    return assessment(start, CALENDAR.add(day(start), 5), ["16A", "3B"])


def protected(
    *plans: CPPlanRecord, s47s: tuple[Section47Record, ...] | None = None, death: DateLike = None, **kw
) -> ChildRecord:
    """A child whose one episode has a completed assessment, a section 47 enquiry whose conference
    on 1 July 2024 started a plan, and the given plans."""
    enquiries = s47s if s47s is not None else (s47(S47_START, ICPC),)
    return child(episode(assessments=(done(),), s47s=enquiries, cp_plans=plans, **kw), death=death)


def rich() -> ChildRecord:
    """A valid child using every part: assessment, CIN plan stepping up to a child protection plan
    started at the initial conference, with two reviews."""
    return child(
        episode(
            "2024-04-15",
            assessments=(assessment("2024-04-16", "2024-05-20", ["16A", "3B"]),),
            cin_plans=(cin_plan("2024-05-20", "2024-07-01"),),
            s47s=(s47(S47_START, ICPC),),
            cp_plans=(cp_plan(ICPC, reviews=("2024-09-30", "2025-03-10")),),
        )
    )


# --- the case table ------------------------------------------------------------------------------


@dataclass
class Case:
    """Valid examples (no finding from any part-2 rule) and failing ones (the rule's code, plus at
    most the codes in ``also``, which cannot be avoided with such data)."""

    passing: list[ChildRecord]
    failing: list[ChildRecord]
    also: frozenset[str] = frozenset()
    year: int = 2025
    #: moves the end of the census year, to put a real calendar boundary (Christmas, Easter) there
    period_end: dt.date | None = None
    note: str = ""


def _cases() -> dict[str, list[Case]]:
    c: dict[str, list[Case]] = {}

    # --- assessments ---
    c["1103"] = [
        Case(
            passing=[child(episode("2024-05-01", assessments=(assessment("2024-05-01", "2024-06-10"),)))],
            failing=[child(episode("2024-05-01", assessments=(assessment("2024-04-30", "2024-06-10"),)))],
        )
    ]
    c["8608"] = [
        Case(
            passing=[child(episode(assessments=(assessment("2024-04-16", "2024-04-16"),)))],
            failing=[child(episode(assessments=(assessment("2024-04-16", "2024-04-15"),)))],
        )
    ]
    c["8614"] = [
        Case(
            passing=[child(episode(assessments=(assessment("2025-03-03"),)))],
            failing=[child(episode(assessments=(assessment("2025-03-03", None, ["3B"]),)))],
        )
    ]
    c["8670Q"] = [
        Case(
            note="2024-25: 31 March 2025 is a Monday, the 45th working day after Monday 27 January 2025",
            passing=[child(episode("2025-01-20", assessments=(assessment("2025-01-27"),)))],
            failing=[child(episode("2025-01-20", assessments=(assessment("2025-01-24"),)))],
        ),
        Case(
            note=(
                "2023-24 ends on Easter Sunday 2024; counting through the leap day, Friday 26 January 2024 has its "
                "45th working day on Tuesday 2 April, Thursday 25 January on Thursday 28 March"
            ),
            year=2024,
            passing=[child(episode("2024-01-22", assessments=(assessment("2024-01-26"),)))],
            failing=[child(episode("2024-01-22", assessments=(assessment("2024-01-25"),)))],
        ),
    ]
    c["8696"] = [
        Case(
            passing=[child(episode(assessments=(assessment("2025-03-03", "2025-03-31"),)))],
            failing=[
                child(episode(assessments=(assessment("2025-03-03", "2025-04-01"),))),
                child(episode("2024-03-01", assessments=(assessment("2024-03-04", "2024-03-28"),))),
            ],
        )
    ]
    c["8736"] = [
        Case(
            passing=[child(episode("2024-03-25", assessments=(assessment("2024-03-26", "2024-04-10"),)))],
            failing=[
                child(episode("2025-03-28", assessments=(assessment("2025-04-01"),))),
                child(episode(assessments=(assessment(None),))),
            ],
        ),
        Case(
            note="an open assessment from before the census year has also run more than 45 working days",
            also=frozenset({"8670Q"}),
            passing=[],
            failing=[child(episode("2024-03-25", assessments=(assessment("2024-03-26"),)))],
        ),
    ]
    c["8863Q"] = [
        Case(
            passing=[
                child(
                    episode(
                        assessments=(assessment("2024-04-16", "2024-06-10"), assessment("2024-06-10", "2024-07-01"))
                    )
                )
            ],
            failing=[
                child(
                    episode(
                        assessments=(assessment("2024-04-16", "2024-06-10"), assessment("2024-06-07", "2024-07-01"))
                    )
                ),
                child(
                    episode(
                        assessments=(assessment("2024-05-01", "2024-06-10"), assessment("2024-05-01", "2024-05-20"))
                    )
                ),
            ],
        )
    ]
    c["8896"] = [
        Case(
            note="two open assessments always overlap as well",
            also=frozenset({"8863Q"}),
            passing=[child(episode(assessments=(assessment("2024-04-16", "2025-02-03"), assessment("2025-02-03"))))],
            failing=[child(episode(assessments=(assessment("2025-02-03"), assessment("2025-02-10"))))],
        )
    ]
    c["8867"] = [
        Case(
            passing=[child(episode(closure="2025-03-20", reason="RC7", assessments=(done(),)))],
            failing=[child(episode(closure="2025-03-20", reason="RC7", assessments=(assessment("2025-03-03"),)))],
        )
    ]
    c["8869"] = [
        Case(
            passing=[
                child(
                    episode(
                        closure="2024-05-21",
                        reason="RC8",
                        assessments=(assessment("2024-04-16", "2024-05-20", ["21"]),),
                    )
                )
            ],
            failing=[child(episode(assessments=(assessment("2024-04-16", "2024-05-20", ["21", "3B"]),)))],
        )
    ]
    c["8873Q"] = [
        Case(
            passing=[
                child(
                    episode(
                        closure="2024-05-21",
                        reason="RC9",
                        assessments=(assessment("2024-04-16", "2024-05-20", ["21"]),),
                    )
                ),
                child(episode(assessments=(assessment("2024-04-16", "2024-05-20", ["21"]),))),
            ],
            failing=[
                child(
                    episode(
                        closure="2024-05-21",
                        reason="RC7",
                        assessments=(assessment("2024-04-16", "2024-05-20", ["21"]),),
                    )
                )
            ],
        )
    ]
    c["8897Q"] = [
        Case(
            passing=[child(episode(assessments=(assessment("2024-04-16", "2024-05-20", ["21"]),)))],
            failing=[child(episode(assessments=(assessment("2024-04-16", "2024-05-20", []),)))],
        )
    ]
    c["8898"] = [
        Case(
            passing=[child(episode(assessments=(assessment("2024-04-16", "2024-05-20", ["3B", "3C"]),)))],
            failing=[child(episode(assessments=(assessment("2024-04-16", "2024-05-20", ["3B", "16A", "3B"]),)))],
        )
    ]
    c["8945Q"] = [
        Case(
            passing=[child(episode(assessments=(assessment("2024-04-16", "2024-05-20", ["18B", "18C"]),)))],
            failing=[child(episode(assessments=(assessment("2024-04-16", "2024-05-20", ["18A"]),)))],
        )
    ]
    c["8950Q"] = [
        Case(
            passing=[child(episode(assessments=(assessment("2024-04-16", "2024-05-20", ["19B"]),)))],
            failing=[child(episode(assessments=(assessment("2024-04-16", "2024-05-20", ["19A", "3B"]),)))],
        )
    ]

    # --- section 47 enquiries and initial conferences ---
    c["1104"] = [
        Case(
            passing=[child(episode("2024-04-15", icpc="2024-04-15"))],
            failing=[child(episode("2024-04-15", icpc="2024-04-12"))],
        ),
        Case(
            note="a conference before the referral on a section 47 enquiry means the enquiry started before it too",
            also=frozenset({"2889"}),
            passing=[],
            failing=[child(episode("2024-04-15", assessments=(done(),), s47s=(s47("2024-04-08", "2024-04-12"),)))],
        ),
    ]
    c["2889"] = [
        Case(
            passing=[child(episode("2024-06-10", assessments=(done("2024-06-10"),), s47s=(s47(S47_START, ICPC),)))],
            failing=[child(episode("2024-06-11", assessments=(done("2024-06-11"),), s47s=(s47(S47_START, ICPC),)))],
        )
    ]
    c["2884"] = [
        Case(
            passing=[
                child(episode(assessments=(done(),), s47s=(s47(S47_START, ICPC),))),
                child(episode(icpc="2024-09-02", assessments=(done(),), s47s=(s47(S47_START, ICPC),))),
            ],
            failing=[child(episode(icpc=ICPC, assessments=(done(),), s47s=(s47(S47_START, ICPC),)))],
        )
    ]
    c["2991Q"] = [
        Case(
            passing=[child(episode(assessments=(done(),), s47s=(s47(S47_START, ICPC),)))],
            failing=[child(episode(s47s=(s47(S47_START, ICPC),)))],
        )
    ]
    c["8615"] = [
        Case(
            passing=[child(episode(assessments=(done(),), s47s=(s47("2024-07-01", "2024-07-01"),)))],
            failing=[
                child(episode(assessments=(done(),), s47s=(s47("2024-07-02", "2024-07-01"),))),
                child(episode(assessments=(done(),), s47s=(s47(None, "2024-07-01"),))),
            ],
        )
    ]
    c["8675Q"] = [
        Case(
            note="2024-25: the 15th working day after Monday 10 March 2025 is Monday 31 March",
            passing=[
                child(episode("2025-03-03", assessments=(done("2025-03-03"),), s47s=(s47("2025-03-10"),))),
                child(
                    episode(
                        "2025-03-03", assessments=(done("2025-03-03"),), s47s=(s47("2025-03-03", not_required=True),)
                    )
                ),
            ],
            failing=[child(episode("2025-03-03", assessments=(done("2025-03-03"),), s47s=(s47("2025-03-07"),)))],
        ),
        Case(
            note=(
                "Christmas 2024: an enquiry started on Friday 20 December 2024 has its 15th working day on "
                "Wednesday 15 January 2025 (the census year is ended there to test it)"
            ),
            period_end=dt.date(2025, 1, 15),
            passing=[child(episode("2024-12-16", assessments=(done("2024-12-16"),), s47s=(s47("2024-12-20"),)))],
            failing=[child(episode("2024-12-16", assessments=(done("2024-12-16"),), s47s=(s47("2024-12-19"),)))],
        ),
        Case(
            note=(
                "Easter 2025 (Good Friday 18 April, Easter Monday 21 April) and the early May bank holiday: the 15th "
                "working day after Thursday 10 April 2025 is Tuesday 6 May"
            ),
            year=2026,
            period_end=dt.date(2025, 5, 6),
            passing=[
                child(
                    episode(
                        "2025-04-07", assessments=(assessment("2025-04-07", "2025-04-08"),), s47s=(s47("2025-04-10"),)
                    )
                )
            ],
            failing=[
                child(
                    episode(
                        "2025-04-07", assessments=(assessment("2025-04-07", "2025-04-08"),), s47s=(s47("2025-04-09"),)
                    )
                )
            ],
        ),
        Case(
            note="2023-24 ends on Easter Sunday 2024: Friday 8 March 2024 reaches its 15th working day on 2 April",
            year=2024,
            passing=[
                child(
                    episode(
                        "2024-03-04", assessments=(assessment("2024-03-04", "2024-03-05"),), s47s=(s47("2024-03-08"),)
                    )
                )
            ],
            failing=[
                child(
                    episode(
                        "2024-03-04", assessments=(assessment("2024-03-04", "2024-03-05"),), s47s=(s47("2024-03-07"),)
                    )
                )
            ],
        ),
    ]
    c["8715"] = [
        Case(
            passing=[
                child(episode("2025-03-03", assessments=(done("2025-03-03"),), s47s=(s47("2025-03-10", "2025-03-31"),)))
            ],
            failing=[
                child(
                    episode("2025-03-03", assessments=(done("2025-03-03"),), s47s=(s47("2025-03-10", "2025-04-01"),))
                ),
                child(episode("2024-03-01", icpc="2024-03-28", assessments=(done(),))),
            ],
        )
    ]
    c["8740"] = [
        Case(
            passing=[child(episode("2025-03-24", assessments=(done("2025-03-24"),), s47s=(s47("2025-03-31"),)))],
            failing=[
                child(episode("2025-03-24", assessments=(done("2025-03-24"),), s47s=(s47("2025-04-01"),))),
                child(episode(assessments=(done(),), s47s=(s47(None),))),
            ],
        ),
        Case(
            note="an enquiry awaiting its conference since before the census year is also past 15 working days",
            also=frozenset({"8675Q"}),
            passing=[],
            failing=[child(episode("2024-03-01", assessments=(done(),), s47s=(s47("2024-03-25"),)))],
        ),
    ]
    c["8839"] = [
        Case(
            note="two enquiries awaiting their conferences always overlap as well",
            also=frozenset({"8890"}),
            passing=[
                child(
                    episode(
                        "2025-03-03",
                        assessments=(done("2025-03-03"),),
                        s47s=(s47("2025-03-10", not_required=True), s47("2025-03-14")),
                    )
                )
            ],
            failing=[
                child(
                    episode(
                        "2025-03-03", assessments=(done("2025-03-03"),), s47s=(s47("2025-03-10"), s47("2025-03-14"))
                    )
                )
            ],
        )
    ]
    c["8868"] = [
        Case(
            passing=[
                child(
                    episode(
                        "2025-03-03",
                        closure="2025-03-20",
                        reason="RC7",
                        assessments=(done("2025-03-03"),),
                        s47s=(s47("2025-03-17", not_required=True),),
                    )
                )
            ],
            failing=[
                child(
                    episode(
                        "2025-03-03",
                        closure="2025-03-20",
                        reason="RC7",
                        assessments=(done("2025-03-03"),),
                        s47s=(s47("2025-03-17"),),
                    )
                )
            ],
        )
    ]
    c["8870Q"] = [
        Case(
            passing=[child(episode(assessments=(done(),), s47s=(s47(S47_START, ICPC, target="2024-07-01"),)))],
            failing=[child(episode(assessments=(done(),), s47s=(s47(S47_START, ICPC, target="2024-06-29"),)))],
        )
    ]
    c["8875"] = [
        Case(
            passing=[child(episode(assessments=(done(),), s47s=(s47("2024-06-24", "2024-07-05"),)))],
            failing=[
                child(episode(assessments=(done(),), s47s=(s47("2024-06-24", "2024-07-06"),))),
                child(episode(icpc="2024-07-07", assessments=(done(),))),
            ],
        ),
        Case(
            note="Good Friday 2025 is a bank holiday but not a weekend, so it is not reported",
            year=2026,
            passing=[
                child(
                    episode(
                        "2025-04-01",
                        assessments=(assessment("2025-04-01", "2025-04-02"),),
                        s47s=(s47("2025-04-07", "2025-04-18"),),
                    )
                )
            ],
            failing=[
                child(
                    episode(
                        "2025-04-01",
                        assessments=(assessment("2025-04-01", "2025-04-02"),),
                        s47s=(s47("2025-04-07", "2025-04-19"),),
                    )
                )
            ],
        ),
        Case(
            note="the leap day 2024-02-29 was a Thursday; 2 March 2024 a Saturday",
            year=2024,
            passing=[
                child(
                    episode(
                        "2024-02-19",
                        assessments=(assessment("2024-02-19", "2024-02-20"),),
                        s47s=(s47("2024-02-20", "2024-02-29"),),
                    )
                )
            ],
            failing=[
                child(
                    episode(
                        "2024-02-19",
                        assessments=(assessment("2024-02-19", "2024-02-20"),),
                        s47s=(s47("2024-02-20", "2024-03-02"),),
                    )
                )
            ],
        ),
    ]
    c["8890"] = [
        Case(
            passing=[
                child(
                    episode(
                        assessments=(done(),),
                        s47s=(s47(S47_START, ICPC), s47(ICPC, "2024-07-08")),
                    )
                )
            ],
            failing=[
                child(
                    episode(
                        assessments=(done(),),
                        s47s=(s47(S47_START, ICPC), s47("2024-06-20", "2024-07-08")),
                    )
                )
            ],
        )
    ]

    # --- CIN plans ---
    c["4000"] = [
        Case(
            passing=[child(episode(nfa=True))],
            failing=[child(episode(nfa=True, cin_plans=(cin_plan("2024-05-20", "2024-07-01"),)))],
        )
    ]
    c["4010"] = [
        Case(
            passing=[child(episode("2024-01-08", cin_plans=(cin_plan("2024-01-10"),)))],
            failing=[
                child(episode("2025-03-24", cin_plans=(cin_plan("2025-04-01"),))),
                child(episode(cin_plans=(cin_plan(None, "2024-08-01"),))),
            ],
        )
    ]
    c["4011"] = [
        Case(
            passing=[child(episode(cin_plans=(cin_plan("2024-05-20", "2024-05-21"),)))],
            failing=[child(episode(cin_plans=(cin_plan("2024-05-20", "2024-05-17"),)))],
        )
    ]
    c["4012Q"] = [
        Case(
            passing=[child(episode(cin_plans=(cin_plan("2024-05-20", "2024-05-21"),)))],
            failing=[child(episode(cin_plans=(cin_plan("2024-05-20", "2024-05-20"),)))],
        )
    ]
    c["4013"] = [
        Case(
            passing=[child(episode(cin_plans=(cin_plan("2024-05-20", "2025-03-31"),)))],
            failing=[
                child(episode(cin_plans=(cin_plan("2024-05-20", "2025-04-01"),))),
                child(episode("2024-01-08", cin_plans=(cin_plan("2024-01-10", "2024-03-31"),))),
            ],
        )
    ]
    c["4015"] = [
        Case(
            passing=[child(episode("2024-05-20", cin_plans=(cin_plan("2024-05-20"),)))],
            failing=[child(episode("2024-05-20", cin_plans=(cin_plan("2024-05-17"),)))],
        )
    ]
    c["4008"] = [
        Case(
            note="a plan starting after the death also ends after it or stays open",
            also=frozenset({"4009Q"}),
            passing=[child(episode(cin_plans=(cin_plan("2024-05-20", "2024-08-01"),)), death="2024-08-01")],
            failing=[child(episode(cin_plans=(cin_plan("2024-08-02", "2024-08-05"),)), death="2024-08-01")],
        )
    ]
    c["4009Q"] = [
        Case(
            passing=[
                child(episode(cin_plans=(cin_plan("2024-05-20", "2024-08-01"),)), death="2024-08-01"),
                child(episode(cin_plans=(cin_plan("2024-05-20"),)), death="2025-04-02"),
            ],
            failing=[
                child(episode(cin_plans=(cin_plan("2024-05-20", "2024-08-02"),)), death="2024-08-01"),
                child(episode(cin_plans=(cin_plan("2024-05-20"),)), death="2024-08-01"),
            ],
        )
    ]
    c["4004"] = [
        Case(
            note="two open plans always overlap as well",
            also=frozenset({"4014"}),
            passing=[child(episode(cin_plans=(cin_plan("2024-05-20", "2024-08-01"), cin_plan("2024-08-01"))))],
            failing=[child(episode(cin_plans=(cin_plan("2024-05-20"), cin_plan("2024-08-01"))))],
        )
    ]
    c["4014"] = [
        Case(
            passing=[
                child(episode(cin_plans=(cin_plan("2024-05-20", "2024-08-01"), cin_plan("2024-08-01", "2024-10-01")))),
                child(
                    episode(
                        "2024-04-15",
                        closure="2024-08-01",
                        reason="RC7",
                        cin_plans=(cin_plan("2024-05-20", "2024-08-01"),),
                    ),
                    episode("2024-09-02", cin_plans=(cin_plan("2024-09-02"),)),
                ),
            ],
            failing=[
                child(episode(cin_plans=(cin_plan("2024-05-20", "2024-08-01"), cin_plan("2024-07-31", "2024-10-01")))),
                child(episode(cin_plans=(cin_plan("2024-05-20", "2024-06-01"), cin_plan("2024-05-20", "2024-08-01")))),
                child(
                    episode(
                        "2024-04-15",
                        closure="2024-09-02",
                        reason="RC7",
                        cin_plans=(cin_plan("2024-05-20", "2024-08-01"),),
                    ),
                    episode("2024-06-03", cin_plans=(cin_plan("2024-06-03"),)),
                ),
            ],
        )
    ]
    c["4001"] = [
        Case(
            note="when both are open, the later one also starts inside the earlier one",
            also=frozenset({"4017"}),
            passing=[rich()],
            failing=[protected(cp_plan(ICPC), cin_plans=(cin_plan("2024-05-20"),))],
        )
    ]
    c["4016"] = [
        Case(
            passing=[protected(cp_plan(ICPC, "2024-10-07"), cin_plans=(cin_plan("2024-10-07"),))],
            failing=[protected(cp_plan(ICPC, "2024-10-07"), cin_plans=(cin_plan("2024-09-02", "2024-12-02"),))],
        ),
        Case(
            note="plans starting on the same day each start inside the other",
            also=frozenset({"4017"}),
            passing=[],
            failing=[protected(cp_plan(ICPC, "2024-10-07"), cin_plans=(cin_plan(ICPC, "2024-12-02"),))],
        ),
        Case(
            note="a CIN plan starting while an open child protection plan runs is open alongside it",
            also=frozenset({"4001"}),
            passing=[],
            failing=[protected(cp_plan(ICPC), cin_plans=(cin_plan("2025-03-31"),))],
        ),
    ]
    c["4017"] = [
        Case(
            passing=[protected(cp_plan(ICPC), cin_plans=(cin_plan("2024-05-20", ICPC),))],
            failing=[protected(cp_plan(ICPC, "2024-10-07"), cin_plans=(cin_plan("2024-05-20", "2024-07-15"),))],
        )
    ]
    c["4003"] = [
        Case(
            passing=[
                rich(),
                protected(cp_plan(ICPC, "2024-10-07", reviews=("2024-10-07",)), cin_plans=(cin_plan("2024-10-07"),)),
            ],
            failing=[
                protected(cp_plan(ICPC, "2024-09-02", reviews=("2024-09-30",)), cin_plans=(cin_plan("2024-09-02"),))
            ],
        ),
        Case(
            note="a review inside a CIN plan that started during the child protection plan",
            also=frozenset({"4016"}),
            passing=[],
            failing=[
                protected(
                    cp_plan(ICPC, "2024-10-07", reviews=("2024-09-30",)),
                    cin_plans=(cin_plan("2024-09-02", "2024-12-02"),),
                )
            ],
        ),
    ]

    # --- child protection plans ---
    c["1105"] = [
        Case(
            passing=[child(episode("2024-03-04", cp_plans=(cp_plan("2024-03-04"),)))],
            failing=[child(episode("2024-03-04", cp_plans=(cp_plan("2024-03-01"),)))],
        )
    ]
    c["8720"] = [
        Case(
            passing=[child(episode("2023-11-06", cp_plans=(cp_plan("2023-11-20"),)))],
            failing=[
                child(episode("2025-03-24", cp_plans=(cp_plan("2025-04-07"),))),
                child(episode("2023-11-06", cp_plans=(cp_plan(None, "2024-06-03"),))),
            ],
        )
    ]
    c["8925"] = [
        Case(
            passing=[protected(cp_plan(ICPC, "2024-07-02"))],
            failing=[protected(cp_plan(ICPC, "2024-06-28"))],
        )
    ]
    c["8840"] = [
        Case(
            passing=[protected(cp_plan(ICPC, "2024-07-02"))],
            failing=[protected(cp_plan(ICPC, ICPC))],
        ),
        Case(
            note="the leap day",
            year=2024,
            passing=[child(episode("2024-02-01", icpc="2024-02-29", cp_plans=(cp_plan("2024-02-29", "2024-03-01"),)))],
            failing=[child(episode("2024-02-01", icpc="2024-02-29", cp_plans=(cp_plan("2024-02-29", "2024-02-29"),)))],
        ),
    ]
    c["8930"] = [
        Case(
            passing=[protected(cp_plan(ICPC, "2025-03-31"))],
            failing=[
                protected(cp_plan(ICPC, "2025-04-01")),
                child(episode("2023-11-06", cp_plans=(cp_plan("2023-11-20", "2024-03-28"),))),
            ],
        )
    ]
    c["8915"] = [
        Case(
            note="a plan starting after the death also ends after it or stays open",
            also=frozenset({"8920"}),
            passing=[protected(cp_plan(ICPC, "2024-08-01"), death="2024-08-01")],
            failing=[
                protected(
                    cp_plan("2024-08-05", "2024-08-06"),
                    s47s=(s47("2024-07-22", "2024-08-05"),),
                    death="2024-08-01",
                )
            ],
        )
    ]
    c["8920"] = [
        Case(
            passing=[
                protected(cp_plan(ICPC, "2024-08-01"), death="2024-08-01"),
                protected(cp_plan(ICPC), death="2025-04-30"),
            ],
            failing=[
                protected(cp_plan(ICPC, "2024-08-02"), death="2024-08-01"),
                protected(cp_plan(ICPC), death="2024-08-01"),
            ],
        )
    ]
    c["8905"] = [
        Case(
            passing=[protected(cp_plan(ICPC, initial="MUL"))],
            failing=[protected(cp_plan(ICPC, initial="")), protected(cp_plan(ICPC, initial="NEGLECT"))],
        )
    ]
    c["8910"] = [
        Case(
            passing=[protected(cp_plan(ICPC, latest="EMO"))],
            failing=[protected(cp_plan(ICPC, latest="")), protected(cp_plan(ICPC, latest="emo"))],
        )
    ]
    c["8730"] = [
        Case(
            passing=[protected(cp_plan(ICPC, previous=0))],
            failing=[protected(cp_plan(ICPC, previous=None))],
        )
    ]
    c["8841"] = [
        Case(
            passing=[protected(cp_plan(ICPC, reviews=("2024-07-02",)))],
            failing=[
                protected(cp_plan(ICPC, reviews=(ICPC,))),
                protected(cp_plan(ICPC, reviews=("2024-09-30", "2024-06-28"))),
            ],
        )
    ]
    c["8842Q"] = [
        Case(
            passing=[protected(cp_plan(ICPC, reviews=("2024-09-30",)))],
            failing=[protected(cp_plan(ICPC, reviews=("2024-09-30", None)))],
        )
    ]
    c["8935"] = [
        Case(
            note="two open plans always overlap as well",
            also=frozenset({"8940"}),
            passing=[
                protected(
                    cp_plan(ICPC, "2024-10-07"),
                    cp_plan("2024-10-08"),
                    s47s=(s47(S47_START, ICPC), s47("2024-10-01", "2024-10-08")),
                )
            ],
            failing=[
                protected(
                    cp_plan(ICPC), cp_plan("2024-10-08"), s47s=(s47(S47_START, ICPC), s47("2024-10-01", "2024-10-08"))
                )
            ],
        )
    ]
    c["8940"] = [
        Case(
            passing=[
                protected(
                    cp_plan(ICPC, "2024-10-07"),
                    cp_plan("2024-10-08"),
                    s47s=(s47(S47_START, ICPC), s47("2024-10-01", "2024-10-08")),
                )
            ],
            failing=[
                protected(
                    cp_plan(ICPC, "2024-10-07"),
                    cp_plan("2024-10-07"),
                    s47s=(s47(S47_START, ICPC), s47("2024-10-01", "2024-10-07")),
                ),
                protected(
                    cp_plan(ICPC, "2024-10-07"),
                    cp_plan("2024-09-02", "2024-12-02"),
                    s47s=(s47(S47_START, ICPC), s47("2024-08-19", "2024-09-02")),
                ),
            ],
        )
    ]
    c["2883"] = [
        Case(
            note="a plan with no conference of its own cannot start on a conference day either",
            also=frozenset({"2885"}),
            passing=[
                protected(
                    cp_plan(ICPC, "2024-10-07"),
                    cp_plan("2024-10-08"),
                    s47s=(s47(S47_START, ICPC), s47("2024-10-01", "2024-10-08")),
                ),
                child(episode("2023-11-06", cp_plans=(cp_plan("2023-11-20"),))),
            ],
            failing=[protected(cp_plan(ICPC, "2024-10-07"), cp_plan("2024-10-08"))],
        )
    ]
    c["2885"] = [
        Case(
            passing=[
                protected(cp_plan(ICPC)),
                child(episode(icpc="2024-07-03", assessments=(done(),), cp_plans=(cp_plan("2024-07-03"),))),
                child(
                    episode(
                        icpc="2024-07-03",
                        assessments=(done(),),
                        s47s=(s47(S47_START, not_required=True),),
                        cp_plans=(cp_plan("2024-07-03"),),
                    )
                ),
            ],
            failing=[
                protected(cp_plan("2024-07-02")),
                child(episode(icpc="2024-07-01", assessments=(done(),), cp_plans=(cp_plan("2024-07-03"),))),
            ],
        )
    ]
    return c


CASES: dict[str, list[Case]] = _cases()


# --- plausible valid children, for the false-positive check and the timing ------------------------

FACTOR_CHOICES = (
    "1B",
    "2B",
    "3A",
    "3B",
    "4B",
    "5A",
    "6A",
    "8B",
    "10A",
    "11A",
    "14A",
    "16A",
    "17A",
    "18B",
    "19C",
    "24A",
)
CATEGORY_CHOICES = ("NEG", "EMO", "PHY", "SAB", "MUL")
PERIOD_START, PERIOD_END = dt.date(2024, 4, 1), dt.date(2025, 3, 31)


def _weekday(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    while True:
        candidate = first + dt.timedelta(days=rng.randint(0, (last - first).days))
        if candidate.weekday() < 5:
            return candidate


def _plausible_episode(rng: random.Random, referral: dt.date, *, close: bool) -> EpisodeRecord:
    """One episode that breaks none of the part-2 rules for the 2024-25 census year."""
    start = CALENDAR.add(referral, rng.randint(0, 3))
    if start > dt.date(2025, 2, 3) and not close and rng.random() < 0.5:
        first = assessment(start)  # open, still within 45 working days
    else:
        end = min(CALENDAR.add(start, rng.randint(5, 44)), PERIOD_END)
        first = assessment(start, end, rng.sample(FACTOR_CHOICES, rng.randint(1, 3)))
    s47s: list[Section47Record] = []
    cp_plans: list[CPPlanRecord] = []
    cin_plans: list[CINPlanRecord] = []
    last_activity = first.authorisation_date or start
    if not close and rng.random() < 0.3 and start < dt.date(2025, 3, 1):
        s47_start = CALENDAR.add(start, rng.randint(0, 5))
        conference = CALENDAR.add(s47_start, rng.randint(5, 15))
        if conference > PERIOD_END:
            s47s.append(s47(s47_start))  # awaiting: started within 15 working days of the end
        elif rng.random() < 0.25:
            s47s.append(s47(s47_start, not_required=True))
        else:
            s47s.append(s47(s47_start, conference))
            if rng.random() < 0.7:
                end = CALENDAR.add(conference, rng.randint(40, 200))
                end = end if end <= PERIOD_END and rng.random() < 0.4 else None
                reviews = []
                review = CALENDAR.add(conference, 60)
                while review <= (end or PERIOD_END):
                    reviews.append(review)
                    review = CALENDAR.add(review, 125)
                cp_plans.append(
                    cp_plan(
                        conference,
                        end,
                        initial=rng.choice(CATEGORY_CHOICES),
                        latest=rng.choice(CATEGORY_CHOICES),
                        previous=rng.choice((0, 0, 0, 1, 2)),
                        reviews=tuple(reviews),
                    )
                )
                if end is not None:
                    cin_plans.append(cin_plan(end))  # stepped down to a CIN plan
    if not s47s and first.authorisation_date is not None and not close and rng.random() < 0.4:
        plan_end = CALENDAR.add(first.authorisation_date, rng.randint(20, 150))
        cin_plans.append(cin_plan(first.authorisation_date, plan_end if plan_end <= PERIOD_END else None))
    closure = None
    if close:
        closure = min(CALENDAR.add(last_activity, rng.randint(1, 10)), PERIOD_END)
    return episode(
        referral,
        closure=closure,
        reason="RC7" if close else "",
        assessments=(first,),
        s47s=tuple(s47s),
        cp_plans=tuple(cp_plans),
        cin_plans=tuple(cin_plans),
    )


def plausible_children(count: int, seed: int = 20250331) -> list[ChildRecord]:
    """``count`` valid children of the 2024-25 census: one or two episodes (the first closed), an
    assessment each, sometimes a section 47 enquiry, a child protection plan with reviews and a CIN
    plan (the same seed gives the same children)."""
    rng = random.Random(seed)
    children = []
    for _ in range(count):
        episodes = []
        referral = _weekday(rng, PERIOD_START, dt.date(2025, 3, 24))
        if referral < dt.date(2024, 10, 1) and rng.random() < 0.3:
            earlier = _plausible_episode(rng, referral, close=True)
            episodes.append(earlier)
            referral = CALENDAR.add(earlier.closure_date, rng.randint(5, 40))
        if referral <= dt.date(2025, 3, 24):
            episodes.append(_plausible_episode(rng, referral, close=False))
        children.append(child(*episodes))
    return children
