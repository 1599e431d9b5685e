"""docs/analyst-guide.md stays true to the code: its indicator tables are the registry's, and its
example population and benchmark files are read by the real importers as the guide says.

When an indicator is added or its wording changes, the first test fails and prints the lines to put
in the guide (``python -m safeguard.indicators.tests.test_analyst_guide`` prints them all).
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

from safeguard.indicators import registry
from safeguard.indicators.benchmarks import parse_benchmarks
from safeguard.indicators.choices import AreaKind, Polarity, Section, Unit
from safeguard.indicators.population import areas_for, parse_population

GUIDE = Path(__file__).resolve().parents[3] / "docs" / "analyst-guide.md"


def summary_row(indicator: registry.Indicator) -> str:
    column = f"`{indicator.benchmark_column}`" if indicator.benchmark_column else "none"
    return (
        f"| `{indicator.code}` | {indicator.title} | {Unit(indicator.unit).label} | "
        f"{Polarity(indicator.polarity).label} | {column} |"
    )


def definition_item(indicator: registry.Indicator) -> str:
    out_of = indicator.denominator or "nothing: it is a count"
    breakdown = f" Broken down by `{indicator.breakdown}`." if indicator.breakdown else ""
    return (
        f"- **{indicator.title}** (`{indicator.code}`). {indicator.definition} "
        f"*Counted:* {indicator.numerator}. *Out of:* {out_of}.{breakdown} *Source:* {indicator.source}."
    )


def guide_lines() -> list[str]:
    """The guide's indicator section as the registry has it: a summary table, then definitions by section."""
    lines = [
        "| Code | Indicator | Shown as | Better when | DfE column compared |",
        "|---|---|---|---|---|",
        *(summary_row(i) for i in registry.all_indicators()),
    ]
    for label, indicators in registry.sections():
        lines += ["", f"#### {label}", "", *(definition_item(i) for i in indicators)]
    return lines


def _guide() -> str:
    return GUIDE.read_text(encoding="utf-8")


def test_the_guide_has_every_indicator_of_the_registry_as_the_registry_words_it():
    text = _guide()
    missing = [line for line in guide_lines() if line and line not in text]
    assert not missing, "docs/analyst-guide.md is out of date; put these lines in it:\n" + "\n".join(missing)


def test_the_guide_names_no_indicator_the_registry_does_not_have():
    codes = {i.code for i in registry.all_indicators()}
    header = guide_lines()[0]
    table = _guide().split(header, 1)[1].split("\n\n", 1)[0]
    rows = re.findall(r"^\| `([a-z0-9_]+)` \|", table, flags=re.MULTILINE)
    assert len(rows) == len(codes) and set(rows) == codes


def test_the_guide_counts_the_indicators_and_sections_right():
    text = _guide()
    assert f"{len(registry.all_indicators())} indicators" in text
    for section in Section:
        assert f"#### {section.label}" in text


def _example(heading: str) -> bytes:
    """The fenced CSV block that follows a line of the guide containing ``heading``."""
    text = _guide()
    start = text.index(heading)
    block = re.search(r"```csv\n(.*?)```", text[start:], flags=re.DOTALL)
    assert block is not None, f"no CSV example after '{heading}'"
    return block.group(1).encode()


def test_the_population_example_is_read_as_the_guide_says():
    partnership = SimpleNamespace(name="Northdale", local_authority_code="991")
    localities = [
        SimpleNamespace(pk=pk, name=name, code=name.lower(), ons_code="", local_authority_code="")
        for pk, name in enumerate(["North", "Central", "South"], start=1)
    ]
    parsed = parse_population(_example("Example population file"), areas=areas_for(partnership, localities))
    assert parsed.errors == []
    assert [(row.locality.name if row.locality else None, row.year, row.population) for row in parsed.rows] == [
        (None, 2025, 63450),
        ("North", 2025, 28100),
        ("Central", 2025, 21950),
        ("South", 2025, 13400),
    ]
    assert parsed.ignored_rows == 1


def test_the_benchmark_example_is_read_as_the_guide_says():
    parsed = parse_benchmarks(_example("Example benchmark file"), la_code="991", neighbours=["993", "994", "995"])
    assert parsed.errors == []
    assert parsed.columns_used == ["re_referrals_percent", "icpcs_within_15_days_percent", "cpp_starting_rate"]
    icpc = {row.area_kind: row for row in parsed.rows if row.code == "icpc_within_15_wd"}
    assert icpc[AreaKind.ENGLAND].value == 78.1
    assert icpc[AreaKind.REGION].area_name == "East Midlands"
    assert icpc[AreaKind.LA].value == 68.4
    neighbours = icpc[AreaKind.STATISTICAL_NEIGHBOURS]
    assert neighbours.value == 83.0 and neighbours.area_name == "Average of 1 of 3 statistical neighbours"
    assert any("not in the file: 995" in note for note in parsed.notes)


if __name__ == "__main__":
    print("\n".join(guide_lines()))
