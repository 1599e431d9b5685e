"""Reading published benchmarks: CSV files in the layout of the DfE's Explore Education Statistics
tables ("underlying data" downloads).

Layout: ``time_period`` (``202425`` for 2024-25), ``time_identifier``, ``geographic_level``
(``National``, ``Regional``, ``Local authority``), ``country_code``, ``country_name``,
``region_code``, ``region_name``, ``old_la_code`` (three digits), ``new_la_code`` (nine
characters), ``la_name``, then one column per measure. A measure column is read when its name is an
indicator's ``benchmark_column`` (``registry.py``); other columns are ignored and the answer lists
them. The DfE markers ``c`` (suppressed), ``z`` (not applicable), ``:`` (not available), ``x``
(unknown) and ``u`` (low reliability) mean no value: the marker is kept.

What is kept, per indicator and year:

- England (the ``National`` row);
- the partnership's region: the indicator settings' region code, or the ``region_code`` on the
  partnership's own authority row;
- the partnership's own authority (``la``), matched on its three-digit code or its ONS code;
- the statistical neighbours' average: the plain (unweighted) mean of the published values of the
  neighbours listed in the partnership's indicator settings; a neighbour with no value (suppressed,
  or missing from the file) is left out, and the row's name says how many were averaged.

Nothing here writes: ``services.benchmarks_import`` saves the rows when the whole file is good.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .choices import AreaKind
from .population import TableError, find_column, read_table
from .registry import by_benchmark_column

MARKERS = {"c", "z", ":", "x", "u"}
LEVELS = {"national": AreaKind.ENGLAND, "regional": AreaKind.REGION, "local authority": AreaKind.LA}
REQUIRED = ("time_period", "geographic_level")
LAYOUT_COLUMNS = {
    "time_period",
    "time_identifier",
    "geographic_level",
    "country_code",
    "country_name",
    "region_code",
    "region_name",
    "old_la_code",
    "new_la_code",
    "la_name",
}


@dataclass
class BenchmarkRow:
    code: str
    collection_year: int
    area_kind: str
    area_code: str
    area_name: str
    value: float | None
    marker: str = ""


@dataclass
class BenchmarkFile:
    rows: list[BenchmarkRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    columns_used: list[str] = field(default_factory=list)


def parse_time_period(raw: str) -> int | None:
    """``202425`` -> 2025 (the year the census year ends)."""
    text = raw.strip()
    if not re.fullmatch(r"\d{6}", text):
        return None
    first, second = int(text[:4]), int(text[4:])
    if (first + 1) % 100 != second:
        return None
    return first + 1


def parse_value(raw: str) -> tuple[float | None, str] | None:
    """``(value, marker)``, or None when the cell is neither a number nor a DfE marker."""
    text = raw.strip()
    if text.lower() in MARKERS:
        return None, text.lower()
    if text == "":
        return None, ""
    try:
        return float(text.replace(",", "")), ""
    except ValueError:
        return None


@dataclass
class _Raw:
    line: int
    level: str
    year: int
    cells: dict[str, str]


def parse_benchmarks(
    content: bytes, *, la_code: str, ons_code: str = "", region_code: str = "", neighbours: list[str] = ()
) -> BenchmarkFile:
    result = BenchmarkFile()
    try:
        header, rows = read_table(content)
    except TableError as exc:
        result.errors.append(str(exc))
        return result
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        result.errors.append(
            f"The file has no {' or '.join(repr(m) for m in missing)} column: it must be in the layout of the DfE's "
            "Explore Education Statistics data files (time_period, geographic_level, region_code, old_la_code ...)."
        )
        return result
    known = by_benchmark_column()
    measures = [(i, name) for i, name in enumerate(header) if name in known]
    if not measures:
        result.errors.append(
            "None of the file's columns is a measure Safeguard compares: the file needs at least one of "
            + ", ".join(sorted(known))
            + "."
        )
        return result
    result.columns_used = [name for _, name in measures]
    ignored = [h for h in header if h and h not in known and h not in LAYOUT_COLUMNS]
    if ignored:
        result.notes.append(f"Columns not used (no indicator compares with them): {', '.join(ignored)}.")

    def cell(row: list[str], name: str) -> str:
        index = find_column(header, (name,))
        return row[index].strip() if index is not None and index < len(row) else ""

    parsed: list[_Raw] = []
    for offset, row in enumerate(rows):
        line = offset + 2
        level = cell(row, "geographic_level").lower()
        if level not in LEVELS:
            continue  # other levels (local authority district, ward) are not compared
        year = parse_time_period(cell(row, "time_period"))
        if year is None:
            result.errors.append(
                f"Row {line}, column 'time_period': '{cell(row, 'time_period')}' is not a reporting year. "
                "Use six digits for the two calendar years, for example 202425 for 2024-25."
            )
            continue
        cells = {name: (row[i] if i < len(row) else "") for i, name in measures}
        for name in ("country_code", "country_name", "region_code", "region_name", "old_la_code", "new_la_code"):
            cells[name] = cell(row, name)
        cells["la_name"] = cell(row, "la_name")
        bad = False
        for _, name in measures:
            if parse_value(cells[name]) is None:
                result.errors.append(
                    f"Row {line}, column '{name}': '{cells[name].strip()}' is not a number. Use a number (for example "
                    "22.6) or one of the DfE markers c, z, :, x or u."
                )
                bad = True
        if not bad:
            parsed.append(_Raw(line, level, year, cells))
    if result.errors:
        return result
    _keep(parsed, measures, result, la_code=la_code, ons_code=ons_code, region_code=region_code, neighbours=neighbours)
    if not result.rows:
        result.errors.append(
            "The file has no National, Regional or Local authority rows with these measures. Check that it is a DfE "
            "data file with a geographic_level column."
        )
    return result


def _is(raw: _Raw, codes: set[str]) -> bool:
    return bool(codes) and (raw.cells["old_la_code"].upper() in codes or raw.cells["new_la_code"].upper() in codes)


def _keep(parsed, measures, result: BenchmarkFile, *, la_code, ons_code, region_code, neighbours) -> None:
    own = {c.upper() for c in (la_code, ons_code) if c}
    neighbour_codes = {c.strip().upper() for c in neighbours if c.strip()}
    regions: dict[int, str] = {}
    if not region_code:
        for raw in parsed:
            if raw.level == "local authority" and _is(raw, own) and raw.cells["region_code"]:
                regions[raw.year] = raw.cells["region_code"].upper()
    found_neighbours: dict[int, set[str]] = {}
    sums: dict[tuple[str, int], list[float]] = {}
    for raw in parsed:
        kind = LEVELS[raw.level]
        if kind == AreaKind.ENGLAND:
            code, name = raw.cells["country_code"] or "E92000001", raw.cells["country_name"] or "England"
        elif kind == AreaKind.REGION:
            wanted = (region_code or regions.get(raw.year, "")).upper()
            if not wanted or raw.cells["region_code"].upper() != wanted:
                continue
            code, name = raw.cells["region_code"], raw.cells["region_name"]
        else:
            if _is(raw, neighbour_codes):
                found_neighbours.setdefault(raw.year, set()).add(raw.cells["old_la_code"] or raw.cells["new_la_code"])
                for _, column in measures:
                    value, _marker = parse_value(raw.cells[column])
                    if value is not None:
                        sums.setdefault((column, raw.year), []).append(value)
            if not _is(raw, own):
                continue
            code, name = raw.cells["old_la_code"] or raw.cells["new_la_code"], raw.cells["la_name"]
        for _, column in measures:
            value, marker = parse_value(raw.cells[column])
            indicator = by_benchmark_column()[column]
            result.rows.append(BenchmarkRow(indicator.code, raw.year, kind, code[:20], name[:200], value, marker))
    years_with_authorities = sorted({raw.year for raw in parsed if raw.level == "local authority"})
    if neighbour_codes:
        for year in years_with_authorities:
            for _, column in measures:
                values = sums.get((column, year), [])
                indicator = by_benchmark_column()[column]
                name = f"Average of {len(values)} of {len(neighbour_codes)} statistical neighbours"
                mean = sum(values) / len(values) if values else None
                result.rows.append(
                    BenchmarkRow(indicator.code, year, AreaKind.STATISTICAL_NEIGHBOURS, "", name, mean, "")
                )
            absent = neighbour_codes - {c.upper() for c in found_neighbours.get(year, set())}
            if absent:
                result.notes.append(
                    f"{year - 1}-{year % 100:02d}: statistical neighbours not in the file: {', '.join(sorted(absent))}."
                )
    else:
        result.notes.append(
            "No statistical neighbours are set for the partnership, so no neighbour average was stored. "
            "Add them under 'Area codes and statistical neighbours'."
        )
    if not region_code and not regions:
        result.notes.append(
            "The partnership's own authority is not in the file, so its region is not known and no regional figure "
            "was stored. Set the region code under 'Area codes and statistical neighbours'."
        )
