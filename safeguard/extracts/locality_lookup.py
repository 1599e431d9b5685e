"""Placing the children of a CIN census extract in the partnership's localities.

Each child is placed, in this order:

1. by the extract's **locality lookup**, when one was uploaded with the file: a CSV with the
   columns ``LAchildID,locality``, where ``locality`` is a locality's code (``north``) or its name
   (``North``), matched without regard to case. The lookup is all or nothing: one bad row and the
   whole lookup is refused, with a message for each row (up to ``MAX_ROW_MESSAGES``) saying what
   to fix;
2. else by the **local authority**: the active locality whose ``local_authority_code`` is the
   extract's (a partnership of several authorities has one such locality per authority);
3. else nowhere (``locality`` is empty and the child counts only in the partnership's figures).

A LAchildID in the lookup that is not in the file is ignored: the lookup can be a standing list
kept by the authority, covering children of earlier years too.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from safeguard.partnerships.models import Locality

#: A lookup for the largest authority (tens of thousands of rows) is well under this.
MAX_LOOKUP_BYTES = 20 * 1024 * 1024
#: Row problems listed one by one; the rest are counted.
MAX_ROW_MESSAGES = 10
HEADINGS = ("lachildid", "locality")


@dataclass(frozen=True)
class LocalityLookup:
    """LAchildID -> Locality id, read from a checked lookup file."""

    by_child: dict[str, int] = field(default_factory=dict)
    rows: int = 0

    def __len__(self) -> int:
        return len(self.by_child)


def _normalise(text: str) -> str:
    return " ".join(text.split()).casefold()


def _locality_index(partnership) -> tuple[dict[str, Locality], list[Locality]]:
    localities = list(Locality.objects.filter(partnership=partnership).order_by("name"))
    index: dict[str, Locality] = {}
    for locality in localities:
        index.setdefault(_normalise(locality.code), locality)
        index.setdefault(_normalise(locality.name), locality)
    return index, localities


def _known_list(localities: list[Locality]) -> str:
    active = [f"{loc.code} ({loc.name})" for loc in localities if loc.is_active]
    if not active:
        return "The partnership has no localities yet: a business manager adds them under Partnerships."
    return "Use one of: " + ", ".join(active) + "."


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(
            "The locality lookup is not a UTF-8 text file. Save it from your spreadsheet as "
            "'CSV UTF-8 (comma delimited)' and choose it again."
        ) from None


def read_locality_lookup(data: bytes, *, partnership) -> LocalityLookup:
    """Check a lookup file and return it; raise ``ValidationError`` (a list of messages) otherwise."""
    if len(data) > MAX_LOOKUP_BYTES:
        raise ValidationError(
            f"The locality lookup is larger than {MAX_LOOKUP_BYTES // (1024 * 1024)} MB. It should have two columns, "
            "LAchildID and locality: remove any other columns and choose it again."
        )
    text = _decode(data)
    if not text.strip():
        raise ValidationError(
            "The locality lookup is empty. It needs a heading row 'LAchildID,locality' and a row a child."
        )
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        headings = next(reader)
    except csv.Error as exc:
        raise ValidationError(
            f"The locality lookup is not a readable CSV file ({exc}). Save it as CSV and try again."
        ) from None
    if tuple(_normalise(h) for h in headings) != HEADINGS:
        found = ", ".join(h.strip() for h in headings) or "nothing"
        raise ValidationError(
            f"The locality lookup must have exactly two columns headed 'LAchildID' and 'locality'; its first row has "
            f"{found}. Fix the heading row and choose the file again."
        )
    index, localities = _locality_index(partnership)
    by_child: dict[str, int] = {}
    problems: list[str] = []
    problem_count = rows = 0

    def problem(message: str) -> None:
        nonlocal problem_count
        problem_count += 1
        if len(problems) < MAX_ROW_MESSAGES:
            problems.append(message)

    try:
        for number, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            rows += 1
            if len(row) != 2:
                problem(f"Row {number} has {len(row)} values instead of 2 (LAchildID, locality). Fix or remove it.")
                continue
            child_id, wanted = row[0].strip(), row[1].strip()
            if not child_id:
                problem(f"Row {number} has no LAchildID. Fill it in or remove the row.")
                continue
            locality = index.get(_normalise(wanted)) if wanted else None
            if locality is None:
                what = f"no locality '{wanted}'" if wanted else "no locality"
                problem(
                    f"Row {number} (LAchildID {child_id}) names {what} of {partnership.name}. {_known_list(localities)}"
                )
                continue
            if not locality.is_active:
                problem(
                    f"Row {number} (LAchildID {child_id}) names {locality.name}, which is no longer in use. "
                    f"{_known_list(localities)}"
                )
                continue
            previous = by_child.setdefault(child_id, locality.pk)
            if previous != locality.pk:
                problem(
                    f"Row {number}: LAchildID {child_id} is already placed in another locality on an earlier row. "
                    "Keep one row for each child."
                )
    except csv.Error as exc:
        problem(f"The file stops being readable CSV after row {reader.line_num} ({exc}). Save it as CSV and try again.")
    if problem_count:
        more = problem_count - len(problems)
        if more:
            problems.append(f"... and {more} more row{'s' if more != 1 else ''} with problems.")
        raise ValidationError(["The locality lookup was not used: nothing in it has been saved.", *problems])
    if not by_child:
        raise ValidationError("The locality lookup has a heading row but no children. Add a row for each child.")
    return LocalityLookup(by_child=by_child, rows=rows)


def default_locality_id(*, partnership, local_authority_code: str) -> int | None:
    """The locality that takes every child of this authority not placed by a lookup, if exactly one."""
    if not local_authority_code:
        return None
    ids = list(
        Locality.objects.filter(
            partnership=partnership, local_authority_code=local_authority_code, is_active=True
        ).values_list("pk", flat=True)[:2]
    )
    return ids[0] if len(ids) == 1 else None
