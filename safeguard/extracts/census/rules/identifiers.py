"""CIN census rules: the child's identifiers (LAchildID, UPN, former UPN, dates of birth and death, sex).

Source: DfE, "Children in need census 2025 to 2026: validation rules" (conditions listed in
``shared/design/cin-census-rules.md``), and for the UPN check letter the DfE "Unique pupil numbers
(UPN)" guidance for schools and local authorities. Codes and conditions are the DfE's; titles,
messages and fixes are our own words.

Every rule returns ``()`` when it has nothing to report, so a clean child costs no allocation.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from operator import mul

from safeguard.extracts.census.codes import SEXES, UPN_UNKNOWN_REASONS
from safeguard.extracts.census.records import ChildRecord
from safeguard.extracts.census.validation import ERROR, QUERY, CensusContext, Hit, rule

NO_HITS: tuple[Hit, ...] = ()

# --- UPN ------------------------------------------------------------------------------------------
#: The DfE check-letter alphabet: A-Z without I, O and S. Character 1 of a UPN is the letter at
#: (sum of characters 2-13 times weights 2-13) mod 23; a letter in character 13 (a temporary UPN)
#: counts as its position in this same alphabet (A = 0 ... Z = 22).
UPN_CHECK_ALPHABET = "ABCDEFGHJKLMNPQRTUVWXYZ"
UPN_LENGTH = 13
_WEIGHTS_2_TO_12 = tuple(range(2, 13))  # character 13 has weight 13
_ASCII_ZERO_WEIGHTED = ord("0") * sum(_WEIGHTS_2_TO_12)
_UPN_VALUE = {str(d): d for d in range(10)} | {letter: i for i, letter in enumerate(UPN_CHECK_ALPHABET)}
_DIGITS = frozenset("0123456789")
#: Character 13: a digit, or a letter from the check alphabet (never I, O or S).
UPN_LAST_CHARACTERS = frozenset(_UPN_VALUE)
_UPN_SHAPE = re.compile(r"[A-Z][0-9]{11}[0-9A-HJ-NP-RT-Z]")

#: Three-digit DfE local authority (LEA) numbers accepted in characters 2-4 of a UPN.
#: Source: DfE CIN census validation rule 1530 ("a valid post April 1998 LA code or a recognised
#: 'pseudo LA' code"), which lists the ranges below; 942 (Cumberland) and 943 (Westmorland and
#: Furness) were added from the 2023-24 census after the 1 April 2023 Cumbria reorganisation.
#: Former authorities stay in the list because their UPNs stay with the child (for example 909
#: Cumbria, 928 Northamptonshire, 835-837 the pre-2019 Dorset authorities). 660-681 are the Welsh
#: authorities and 001-005, 701-708 the DfE pseudo-LA codes.
UPN_LA_CODES: frozenset[str] = frozenset(
    f"{code:03d}"
    for first, last in (
        (1, 5),  # DfE pseudo-LA codes
        (201, 213),  # Inner London (City of London to Westminster)
        (301, 320),  # Outer London (Barking and Dagenham to Waltham Forest)
        (330, 336),  # West Midlands metropolitan districts
        (340, 344),  # Merseyside
        (350, 359),  # Greater Manchester
        (370, 373),  # South Yorkshire
        (380, 384),  # West Yorkshire
        (390, 394),  # Tyne and Wear
        (420, 420),  # Isles of Scilly
        (660, 681),  # Welsh authorities
        (701, 708),  # DfE pseudo-LA codes
        (800, 803),  # Bath and North East Somerset, Bristol, North Somerset, South Gloucestershire
        (805, 808),  # Hartlepool, Middlesbrough, Redcar and Cleveland, Stockton-on-Tees
        (810, 813),  # Hull, East Riding, North East Lincolnshire, North Lincolnshire
        (815, 816),  # North Yorkshire, York
        (820, 823),  # Bedfordshire (former), Luton, Bedford, Central Bedfordshire
        (825, 826),  # Buckinghamshire, Milton Keynes
        (830, 831),  # Derbyshire, Derby
        (835, 839),  # Dorset, Poole, Bournemouth (former); Dorset, Bournemouth Christchurch and Poole (2019)
        (840, 841),  # Durham, Darlington
        (845, 846),  # East Sussex, Brighton and Hove
        (850, 852),  # Hampshire, Portsmouth, Southampton
        (855, 857),  # Leicestershire, Leicester, Rutland
        (860, 861),  # Staffordshire, Stoke-on-Trent
        (865, 896),  # Wiltshire to Cheshire West and Chester
        (908, 909),  # Cornwall, Cumbria (former)
        (916, 916),  # Gloucestershire
        (919, 919),  # Hertfordshire
        (921, 921),  # Isle of Wight
        (925, 926),  # Lincolnshire, Norfolk
        (928, 929),  # Northamptonshire (former), Northumberland
        (931, 931),  # Oxfordshire
        (933, 933),  # Somerset
        (935, 938),  # Suffolk, Surrey, Warwickshire, West Sussex
        (940, 943),  # North Northamptonshire, West Northamptonshire, Cumberland, Westmorland and Furness
    )
    for code in range(first, last + 1)
)

# --- LAchildID ------------------------------------------------------------------------------------
LA_CHILD_ID_MAX_LENGTH = 20
_NON_ALPHANUMERIC = re.compile(r"[^A-Za-z0-9]")

# --- UPNunknown reasons that 8770Q accepts for a school-age child -----------------------------------
#: UN1 ("now over compulsory school age") cannot explain a missing UPN for a child of school age.
SCHOOL_AGE_UPN_UNKNOWN_REASONS = frozenset(UPN_UNKNOWN_REASONS) - {"UN1"}

#: 8775Q queries a child who is over this age at the reference date.
OLDEST_AGE = 25

GENDER_CURRENT_CODES = {"1": "male", "2": "female", "0": "not recorded or unborn", "9": "indeterminate"}


def _line(record, field: str) -> int:
    """The line of ``field`` in ``record``, or the record's own line when the field is absent."""
    return record.lines.get(field, record.line)


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day is not None else "(no date)"


def _census(ctx: CensusContext) -> str:
    return f"{ctx.year - 1}-{ctx.year % 100:02d}"


def _add_years(day: dt.date, years: int) -> dt.date:
    """``day`` plus whole years; 29 February becomes 1 March in a year without one (the age rule
    in English law)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return dt.date(day.year + years, 3, 1)


def upn_check_letter(upn: str) -> str | None:
    """The check letter a UPN should start with, worked out from its characters 2-13; ``None`` when
    it cannot be (not 13 characters, characters 2-12 not all digits, or character 13 neither a digit
    nor a check-alphabet letter)."""
    if len(upn) != UPN_LENGTH:
        return None
    last = _UPN_VALUE.get(upn[12])
    middle = upn[1:12].encode()  # ASCII digits are their own byte codes, 48 to 57
    if last is None or not middle.isdigit():
        return None
    return UPN_CHECK_ALPHABET[(sum(map(mul, middle, _WEIGHTS_2_TO_12)) - _ASCII_ZERO_WEIGHTED + 13 * last) % 23]


def upn_problem(upn: str) -> str:
    """What is wrong with a UPN's format, in words, or ``""`` if it is a well-formed UPN with the
    right check letter and a recognised LA code. Used for the former UPN (1560Q)."""
    if len(upn) != UPN_LENGTH:
        return f"it has {len(upn)} characters instead of 13"
    if not _UPN_SHAPE.fullmatch(upn):
        return "it is not a capital letter, 11 digits, then a digit or a capital letter other than I, O or S"
    if upn[1:4] not in UPN_LA_CODES:
        return f"characters 2-4 ('{upn[1:4]}') are not a recognised local authority number"
    expected = upn_check_letter(upn)
    if expected != upn[0]:
        return f"its check letter should be '{expected}', not '{upn[0]}'"
    return ""


# --- UPN ------------------------------------------------------------------------------------------
@rule(
    "1510",
    severity=ERROR,
    title="The UPN's first character is the right check letter",
    fix="Copy the UPN again from the school or the pupil record: a wrong check letter usually means a mistyped digit.",
    fields=("UPN",),
)
def upn_check_letter_wrong(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """DfE 1510: if present, the UPN's first character must be its check letter.

    The DfE algorithm: multiply characters 2 to 13 by weights 2 to 13, add the results, divide by
    23 and take the remainder; 0 to 22 map to A B C D E F G H J K L M N P Q R T U V W X Y Z. A
    letter in character 13 counts as its position in that alphabet. UPNs whose characters 2-13
    are not digits (or a letter at 13) are reported by 1530, 1540 and 1550, not here.
    """
    upn = child.upn
    if not upn:
        return NO_HITS
    expected = upn_check_letter(upn)
    if expected is None or expected == upn[0]:
        return NO_HITS
    return [
        Hit(
            "UPN",
            _line(child, "UPN"),
            f"UPN '{upn}' starts with '{upn[0]}', but its check letter should be '{expected}'.",
        )
    ]


@rule(
    "1530",
    severity=ERROR,
    title="Characters 2-4 of the UPN are a recognised local authority number",
    fix="Check the UPN against the pupil record: characters 2-4 are the DfE number of the authority that issued it.",
    fields=("UPN",),
)
def upn_la_code_not_recognised(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """DfE 1530: if present, characters 2-4 of the UPN must be a post-April-1998 LA number or a
    DfE pseudo-LA number (``UPN_LA_CODES``). Only 13-character UPNs are checked; 1550 reports a
    UPN of the wrong length."""
    upn = child.upn
    if len(upn) != UPN_LENGTH or upn[1:4] in UPN_LA_CODES:
        return NO_HITS
    return [
        Hit(
            "UPN",
            _line(child, "UPN"),
            f"UPN '{upn}': characters 2-4 ('{upn[1:4]}') are not a recognised local authority number.",
        )
    ]


@rule(
    "1540",
    severity=ERROR,
    title="Characters 5-12 of the UPN are digits",
    fix="Check the UPN against the pupil record: only the first and last characters can be letters.",
    fields=("UPN",),
)
def upn_middle_not_numeric(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """DfE 1540: if present, characters 5 to 12 of the UPN must all be digits (0-9). Only
    13-character UPNs are checked; 1550 reports a UPN of the wrong length."""
    upn = child.upn
    if len(upn) != UPN_LENGTH or _DIGITS.issuperset(upn[4:12]):
        return NO_HITS
    return [
        Hit(
            "UPN",
            _line(child, "UPN"),
            f"UPN '{upn}': characters 5-12 ('{upn[4:12]}') must all be digits.",
        )
    ]


@rule(
    "1550",
    severity=ERROR,
    title="The UPN has 13 characters and the 13th is a digit or an allowed letter",
    fix="Give the full 13-character UPN; the last character is a digit, or a capital letter other than I, O or S.",
    fields=("UPN",),
)
def upn_last_character_invalid(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """DfE 1550: if present, character 13 of the UPN must be a digit or a letter A-Z other than
    I, O and S. A UPN that is not 13 characters long has no valid character 13, so it is reported
    here (the schema fixes the length at 13)."""
    upn = child.upn
    if not upn:
        return NO_HITS
    if len(upn) != UPN_LENGTH:
        message = f"UPN '{upn}' has {len(upn)} characters: a UPN has exactly 13."
    elif upn[12] in UPN_LAST_CHARACTERS:
        return NO_HITS
    else:
        message = (
            f"UPN '{upn}' ends with '{upn[12]}': the 13th character must be a digit or a capital letter "
            "other than I, O or S."
        )
    return [Hit("UPN", _line(child, "UPN"), message)]


@rule(
    "1560Q",
    severity=QUERY,
    title="The former UPN is a well-formed UPN",
    fix="Check the former UPN against the pupil record, or leave it out if the child never had another UPN.",
    fields=("FormerUPN",),
)
def former_upn_badly_formed(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """DfE 1560Q: if present, the former UPN should be in the UPN format. We apply the same checks
    as to the UPN (1510, 1530, 1540, 1550) and report the first that fails."""
    former = child.former_upn
    if not former:
        return NO_HITS
    problem = upn_problem(former)
    if not problem:
        return NO_HITS
    return [Hit("FormerUPN", _line(child, "FormerUPN"), f"Former UPN '{former}' is not a valid UPN: {problem}.")]


# --- LAchildID ------------------------------------------------------------------------------------
@rule(
    "1570",
    severity=ERROR,
    title="The LAchildID has at most 20 characters",
    fix="Use the authority's own child identifier, shortened to 20 characters or fewer in every return.",
    fields=("LAchildID",),
    years=(2025, None),
)
def la_child_id_too_long(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """DfE 1570 (from the 2024-25 census): the LAchildID must not be longer than 20 characters."""
    length = len(child.la_child_id)
    if length <= LA_CHILD_ID_MAX_LENGTH:
        return NO_HITS
    return [
        Hit(
            "LAchildID",
            _line(child, "LAchildID"),
            f"LAchildID '{child.la_child_id}' has {length} characters: the most allowed is {LA_CHILD_ID_MAX_LENGTH}.",
        )
    ]


@rule(
    "1580",
    severity=ERROR,
    title="The LAchildID has only letters and digits",
    fix="Remove spaces, hyphens and other punctuation from the LAchildID (use A-Z, a-z and 0-9 only).",
    fields=("LAchildID",),
    years=(2025, None),
)
def la_child_id_not_alphanumeric(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """DfE 1580 (from the 2024-25 census): the LAchildID must not contain non-alphanumeric
    characters. Alphanumeric means the ASCII letters and digits: an accented letter is refused."""
    found = _NON_ALPHANUMERIC.search(child.la_child_id)
    if found is None:
        return NO_HITS
    return [
        Hit(
            "LAchildID",
            _line(child, "LAchildID"),
            f"LAchildID '{child.la_child_id}' contains '{found.group()}': use letters and digits only.",
        )
    ]


@rule(
    "8500",
    severity=ERROR,
    title="The LAchildID is present",
    fix="Give every child the authority's own identifier in LAchildID.",
    fields=("LAchildID",),
)
def la_child_id_missing(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """DfE 8500: the LAchildID must be present."""
    if child.la_child_id:
        return NO_HITS
    return [Hit("LAchildID", _line(child, "LAchildID"), "This child has no LAchildID.")]


# --- UPN unknown ----------------------------------------------------------------------------------
def _school_age(birth: dt.date, ctx: CensusContext) -> bool:
    """Of compulsory school age (reception to year 11) in the academic year that holds the
    reference date: born from 1 September of (census year end - 17) to 31 August of (census year
    end - 5). For 2024-25 (reference date 31 March 2025): born 1 September 2008 to 31 August 2020."""
    return dt.date(ctx.year - 17, 9, 1) <= birth <= dt.date(ctx.year - 5, 8, 31)


@rule(
    "8770Q",
    severity=QUERY,
    title="A school-age child has a UPN, or a reason for having none other than UN1",
    fix="Add the child's UPN from the school, or a UPNunknown reason (UN2 to UN7) that says why there is none.",
    fields=("UPN", "UPNunknown", "PersonBirthDate", "ReferralNFA"),
)
def school_age_child_without_upn(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """DfE 8770Q: for a child with at least one referral going on to further action (ReferralNFA
    false), a UPN, or a UPNunknown reason other than UN1, is expected when the child is of school
    age. The DfE does not define "school age" in the rule; we use compulsory school age in the
    academic year of the reference date, reception to year 11 (see ``_school_age``), which is when
    a child has a UPN from school and UN1 ("over compulsory school age") cannot be true."""
    if child.upn or child.birth_date is None or not _school_age(child.birth_date, ctx):
        return NO_HITS
    if child.upn_unknown in SCHOOL_AGE_UPN_UNKNOWN_REASONS:
        return NO_HITS
    if not any(episode.referral_nfa is False for episode in child.episodes):
        return NO_HITS
    born = child.birth_date.isoformat()
    if child.upn_unknown:
        message = (
            f"This child (born {born}) is of school age and has no UPN; UPNunknown is '{child.upn_unknown}', "
            "which cannot explain a missing UPN for a school-age child."
        )
    else:
        message = f"This child (born {born}) is of school age but has neither a UPN nor a UPNunknown reason."
    return [Hit("UPN", _line(child, "UPNunknown") if child.upn_unknown else _line(child, "UPN"), message)]


@rule(
    "8772",
    severity=ERROR,
    title="UPNunknown UN7 is used only when every referral had no further action",
    fix="Give the child's UPN (or another UPNunknown reason), or correct ReferralNFA on the episodes.",
    fields=("UPNunknown", "ReferralNFA"),
)
def un7_with_further_action(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """DfE 8772: if UPNunknown is UN7 (referral with no further action), every CIN episode must
    have ReferralNFA true. An episode with ReferralNFA false or missing breaks the rule."""
    if child.upn_unknown != "UN7":
        return NO_HITS
    for episode in child.episodes:
        if episode.referral_nfa is not True:
            when = episode.referral_date.isoformat() if episode.referral_date else "(no referral date)"
            return [
                Hit(
                    "UPNunknown",
                    _line(child, "UPNunknown"),
                    f"UPNunknown is UN7 (referral with no further action), but the referral on {when} "
                    "is not marked as no further action.",
                )
            ]
    return NO_HITS


# --- Sex ------------------------------------------------------------------------------------------
@rule(
    "4180",
    severity=ERROR,
    title="Sex is given as M, F or U",
    fix="Give Sex as M (male), F (female) or U (unknown, not recorded, or unborn).",
    fields=("Sex",),
    years=(2025, None),
)
def sex_missing_or_invalid(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """DfE 4180 (from the 2024-25 census, when Sex replaced GenderCurrent): Sex must be present and
    be M, F or U. A file that still gives GenderCurrent has no Sex element, so it breaks the rule."""
    if child.gender_current:
        message = (
            f"This child has GenderCurrent '{child.gender_current}' instead of Sex: from the 2024-25 census, "
            "give Sex as M, F or U."
        )
    elif child.sex in SEXES:
        return NO_HITS
    elif not child.sex:
        message = "Sex is missing."
    else:
        message = f"Sex '{child.sex}' is not M, F or U."
    return [Hit("Sex", _line(child, "Sex"), message)]


@rule(
    "4180",
    severity=ERROR,
    title="GenderCurrent is given as 0, 1, 2 or 9 (censuses up to 2023-24)",
    fix="Give GenderCurrent as 1 (male), 2 (female), 0 (not recorded or unborn) or 9 (indeterminate).",
    fields=("GenderCurrent",),
    years=(None, 2024),
)
def gender_current_missing_or_invalid(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """DfE 4180 before the 2024-25 census: GenderCurrent must be present and be 0, 1, 2 or 9."""
    code = child.gender_current
    if code in GENDER_CURRENT_CODES:
        return NO_HITS
    message = f"GenderCurrent '{code}' is not 0, 1, 2 or 9." if code else "GenderCurrent is missing."
    return [Hit("GenderCurrent", _line(child, "GenderCurrent"), message)]


def _unborn(child: ChildRecord) -> bool:
    return child.birth_date is None and child.expected_birth_date is not None


@rule(
    "8750",
    severity=ERROR,
    title="An unborn child's sex is U",
    fix="Record Sex as U until the child is born, then give the date of birth and the child's sex.",
    fields=("Sex", "PersonBirthDate", "ExpectedPersonBirthDate"),
    years=(2025, None),
)
def unborn_child_sex_not_u(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """DfE 8750 (from the 2024-25 census): if ExpectedPersonBirthDate is present and
    PersonBirthDate is not, Sex must be U."""
    if not _unborn(child) or child.sex == "U" or child.gender_current:
        return NO_HITS
    return [
        Hit(
            "Sex",
            _line(child, "Sex"),
            f"This child is unborn (expected {child.expected_birth_date.isoformat()}) but Sex is "
            f"'{child.sex}': it must be U.",
        )
    ]


@rule(
    "8750",
    severity=ERROR,
    title="An unborn child's GenderCurrent is 0 (censuses up to 2023-24)",
    fix="Record GenderCurrent as 0 until the child is born, then give the date of birth and the child's gender.",
    fields=("GenderCurrent", "PersonBirthDate", "ExpectedPersonBirthDate"),
    years=(None, 2024),
)
def unborn_child_gender_not_0(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """DfE 8750 before the 2024-25 census: if ExpectedPersonBirthDate is present and
    PersonBirthDate is not, GenderCurrent must be 0. A missing GenderCurrent is left to 4180."""
    if not _unborn(child) or child.gender_current in ("0", ""):
        return NO_HITS
    return [
        Hit(
            "GenderCurrent",
            _line(child, "GenderCurrent"),
            f"This child is unborn (expected {child.expected_birth_date.isoformat()}) but GenderCurrent is "
            f"'{child.gender_current}': it must be 0.",
        )
    ]


# --- Dates of birth and death ---------------------------------------------------------------------
@rule(
    "8520",
    severity=ERROR,
    title="The date of birth is not after the end of the census year",
    fix="Correct the date of birth; for a child not yet born, give ExpectedPersonBirthDate instead.",
    fields=("PersonBirthDate",),
)
def birth_after_census_year(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """DfE 8520: if present, PersonBirthDate must be on or before the reference date (the last day
    of the census year)."""
    born = child.birth_date
    if born is None or born <= ctx.period_end:
        return NO_HITS
    return [
        Hit(
            "PersonBirthDate",
            _line(child, "PersonBirthDate"),
            f"The date of birth, {born.isoformat()}, is after the end of the {_census(ctx)} census year "
            f"({ctx.period_end.isoformat()}).",
        )
    ]


@rule(
    "8525Q",
    severity=QUERY,
    title="Exactly one of date of birth and expected date of birth is given",
    fix="Give PersonBirthDate for a child who is born, or ExpectedPersonBirthDate for an unborn child, not both.",
    fields=("PersonBirthDate", "ExpectedPersonBirthDate"),
)
def birth_and_expected_birth_both_or_neither(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """DfE 8525Q: either PersonBirthDate or ExpectedPersonBirthDate must be provided, but not both."""
    born, expected = child.birth_date, child.expected_birth_date
    if (born is None) != (expected is None):
        return NO_HITS
    if born is None:
        return [
            Hit(
                "PersonBirthDate",
                _line(child, "PersonBirthDate"),
                "Neither a date of birth nor an expected one is given.",
            )
        ]
    return [
        Hit(
            "ExpectedPersonBirthDate",
            _line(child, "ExpectedPersonBirthDate"),
            f"Both a date of birth ({born.isoformat()}) and an expected date of birth ({expected.isoformat()}) "
            "are given.",
        )
    ]


@rule(
    "8530Q",
    severity=QUERY,
    title="An expected date of birth falls between March and December of the year the census ends",
    fix="Check the expected date of birth; if the child has been born, give PersonBirthDate instead.",
    fields=("ExpectedPersonBirthDate",),
)
def expected_birth_out_of_range(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """DfE 8530Q: if present, ExpectedPersonBirthDate should be between the reference date minus
    30 days and the reference date plus 9 months: 1 March to 31 December of the year the census
    ends, both days included."""
    expected = child.expected_birth_date
    if expected is None:
        return NO_HITS
    earliest = ctx.period_end - dt.timedelta(days=30)
    latest = dt.date(ctx.year, 12, 31)
    if earliest <= expected <= latest:
        return NO_HITS
    return [
        Hit(
            "ExpectedPersonBirthDate",
            _line(child, "ExpectedPersonBirthDate"),
            f"The expected date of birth, {expected.isoformat()}, is outside {earliest.isoformat()} to "
            f"{latest.isoformat()}, the range expected for the {_census(ctx)} census.",
        )
    ]


@rule(
    "8535Q",
    severity=QUERY,
    title="The date of death is not before the date of birth",
    fix="Check both dates against the child's record and correct the one that is wrong.",
    fields=("PersonDeathDate", "PersonBirthDate"),
)
def death_before_birth(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """DfE 8535Q: if both are present, PersonDeathDate should not be before PersonBirthDate."""
    died, born = child.death_date, child.birth_date
    if died is None or born is None or died >= born:
        return NO_HITS
    return [
        Hit(
            "PersonDeathDate",
            _line(child, "PersonDeathDate"),
            f"The date of death, {died.isoformat()}, is before the date of birth, {born.isoformat()}.",
        )
    ]


@rule(
    "8545Q",
    severity=QUERY,
    title="A date of death falls in the census year",
    fix="Check the date of death: a child who died before the census year should not be in the return.",
    fields=("PersonDeathDate",),
)
def death_outside_census_year(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """DfE 8545Q: if present, PersonDeathDate should be within the census year (1 April to 31 March)."""
    died = child.death_date
    if died is None or ctx.period_start <= died <= ctx.period_end:
        return NO_HITS
    return [
        Hit(
            "PersonDeathDate",
            _line(child, "PersonDeathDate"),
            f"The date of death, {died.isoformat()}, is outside the {_census(ctx)} census year "
            f"({ctx.period_start.isoformat()} to {ctx.period_end.isoformat()}).",
        )
    ]


@rule(
    "8775Q",
    severity=QUERY,
    title="The child is not over 25",
    fix="Check the date of birth; a young person over 25 belongs in the return only for an episode that ended by "
    "their 25th birthday.",
    fields=("PersonBirthDate", "CINclosureDate"),
)
def child_over_25(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """DfE 8775Q: a child born more than 25 years before the reference date is queried when any of
    their episodes is still open or closed after their 25th birthday."""
    born = child.birth_date
    if born is None or born.year > ctx.year - OLDEST_AGE or born >= _add_years(ctx.period_end, -OLDEST_AGE):
        return NO_HITS
    turned_25 = _add_years(born, OLDEST_AGE)
    for episode in child.episodes:
        closed = episode.closure_date
        if closed is None or closed > turned_25:
            state = "is still open" if closed is None else f"closed on {closed.isoformat()}"
            return [
                Hit(
                    "PersonBirthDate",
                    _line(child, "PersonBirthDate"),
                    f"This young person (born {born.isoformat()}) turned 25 on {turned_25.isoformat()}, but the "
                    f"episode referred on {_iso(episode.referral_date)} {state}.",
                )
            ]
    return NO_HITS
