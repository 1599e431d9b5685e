"""The CIN census as plain Python records: what the parser produces and the rules read.

The parser (``parser.py``) turns each ``<Child>`` element into a ``ChildRecord`` and then forgets
the element, so memory stays bounded. Rules (``rules/``) read records, never XML. The loader
(``safeguard/extracts/services.py``) turns records into database rows.

Values are already typed: dates are ``datetime.date`` (or ``None`` when absent or unreadable: the
parser reports an unreadable date as a structural finding), booleans accept ``true/false/1/0``,
codes are stripped strings ("" when absent). ``lines`` maps a field name (the XML element name, for
example ``"CPPstartDate"``) to the line it is on, so a finding can point at the exact line; ``line``
is the line of the record's own element.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(slots=True)
class CensusHeader:
    collection: str = ""
    year: int | None = None
    reference_date: dt.date | None = None
    source_level: str = ""
    lea: str = ""
    software_code: str = ""
    release: str = ""
    serial_no: str = ""
    datetime: str = ""
    line: int = 0
    lines: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class AssessmentRecord:
    start_date: dt.date | None = None  # AssessmentActualStartDate
    internal_review_date: dt.date | None = None  # AssessmentInternalReviewDate
    authorisation_date: dt.date | None = None  # AssessmentAuthorisationDate (the assessment's end)
    factors: list[str] = field(default_factory=list)  # AssessmentFactors
    line: int = 0
    lines: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class CINPlanRecord:
    start_date: dt.date | None = None  # CINPlanStartDate
    end_date: dt.date | None = None  # CINPlanEndDate
    line: int = 0
    lines: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class Section47Record:
    start_date: dt.date | None = None  # S47ActualStartDate
    icpc_target: dt.date | None = None  # InitialCPCtarget
    icpc_date: dt.date | None = None  # DateOfInitialCPC
    icpc_not_required: bool | None = None  # ICPCnotRequired
    line: int = 0
    lines: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class CPPlanRecord:
    start_date: dt.date | None = None  # CPPstartDate
    end_date: dt.date | None = None  # CPPendDate
    initial_category: str = ""  # InitialCategoryOfAbuse
    latest_category: str = ""  # LatestCategoryOfAbuse
    number_of_previous_cpp: int | None = None  # NumberOfPreviousCPP
    reviews: list[dt.date | None] = field(default_factory=list)  # Reviews/CPPreviewDate, None when empty
    review_lines: list[int] = field(default_factory=list)  # line of each CPPreviewDate
    line: int = 0
    lines: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class PreProceedingsRecord:
    """PreProceedingsandFGDM (2025-26 onward). Kept as typed values by element name."""

    values: dict[str, object] = field(default_factory=dict)
    line: int = 0
    lines: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class EpisodeRecord:
    """One CINdetails group."""

    referral_date: dt.date | None = None  # CINreferralDate
    referral_source: str = ""  # ReferralSource
    primary_need: str = ""  # PrimaryNeedCode
    closure_date: dt.date | None = None  # CINclosureDate
    reason_for_closure: str = ""  # ReasonForClosure
    initial_cpc_date: dt.date | None = None  # DateOfInitialCPC (CINdetails level)
    referral_nfa: bool | None = None  # ReferralNFA
    assessments: list[AssessmentRecord] = field(default_factory=list)
    cin_plans: list[CINPlanRecord] = field(default_factory=list)
    section47s: list[Section47Record] = field(default_factory=list)
    cp_plans: list[CPPlanRecord] = field(default_factory=list)
    pre_proceedings: list[PreProceedingsRecord] = field(default_factory=list)
    line: int = 0
    lines: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class ChildRecord:
    la_child_id: str = ""  # LAchildID
    upn: str = ""  # UPN
    former_upn: str = ""  # FormerUPN
    upn_unknown: str = ""  # UPNunknown
    birth_date: dt.date | None = None  # PersonBirthDate
    expected_birth_date: dt.date | None = None  # ExpectedPersonBirthDate
    sex: str = ""  # Sex (M/F/U); for older files, GenderCurrent mapped 1->M, 2->F, 0->U, 9->U
    gender_current: str = ""  # GenderCurrent as written (files before 2024-25), "" otherwise
    death_date: dt.date | None = None  # PersonDeathDate
    ethnicity: str = ""  # Ethnicity
    disabilities: list[str] = field(default_factory=list)  # Disabilities/Disability
    episodes: list[EpisodeRecord] = field(default_factory=list)  # CINdetails
    line: int = 0
    lines: dict[str, int] = field(default_factory=dict)
