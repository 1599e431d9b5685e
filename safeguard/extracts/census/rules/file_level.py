"""CIN census rules across the whole file: duplicate identifiers and the authority-level queries.

Source: DfE, "Children in need census 2025 to 2026: validation rules" (conditions listed in
``shared/design/cin-census-rules.md``). Codes and conditions are the DfE's; titles, messages and
fixes are our own words.

Each rule is a class: the validator makes one instance per file, calls ``see(child, ctx)`` for every
child as the file streams past and ``finish(ctx)`` once at the end, which yields
``(LAchildID, Hit)`` pairs (an empty LAchildID for a finding about the whole return). Memory stays
small: one dict entry per identifier for the duplicate checks, counters for the rest.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator

from safeguard.extracts.census.codes import DISABILITIES
from safeguard.extracts.census.records import ChildRecord
from safeguard.extracts.census.validation import ERROR, QUERY, CensusContext, Hit, rule

#: 2886Q: the share of children (unborn children excepted) with no sex recorded above which the
#: return is queried.
MAX_SHARE_WITHOUT_SEX = 0.02
#: 2887Q: the fewest different disability codes (NONE excepted) a return is expected to use.
MIN_DISABILITY_CODES_USED = 8
NO_DISABILITY = "NONE"
_DISABILITY_CODES = frozenset(DISABILITIES) - {NO_DISABILITY}


def _line(record, field: str) -> int:
    """The line of ``field`` in ``record``, or the record's own line when the field is absent."""
    return record.lines.get(field, record.line)


class _Duplicates(ABC):
    """Shared by 8510 and 1520: the line of the first child with each value, and every later child
    that repeats one (rare, so that list stays short). Subclasses give ``see``, reading their field
    directly: it runs once per child."""

    field = ""

    def __init__(self) -> None:
        self.first_line: dict[str, int] = {}  # value -> line of the first child's <Child> element
        self.repeats: list[tuple[str, str, int]] = []  # (LAchildID, value, line of the repeated element)

    def repeated(self, child: ChildRecord, value: str) -> None:
        self.repeats.append((child.la_child_id, value, child.lines.get(self.field, child.line)))

    @abstractmethod
    def message(self, value: str, first_line: int) -> str:
        """The message for a repeated ``value`` first seen on ``first_line``."""

    def finish(self, ctx: CensusContext) -> Iterator[tuple[str, Hit]]:
        for la_child_id, value, line in self.repeats:
            yield la_child_id, Hit(self.field, line, self.message(value, self.first_line[value]))


@rule(
    "8510",
    severity=ERROR,
    title="No two children share an LAchildID",
    fix="Give each child their own LAchildID; if the two records are the same child, merge them into one.",
    fields=("LAchildID",),
    scope="file",
)
class DuplicateLaChildId(_Duplicates):
    """DfE 8510: no two Child records may have the same LAchildID. Reported on every record after
    the first that uses it, naming the first one's line."""

    field = "LAchildID"

    def see(self, child: ChildRecord, ctx: CensusContext) -> None:
        value = child.la_child_id
        if value in self.first_line:
            self.repeated(child, value)
        elif value:
            self.first_line[value] = child.line

    def message(self, value: str, first_line: int) -> str:
        return f"LAchildID '{value}' is also used by the child on line {first_line}."


@rule(
    "1520",
    severity=ERROR,
    title="No two children share a UPN",
    fix="Check the UPNs against the pupil records: each child has their own; if the two records are the same "
    "child, merge them into one.",
    fields=("UPN",),
    scope="file",
)
class DuplicateUpn(_Duplicates):
    """DfE 1520: no two Child records may have the same UPN (children without a UPN are not
    compared). Reported on every record after the first that uses it, naming the first one's line."""

    field = "UPN"

    def see(self, child: ChildRecord, ctx: CensusContext) -> None:
        value = child.upn
        if value in self.first_line:
            self.repeated(child, value)
        elif value:
            self.first_line[value] = child.line

    def message(self, value: str, first_line: int) -> str:
        return f"UPN '{value}' is also given for the child on line {first_line}."


class _NoSexShare(ABC):
    """Shared by both versions of 2886Q: counts children and those with no sex recorded."""

    field = ""
    missing = ""  # how a message says "no sex recorded"

    def __init__(self) -> None:
        self.children = 0
        self.without = 0

    @abstractmethod
    def not_recorded(self, child: ChildRecord) -> bool:
        """Whether the child (born) has no sex recorded, in this collection year's terms."""

    def see(self, child: ChildRecord, ctx: CensusContext) -> None:
        self.children += 1
        if child.expected_birth_date is None and self.not_recorded(child):
            self.without += 1

    def finish(self, ctx: CensusContext) -> Iterator[tuple[str, Hit]]:
        if not self.children or self.without / self.children <= MAX_SHARE_WITHOUT_SEX:
            return
        share = 100 * self.without / self.children
        yield (
            "",
            Hit(
                self.field,
                0,
                f"{self.without} of the {self.children} children ({share:.1f}%) have {self.missing} and are not "
                f"unborn: more than {MAX_SHARE_WITHOUT_SEX:.0%}.",
            ),
        )


@rule(
    "2886Q",
    severity=QUERY,
    title="At most 2% of children (unborn children excepted) have no sex recorded",
    fix="Record each child's sex (M or F) where it is known; U is for unborn children and those whose sex is "
    "genuinely not known.",
    fields=("Sex", "ExpectedPersonBirthDate"),
    scope="file",
    years=(2025, None),
)
class NoSexRecordedShare(_NoSexShare):
    """DfE 2886Q (from the 2024-25 census): the children whose Sex is U or missing and who have no
    ExpectedPersonBirthDate, divided by all the children in the return, should be at most 0.02."""

    field = "Sex"
    missing = "no sex recorded (Sex U or missing)"

    def not_recorded(self, child: ChildRecord) -> bool:
        return child.sex in ("U", "")


@rule(
    "2886Q",
    severity=QUERY,
    title="At most 2% of children (unborn children excepted) have no gender recorded (censuses up to 2023-24)",
    fix="Record each child's gender (1 or 2) where it is known; 0 is for unborn children and those whose gender is "
    "genuinely not recorded.",
    fields=("GenderCurrent", "ExpectedPersonBirthDate"),
    scope="file",
    years=(None, 2024),
)
class NoGenderRecordedShare(_NoSexShare):
    """DfE 2886Q before the 2024-25 census: the children whose GenderCurrent is 0 or missing and who
    have no ExpectedPersonBirthDate, divided by all the children, should be at most 0.02."""

    field = "GenderCurrent"
    missing = "no gender recorded (GenderCurrent 0 or missing)"

    def not_recorded(self, child: ChildRecord) -> bool:
        return child.gender_current in ("0", "")


@rule(
    "2887Q",
    severity=QUERY,
    title="The return uses at least 8 different disability codes",
    fix="Check that disabilities are recorded in full in the case management system and carried into the return.",
    fields=("Disability",),
    scope="file",
)
class FewDisabilityCodesUsed:
    """DfE 2887Q: NONE excepted, the return should use more than 7 different disability codes.
    Only codes from the disability table count (8540 reports the others)."""

    def __init__(self) -> None:
        self.children = 0
        self.used: set[str] = set()

    def see(self, child: ChildRecord, ctx: CensusContext) -> None:
        self.children += 1
        for code in child.disabilities:
            if code in _DISABILITY_CODES:
                self.used.add(code)

    def finish(self, ctx: CensusContext) -> Iterator[tuple[str, Hit]]:
        if not self.children or len(self.used) >= MIN_DISABILITY_CODES_USED:
            return
        codes = ", ".join(sorted(self.used)) or "none"
        yield (
            "",
            Hit(
                "Disability",
                0,
                f"The return uses {len(self.used)} different disability codes ({codes}): at least "
                f"{MIN_DISABILITY_CODES_USED} are expected.",
            ),
        )


@rule(
    "2888Q",
    severity=QUERY,
    title="Some child with a disability has more than one recorded",
    fix="Record every disability a child has, not only the main one.",
    fields=("Disability",),
    scope="file",
)
class OnlyOneDisabilityPerChild:
    """DfE 2888Q: NONE excepted, at least one child in the return should have more than one
    disability recorded. Queried when children with a disability are in the return and every one
    of them has exactly one code."""

    def __init__(self) -> None:
        self.with_disability = 0
        self.with_several = 0

    def see(self, child: ChildRecord, ctx: CensusContext) -> None:
        codes = child.disabilities
        if not codes or codes == [NO_DISABILITY]:
            return
        count = sum(1 for code in codes if code != NO_DISABILITY)
        if count:
            self.with_disability += 1
            if count > 1:
                self.with_several += 1

    def finish(self, ctx: CensusContext) -> Iterator[tuple[str, Hit]]:
        if not self.with_disability or self.with_several:
            return
        yield (
            "",
            Hit(
                "Disability",
                0,
                f"All {self.with_disability} children with a disability have exactly one disability code recorded.",
            ),
        )
