"""Reading ONS mid-year population estimates (CSV) for rates per 10,000 children aged 0 to 17.

Two layouts are accepted, and the answer says which columns were used:

- one column with the 0 to 17 total: ``area_code,area_name,year,age_0_17`` (``aged_0_17``,
  ``population_0_17``, ``0-17`` and ``population`` are read the same way);
- one column per single year of age, ``0``, ``1`` ... ``17`` (as in the ONS "MYE2 - Persons"
  tables; ``age_0`` ... ``age_17`` too), summed. Older ages (``18`` ... ``90+``) are ignored.

Rows are matched to the partnership's area (its local authority code, or the ONS code in its
indicator settings) and to its localities (ONS code, locality code or local authority code);
other rows (the rest of England) are ignored. Nothing here writes: ``services.population_import``
saves the rows when the whole file is good.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

MAX_BYTES = 20 * 1024 * 1024
AGES = range(18)

CODE_COLUMNS = ("area_code", "code", "geography_code", "ons_code", "la_code", "lad_code", "new_la_code", "old_la_code")
NAME_COLUMNS = ("area_name", "name", "geography_name", "la_name", "lad_name")
YEAR_COLUMNS = ("year", "mid_year", "time_period", "period")
TOTAL_COLUMNS = (
    "age_0_17",
    "aged_0_17",
    "age_0_to_17",
    "aged_0_to_17",
    "population_0_17",
    "children_0_17",
    "0_17",
    "population",
)


class TableError(ValueError):
    """The file as a whole cannot be read (not CSV, no header, too big)."""


def normalise(header: str) -> str:
    """``" Aged 0-17 "`` -> ``"aged_0_17"``: headers compared without case, spaces or dashes."""
    return re.sub(r"[\s\-]+", "_", (header or "").strip().lower().lstrip("\ufeff"))


def read_table(content: bytes) -> tuple[list[str], list[list[str]]]:
    """The header (normalised) and the rows of a CSV file, as text. UTF-8 (with or without a byte
    order mark), falling back to Windows-1252 as Excel saves it."""
    if len(content) > MAX_BYTES:
        raise TableError(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB: split it or remove columns.")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")
    if "\x00" in text:
        raise TableError("The file is not a CSV file (it contains binary data). Save it as 'CSV (comma delimited)'.")
    rows = list(csv.reader(io.StringIO(text)))
    while rows and not any(cell.strip() for cell in rows[0]):
        rows.pop(0)
    if not rows:
        raise TableError("The file is empty: it needs a header row and at least one row of figures.")
    header = [normalise(h) for h in rows[0]]
    return header, [row for row in rows[1:] if any(cell.strip() for cell in row)]


def find_column(header: list[str], names: tuple[str, ...]) -> int | None:
    for name in names:
        if name in header:
            return header.index(name)
    return None


def whole_number(raw: str) -> int | None:
    text = raw.strip().replace(",", "").replace(" ", "")
    if re.fullmatch(r"\d+(\.0+)?", text):
        return int(float(text))
    return None


def parse_year(raw: str) -> int | None:
    """``2024``, ``mid-2024``, ``2024-06-30`` -> 2024."""
    match = re.fullmatch(r"(?:mid[\s\-]?)?((?:19|20)\d\d)(?:-\d\d-\d\d)?", raw.strip().lower())
    return int(match.group(1)) if match else None


@dataclass
class Area:
    """Something a row can be matched to: the whole partnership (``locality`` None) or a locality."""

    label: str
    locality: object | None
    codes: set[str]


@dataclass
class PopulationRow:
    line: int
    area_code: str
    area_name: str
    year: int
    population: int
    locality: object | None


@dataclass
class PopulationFile:
    rows: list[PopulationRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    columns_used: str = ""
    ignored_rows: int = 0


def areas_for(partnership, localities, ons_code: str = "") -> list[Area]:
    areas = [
        Area(
            f"the whole partnership ({partnership.name})",
            None,
            {c.upper() for c in (partnership.local_authority_code, ons_code) if c},
        )
    ]
    for locality in localities:
        codes = {c.upper() for c in (locality.ons_code, locality.code, locality.local_authority_code) if c}
        areas.append(Area(f"locality {locality.name}", locality, codes))
    return areas


def _population_columns(header: list[str]) -> tuple[list[int], str] | str:
    """The column(s) holding children aged 0 to 17 and a sentence naming them, or an error."""
    total = find_column(header, TOTAL_COLUMNS)
    if total is not None:
        return [total], f"column '{header[total]}' (children aged 0 to 17)"
    singles = []
    missing = []
    for age in AGES:
        column = find_column(header, (str(age), f"age_{age}", f"age{age}", f"aged_{age}"))
        if column is None:
            missing.append(str(age))
        else:
            singles.append(column)
    if not missing:
        names = ", ".join(header[c] for c in singles)
        return singles, f"single-year-of-age columns {names} (ages 0 to 17, summed)"
    if singles:
        return (
            f"The file has single-year-of-age columns but not for every age from 0 to 17: ages {', '.join(missing)} "
            "are missing. Add them, or give the total in one column called 'age_0_17'."
        )
    return (
        "The file has no population column: add a column 'age_0_17' (children aged 0 to 17), or one column per "
        f"single year of age named '0' to '17'. The columns found were: {', '.join(h or '(blank)' for h in header)}."
    )


def parse_population(content: bytes, *, areas: list[Area], year: int | None = None) -> PopulationFile:
    """Read and check a file; every problem is reported with its row (as a spreadsheet numbers it:
    the header is row 1) and column."""
    result = PopulationFile()
    try:
        header, rows = read_table(content)
    except TableError as exc:
        result.errors.append(str(exc))
        return result
    code_col = find_column(header, CODE_COLUMNS)
    if code_col is None:
        result.errors.append(
            "The file has no area code column: add one called 'area_code' holding ONS codes (for example E10000016) "
            "or locality codes."
        )
    if "sex" in header or "gender" in header:
        result.errors.append(
            "The file gives a row per sex: use the table for persons (both sexes together), with one row per area."
        )
    columns = _population_columns(header)
    if isinstance(columns, str):
        result.errors.append(columns)
    year_col = find_column(header, YEAR_COLUMNS)
    if year_col is None and year is None:
        result.errors.append(
            "The file has no 'year' column: add one (the mid-year of the estimate, for example 2024), or give the year "
            "when you upload it."
        )
    if result.errors:
        return result
    population_cols, result.columns_used = columns
    name_col = find_column(header, NAME_COLUMNS)
    by_code: dict[str, list[Area]] = {}
    for area in areas:
        for code in area.codes:
            by_code.setdefault(code, []).append(area)
    seen: dict[tuple[int | None, int], int] = {}
    for offset, row in enumerate(rows):
        line = offset + 2
        cell = row + [""] * (len(header) - len(row))
        code = cell[code_col].strip()
        matched = by_code.get(code.upper(), [])
        if not matched:
            result.ignored_rows += 1
            continue
        row_year = year
        if year_col is not None and cell[year_col].strip():
            row_year = parse_year(cell[year_col])
            if row_year is None:
                result.errors.append(
                    f"Row {line}, column '{header[year_col]}': '{cell[year_col].strip()}' is not a year. "
                    "Enter the mid-year of the estimate, for example 2024."
                )
                continue
        if row_year is None:
            result.errors.append(
                f"Row {line}, column '{header[year_col]}': the year is empty. Enter it, for example 2024."
            )
            continue
        total = 0
        bad = False
        for column in population_cols:
            number = whole_number(cell[column])
            if number is None:
                shown = cell[column].strip() or "(empty)"
                result.errors.append(
                    f"Row {line}, column '{header[column]}': '{shown}' is not a whole number of children. "
                    "Enter a number such as 63450 (commas are allowed)."
                )
                bad = True
            else:
                total += number
        if bad:
            continue
        for area in matched:
            key = (getattr(area.locality, "pk", None), row_year)
            if key in seen:
                result.errors.append(
                    f"Row {line}: {area.label} already has a mid-{row_year} estimate on row {seen[key]}. "
                    "Keep one row per area and year."
                )
                continue
            seen[key] = line
            result.rows.append(
                PopulationRow(
                    line=line,
                    area_code=code,
                    area_name=cell[name_col].strip()[:200] if name_col is not None else "",
                    year=row_year,
                    population=total,
                    locality=area.locality,
                )
            )
    if not result.rows and not result.errors:
        wanted = "; ".join(f"{a.label}: {', '.join(sorted(a.codes)) or 'no code set'}" for a in areas)
        result.errors.append(
            f"No row of the file is for the partnership's area or its localities. The codes looked for were: {wanted}. "
            "Check the area code column, or set the ONS codes of the partnership and its localities."
        )
    return result
