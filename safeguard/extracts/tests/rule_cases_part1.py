"""Builders and the case table for the CIN census rules in part 1 (header, identifiers,
characteristics, episodes, file level).

Every child, file and header here is synthetic. ``child()`` builds a child that passes every part-1
rule for the census year it is given; each example changes one thing. ``CASES`` maps each DfE code
to its examples: a passing example must trip none of the part-1 rules of its scope, and a failing
one exactly its own code (``also`` names a code the DfE conditions make fire with it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from safeguard.extracts.census.records import (
    AssessmentRecord,
    CensusHeader,
    ChildRecord,
    CINPlanRecord,
    CPPlanRecord,
    EpisodeRecord,
    Section47Record,
)
from safeguard.extracts.census.rules.identifiers import upn_check_letter

D = dt.date
YEAR = 2026  # the 2025-26 census: 1 April 2025 to 31 March 2026
REFERRED = D(2025, 5, 6)  # the default referral: a Tuesday in the 2025-26 census year
KEEP = object()  # "use the default" for builder arguments whose real value may be None


def make_upn(la: str = "873", digits: str = "20451234", last: str = "5") -> str:
    """A UPN with the right check letter: LA number, 8 digits (characters 5-12), character 13."""
    body = la + digits + last
    return upn_check_letter("A" + body) + body


def wrong_letter(upn: str) -> str:
    """The UPN with a check letter that is not its own."""
    return ("B" if upn[0] != "B" else "C") + upn[1:]


def assessment(start: dt.date, authorised: dt.date | None = None, line: int = 50) -> AssessmentRecord:
    return AssessmentRecord(
        start_date=start,
        authorisation_date=authorised,
        factors=["3B"],
        line=line,
        lines={"AssessmentActualStartDate": line + 1, "AssessmentAuthorisationDate": line + 2},
    )


def episode(
    referral: dt.date | None = REFERRED,
    *,
    nfa: bool | None = False,
    closure: dt.date | None = None,
    reason: str = "",
    source: str = "2A",
    need: object = KEEP,
    assessments: object = KEEP,
    icpc: dt.date | None = None,
    cin_plans: list[CINPlanRecord] | None = None,
    section47s: list[Section47Record] | None = None,
    cp_plans: list[CPPlanRecord] | None = None,
    line: int = 35,
) -> EpisodeRecord:
    """An episode referred on ``referral``. By default it led to further action (ReferralNFA false,
    primary need N1, one assessment starting the next day and authorised 30 days after the
    referral); a referral with no further action has no assessment and no primary need."""
    if need is KEEP:
        need = "" if nfa else "N1"
    if assessments is KEEP:
        assessments = (
            []
            if nfa or referral is None
            else [assessment(referral + dt.timedelta(days=1), referral + dt.timedelta(30))]
        )
    return EpisodeRecord(
        referral_date=referral,
        referral_source=source,
        primary_need=need,
        closure_date=closure,
        reason_for_closure=reason,
        initial_cpc_date=icpc,
        referral_nfa=nfa,
        assessments=assessments,
        cin_plans=cin_plans or [],
        section47s=section47s or [],
        cp_plans=cp_plans or [],
        line=line,
        lines={
            "CINreferralDate": line + 1,
            "ReferralSource": line + 2,
            "PrimaryNeedCode": line + 3,
            "CINclosureDate": line + 4,
            "ReasonForClosure": line + 5,
            "DateOfInitialCPC": line + 6,
            "ReferralNFA": line + 7,
        },
    )


def nfa_episode(referral: dt.date = REFERRED, **changes) -> EpisodeRecord:
    """A referral with no further action, closed the next day (RC7, services ceased)."""
    changes.setdefault("closure", referral + dt.timedelta(days=1))
    changes.setdefault("reason", "RC7")
    return episode(referral, nfa=True, **changes)


def child(
    year: int = YEAR,
    *,
    episodes: list[EpisodeRecord] | None = None,
    line: int = 20,
    **changes,
) -> ChildRecord:
    """A child in need who passes every part-1 rule for ``year``: a ten-year-old girl with a UPN,
    referred in May of the census year, assessed, and still open at 31 March. Older censuses get
    GenderCurrent (the parser maps it to Sex as well)."""
    shift = year - YEAR
    record = ChildRecord(
        la_child_id="NDC1000001",
        upn=make_upn(),
        birth_date=D(2015 + shift, 6, 14),
        sex="F",
        gender_current="2" if year <= 2024 else "",
        ethnicity="WBRI",
        disabilities=["NONE"],
        episodes=episodes if episodes is not None else [episode(D(2025 + shift, 5, 6))],
        line=line,
        lines={
            "LAchildID": line + 2,
            "UPN": line + 3,
            "FormerUPN": line + 4,
            "UPNunknown": line + 5,
            "PersonBirthDate": line + 6,
            "ExpectedPersonBirthDate": line + 7,
            "Sex": line + 8,
            "GenderCurrent": line + 8,
            "PersonDeathDate": line + 9,
            "Ethnicity": line + 11,
            "Disability": line + 13,
        },
    )
    for name, value in changes.items():
        setattr(record, name, value)
    return record


def unborn(
    year: int = YEAR, expected: dt.date | None = None, referral: dt.date | None = None, **changes
) -> ChildRecord:
    """An unborn child: expected in June after the census year ends, referred in November."""
    shift = year - YEAR
    changes.setdefault("sex", "U")
    changes.setdefault("upn", "")
    if year <= 2024:
        changes.setdefault("gender_current", "0")
    return child(
        year,
        birth_date=None,
        expected_birth_date=expected or D(2026 + shift, 6, 1),
        episodes=[episode(referral or D(2025 + shift, 11, 3))],
        **changes,
    )


#: Disabilities for the children of ``a_file()``: nine codes, one child with two.
FILE_DISABILITIES = (["MOB", "HAND"], ["PC"], ["INC"], ["COMM"], ["LD"], ["HEAR"], ["VIS"], ["BEH"], ["NONE"])


def a_file(n: int = 12, year: int = YEAR, disabilities=FILE_DISABILITIES) -> list[ChildRecord]:
    """``n`` children with their own LAchildID, UPN and lines, using nine disability codes."""
    return [
        child(
            year,
            la_child_id=f"NDC{1000000 + i}",
            upn=make_upn(digits=f"{20450000 + i:08d}"),
            sex="F" if i % 2 else "M",
            gender_current=("2" if i % 2 else "1") if year <= 2024 else "",
            disabilities=list(disabilities[i % len(disabilities)]),
            line=20 + 40 * i,
            episodes=[episode(D(2025 + year - YEAR, 5, 6), line=35 + 40 * i)],
        )
        for i in range(n)
    ]


def with_changes(children: list[ChildRecord], index: int, **changes) -> list[ChildRecord]:
    for name, value in changes.items():
        setattr(children[index], name, value)
    return children


def header(reference_date: dt.date | None, year: int = YEAR) -> CensusHeader:
    return CensusHeader(
        collection="CIN",
        year=year,
        reference_date=reference_date,
        lea="873",
        line=3,
        lines={"ReferenceDate": 6},
    )


@dataclass(frozen=True)
class Example:
    label: str
    build: Callable[[], object]  # a ChildRecord, a list of them (file rules) or a CensusHeader
    year: int = YEAR
    hits: int = 0  # how many times the rule's code fires: 0 for a passing example
    field: str = ""  # the element the first hit names
    line: int = 0  # the line it points at
    quote: str = ""  # text its message must contain
    also: tuple[str, ...] = ()  # other part-1 codes the example trips

    @property
    def passes(self) -> bool:
        return self.hits == 0


def ok(label: str, build: Callable[[], object], year: int = YEAR, also: tuple[str, ...] = ()) -> Example:
    return Example(label, build, year, also=also)


def bad(
    label: str,
    build: Callable[[], object],
    field: str,
    line: int,
    quote: str,
    *,
    year: int = YEAR,
    hits: int = 1,
    also: tuple[str, ...] = (),
) -> Example:
    return Example(label, build, year, hits, field, line, quote, also)


def plan(start: dt.date, end: dt.date | None = None, line: int = 70) -> CINPlanRecord:
    return CINPlanRecord(start, end, line=line, lines={"CINPlanStartDate": line + 1, "CINPlanEndDate": line + 2})


def cp_plan(start: dt.date, end: dt.date | None = None, line: int = 80) -> CPPlanRecord:
    return CPPlanRecord(
        start_date=start,
        end_date=end,
        initial_category="NEG",
        latest_category="NEG",
        number_of_previous_cpp=0,
        line=line,
        lines={"CPPstartDate": line + 1, "CPPendDate": line + 2},
    )


def s47(start: dt.date, icpc: dt.date | None = None, line: int = 60) -> Section47Record:
    return Section47Record(
        start_date=start,
        icpc_date=icpc,
        icpc_not_required=icpc is None,
        line=line,
        lines={"S47ActualStartDate": line + 1, "DateOfInitialCPC": line + 3},
    )


CLOSED = D(2025, 9, 1)  # a closure date after the default assessment (authorised 2025-06-05)
UPN_LINE, ID_LINE, BIRTH_LINE, SEX_LINE, ETHNICITY_LINE, DISABILITY_LINE = 23, 22, 26, 28, 31, 33
REFERRAL_LINE, SOURCE_LINE, NEED_LINE, CLOSURE_LINE, REASON_LINE, EP_ICPC_LINE, NFA_LINE = 36, 37, 38, 39, 40, 41, 42

CASES: dict[str, list[Example]] = {
    "100": [
        ok("31 March of the census year", lambda: header(D(2026, 3, 31))),
        ok("31 March 2025 for the 2024-25 census", lambda: header(D(2025, 3, 31), 2025), year=2025),
        bad("a day early", lambda: header(D(2026, 3, 30)), "ReferenceDate", 6, "2026-03-30"),
        bad("last year's date", lambda: header(D(2025, 3, 31)), "ReferenceDate", 6, "must be 2026-03-31"),
        bad("missing", lambda: header(None), "ReferenceDate", 6, "no ReferenceDate"),
    ],
    "1510": [
        ok("a permanent UPN", child),
        ok("a temporary UPN ending in a letter", lambda: child(upn=make_upn(last="A"))),
        bad(
            "a wrong check letter",
            lambda: child(upn=wrong_letter(make_upn())),
            "UPN",
            UPN_LINE,
            f"should be '{make_upn()[0]}'",
        ),
        bad(
            "two digits swapped",
            lambda: child(upn=make_upn()[0] + "873" + "02451234" + "5"),
            "UPN",
            UPN_LINE,
            "check letter should be",
        ),
    ],
    "1520": [
        ok("every UPN different", a_file),
        ok(
            "children without a UPN are not compared",
            lambda: with_changes(with_changes(a_file(), 2, upn=""), 5, upn=""),
        ),
        bad(
            "two children with the same UPN",
            lambda: with_changes(a_file(), 7, upn=make_upn(digits="20450003")),
            "UPN",
            20 + 40 * 7 + 3,
            f"given for the child on line {20 + 40 * 3}",
        ),
    ],
    "1530": [
        ok("Westmorland and Furness (943)", lambda: child(upn=make_upn(la="943"))),
        ok("a DfE pseudo-LA code (001)", lambda: child(upn=make_upn(la="001"))),
        bad("999 is no authority", lambda: child(upn=make_upn(la="999")), "UPN", UPN_LINE, "('999')"),
        bad("834 is not used", lambda: child(upn=make_upn(la="834")), "UPN", UPN_LINE, "('834')"),
    ],
    "1540": [
        ok("digits in 5-12", child),
        bad("a letter in character 9", lambda: child(upn="A8732045X2345"), "UPN", UPN_LINE, "('2045X234')"),
    ],
    "1550": [
        ok("a check-alphabet letter at 13", lambda: child(upn=make_upn(last="Z"))),
        bad("I at 13", lambda: child(upn="A87320451234I"), "UPN", UPN_LINE, "ends with 'I'"),
        bad("12 characters", lambda: child(upn="A87320451234"), "UPN", UPN_LINE, "has 12 characters"),
    ],
    "1560Q": [
        ok("no former UPN", child),
        ok("a well-formed former UPN", lambda: child(former_upn=make_upn(la="330", digits="11112222", last="B"))),
        bad(
            "a former UPN with the wrong check letter",
            lambda: child(former_upn=wrong_letter(make_upn(la="330"))),
            "FormerUPN",
            24,
            "check letter should be",
        ),
        bad("a former UPN too short", lambda: child(former_upn="A123"), "FormerUPN", 24, "4 characters instead of 13"),
    ],
    "1570": [
        ok("20 characters", lambda: child(la_child_id="N" * 20)),
        ok("21 characters in the 2023-24 census (no rule yet)", lambda: child(2024, la_child_id="N" * 21), year=2024),
        bad("21 characters", lambda: child(la_child_id="N" * 21), "LAchildID", ID_LINE, "has 21 characters"),
    ],
    "1580": [
        ok("letters and digits", child),
        bad("a hyphen", lambda: child(la_child_id="NDC-1000001"), "LAchildID", ID_LINE, "contains '-'"),
        bad(
            "an accented letter", lambda: child(la_child_id="NDC1000\u00e91"), "LAchildID", ID_LINE, "contains '\u00e9'"
        ),
    ],
    "2886Q": [
        ok("2 of 100 children with no sex recorded (exactly 2%)", lambda: _no_sex(100, 2)),
        ok("unborn children do not count", lambda: [*a_file(), unborn(la_child_id="NDCU1")]),
        bad(
            "3 of 100 children with no sex recorded", lambda: _no_sex(100, 3), "Sex", 0, "3 of the 100 children (3.0%)"
        ),
        ok("2 of 100 with GenderCurrent 0 in 2023-24", lambda: _no_sex(100, 2, 2024), year=2024),
        bad(
            "3 of 100 with GenderCurrent 0 in 2023-24",
            lambda: _no_sex(100, 3, 2024),
            "GenderCurrent",
            0,
            "GenderCurrent 0 or missing",
            year=2024,
        ),
    ],
    "2887Q": [
        ok("nine codes used", a_file),
        bad(
            "seven codes used",
            lambda: a_file(disabilities=(["MOB", "HAND"], ["PC"], ["INC"], ["COMM"], ["LD"], ["HEAR"], ["NONE"])),
            "Disability",
            0,
            "uses 7 different disability codes (COMM, HAND, HEAR, INC, LD, MOB, PC)",
        ),
    ],
    "2888Q": [
        ok("one child with two disabilities", a_file),
        ok("no child with a disability", lambda: a_file(disabilities=(["NONE"],)), also=("2887Q",)),
        bad(
            "every child with a disability has exactly one",
            lambda: a_file(disabilities=(["MOB"], ["HAND"], ["PC"], ["INC"], ["COMM"], ["LD"], ["HEAR"], ["VIS"])),
            "Disability",
            0,
            "All 12 children with a disability have exactly one",
        ),
    ],
    "2990": [
        ok("RC8 after an assessment alone", lambda: child(episodes=[episode(closure=CLOSED, reason="RC8")])),
        ok(
            "a CIN plan on an episode closed as RC7",
            lambda: child(episodes=[episode(closure=CLOSED, reason="RC7", cin_plans=[plan(D(2025, 6, 10), CLOSED)])]),
        ),
        bad(
            "a CIN plan on an episode closed as RC8",
            lambda: child(episodes=[episode(closure=CLOSED, reason="RC8", cin_plans=[plan(D(2025, 6, 10), CLOSED)])]),
            "CINPlanStartDate",
            70,
            "closed with RC8 (case closed after assessment, no further action), but it records a CIN plan starting "
            "2025-06-10",
        ),
        bad(
            "an ICPC on an episode closed as RC9",
            lambda: child(episodes=[episode(closure=CLOSED, reason="RC9", icpc=D(2025, 6, 10))]),
            "DateOfInitialCPC",
            EP_ICPC_LINE,
            "conference on 2025-06-10",
        ),
        bad(
            "a section 47 enquiry on an episode closed as RC8",
            lambda: child(episodes=[episode(closure=CLOSED, reason="RC8", section47s=[s47(D(2025, 6, 2))])]),
            "S47ActualStartDate",
            60,
            "section 47 enquiry starting 2025-06-02",
        ),
    ],
    "4180": [
        ok("F", child),
        ok("U", lambda: child(sex="U")),
        bad("missing", lambda: child(sex=""), "Sex", SEX_LINE, "Sex is missing"),
        bad("X", lambda: child(sex="X"), "Sex", SEX_LINE, "Sex 'X' is not M, F or U"),
        bad(
            "GenderCurrent in a 2025-26 file",
            lambda: child(gender_current="2"),
            "Sex",
            SEX_LINE,
            "GenderCurrent '2' instead of Sex",
        ),
        ok("GenderCurrent 9 in 2023-24", lambda: child(2024, gender_current="9", sex="U"), year=2024),
        bad(
            "GenderCurrent missing in 2023-24",
            lambda: child(2024, gender_current=""),
            "GenderCurrent",
            SEX_LINE,
            "GenderCurrent is missing",
            year=2024,
        ),
        bad(
            "GenderCurrent 3 in 2023-24",
            lambda: child(2024, gender_current="3"),
            "GenderCurrent",
            SEX_LINE,
            "'3' is not 0, 1, 2 or 9",
            year=2024,
        ),
    ],
    "4220": [
        ok("WBRI", child),
        ok("refused", lambda: child(ethnicity="REFU")),
        bad("missing", lambda: child(ethnicity=""), "Ethnicity", ETHNICITY_LINE, "Ethnicity is missing"),
        bad("not a DfE code", lambda: child(ethnicity="WHIT"), "Ethnicity", ETHNICITY_LINE, "'WHIT'"),
    ],
    "8500": [
        ok("present", child),
        bad("missing", lambda: child(la_child_id=""), "LAchildID", ID_LINE, "no LAchildID"),
    ],
    "8510": [
        ok("every LAchildID different", a_file),
        bad(
            "two children with the same LAchildID",
            lambda: with_changes(a_file(), 5, la_child_id="NDC1000002"),
            "LAchildID",
            20 + 40 * 5 + 2,
            f"'NDC1000002' is also used by the child on line {20 + 40 * 2}",
        ),
        bad(
            "three children with the same LAchildID",
            lambda: with_changes(with_changes(a_file(), 5, la_child_id="NDC1000002"), 9, la_child_id="NDC1000002"),
            "LAchildID",
            20 + 40 * 5 + 2,
            "NDC1000002",
            hits=2,
        ),
    ],
    "8520": [
        ok(
            "born on the last day of the census year", lambda: _born(D(2026, 3, 31), episodes=[episode(D(2025, 11, 3))])
        ),
        bad(
            "born after it",
            lambda: _born(D(2026, 4, 2), episodes=[episode(D(2025, 11, 3))]),
            "PersonBirthDate",
            BIRTH_LINE,
            "2026-04-02, is after the end of the 2025-26 census year (2026-03-31)",
        ),
    ],
    "8525Q": [
        ok("a date of birth", child),
        ok("an expected date of birth", unborn),
        bad(
            "both",
            lambda: child(expected_birth_date=D(2026, 6, 1), episodes=[episode(D(2025, 11, 3))]),
            "ExpectedPersonBirthDate",
            27,
            "Both a date of birth (2015-06-14) and an expected date of birth (2026-06-01)",
        ),
        bad("neither", lambda: child(birth_date=None), "PersonBirthDate", BIRTH_LINE, "Neither"),
    ],
    "8530Q": [
        ok("1 March of the year the census ends", lambda: unborn(expected=D(2026, 3, 1))),
        ok("31 December of that year", lambda: unborn(expected=D(2026, 12, 31), referral=D(2026, 3, 30))),
        bad(
            "28 February",
            lambda: unborn(expected=D(2026, 2, 28)),
            "ExpectedPersonBirthDate",
            27,
            "2026-02-28, is outside 2026-03-01 to 2026-12-31",
        ),
        bad(
            "1 January the year after",
            lambda: unborn(expected=D(2027, 1, 1), referral=D(2026, 3, 30)),
            "ExpectedPersonBirthDate",
            27,
            "2027-01-01",
        ),
        ok("1 March 2024 in the 2023-24 census", lambda: unborn(2024, expected=D(2024, 3, 1)), year=2024),
        bad(
            "leap day 2024 is before the range in the 2023-24 census",
            lambda: unborn(2024, expected=D(2024, 2, 29)),
            "ExpectedPersonBirthDate",
            27,
            "2024-02-29, is outside 2024-03-01 to 2024-12-31",
            year=2024,
        ),
    ],
    "8535Q": [
        ok("no date of death", child),
        ok(
            "died on the day of birth",
            lambda: _born(D(2025, 6, 14), death_date=D(2025, 6, 14), episodes=[episode(D(2025, 5, 6))]),
        ),
        bad(
            "died before birth",
            lambda: _born(D(2025, 6, 14), death_date=D(2025, 6, 10), episodes=[episode(D(2025, 5, 6))]),
            "PersonDeathDate",
            29,
            "2025-06-10, is before the date of birth, 2025-06-14",
        ),
    ],
    "8540": [
        ok("NONE", child),
        ok("an unborn child needs none", lambda: unborn(disabilities=[])),
        ok(
            "a child whose every referral had no further action needs none",
            lambda: child(disabilities=[], episodes=[nfa_episode()]),
        ),
        bad("missing", lambda: child(disabilities=[]), "Disability", 20, "No disability is recorded"),
        bad("not a DfE code", lambda: child(disabilities=["MOB", "XYZ"]), "Disability", DISABILITY_LINE, "'XYZ'"),
    ],
    "8545Q": [
        ok("died in the census year, after the referral", lambda: child(death_date=D(2025, 5, 7))),
        ok(
            "died on the first day of the census year",
            lambda: child(death_date=D(2025, 4, 1), episodes=[episode(D(2025, 3, 3))]),
        ),
        bad(
            "died after the census year",
            lambda: child(death_date=D(2026, 4, 5)),
            "PersonDeathDate",
            29,
            "2026-04-05, is outside the 2025-26 census year",
        ),
        bad(
            "died the day before it",
            lambda: child(
                death_date=D(2025, 3, 31), episodes=[episode(D(2025, 3, 3), closure=D(2025, 4, 3), reason="RC2")]
            ),
            "PersonDeathDate",
            29,
            "2025-03-31",
        ),
    ],
    "8555Q": [
        ok("referred before death", lambda: child(death_date=D(2025, 9, 1))),
        ok("referred on the day of death", lambda: child(death_date=D(2025, 5, 6))),
        bad(
            "referred after death",
            lambda: child(2025, death_date=D(2025, 1, 20), episodes=[episode(D(2025, 2, 3))]),
            "CINreferralDate",
            REFERRAL_LINE,
            "The referral on 2025-02-03 is after the child's date of death, 2025-01-20.",
            year=2025,
        ),
    ],
    "8565": [
        ok(
            "closed on the day the assessment was authorised",
            lambda: child(episodes=[episode(closure=D(2025, 6, 5), reason="RC8")]),
        ),
        bad(
            "closed before the assessment was authorised",
            lambda: child(episodes=[episode(closure=D(2025, 6, 1), reason="RC8")]),
            "AssessmentAuthorisationDate",
            52,
            "closed on 2025-06-01, but it records an assessment authorised on 2025-06-05",
        ),
        bad(
            "a CP plan ending after closure",
            lambda: child(
                episodes=[episode(closure=CLOSED, reason="RC7", cp_plans=[cp_plan(D(2025, 6, 20), D(2025, 9, 3))])]
            ),
            "CPPendDate",
            82,
            "child protection plan ending on 2025-09-03",
        ),
        bad(
            "an ICPC after closure (Section47 level)",
            lambda: child(
                episodes=[episode(closure=CLOSED, reason="RC7", section47s=[s47(D(2025, 8, 20), D(2025, 9, 10))])]
            ),
            "DateOfInitialCPC",
            63,
            "conference on 2025-09-10",
        ),
    ],
    "8568": [
        ok("false", child),
        ok("true", lambda: child(episodes=[nfa_episode()])),
        bad(
            "missing",
            lambda: child(episodes=[episode(nfa=None)]),
            "ReferralNFA",
            NFA_LINE,
            "ReferralNFA on the episode referred on 2025-05-06 is missing",
        ),
    ],
    "8569Q": [
        # 2024-25: 1 April 2024 was Easter Monday and 29 March Good Friday: the cut-off is Thursday 28 March.
        ok(
            "NFA referral on Thursday 28 March 2024, the working day before Easter",
            lambda: child(2025, episodes=[nfa_episode(D(2024, 3, 28), closure=D(2024, 4, 2))]),
            year=2025,
        ),
        bad(
            "NFA referral on Wednesday 27 March 2024",
            lambda: child(2025, episodes=[nfa_episode(D(2024, 3, 27), closure=D(2024, 4, 2))]),
            "ReferralNFA",
            NFA_LINE,
            "before 2024-03-28, the last working day before the 2024-25 census year",
            year=2025,
        ),
        ok(
            "a referral on 27 March 2024 that led to further action",
            lambda: child(2025, episodes=[episode(D(2024, 3, 27))]),
            year=2025,
        ),
        # 2025-26: 1 April 2025 is a Tuesday; the cut-off is Monday 31 March.
        ok(
            "NFA referral on Monday 31 March 2025",
            lambda: child(episodes=[nfa_episode(D(2025, 3, 31), closure=D(2025, 4, 1))]),
        ),
        bad(
            "NFA referral on Friday 28 March 2025",
            lambda: child(episodes=[nfa_episode(D(2025, 3, 28), closure=D(2025, 4, 1))]),
            "ReferralNFA",
            NFA_LINE,
            "before 2025-03-31",
        ),
    ],
    "8585Q": [
        ok(
            "RC2 with a date of death",
            lambda: child(death_date=CLOSED, episodes=[episode(closure=CLOSED, reason="RC2")]),
        ),
        bad(
            "RC2 without one",
            lambda: child(episodes=[episode(closure=CLOSED, reason="RC2")]),
            "ReasonForClosure",
            REASON_LINE,
            "closed with RC2 (died), but the child has no date of death",
        ),
    ],
    "8590": [
        ok("one episode", child),
        bad("no episode", lambda: child(episodes=[]), "CINdetails", 20, "no CIN episode"),
    ],
    "8600": [
        ok("referred on the last day of the census year", lambda: child(episodes=[episode(D(2026, 3, 31))])),
        bad("missing", lambda: child(episodes=[episode(None)]), "CINreferralDate", REFERRAL_LINE, "no referral date"),
        bad(
            "after the census year",
            lambda: child(episodes=[episode(D(2026, 4, 1))]),
            "CINreferralDate",
            REFERRAL_LINE,
            "2026-04-01 is after the end of the 2025-26 census year (2026-03-31)",
        ),
    ],
    "8606": [
        ok(
            "exactly 280 days before birth",
            lambda: _born(D(2026, 2, 10), episodes=[episode(D(2026, 2, 10) - dt.timedelta(280))]),
        ),
        bad(
            "281 days before birth",
            lambda: _born(D(2026, 2, 10), episodes=[episode(D(2026, 2, 10) - dt.timedelta(281))]),
            "CINreferralDate",
            REFERRAL_LINE,
            "is more than 40 weeks before the child's date of birth, 2026-02-10",
        ),
        bad(
            "more than 40 weeks before the expected birth",
            lambda: unborn(expected=D(2026, 6, 1), referral=D(2025, 8, 24)),
            "CINreferralDate",
            REFERRAL_LINE,
            "expected date of birth, 2026-06-01",
        ),
    ],
    "8610": [
        ok("N1 on a referral with further action", child),
        ok("none needed on a referral with no further action", lambda: child(episodes=[nfa_episode()])),
        bad(
            "missing on a referral with further action",
            lambda: child(episodes=[episode(need="")]),
            "PrimaryNeedCode",
            NEED_LINE,
            "PrimaryNeedCode is missing",
        ),
    ],
    "8620": [
        ok("closed on 31 March", lambda: child(episodes=[episode(closure=D(2026, 3, 31), reason="RC7")])),
        bad(
            "closed on 1 April after the census year",
            lambda: child(episodes=[episode(closure=D(2026, 4, 1), reason="RC7")]),
            "CINclosureDate",
            CLOSURE_LINE,
            "2026-04-01",
        ),
        bad(
            "closed before the census year",
            lambda: child(
                episodes=[
                    episode(
                        D(2025, 3, 3),
                        closure=D(2025, 3, 31),
                        reason="RC8",
                        assessments=[assessment(D(2025, 3, 4), D(2025, 3, 20))],
                    )
                ]
            ),
            "CINclosureDate",
            CLOSURE_LINE,
            "closure date 2025-03-31",
        ),
    ],
    "8630": [
        ok("closed on the day of referral", lambda: child(episodes=[nfa_episode(closure=D(2025, 5, 6))])),
        bad(
            "closed the day before",
            lambda: child(episodes=[episode(closure=D(2025, 5, 5), reason="RC7", assessments=[])]),
            "CINclosureDate",
            CLOSURE_LINE,
            "closes on 2025-05-05, before its referral on 2025-05-06",
        ),
    ],
    "8640": [
        ok("RC9", lambda: child(episodes=[episode(closure=CLOSED, reason="RC9")])),
        bad(
            "RC10",
            lambda: child(episodes=[episode(closure=CLOSED, reason="RC10")]),
            "ReasonForClosure",
            REASON_LINE,
            "'RC10'",
        ),
    ],
    "8650": [
        ok("N0", lambda: child(episodes=[episode(need="N0")])),
        bad("N10", lambda: child(episodes=[episode(need="N10")]), "PrimaryNeedCode", NEED_LINE, "'N10' on the episode"),
    ],
    "8750": [
        ok("an unborn child with Sex U", unborn),
        bad("an unborn girl", lambda: unborn(sex="F"), "Sex", SEX_LINE, "Sex is 'F': it must be U"),
        ok("an unborn child with GenderCurrent 0 in 2023-24", lambda: unborn(2024), year=2024),
        bad(
            "an unborn child with GenderCurrent 1 in 2023-24",
            lambda: unborn(2024, gender_current="1"),
            "GenderCurrent",
            SEX_LINE,
            "GenderCurrent is '1': it must be 0",
            year=2024,
        ),
    ],
    "8770Q": [
        ok("a UPN", child),
        ok("no UPN, with reason UN2", lambda: child(upn="", upn_unknown="UN2")),
        ok("under school age without UPN or reason", lambda: _born(D(2021, 9, 1), upn="")),
        ok("over compulsory school age with UN1", lambda: _born(D(2009, 8, 31), upn="", upn_unknown="UN1")),
        bad("no UPN and no reason", lambda: child(upn=""), "UPN", UPN_LINE, "born 2015-06-14"),
        bad(
            "UN1 for a year-11 pupil",
            lambda: _born(D(2009, 9, 1), upn="", upn_unknown="UN1"),
            "UPN",
            25,
            "UPNunknown is 'UN1'",
        ),
        bad("a reception pupil", lambda: _born(D(2020, 8, 31), upn=""), "UPN", UPN_LINE, "born 2020-08-31"),
    ],
    "8772": [
        ok("UN7 with every referral NFA", lambda: child(upn="", upn_unknown="UN7", episodes=[nfa_episode()])),
        bad(
            "UN7 with a referral going on to further action",
            lambda: child(upn="", upn_unknown="UN7"),
            "UPNunknown",
            25,
            "the referral on 2025-05-06 is not marked as no further action",
        ),
    ],
    "8775Q": [
        ok("25 on the reference date", lambda: _born(D(2001, 3, 31), upn="")),
        ok(
            "over 25, the episode closed by the 25th birthday",
            lambda: _born(D(2000, 6, 10), upn="", episodes=[episode(closure=D(2025, 6, 9), reason="RC7")]),
        ),
        bad(
            "over 25 and still open",
            lambda: _born(D(2000, 3, 30), upn=""),
            "PersonBirthDate",
            BIRTH_LINE,
            "turned 25 on 2025-03-30, but the episode referred on 2025-05-06 is still open",
        ),
        # Born on 29 February 2000: the 25th birthday is 1 March 2025.
        ok(
            "leap-day birth, closed on 1 March 2025",
            lambda: _born(D(2000, 2, 29), 2025, upn="", episodes=[_leap_episode(D(2025, 3, 1))]),
            year=2025,
        ),
        bad(
            "leap-day birth, closed on 3 March 2025",
            lambda: _born(D(2000, 2, 29), 2025, upn="", episodes=[_leap_episode(D(2025, 3, 3))]),
            "PersonBirthDate",
            BIRTH_LINE,
            "turned 25 on 2025-03-01, but the episode referred on 2025-02-03 closed on 2025-03-03",
            year=2025,
        ),
    ],
    "8790": [
        ok("NONE alone", child),
        bad("NONE with MOB", lambda: child(disabilities=["NONE", "MOB"]), "Disability", DISABILITY_LINE, "with MOB"),
    ],
    "8794": [
        ok("two different codes", lambda: child(disabilities=["MOB", "AUT"])),
        bad("MOB twice", lambda: child(disabilities=["MOB", "MOB"]), "Disability", DISABILITY_LINE, "'MOB' is given 2"),
    ],
    "8805": [
        ok("closed with a reason", lambda: child(episodes=[episode(closure=CLOSED, reason="RC7")])),
        bad(
            "closed without one",
            lambda: child(episodes=[episode(closure=CLOSED)]),
            "ReasonForClosure",
            CLOSURE_LINE,
            "closed on 2025-09-01 without a reason",
        ),
    ],
    "8810": [
        ok("open without a reason", child),
        bad(
            "a reason but no closure date",
            lambda: child(episodes=[episode(reason="RC7")]),
            "CINclosureDate",
            REASON_LINE,
            "reason for closure RC7",
        ),
    ],
    "8815": [
        ok("one open episode after a closed one", lambda: child(episodes=_two(closure=CLOSED, reason="RC7"))),
        ok("open referrals with no further action do not count", lambda: child(episodes=_two(nfa=True, need=""))),
        bad(
            "two open episodes",
            lambda: child(episodes=_two()),
            "CINclosureDate",
            35,
            "2 open episodes that led to further action (referred on 2025-05-06, 2025-10-06)",
            also=("8816", "8820"),
        ),
    ],
    "8816": [
        ok("the open episode is the latest", lambda: child(episodes=_two(closure=CLOSED, reason="RC7"))),
        bad(
            "an open episode before a closed one",
            lambda: child(episodes=_two(later_closure=D(2025, 12, 1))),
            "CINreferralDate",
            REFERRAL_LINE,
            "is still open but is not the child's latest episode (there is a referral on 2025-10-06)",
            also=("8820",),
        ),
    ],
    "8820": [
        ok(
            "the next episode starts on the day the first closed",
            lambda: child(episodes=_two(closure=D(2025, 10, 6), reason="RC7")),
        ),
        bad(
            "the next episode starts before the first closed",
            lambda: child(episodes=_two(closure=D(2025, 10, 7), reason="RC7")),
            "CINreferralDate",
            135 + 1,
            "The episode referred on 2025-10-06 starts inside the episode referred on 2025-05-06, which closed on "
            "2025-10-07",
        ),
    ],
    "8825Q": [
        ok("RC9 after an assessment", lambda: child(episodes=[episode(closure=CLOSED, reason="RC9")])),
        bad(
            "RC8 without an assessment",
            lambda: child(episodes=[episode(closure=CLOSED, reason="RC8", assessments=[])]),
            "ReasonForClosure",
            REASON_LINE,
            "but it has no assessment",
        ),
    ],
    "8831": [
        ok("a referral with no further action and nothing else", lambda: child(episodes=[nfa_episode()])),
        bad(
            "an assessment on a referral with no further action",
            lambda: child(episodes=[nfa_episode(assessments=[assessment(D(2025, 5, 7))])]),
            "AssessmentActualStartDate",
            51,
            "is a referral with no further action, but it records an assessment starting on 2025-05-07",
        ),
        bad(
            "a section 47 enquiry on one",
            lambda: child(episodes=[nfa_episode(section47s=[s47(D(2025, 5, 6))])]),
            "S47ActualStartDate",
            61,
            "section 47 enquiry starting on 2025-05-06",
        ),
        bad(
            "an ICPC on one",
            lambda: child(episodes=[nfa_episode(icpc=D(2025, 5, 7))]),
            "DateOfInitialCPC",
            EP_ICPC_LINE,
            "conference on 2025-05-07",
        ),
    ],
    "8832": [
        ok(
            "a CP plan on a referral with further action",
            lambda: child(episodes=[episode(cp_plans=[cp_plan(D(2025, 6, 20))])]),
        ),
        bad(
            "a CP plan on a referral with no further action",
            lambda: child(episodes=[nfa_episode(cp_plans=[cp_plan(D(2025, 5, 7))])]),
            "CPPstartDate",
            81,
            "child protection plan starting 2025-05-07",
        ),
    ],
    "8866": [
        ok("10 (unknown)", lambda: child(episodes=[episode(source="10")])),
        bad(
            "missing",
            lambda: child(episodes=[episode(source="")]),
            "ReferralSource",
            SOURCE_LINE,
            "ReferralSource is missing",
        ),
        bad("11", lambda: child(episodes=[episode(source="11")]), "ReferralSource", SOURCE_LINE, "'11'"),
    ],
}


def _no_sex(n: int, without: int, year: int = YEAR) -> list[ChildRecord]:
    """``n`` children of whom ``without`` have no sex recorded (Sex U, or GenderCurrent 0)."""
    children = a_file(n, year)
    for index in range(without):
        if year <= 2024:
            children[index].gender_current = "0"
        children[index].sex = "U"
    return children


def _born(birth: dt.date, year: int = YEAR, **changes) -> ChildRecord:
    return child(year, birth_date=birth, **changes)


def _leap_episode(closure: dt.date) -> EpisodeRecord:
    return episode(
        D(2025, 2, 3), closure=closure, reason="RC7", assessments=[assessment(D(2025, 2, 4), D(2025, 2, 28))]
    )


def _two(
    closure: dt.date | None = None,
    reason: str = "",
    later_closure: dt.date | None = None,
    **first,
) -> list[EpisodeRecord]:
    """Two episodes: referred on 6 May 2025 and 6 October 2025 (lines 35 and 135)."""
    later_reason = "RC7" if later_closure else ""
    return [
        episode(D(2025, 5, 6), closure=closure, reason=reason, **first),
        episode(D(2025, 10, 6), closure=later_closure, reason=later_reason, line=135),
    ]


# --- Plausible returns, for the no-false-alarm test and the timing script ------------------------------
_LA_CODES = ("873", "330", "886", "943", "202")
_ETHNICITY_SAMPLE = ("WBRI", "WBRI", "WBRI", "WOTH", "MWBC", "AIND", "APKN", "BAFR", "BCRB", "CHNE", "OOTH", "NOBT")
_DISABILITY_SAMPLE = (["MOB"], ["LD", "COMM"], ["AUT"], ["BEH", "LD"], ["HEAR"], ["VIS"], ["HAND", "PC"], ["INC"])


def plausible_children(n: int, year: int = YEAR, seed: int = 2026) -> list[ChildRecord]:
    """``n`` valid, varied children for ``year``: unborn children, referrals with no further
    action, episodes closed after assessment, section 47 enquiries with conferences and CP plans,
    CIN plans, repeat referrals. Every one passes every part-1 rule (and the file passes the
    file-level ones)."""
    import random

    rng = random.Random(seed)
    start, end = D(year - 1, 4, 1), D(year, 3, 31)
    one = dt.timedelta(days=1)
    children = []
    for i in range(n):
        kind = i % 10
        latest = 100 if kind == 2 else (end - start).days - 60  # a repeat referral needs room for two episodes
        referral = start + dt.timedelta(days=rng.randrange(0, latest))
        lines = 20 + 60 * i
        record = child(
            year,
            la_child_id=f"NDC{i:07d}",
            upn=make_upn(la=_LA_CODES[i % len(_LA_CODES)], digits=f"{i:08d}", last=str(i % 10)),
            sex="F" if i % 2 else "M",
            gender_current=("2" if i % 2 else "1") if year <= 2024 else "",
            ethnicity=_ETHNICITY_SAMPLE[i % len(_ETHNICITY_SAMPLE)],
            disabilities=list(_DISABILITY_SAMPLE[i % 80 // 10]) if i % 10 == 3 else ["NONE"],
            line=lines,
            birth_date=referral - dt.timedelta(days=rng.randrange(30, 17 * 365)),
        )
        if kind == 0:  # unborn
            expected = D(year, 3, 1) + dt.timedelta(days=rng.randrange(0, 300))
            referral = min(max(start, expected - dt.timedelta(days=200)), end - dt.timedelta(days=3))
            record.birth_date, record.expected_birth_date, record.upn = None, expected, ""
            record.sex, record.gender_current = "U", "0" if year <= 2024 else ""
            record.episodes = [_plausible_episode(referral, end, lines)]
            children.append(record)
            continue
        if not _school_age(record.birth_date, year):
            record.upn = ""
            record.upn_unknown = "UN6" if i % 3 else ""
        if kind == 1:  # a referral with no further action
            record.episodes = [nfa_episode(referral, closure=referral + one, line=lines + 15)]
            if record.upn == "":
                record.upn_unknown = "UN7"
        elif kind == 2:  # closed after assessment, then referred again
            first = referral
            record.episodes = [
                episode(
                    first,
                    closure=first + dt.timedelta(25),
                    reason="RC8",
                    assessments=[assessment(first + one, first + dt.timedelta(20), lines + 25)],
                    line=lines + 15,
                ),
                _plausible_episode(first + dt.timedelta(40), end, lines + 35),
            ]
        elif kind == 4:  # section 47 enquiry, conference, CP plan
            icpc = referral + dt.timedelta(days=16)
            record.episodes = [
                _plausible_episode(
                    referral, end, lines + 15, section47s=[s47(referral + 2 * one, icpc)], cp_plans=[cp_plan(icpc)]
                )
            ]
        elif kind == 5:  # CIN plan
            record.episodes = [
                _plausible_episode(referral, end, lines + 15, cin_plans=[plan(referral + dt.timedelta(31))])
            ]
        elif kind == 6:  # closed after assessment, referred to early help
            record.episodes = [
                episode(
                    referral,
                    closure=referral + dt.timedelta(40),
                    reason="RC9",
                    assessments=[assessment(referral + one, referral + dt.timedelta(35), lines + 25)],
                    line=lines + 15,
                )
            ]
        else:
            record.episodes = [_plausible_episode(referral, end, lines + 15)]
        children.append(record)
    return children


def _school_age(birth: dt.date, year: int) -> bool:
    return D(year - 17, 9, 1) <= birth <= D(year - 5, 8, 31)


def _plausible_episode(referral: dt.date, end: dt.date, line: int, **changes) -> EpisodeRecord:
    authorised = referral + dt.timedelta(days=30)
    changes.setdefault(
        "assessments",
        [assessment(referral + dt.timedelta(days=1), authorised if authorised <= end else None, line + 10)],
    )
    return episode(referral, line=line, **changes)
