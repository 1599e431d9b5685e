"""The structure of a CIN census file, as data: which elements, where, how often, of what type.

Source: DfE, "Children in need census 2025 to 2026: guide" and the XML schema the DfE publishes
with it (``CIN_schema_2025_26.xsd``); earlier years from that year's guide and schema. The summary
we work from is ``shared/design/cin-census.md``. Everything here describes the public format in our
own words.

The parser (``parser.py``) walks a file against ``layout(year)`` and reports what does not fit as
*structural findings* with our own codes (``STRUCTURE_CHECKS``), kept apart from the DfE's rule codes:
the DfE rules (``rules/``) read typed records and assume the structure is sound.

Differences between collection years (``year`` is the year the census year ends: 2026 for 2025-26)
-------------------------------------------------------------------------------------------------
- ``Sex`` (M, F or U) from 2024-25 (``year >= 2025``); before that ``GenderCurrent`` (1 male, 2 female,
  0 not recorded or unborn, 9 indeterminate), which the parser maps to ``sex`` through
  ``codes.GENDER_CURRENT_TO_SEX`` and keeps as written in ``gender_current``.
- ``PreProceedingsandFGDM`` from 2025-26 (``year >= 2026``).
- ``SeenSocialWorker`` (a true/false inside ``ChildProtectionPlans``) in the collections up to
  2016-17 (``year <= 2017``); later files do not have it. We read it and keep nothing: no rule uses it.
- Assessment factors: the schema puts each ``AssessmentFactors`` code inside one
  ``FactorsIdentifiedAtAssessment`` group. Some systems write ``AssessmentFactors`` directly inside
  ``Assessments``, without the group; both forms are read the same way in every year.

Leniencies, on purpose
----------------------
- Element order is not checked: the published schemas themselves moved ``ReferralNFA`` between
  versions, and files from different case-management systems order the episode's groups differently.
  Order carries no meaning in the census, so a different order is not a finding.
- ``NumberOfPreviousCPP`` is typed ``positiveInteger`` in the published schema, yet 0 (no previous
  plan) is the most common meaningful value: 0 is accepted.
- Booleans are ``true``/``false`` (any case) or ``1``/``0``, as real files write them.
- An empty element (``<CPPendDate/>``) is the same as an absent one.
- A required element that is missing is reported here (``XML02``) only when no DfE rule already
  reports it: for example a missing ``LAchildID`` is the DfE's rule 8500, so ``missing_rule="8500"``
  and the parser stays silent, leaving the value empty for the rule to see. One problem, one finding.
- Maximum lengths are those of the columns the census is loaded into (``extracts.models``), not the
  lengths of valid codes: a code of the right length but not in the code list is for the DfE rule
  (8866, 8650, ...) to report, with its own message; only a value too long to store is ``XML06``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import lru_cache

from .records import (
    AssessmentRecord,
    CensusHeader,
    ChildRecord,
    CINPlanRecord,
    CPPlanRecord,
    EpisodeRecord,
    PreProceedingsRecord,
    Section47Record,
)

#: The latest collection year this layout knows. A file whose header gives a later year is read
#: with this layout (the parser says so in its findings only if the structure differs).
LATEST_YEAR = 2026
SEX_FROM_YEAR = 2025  # 2024-25
PRE_PROCEEDINGS_FROM_YEAR = 2026  # 2025-26
SEEN_SOCIAL_WORKER_UNTIL_YEAR = 2017  # 2016-17

# Value types
DATE = "date"  # ISO YYYY-MM-DD
BOOLEAN = "boolean"  # true/false (any case) or 1/0
INTEGER = "integer"
NON_NEGATIVE_INTEGER = "non-negative integer"
CODE = "code"  # a short code string, stripped
TEXT = "text"  # free text, stripped

KINDS = (DATE, BOOLEAN, INTEGER, NON_NEGATIVE_INTEGER, CODE, TEXT)

#: Our structural finding codes: code -> (title, how to fix it). ``docs/rules.md`` lists them with
#: the DfE rules. All are errors: a value the parser cannot read reaches the rules as missing.
STRUCTURE_CHECKS: dict[str, tuple[str, str]] = {
    "XML01": (
        "Unexpected element",
        "Remove the element, or move it to the group it belongs in. Check the census year in the "
        "header: some elements belong only to some years (for example Sex from 2024-25, GenderCurrent "
        "before).",
    ),
    "XML02": (
        "Required element missing",
        "Add the element: the census guide requires it in this group. If your system left it out, "
        "fill in the missing information in the case record and export the census again.",
    ),
    "XML03": (
        "Not a valid date",
        "Write the date as YYYY-MM-DD (for example 2025-09-30) and check it is a real calendar date.",
    ),
    "XML04": (
        "Not a valid true/false value",
        "Use true or false (or 1 or 0).",
    ),
    "XML05": (
        "Not a valid whole number",
        "Use a whole number written with digits only (for example 0, 1 or 2); counts cannot be negative.",
    ),
    "XML06": (
        "Value too long",
        "Shorten the value to the length the census allows; it is usually a code from the census code "
        "set, or an identifier copied with extra characters.",
    ),
    "XML07": (
        "Element repeated",
        "Keep one of the elements: the census allows it once in this group. Only the first was read.",
    ),
    "XML08": (
        "Text outside a value",
        "Remove the stray text: in this group only elements may appear, not text between them.",
    ),
}


@dataclass(frozen=True, slots=True)
class Leaf:
    """An element holding one value."""

    tag: str
    kind: str
    attr: str  # the record attribute it fills ("" for groups kept by element name, like PreProceedings)
    required: bool = False
    repeats: bool = False  # True: the values are collected into a list attribute
    max_length: int | None = None  # codes and text only
    missing_rule: str = ""  # the DfE rule that reports this element missing (then no XML02)
    first_year: int | None = None
    last_year: int | None = None

    def applies_to(self, year: int) -> bool:
        return (self.first_year is None or year >= self.first_year) and (
            self.last_year is None or year <= self.last_year
        )


@dataclass(frozen=True, slots=True)
class Group:
    """An element holding other elements.

    With ``record``, each occurrence makes a new record (``CINdetails`` -> ``EpisodeRecord``) that is
    appended to the list ``attr`` of the enclosing record (or, when ``repeats`` is False and ``attr``
    names a single value, stored there). Without ``record`` the group is a wrapper: its members fill
    the enclosing record (``ChildIdentifiers`` fills ``ChildRecord``).
    """

    tag: str
    members: tuple[Leaf | Group, ...]
    record: type | None = None
    attr: str = ""
    required: bool = False
    repeats: bool = False
    missing_rule: str = ""
    first_year: int | None = None
    last_year: int | None = None

    def applies_to(self, year: int) -> bool:
        return (self.first_year is None or year >= self.first_year) and (
            self.last_year is None or year <= self.last_year
        )


#: The Header: the same in every year (the parser reads it before it knows the file's year).
HEADER = Group(
    "Header",
    (
        Group(
            "CollectionDetails",
            (
                Leaf("Collection", CODE, "collection", required=True, max_length=10),
                Leaf("Year", INTEGER, "year", required=True),
                Leaf("ReferenceDate", DATE, "reference_date", required=True, missing_rule="100"),
            ),
            required=True,
        ),
        Group(
            "Source",
            (
                Leaf("SourceLevel", CODE, "source_level", max_length=10),
                Leaf("LEA", CODE, "lea", required=True, max_length=3),
                Leaf("SoftwareCode", TEXT, "software_code", max_length=200),
                Leaf("Release", TEXT, "release", max_length=200),
                Leaf("SerialNo", TEXT, "serial_no", max_length=50),
                Leaf("DateTime", TEXT, "datetime", max_length=50),
            ),
            required=True,
        ),
    ),
    record=CensusHeader,
    required=True,
)

_CHILD_IDENTIFIERS = Group(
    "ChildIdentifiers",
    (
        Leaf("LAchildID", CODE, "la_child_id", required=True, max_length=40, missing_rule="8500"),
        Leaf("UPN", CODE, "upn", max_length=13),
        Leaf("FormerUPN", CODE, "former_upn", max_length=13),
        Leaf("UPNunknown", CODE, "upn_unknown", max_length=3),
        Leaf("PersonBirthDate", DATE, "birth_date"),
        Leaf("ExpectedPersonBirthDate", DATE, "expected_birth_date"),
        Leaf("Sex", CODE, "sex", required=True, max_length=1, missing_rule="4180", first_year=SEX_FROM_YEAR),
        Leaf(
            "GenderCurrent",
            CODE,
            "gender_current",
            required=True,
            max_length=1,
            missing_rule="4180",
            last_year=SEX_FROM_YEAR - 1,
        ),
        Leaf("PersonDeathDate", DATE, "death_date"),
    ),
    required=True,
)

_CHILD_CHARACTERISTICS = Group(
    "ChildCharacteristics",
    (
        Leaf("Ethnicity", CODE, "ethnicity", required=True, max_length=4, missing_rule="4220"),
        Group(
            "Disabilities",
            (Leaf("Disability", CODE, "disabilities", required=True, repeats=True, max_length=4, missing_rule="8540"),),
            missing_rule="8540",
        ),
    ),
    required=True,
)

_FACTOR = Leaf("AssessmentFactors", CODE, "factors", repeats=True, max_length=3)

_ASSESSMENTS = Group(
    "Assessments",
    (
        Leaf("AssessmentActualStartDate", DATE, "start_date", required=True),
        Leaf("AssessmentInternalReviewDate", DATE, "internal_review_date"),
        Leaf("AssessmentAuthorisationDate", DATE, "authorisation_date"),
        Group("FactorsIdentifiedAtAssessment", (_FACTOR,)),
        _FACTOR,  # written without the FactorsIdentifiedAtAssessment group by some systems
    ),
    record=AssessmentRecord,
    attr="assessments",
    repeats=True,
)

_CIN_PLAN_DATES = Group(
    "CINPlanDates",
    (
        Leaf("CINPlanStartDate", DATE, "start_date", required=True, missing_rule="4010"),
        Leaf("CINPlanEndDate", DATE, "end_date"),
    ),
    record=CINPlanRecord,
    attr="cin_plans",
    repeats=True,
)

_SECTION47 = Group(
    "Section47",
    (
        Leaf("S47ActualStartDate", DATE, "start_date", required=True, missing_rule="8615"),
        Leaf("InitialCPCtarget", DATE, "icpc_target"),
        Leaf("DateOfInitialCPC", DATE, "icpc_date"),
        Leaf("ICPCnotRequired", BOOLEAN, "icpc_not_required", required=True),
    ),
    record=Section47Record,
    attr="section47s",
    repeats=True,
)

_CP_PLANS = Group(
    "ChildProtectionPlans",
    (
        Leaf("CPPstartDate", DATE, "start_date", required=True, missing_rule="8720"),
        Leaf("CPPendDate", DATE, "end_date"),
        Leaf("InitialCategoryOfAbuse", CODE, "initial_category", required=True, max_length=3, missing_rule="8905"),
        Leaf("LatestCategoryOfAbuse", CODE, "latest_category", required=True, max_length=3, missing_rule="8910"),
        Leaf("NumberOfPreviousCPP", NON_NEGATIVE_INTEGER, "number_of_previous_cpp", required=True, missing_rule="8730"),
        Leaf("SeenSocialWorker", BOOLEAN, "", last_year=SEEN_SOCIAL_WORKER_UNTIL_YEAR),
        Group(
            "Reviews",
            # An empty CPPreviewDate is kept as None: rule 8842Q reports a review without a date.
            (Leaf("CPPreviewDate", DATE, "reviews", required=True, repeats=True, missing_rule="8842Q"),),
        ),
    ),
    record=CPPlanRecord,
    attr="cp_plans",
    repeats=True,
)

_PRE_PROCEEDINGS = Group(
    "PreProceedingsandFGDM",
    (
        Leaf("PPStartDate", DATE, ""),
        Leaf("LBPSentDate", DATE, ""),
        Leaf("FGDMMeetingOffer", BOOLEAN, ""),
        Leaf("FGDMMeetingFac", BOOLEAN, ""),
        Leaf("InitialPPMeetingDate", DATE, ""),
        Leaf("ReviewMeetingsCount", NON_NEGATIVE_INTEGER, ""),
        Leaf("StepDecisionDate", DATE, ""),
        Leaf("PPOutcome", CODE, "", max_length=10),
        Leaf("CourtAppDate", DATE, ""),
        Leaf("LetterInitCPDate", DATE, ""),
    ),
    record=PreProceedingsRecord,
    attr="pre_proceedings",
    repeats=True,
    first_year=PRE_PROCEEDINGS_FROM_YEAR,
)

_CIN_DETAILS = Group(
    "CINdetails",
    (
        Leaf("CINreferralDate", DATE, "referral_date", required=True, missing_rule="8600"),
        Leaf("ReferralSource", CODE, "referral_source", required=True, max_length=3, missing_rule="8866"),
        Leaf("PrimaryNeedCode", CODE, "primary_need", max_length=2),
        Leaf("CINclosureDate", DATE, "closure_date"),
        Leaf("ReasonForClosure", CODE, "reason_for_closure", max_length=4),
        Leaf("DateOfInitialCPC", DATE, "initial_cpc_date"),
        Leaf("ReferralNFA", BOOLEAN, "referral_nfa", required=True, missing_rule="8568"),
        _ASSESSMENTS,
        _CIN_PLAN_DATES,
        _SECTION47,
        _CP_PLANS,
        _PRE_PROCEEDINGS,
    ),
    record=EpisodeRecord,
    attr="episodes",
    required=True,
    repeats=True,
    missing_rule="8590",
)

_CHILD = Group(
    "Child",
    (_CHILD_IDENTIFIERS, _CHILD_CHARACTERISTICS, _CIN_DETAILS),
    record=ChildRecord,
    repeats=True,
)

ROOT_TAG = "Message"
HEADER_TAG = "Header"
CHILDREN_TAG = "Children"
CHILD_TAG = "Child"

#: Elements that belong to some years only: tag -> what to say when one is found in another year.
MOVED: dict[str, str] = {
    "GenderCurrent": "GenderCurrent was replaced by Sex (M, F or U) from the 2024-25 census",
    "Sex": "Sex (M, F or U) is used from the 2024-25 census; earlier censuses use GenderCurrent (1, 2, 0 or 9)",
    "PreProceedingsandFGDM": "PreProceedingsandFGDM is collected from the 2025-26 census onward",
    "SeenSocialWorker": "SeenSocialWorker was last collected in the 2016-17 census",
}


def _for_year(group: Group, year: int) -> Group:
    """``group`` with only the members that belong to ``year``'s census, all the way down."""
    members = tuple(_for_year(m, year) if isinstance(m, Group) else m for m in group.members if m.applies_to(year))
    return replace(group, members=members)


@lru_cache(maxsize=32)
def child_layout(year: int | None) -> Group:
    """The Child group for a collection year (``None`` or a year after ``LATEST_YEAR``: the latest)."""
    return _for_year(_CHILD, layout_year(year))


def layout_year(year: int | None) -> int:
    """The year whose layout a file of ``year`` is read with."""
    if year is None or year > LATEST_YEAR:
        return LATEST_YEAR
    return year


def walk(group: Group, path: str = "") -> Iterator[tuple[str, Leaf | Group]]:
    """Every element under ``group`` as (path, spec), depth first: for documentation and tests."""
    here = f"{path}/{group.tag}" if path else group.tag
    yield here, group
    for member in group.members:
        if isinstance(member, Group):
            yield from walk(member, here)
        else:
            yield f"{here}/{member.tag}", member
