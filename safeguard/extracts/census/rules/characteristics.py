"""CIN census rules: the child's characteristics (ethnicity and disabilities).

Source: DfE, "Children in need census 2025 to 2026: validation rules" (conditions listed in
``shared/design/cin-census-rules.md``) and the guide's code sets (``codes.py``). Codes and
conditions are the DfE's; titles, messages and fixes are our own words.
"""

from __future__ import annotations

from collections.abc import Sequence

from safeguard.extracts.census.codes import DISABILITIES, ETHNICITIES
from safeguard.extracts.census.records import ChildRecord
from safeguard.extracts.census.validation import ERROR, CensusContext, Hit, rule

NO_HITS: tuple[Hit, ...] = ()
NO_DISABILITY = "NONE"
_ETHNICITY_CODES = frozenset(ETHNICITIES)
_DISABILITY_CODES = frozenset(DISABILITIES)


def _line(record, field: str) -> int:
    """The line of ``field`` in ``record``, or the record's own line when the field is absent."""
    return record.lines.get(field, record.line)


@rule(
    "4220",
    severity=ERROR,
    title="Ethnicity is given with a code from the DfE list",
    fix="Give one of the DfE ethnicity codes (for example WBRI, MWBC, AIND, BAFR); use REFU if the family declined "
    "to say and NOBT if it is not yet known.",
    fields=("Ethnicity",),
)
def ethnicity_missing_or_invalid(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """DfE 4220: Ethnicity must be present and a code from the ethnicity table."""
    code = child.ethnicity
    if code in _ETHNICITY_CODES:
        return NO_HITS
    message = f"Ethnicity '{code}' is not a DfE ethnicity code." if code else "Ethnicity is missing."
    return [Hit("Ethnicity", _line(child, "Ethnicity"), message)]


@rule(
    "8540",
    severity=ERROR,
    title="Disability codes are from the DfE list, and a born child in need has at least one",
    fix="Give each disability with a DfE code (MOB, HAND, PC, INC, COMM, LD, HEAR, VIS, BEH, CON, AUT, DDA), or NONE "
    "if the child has no disability.",
    fields=("Disability", "PersonBirthDate", "ReferralNFA"),
)
def disability_missing_or_invalid(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """DfE 8540: if PersonBirthDate is present and at least one episode has ReferralNFA false, at
    least one Disability must be given, and every one must be a code from the disability table.

    A code outside the table is reported whatever the child's circumstances (it cannot be loaded
    or counted); a missing disability only under the DfE condition (an unborn child, or a child
    whose every referral had no further action, need not have one)."""
    codes = child.disabilities
    if not codes:
        if child.birth_date is None or not any(e.referral_nfa is False for e in child.episodes):
            return NO_HITS
        return [
            Hit(
                "Disability",
                _line(child, "Disabilities"),
                "No disability is recorded: give the child's disabilities, or NONE.",
            )
        ]
    if _DISABILITY_CODES.issuperset(codes):
        return NO_HITS
    line = _line(child, "Disability")
    return [
        Hit("Disability", line, f"Disability '{code}' is not a DfE disability code.")
        for code in codes
        if code not in _DISABILITY_CODES
    ]


@rule(
    "8790",
    severity=ERROR,
    title="NONE is not combined with a disability",
    fix="Remove NONE if the child has a disability, or remove the other codes if the child has none.",
    fields=("Disability",),
)
def disability_none_with_others(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """DfE 8790: if a Disability is NONE, no other Disability may be given."""
    codes = child.disabilities
    if len(codes) < 2 or NO_DISABILITY not in codes:
        return NO_HITS
    others = ", ".join(code for code in codes if code != NO_DISABILITY)
    return [
        Hit(
            "Disability",
            _line(child, "Disability"),
            f"Disability NONE is given together with {others}.",
        )
    ]


@rule(
    "8794",
    severity=ERROR,
    title="No disability code is given twice for the same child",
    fix="Give each disability code once only.",
    fields=("Disability",),
)
def disability_repeated(child: ChildRecord, ctx: CensusContext) -> Sequence[Hit]:
    """DfE 8794: a child cannot have two or more disabilities with the same code."""
    codes = child.disabilities
    if len(codes) < 2 or len(set(codes)) == len(codes):
        return NO_HITS
    seen: set[str] = set()
    repeated: list[str] = []
    for code in codes:
        if code in seen and code not in repeated:
            repeated.append(code)
        seen.add(code)
    return [
        Hit(
            "Disability",
            _line(child, "Disability"),
            f"Disability '{code}' is given {codes.count(code)} times.",
        )
        for code in repeated
    ]
