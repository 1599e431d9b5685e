"""Charts: accessible, deterministic, CSP-safe SVG with the figures as a table, gaps for "c"."""

from __future__ import annotations

import re
import threading
import time
import xml.etree.ElementTree as ET

import pytest

from safeguard.core import charts
from safeguard.core.charts import Series
from safeguard.core.suppression import suppress_count

SVG = "{http://www.w3.org/2000/svg}"
YEARS = ["2020-21", "2021-22", "2022-23", "2023-24", "2024-25"]


def trend(chart_id="icpc", title="Conferences within 15 working days", local=(78.5, 80.1, "c", 85.0, 79.2)):
    return charts.line_chart(
        title=title,
        categories=YEARS,
        series=[
            Series("Northdale", local),
            Series("England", (81.0, 80.0, 79.0, 81.0, 81.0), "england"),
            Series("Statistical neighbours", (75.0, None, 77.0, 78.0, 80.0), "neighbours"),
        ],
        unit="percent",
        chart_id=chart_id,
    )


def localities(chart_id="rate", values=(45.2, "c", 38.1)):
    return charts.bar_chart(
        title="Plans started per 10,000 children",
        categories=["North", "Central", "South"],
        values=values,
        unit="rate_per_10000",
        chart_id=chart_id,
        benchmarks=[("England", 41.9), ("Statistical neighbours", 44.0)],
    )


def categories(chart_id="cat", stacked=False):
    return charts.category_chart(
        title="Plans by initial category",
        categories=YEARS[-3:],
        series=[
            Series("Neglect", (40, 45, 50)),
            Series("Emotional abuse", (30, "c", 35)),
            Series("Sexual abuse", ("c", 6, 7)),
        ],
        unit="count",
        chart_id=chart_id,
        stacked=stacked,
    )


def parse(chart) -> ET.Element:
    return ET.fromstring(str(chart.svg))  # noqa: S314  (our own output)


@pytest.mark.parametrize("build", [trend, localities, categories, lambda: categories(stacked=True)])
def test_the_svg_is_an_accessible_image_with_a_title_and_description(build):
    chart = build()
    root = parse(chart)
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    title, desc = root[0], root[1]
    assert title.tag == f"{SVG}title" and title.get("id") == title_id and title.text == chart.title
    assert desc.tag == f"{SVG}desc" and desc.get("id") == desc_id and desc.text == chart.description
    assert root.get("viewBox") and root.get("width") == "100%" and root.get("height") is None


def test_the_description_lists_the_figures_and_says_where_they_are_suppressed():
    chart = trend()
    assert "Line chart: Conferences within 15 working days, 2020-21 to 2024-25." in chart.description
    assert (
        "Northdale: 2020-21 78.5%; 2021-22 80.1%; 2022-23 suppressed; 2023-24 85.0%; 2024-25 79.2%."
        in chart.description
    )
    assert "Statistical neighbours: 2020-21 75.0%; 2021-22 not available;" in chart.description
    assert "left as gaps" in chart.description
    bar = localities()
    assert "North 45.2; Central suppressed; South 38.1." in bar.description
    assert "England: 41.9 (line across the bars)." in bar.description


def test_the_data_table_has_the_same_figures_as_text():
    table = trend().table
    assert table.columns == ("Year", "Northdale", "England", "Statistical neighbours")
    assert table.rows[2] == ("2022-23", "c", "79.0%", "77.0%")
    assert table.rows[1] == ("2021-22", "80.1%", "80.0%", ":")
    bar = localities().table
    assert bar.rows == (
        ("North", "45.2"),
        ("Central", "c"),
        ("South", "38.1"),
        ("England (benchmark)", "41.9"),
        ("Statistical neighbours (benchmark)", "44.0"),
    )


def test_text_stays_text_in_the_page_typeface():
    svg = str(trend().svg)
    assert "<text" in svg and "Northdale" in svg and "2024-25" in svg
    assert "DejaVuSans-" not in svg  # no glyphs drawn as paths
    assert 'font-family="arial, sans-serif"' in svg


def test_no_inline_styles_that_the_content_security_policy_would_block():
    for chart in (trend(), localities(), categories(), categories("stacked", stacked=True)):
        svg = str(chart.svg)
        assert "style=" not in svg and "<style" not in svg
        assert "<?xml" not in svg and "DOCTYPE" not in svg and "<metadata" not in svg


def test_the_output_is_deterministic_and_its_ids_are_prefixed_and_resolve():
    charts._render.cache_clear()
    first = str(trend(chart_id="icpc").svg)
    charts._render.cache_clear()
    assert str(trend(chart_id="icpc").svg) == first
    root = ET.fromstring(first)  # noqa: S314  (our own output)
    ids = [e.get("id") for e in root.iter() if e.get("id")]
    assert len(ids) == len(set(ids)) and all(i.startswith("icpc-") for i in ids)
    references = set(re.findall(r"url\(#([^)]+)\)", first)) | set(re.findall(r'href="#([^"]+)"', first))
    assert references and references <= set(ids)


def test_prefixes_other_libraries_register_do_not_change_the_markup(monkeypatch):
    """qrcode (two-factor set-up) registers "svg" for the SVG namespace with ElementTree."""
    monkeypatch.setattr(ET, "_namespace_map", dict(ET._namespace_map))
    ET.register_namespace("svg", "http://www.w3.org/2000/svg")
    charts._render.cache_clear()
    svg = str(trend(chart_id="prefixed").svg)
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" ') and "<svg:" not in svg and "ns0:" not in svg
    assert "xlink" not in svg and 'href="#prefixed-' in svg


def test_two_charts_on_one_page_share_no_ids():
    a, b = parse(trend(chart_id="one")), parse(trend(chart_id="two"))
    assert not {e.get("id") for e in a.iter() if e.get("id")} & {e.get("id") for e in b.iter() if e.get("id")}


def test_gaps_for_suppressed_values_never_zero():
    """The line breaks at 2022-23 ("c"): the line's path has two runs (two M commands), and the
    bar chart draws two bars for three localities, writing "c" where the third would be."""
    root = parse(trend(local=(78.5, 80.1, "c", 85.0, 79.2)))
    paths = [p.get("d") for p in root.iter(f"{SVG}path") if p.get("stroke") == charts.LOCAL and p.get("fill") == "none"]
    assert any(d.count("M") == 2 for d in paths)
    bars = parse(localities())
    bar_paths = [p for p in bars.iter(f"{SVG}path") if p.get("fill") == charts.LOCAL]
    assert len(bar_paths) == 2
    assert any(t.text and t.text.strip() == "c" for t in bars.iter(f"{SVG}text"))


def test_a_figure_object_is_accepted_and_its_marker_used():
    chart = charts.bar_chart(
        title="Plans",
        categories=["North", "South"],
        values=[suppress_count(3), suppress_count(40)],
        unit="count",
        chart_id="figures",
    )
    assert chart.table.rows == (("North", "c"), ("South", "40"))


def test_a_chart_with_nothing_to_show_says_so():
    chart = charts.line_chart(
        title="Nothing", categories=["2024-25"], series=[Series("Northdale", ("c",))], unit="count", chart_id="none"
    )
    assert "No figures to show" in str(chart.svg)


def test_labels_are_escaped_and_never_read_as_mathematics():
    chart = charts.bar_chart(
        title="Cost <script>", categories=["$North$ & <South>"], values=[3.0], unit="count", chart_id="esc"
    )
    svg = str(chart.svg)
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "$North$ &amp; &lt;South&gt;" in svg


def test_bad_input_is_refused_with_a_clear_message():
    with pytest.raises(ValueError, match="must start with a letter"):
        trend(chart_id="1 bad")
    with pytest.raises(ValueError, match="has 2 values for 5 categories"):
        charts.line_chart(title="x", categories=YEARS, series=[Series("a", (1, 2))], unit="count", chart_id="x")


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


@pytest.mark.parametrize(
    "colour", [charts.LOCAL, charts.ENGLAND, charts.NEIGHBOURS, charts.REGION, charts.TEXT, *charts.CATEGORY_COLOURS]
)
def test_every_line_and_bar_colour_has_3_to_1_contrast_against_white(colour):
    assert 1.05 / (_luminance(colour) + 0.05) >= 3.0


def test_a_chart_takes_less_than_100_ms_to_draw():
    charts._render.cache_clear()
    trend(chart_id="warm")  # the first chart loads matplotlib's fonts
    timings = []
    for index in range(5):
        started = time.perf_counter()
        trend(chart_id=f"timed{index}", title=f"Timed {index}")
        timings.append(time.perf_counter() - started)
    assert sorted(timings)[2] < 0.1, timings


def test_charts_can_be_drawn_from_several_threads_at_once():
    charts._render.cache_clear()
    results, errors = {}, []

    def draw(index):
        try:
            results[index] = str(trend(chart_id="threaded", title="Threaded").svg)
        except Exception as exc:  # noqa: BLE001  (reported by the assertion below)
            errors.append(exc)

    threads = [threading.Thread(target=draw, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len(set(results.values())) == 1


def test_a_repeated_chart_comes_from_the_cache():
    charts._render.cache_clear()
    trend(chart_id="cached")
    trend(chart_id="cached")
    assert charts._render.cache_info().hits == 1
