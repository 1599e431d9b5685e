"""Statutory extracts, end to end: an analyst sets up localities, imports last year's census from the
command line, uploads a census with errors (rejected, with its report and CSV download) and a good one
(loaded), imports population estimates and benchmarks, recomputes the indicators and reads the child
protection process review with its chart, data table and drill-through; a business manager reads the
same review suppressed ("c") and cannot drill through. axe-core checks every page visited.

The files are made by the synthetic census generator (every child invented). The census import and
the recomputation are queued tasks: the session's app runs a real task worker (``conftest.app``), so
the journey waits for them as a user would, by checking the progress again.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Locator, expect

from safeguard.extracts.census.generator import generate_census

from .conftest import REPO, SCREENSHOT_DIR, VENV_BIN, App
from .pages import (
    BenchmarkList,
    ChildProtectionReview,
    ExtractList,
    ExtractReport,
    IndicatorIndex,
    LocalityList,
    NotFoundPage,
    PopulationList,
)

pytestmark = pytest.mark.e2e

ANALYST = "analyst@northdale.example"
MANAGER = "manager@northdale.example"
PARTNERSHIP = "northdale"
LA = "991"  # Northdale's local authority code in the demo data
LOCALITIES = [("North", "north"), ("Central", "central"), ("South", "south")]
CHILDREN = 300
TREND_CHART = "trend-icpc_within_15_wd"
TASK_TIMEOUT = 60  # seconds for the worker to finish the recomputations the journey queues
STARTUP_TASKS_TIMEOUT = 300  # seconds for those queued while the demo data was loaded

POPULATION_CSV = """area_code,area_name,year,age_0_17
991,Northdale,2025,63450
north,North,2025,28100
central,Central,2025,21950
south,South,2025,13400
E06000099,Somewhere else,2025,41200
"""
BENCHMARKS_CSV = """time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,\
old_la_code,new_la_code,la_name,re_referrals_percent,icpcs_within_15_days_percent,cpp_starting_rate
202526,Financial year,National,E92000001,England,,,,,,22.6,78.1,40.5
202526,Financial year,Regional,E92000001,England,E12000004,East Midlands,,,,21.4,80.2,38.9
202526,Financial year,Local authority,E92000001,England,E12000004,East Midlands,991,E06000991,Northdale,19.8,68.4,42.0
"""


def _census(tmp_path: Path, name: str, **options) -> tuple[str, str | None, dict]:
    """A synthetic census for Northdale (and its locality lookup when localities are given)."""
    path = tmp_path / name
    localities = [locality for locality, _ in LOCALITIES] if options.pop("with_localities", False) else []
    summary = generate_census(path, la=LA, localities=localities, **options)
    lookup = f"{path}.localities.csv" if localities else None
    return str(path), lookup, summary


def _manage(app: App, *args: str) -> subprocess.CompletedProcess:
    python = str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable
    return subprocess.run(
        [python, "manage.py", *args], cwd=REPO, env=app.env, capture_output=True, text=True, timeout=120, check=False
    )


def _wait_for_recomputation(app: App, *, timeout: float = TASK_TIMEOUT) -> None:
    """Until the worker has run every queued recomputation of the figures. On SQLite each one holds the
    database's write lock while it runs, so a sign-in (which writes the session) waits for them."""
    deadline = time.monotonic() + timeout
    sql = (
        "SELECT COUNT(*) FROM django_tasks_database_dbtaskresult "
        "WHERE task_path LIKE '%compute_indicators' AND status IN ('READY', 'RUNNING')"
    )
    while app.query(sql)[0][0]:
        assert time.monotonic() < deadline, f"The indicators were still being computed after {timeout}s"
        time.sleep(0.5)


def _screenshot_of(locator: Locator, name: str) -> None:
    """docs/images/<name>.png of one part of a page, the page's whole width, when SAFEGUARD_SCREENSHOTS=1
    (as the ``screenshot`` fixture). At most 2,400 pixels tall."""
    if os.environ.get("SAFEGUARD_SCREENSHOTS") != "1":
        return
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page = locator.page
    page.evaluate("window.scrollTo(0, 0)")
    box = locator.bounding_box()
    width = page.evaluate("document.documentElement.scrollWidth")  # what overflows the layout too
    clip = {"x": 0, "y": max(0, box["y"] - 16), "width": width, "height": min(box["height"] + 32, 2400)}
    page.screenshot(path=str(SCREENSHOT_DIR / f"{name}.png"), clip=clip, full_page=True, animations="disabled")


def test_an_analyst_imports_the_census_and_a_manager_reads_the_review(signed_in, app, tmp_path, screenshot):
    _wait_for_recomputation(app, timeout=STARTUP_TASKS_TIMEOUT)  # the demo data's figures, queued at start-up
    analyst = signed_in(ANALYST)
    _add_localities(analyst)
    _import_last_year_from_the_command_line(app, tmp_path)
    _wait_for_recomputation(app)
    _upload_a_census_with_errors(analyst, tmp_path, screenshot)
    _upload_a_good_census(analyst, tmp_path)
    _wait_for_recomputation(app)
    _import_population_and_benchmarks(analyst, app, tmp_path)
    _recompute_the_indicators(analyst, app)
    _read_the_review_as_the_analyst(analyst, tmp_path)
    _read_the_review_as_a_business_manager(signed_in(MANAGER))


def _add_localities(tab) -> None:
    """The partnership's localities, so the figures are broken down (and small numbers appear)."""
    localities = LocalityList.open(tab)
    for name, code in LOCALITIES:
        localities = localities.add(name, code)
        expect(localities.success_banner()).to_be_visible()
    for name, _ in LOCALITIES:
        expect(localities.results).to_contain_text(name)


def _import_last_year_from_the_command_line(app: App, tmp_path: Path) -> None:
    """Last year's census, so the review has a trend; the last line printed is a JSON summary."""
    census, lookup, _ = _census(
        tmp_path, "census-2025.xml", children=CHILDREN, seed=11, year=2025, with_localities=True
    )
    result = _manage(app, "import_cin_census", census, "--partnership", PARTNERSHIP, "--localities", lookup)
    assert result.returncode == 0, result.stderr[-2000:]
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["status"] == "loaded", summary
    assert summary["children"] == CHILDREN and summary["errors"] == 0


def _upload_a_census_with_errors(tab, tmp_path: Path, screenshot) -> None:
    """Checked, rejected, every rule it breaks listed, the findings downloadable as CSV."""
    census, _, made = _census(tmp_path, "census-2026-with-errors.xml", children=200, seed=5, error_rate=0.1, year=2026)
    assert made["injected_total"] > 0
    report = ExtractList.open(tab).import_census().upload(census)
    if report.running:  # usually: the worker takes up to a second to start
        expect(report.progress).to_contain_text(re.compile("Waiting to start|Checking the file|Saving the records"))
        expect(report.progress.get_by_role("progressbar")).to_be_visible()
    report = report.wait_until_finished()
    expect(report.outcome).to_contain_text("The file was not loaded")
    rule_counts = report.page.get_by_test_id("rule-counts")
    for code in made["injected_errors"]:
        expect(rule_counts).to_contain_text(code)
    expect(report.finding_rows.first).to_be_visible()
    expect(report.download_csv).to_have_attribute("href", re.compile(r"^/workspace/extracts/\d+/findings\.csv$"))

    # The findings of one rule (the report's filter), as the guide's picture shows them.
    rule = next(iter(made["injected_errors"]))
    tab.goto(f"{report.page.url.split('?')[0]}?code={rule}")
    report = ExtractReport(tab)
    expect(report.finding_rows.first).to_contain_text(rule)
    screenshot(tab, "extracts-findings-report")
    with tab.page.expect_download() as download_info:
        report.download_csv.click()
    saved = tmp_path / "findings.csv"
    download_info.value.save_as(saved)
    heading_row = saved.read_text(encoding="utf-8-sig").splitlines()[0]
    assert heading_row.startswith("Rule,Severity,What the rule checks,LAchildID"), heading_row


def _upload_a_good_census(tab, tmp_path: Path) -> None:
    """With its locality lookup: loaded, and it becomes the extract the figures use."""
    census, lookup, _ = _census(tmp_path, "census-2026.xml", children=CHILDREN, seed=7, year=2026, with_localities=True)
    report = ExtractList.open(tab).import_census().upload(census, lookup).wait_until_finished()
    expect(report.outcome).to_contain_text(f"{CHILDREN} children loaded")
    expect(report.outcome).to_contain_text("This is the extract the partnership's figures use")


def _import_population_and_benchmarks(tab, app: App, tmp_path: Path) -> None:
    """Population estimates (for rates per 10,000) and England's and the region's figures."""
    population = tmp_path / "population.csv"
    population.write_text(POPULATION_CSV)
    populations = PopulationList.open(tab).import_file(str(population))
    expect(populations.import_report).to_contain_text("locality South, mid-2025: 13,400 children aged 0 to 17")
    _wait_for_recomputation(app)  # a population import recomputes the rates
    benchmarks_file = tmp_path / "benchmarks.csv"
    benchmarks_file.write_text(BENCHMARKS_CSV)
    benchmarks = BenchmarkList.open(tab).import_file(str(benchmarks_file))
    expect(benchmarks.import_report).to_contain_text("re_referrals_percent, icpcs_within_15_days_percent")


def _recompute_the_indicators(tab, app: App) -> None:
    indicators = IndicatorIndex.open(tab).recompute()
    expect(indicators.success_banner()).to_be_visible()
    _wait_for_recomputation(app)
    indicators = IndicatorIndex.open(tab)
    expect(indicators.page.get_by_role("heading", name="Latest figures, 2025-26")).to_be_visible()
    expect(indicators.values).to_contain_text("Initial child protection conferences within 15 working days")


def _read_the_review_as_the_analyst(tab, tmp_path: Path) -> None:
    """Exact figures on screen, a chart with its data table, drill-through; the export suppressed."""
    review = ChildProtectionReview.open(tab)
    expect(review.h1).to_have_text("Child protection process review: 2025-26")
    expect(review.unsuppressed_notice).to_be_visible()
    expect(review.chart(TREND_CHART).locator("svg[role=img]")).to_be_visible()
    table = review.chart_table(TREND_CHART)
    expect(table).to_be_visible()
    assert table.locator("tbody tr").count() >= 2  # at least 2024-25 and 2025-26
    expect(table).to_contain_text("England")
    expect(review.drill_through_links.first).to_be_visible()
    expect(review.suppressed_cells).to_have_count(0)

    with tab.page.expect_download() as download_info:
        review.page.get_by_role("link", name="Download as a spreadsheet (xlsx)").click()
    saved = tmp_path / "review.xlsx"
    download_info.value.save_as(saved)
    workbook = load_workbook(saved, read_only=True)
    values = [value for sheet in workbook for row in sheet.iter_rows(values_only=True) for value in row]
    assert "c" in values, "the spreadsheet is suppressed, whoever downloads it"

    link = review.page.get_by_test_id("numerator-s47_started").get_by_test_id("drill-through")
    children = review.drill_through(link)
    expect(children.h1).to_have_text("Section 47 enquiries started in the year")
    expect(children.rows.first).to_be_visible()


def _read_the_review_as_a_business_manager(tab) -> None:
    """Small numbers shown as "c", no drill-through, and the children's list is not there."""
    review = ChildProtectionReview.open(tab)
    expect(review.h1).to_have_text("Child protection process review: 2025-26")
    expect(review.unsuppressed_notice).to_have_count(0)
    expect(review.suppressed_cells.first).to_be_attached()
    expect(review.drill_through_links).to_have_count(0)
    expect(review.chart_table(TREND_CHART)).to_be_visible()
    icpc = review.indicator("icpc_within_15_wd")
    icpc.get_by_test_id("localities-icpc_within_15_wd").locator("summary").click()
    expect(icpc.get_by_test_id("locality-table-icpc_within_15_wd")).to_be_visible()
    _screenshot_of(icpc, "cp-review-icpc")
    tab.goto(
        "/workspace/child-protection-review/children/?code=s47_started&year=2026&part=numerator", expect_status=404
    )
    NotFoundPage(tab)
