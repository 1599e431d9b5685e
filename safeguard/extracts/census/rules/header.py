"""CIN census rules: the file header.

Source: DfE, "Children in need census 2025 to 2026: validation rules", rule 100 (conditions listed
in ``shared/design/cin-census-rules.md``). The condition is the DfE's; the title, messages and fix
are our own words.
"""

from __future__ import annotations

from collections.abc import Sequence

from safeguard.extracts.census.records import CensusHeader
from safeguard.extracts.census.validation import ERROR, CensusContext, Hit, rule


@rule(
    "100",
    severity=ERROR,
    title="The header's reference date is 31 March of the year the census ends",
    fix="Set Header/CollectionDetails/ReferenceDate to 31 March of the year the census ends (2026-03-31 for "
    "2025-26), or import the file against the census year it belongs to.",
    fields=("ReferenceDate",),
    scope="header",
)
def reference_date_wrong(header: CensusHeader, ctx: CensusContext) -> Sequence[Hit]:
    """DfE 100: ReferenceDate must be present and equal the last day of the census year (31 March
    of the collection year: 2026-03-31 for the 2025-26 census)."""
    expected = ctx.expected_reference_date
    given = header.reference_date
    if given == expected:
        return ()
    census = f"{ctx.year - 1}-{ctx.year % 100:02d}"
    if given is None:
        message = f"The header has no ReferenceDate: for the {census} census it must be {expected.isoformat()}."
    else:
        message = (
            f"The header's ReferenceDate is {given.isoformat()}: for the {census} census it must be "
            f"{expected.isoformat()}."
        )
    return [Hit("ReferenceDate", header.lines.get("ReferenceDate", header.line), message)]
