"""docs/rules.md, written from the rule registry so the list cannot drift from the code.

``python scripts/write_rules_doc.py`` rewrites the file; ``test_rules_doc.py`` fails when it is out
of date. The page lists the structural checks (``schema.STRUCTURE_CHECKS``), every DfE rule with
its severity, the fields it reads, the years it applies to, its title and fix, and the Annex A
checks when that module defines them.
"""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec

from .validation import ERROR, all_rules

_REFERENCE = "shared/design/cin-census-rules.md"
# The DfE's 2025-26 rule set as listed in the reference: the page reports coverage against it.
DFE_RULES_2025_26 = 109


def _years(first: int | None, last: int | None) -> str:
    def label(year: int) -> str:
        return f"{year - 1}-{year % 100:02d}"

    if first is None and last is None:
        return "all"
    if last is None:
        return f"{label(first)} on"
    if first is None:
        return f"up to {label(last)}"
    return f"{label(first)} to {label(last)}"


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _optional(module: str, name: str):
    if find_spec(module) is None:
        return None
    return getattr(import_module(module), name, None)


def render_rules_markdown() -> str:
    rules = all_rules()
    errors = sum(1 for r in rules if r.severity == ERROR)
    codes = sorted({r.code for r in rules})
    structure = dict(_optional("safeguard.extracts.census.schema", "STRUCTURE_CHECKS") or {})
    structure.update(_optional("safeguard.extracts.services", "LOAD_CHECKS") or {})
    annex_a = _optional("safeguard.annexa.rules", "ANNEX_A_CHECKS") or {}
    lines = [
        "# Validation rules",
        "",
        "Written by `python scripts/write_rules_doc.py` from the rule registry; a test fails when this page is out",
        "of date. Errors stop a file from loading (the previous extract stays in use); queries are shown in the",
        "report for the authority to check and do not stop the load.",
        "",
        "## Children in need census",
        "",
        f"**{len(codes)} of the {DFE_RULES_2025_26} DfE rules implemented** ({len(rules)} registrations: "
        f"{errors} error and {len(rules) - errors} query; a rule whose condition changed between collection years",
        "is registered once per version). Each is a small named function in `safeguard/extracts/census/rules/`,",
        "with a passing and a failing example in `safeguard/extracts/tests/`. The DfE's wording of each condition",
        f"is in `{_REFERENCE}`; the titles and fixes below are ours.",
        "",
        "| Code | Severity | Years | Checks | Fields | How to fix |",
        "|---|---|---|---|---|---|",
    ]
    for r in rules:
        lines.append(
            f"| {r.code} | {r.severity} | {_years(r.first_year, r.last_year)} | {_cell(r.title)} | "
            f"{_cell(', '.join(r.fields))} | {_cell(r.fix)} |"
        )
    if structure:
        lines += [
            "",
            "## Structure checks (the census schema) and loading checks",
            "",
            f"**{len(structure)} checks.** The file is read as a stream and checked against the census schema as it",
            "goes: every structural problem is an error with the child, the element and the line. The LOAD checks",
            "are made by the loader on values the schema allows but a column cannot hold",
            "(`safeguard/extracts/services.py`).",
            "",
            "| Code | Checks | How to fix |",
            "|---|---|---|",
        ]
        for code, (title, fix) in sorted(structure.items()):
            lines.append(f"| {code} | {_cell(title)} | {_cell(fix)} |")
    if annex_a:
        lines += [
            "",
            "## Ofsted Annex A",
            "",
            f"**{len(annex_a)} checks** on the Annex A workbook (`safeguard/annexa/rules.py`).",
            "",
            "| Code | Severity | Checks | How to fix |",
            "|---|---|---|---|",
        ]
        for code, (severity, title, fix) in sorted(annex_a.items()):
            lines.append(f"| {code} | {severity} | {_cell(title)} | {_cell(fix)} |")
    return "\n".join(lines) + "\n"
