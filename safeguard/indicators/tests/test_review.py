"""The child protection process review page: who sees what, suppression, direction of travel,
benchmarks, breakdowns, filters, empty states, the drill-through to children, and query counts.

The figures are written as IndicatorValue and Benchmark rows (``build``). Northdale has two
localities, North and South, and some children with no locality recorded.

``icpc_within_15_wd`` (percentage, higher is better), 2024-25::

                 within 15 wd   conferences
    North                  42            50
    South                   3             4
    no locality             0             3
    Northdale              45            57      78.9%  (2023-24: 40 of 50, 80.0%: worse)

Suppressed (threshold 5): South's 3 and 4 and the 3 conferences with no locality (primary). In the
"within" column South's 3 is then the only hidden figure, so North's 42 is hidden too (secondary).
Both localities' percentages are "c". Northdale's 45, 57 and 78.9% are shown.

``referrals`` (count): 620 in 2024-25 (North 400, South 220), 600 in 2023-24: up.
``cpp_started`` (count): 9 (North 4, South 5): both localities "c", the total 9 shown.
``cpp_initial_category`` (share of plans started), 2024-25::

                 NEG  EMO  PHY  SAB  MUL | plans
    North         20    2    6    0    7 |    35
    South         10    8    3    0    4 |    25
    Northdale     30   10    9    0   11 |    60

Suppressed: see ``test_a_breakdown_by_locality_is_suppressed_across_and_down``.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from safeguard.audit.models import AccessLog
from safeguard.core.roles import Role
from safeguard.core.testing import grant
from safeguard.extracts.models import CensusChild
from safeguard.indicators import registry
from safeguard.indicators.choices import AreaKind
from safeguard.indicators.models import Benchmark, IndicatorValue
from safeguard.indicators.testing import Census, LocalityFactory
from safeguard.indicators.views_review import _Suppression, age_band, build_review, census_year_of

pytestmark = pytest.mark.django_db

URL = reverse("cp_review:review")
MEMBERS = reverse("cp_review:members")
YEAR = 2025
CORE = {"icpc_within_15_wd", "referrals", "cpp_started", "cpp_initial_category"}


# --- Figures ----------------------------------------------------------------------------------------


def value(partnership, code, year, numerator, denominator=None, *, locality=None, breakdown="", median=None):
    indicator = registry.get(code)
    figure = median if median is not None else indicator.value_of(numerator, denominator)
    return IndicatorValue(
        partnership=partnership,
        code=code,
        collection_year=year,
        locality=locality,
        breakdown=breakdown,
        numerator=numerator,
        denominator=denominator,
        value=figure,
        computed_at=timezone.now(),
    )


def benchmark(partnership, code, year, kind, figure, marker=""):
    return Benchmark(
        partnership=partnership,
        code=code,
        collection_year=year,
        area_kind=kind,
        area_code="E92000001" if kind == AreaKind.ENGLAND else "",
        area_name="England" if kind == AreaKind.ENGLAND else "Statistical neighbours",
        value=figure,
        marker=marker,
    )


def build(partnership):
    """The figures in the module docstring. Returns (North, South)."""
    north = LocalityFactory(partnership=partnership, name="North", code="north")
    south = LocalityFactory(partnership=partnership, name="South", code="south")
    rows = [
        value(partnership, "icpc_within_15_wd", 2025, 45, 57),
        value(partnership, "icpc_within_15_wd", 2025, 42, 50, locality=north),
        value(partnership, "icpc_within_15_wd", 2025, 3, 4, locality=south),
        value(partnership, "icpc_within_15_wd", 2024, 40, 50),
        value(partnership, "icpc_within_15_wd", 2024, 30, 38, locality=north),
        value(partnership, "icpc_within_15_wd", 2024, 10, 12, locality=south),
        value(partnership, "icpc_within_15_wd", 2023, 30, 40),
        value(partnership, "referrals", 2025, 620),
        value(partnership, "referrals", 2025, 400, locality=north),
        value(partnership, "referrals", 2025, 220, locality=south),
        value(partnership, "referrals", 2024, 600),
        value(partnership, "cpp_started", 2025, 9),
        value(partnership, "cpp_started", 2025, 4, locality=north),
        value(partnership, "cpp_started", 2025, 5, locality=south),
    ]
    categories = {"NEG": (20, 10), "EMO": (2, 8), "PHY": (6, 3), "SAB": (0, 0), "MUL": (7, 4)}
    for code, (in_north, in_south) in categories.items():
        rows += [
            value(partnership, "cpp_initial_category", 2025, in_north + in_south, 60, breakdown=code),
            value(partnership, "cpp_initial_category", 2025, in_north, 35, locality=north, breakdown=code),
            value(partnership, "cpp_initial_category", 2025, in_south, 25, locality=south, breakdown=code),
        ]
    IndicatorValue.objects.bulk_create(rows)
    Benchmark.objects.bulk_create(
        [
            benchmark(partnership, "icpc_within_15_wd", 2025, AreaKind.ENGLAND, 81.0),
            benchmark(partnership, "icpc_within_15_wd", 2024, AreaKind.ENGLAND, 80.5),
            benchmark(partnership, "icpc_within_15_wd", 2023, AreaKind.ENGLAND, 79.9),
            benchmark(partnership, "icpc_within_15_wd", 2025, AreaKind.STATISTICAL_NEIGHBOURS, 79.3),
            benchmark(partnership, "cpp_started", 2025, AreaKind.STATISTICAL_NEIGHBOURS, None, marker="c"),
        ]
    )
    return north, south


def grow(partnership, *, localities: int, everything: bool = True):
    """More localities, and figures for every other indicator in each (for the query-count test)."""
    places = [LocalityFactory(partnership=partnership, name=f"Area {i}", code=f"area-{i}") for i in range(localities)]
    places += [loc for loc in partnership.localities.all() if loc not in places]
    rows = []
    for indicator in registry.all_indicators():
        if indicator.code in CORE or not everything:
            continue
        denominator = 100 if indicator.denominator else None
        if indicator.breakdown:
            rows.append(value(partnership, indicator.code, YEAR, 10, 20, breakdown="NEG"))
            rows += [value(partnership, indicator.code, YEAR, 4, 8, locality=p, breakdown="NEG") for p in places]
        elif indicator.unit == "days":
            rows.append(value(partnership, indicator.code, YEAR, 33, 120, median=33.0))
            rows += [value(partnership, indicator.code, YEAR, 30, 40, locality=p, median=30.0) for p in places]
        else:
            rows.append(value(partnership, indicator.code, YEAR, 30, denominator))
            rows += [value(partnership, indicator.code, YEAR, 2, denominator and 3, locality=p) for p in places]
    IndicatorValue.objects.bulk_create(rows)


@pytest.fixture
def figures(cast):
    return build(cast.partnership)


def page(client, user, **params):
    client.force_login(user)
    response = client.get(URL, params)
    assert response.status_code == 200
    return response


def section(html: str, testid: str) -> str:
    """The element with this data-testid, up to the end of its first table or list."""
    start = html.index(f'data-testid="{testid}"')
    end = min(i for i in (html.find("</table>", start), html.find("</dl>", start)) if i != -1)
    return html[start:end]


def cells(fragment: str) -> list[str]:
    """The visible text of each table cell or description in a fragment (screen-reader words removed)."""
    found = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>|<dd[^>]*>(.*?)</dd>", fragment, re.S)
    texts = []
    for td, dd in found:
        raw = re.sub(r'<span class="govuk-visually-hidden">.*?</span>', "", td or dd, flags=re.S)
        texts.append(re.sub(r"<[^>]+>", "", raw).strip())
    return texts


# --- Access ----------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", ["manager", "officer", "board_member", "data_lead", "read_only", "analyst"])
def test_every_role_with_indicators_view_sees_the_review(client, cast, figures, role):
    response = page(client, getattr(cast, role))
    assert "Child protection process review: 2024-25" in response.content.decode()


def test_another_partnerships_user_gets_404_for_this_partnership(client, cast, figures):
    client.force_login(cast.other_manager)
    assert client.get(URL, {"partnership": cast.partnership.pk}).status_code == 404
    client.force_login(cast.other_analyst)
    assert client.get(URL, {"partnership": cast.partnership.pk}).status_code == 404
    # Their own partnership has no figures yet: the empty state, never Northdale's figures.
    body = client.get(URL).content.decode()
    assert "No CIN census has been loaded" in body and "North" not in body


def test_a_user_without_any_partnership_gets_404(client, cast):
    from safeguard.core.testing import UserFactory

    client.force_login(UserFactory())
    assert client.get(URL).status_code == 404


def test_a_malformed_partnership_or_locality_is_404_not_an_error(client, cast, figures):
    client.force_login(cast.manager)
    assert client.get(URL, {"partnership": "abc"}).status_code == 404
    other_locality = LocalityFactory(partnership=cast.other_partnership)
    assert client.get(URL, {"locality": other_locality.pk}).status_code == 404


# --- Suppression -------------------------------------------------------------------------------------


def test_staff_see_small_numbers_suppressed_with_secondary_suppression(client, cast, figures):
    html = page(client, cast.manager).content.decode()
    table = cells(section(html, "locality-table-icpc_within_15_wd"))
    # Locality | within | conferences | percentage, for North, South, no locality, Northdale
    assert table[4:8] == ["North", "c", "50", "c"]  # 42 hidden so South's 3 cannot be worked out
    assert table[8:12] == ["South", "c", "c", "c"]
    assert table[12:16] == ["No locality recorded", "0", "c", "c"]
    assert table[16:20] == ["Northdale Test Partnership (total)", "45", "57", "78.9%"]
    assert "You are seeing unsuppressed figures" not in html
    assert 'data-testid="drill-through"' not in html


def test_a_partnership_threshold_such_as_the_nhs_1_to_7_can_be_passed_in(cast, figures):
    review = build_review(user=cast.manager, partnership=cast.partnership, threshold=7)
    item = next(i for _, items in review.sections for i in items if i.code == "cpp_started")
    assert review.threshold == 7 and "Counts from 1 to 7" in review.suppression_note
    assert [row.numerator.figure.display for row in item.localities] == ["c", "c", "9"]


def test_the_threshold_setting_applies_to_the_page(client, cast, figures, settings):
    settings.SAFEGUARD_SUPPRESSION_THRESHOLD = 2
    html = page(client, cast.manager).content.decode()
    assert cells(section(html, "locality-table-cpp_started"))[2:6] == ["North", "4", "South", "5"]


def test_the_analyst_sees_exact_figures_and_a_notice(client, cast, figures):
    html = page(client, cast.analyst).content.decode()
    table = cells(section(html, "locality-table-icpc_within_15_wd"))
    assert table[4:8] == ["North", "42", "50", "84.0%"]
    assert table[8:12] == ["South", "3", "4", "75.0%"]
    assert "You are seeing unsuppressed figures; exports are suppressed" in html
    assert "Counts from 1 to 0" not in html
    assert "Everyone else, and every export, sees them suppressed: Counts from 1 to 5" in html


def test_counts_by_locality_are_suppressed_and_the_total_shown(client, cast, figures):
    html = page(client, cast.board_member).content.decode()
    table = cells(section(html, "locality-table-cpp_started"))
    assert table == [
        "Locality",
        "Plans started in the year",
        "North",
        "c",
        "South",
        "c",
        "Northdale Test Partnership (total)",
        "9",
    ]


def test_a_breakdown_by_locality_is_suppressed_across_and_down(client, cast, figures):
    """Primary: North EMO 2, South PHY 3 and MUL 4. Then, until no line has exactly one hidden
    figure: row North hides PHY 6 (its smallest other non-zero figure; SAB 0 is not chosen); row
    South already has two; column EMO hides South's 8; column PHY has two; column MUL hides North's 7.
    Every row and column now has two or three hidden figures, and every total is shown."""
    html = page(client, cast.manager).content.decode()
    table = cells(section(html, "category-localities-cpp_initial_category"))
    header, rows = table[:7], [table[i : i + 7] for i in range(7, len(table), 7)]
    assert header[:6] == [
        "Locality",
        "Neglect",
        "Emotional abuse",
        "Physical abuse",
        "Sexual abuse",
        "Multiple categories",
    ]
    assert rows[0] == ["North", "20", "c", "c", "0", "c", "35"]
    assert rows[1] == ["South", "10", "c", "c", "0", "c", "25"]
    assert rows[2] == ["Northdale Test Partnership", "30", "10", "9", "0", "11", "60"]


def test_a_line_shown_in_two_tables_is_suppressed_the_same_way_in_both(client, cast):
    """Plans started by locality (North 40, South 3, East 10: 53) are an indicator of their own and
    the row totals of the breakdown by category::

                 NEG  EMO | plans
        North     40    0 |    40
        South      3    0 |     3
        East       0   10 |    10
        total     43   10 |    53

    Alone, the plans line hides South (3) and East (10) and shows North's 40. The breakdown hides
    South's 3 and its total (primary), then North's 40 in the neglect column (its smallest other
    figure), and so North's row total, since the rest of North's row is zeros. Had the plans line
    shown North's 40, a reader would take North's neglect as 40 - 0 and South's as 43 - 40 = 3. So
    the plans line hides North's 40 too."""
    partnership = cast.partnership
    north, south, east = (
        LocalityFactory(partnership=partnership, name=n, code=n.lower()) for n in ("North", "South", "East")
    )
    rows = [value(partnership, "cpp_started", YEAR, 53)]
    rows += [
        value(partnership, "cpp_started", YEAR, n, locality=loc) for loc, n in ((north, 40), (south, 3), (east, 10))
    ]
    breakdown = {"NEG": (40, 3, 0), "EMO": (0, 0, 10), "PHY": (0, 0, 0), "SAB": (0, 0, 0), "MUL": (0, 0, 0)}
    for code, counts in breakdown.items():
        rows.append(value(partnership, "cpp_initial_category", YEAR, sum(counts), 53, breakdown=code))
        for loc, n, plans in zip((north, south, east), counts, (40, 3, 10), strict=True):
            rows.append(value(partnership, "cpp_initial_category", YEAR, n, plans, locality=loc, breakdown=code))
    IndicatorValue.objects.bulk_create(rows)
    html = page(client, cast.manager).content.decode()
    plans = cells(section(html, "locality-table-cpp_started"))
    assert plans[2:] == ["East", "c", "North", "c", "South", "c", "Northdale Test Partnership (total)", "53"]
    by_category = cells(section(html, "category-localities-cpp_initial_category"))
    assert by_category[7:14] == ["East", "0", "c", "0", "0", "0", "c"]
    assert by_category[14:21] == ["North", "c", "0", "0", "0", "0", "c"]
    assert by_category[21:28] == ["South", "c", "0", "0", "0", "0", "c"]


@hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(st.lists(st.one_of(st.integers(0, 7), st.integers(0, 60)), min_size=2, max_size=4), min_size=2, max_size=4)
)
def test_a_shared_line_ends_up_hidden_alike_in_every_table(grid):
    """Any breakdown and the line of its row totals (plans by locality) settle on the same hidden figures."""
    width = min(len(row) for row in grid)
    cells = [row[:width] for row in grid]
    row_totals = [sum(row) for row in cells]
    col_totals = [sum(row[c] for row in cells) for c in range(width)]
    grand = sum(row_totals)
    shared = _Suppression(5)
    for _attempt in range(20):
        shared.changed = False
        table = shared.table(YEAR, cells, row_totals, col_totals, grand)
        line = shared.line(YEAR, row_totals, grand)
        if not shared.changed:
            break
    in_table = {r for r in range(len(cells) + 1) if (r, width) in table.hidden}
    assert in_table == set(line.hidden)
    assert len(in_table) != 1


def test_the_category_table_by_year_and_its_chart_are_shown(client, cast, figures):
    html = page(client, cast.manager).content.decode()
    table = cells(section(html, "categories-cpp_initial_category"))
    assert table[:2] == ["Category", "2024-25"]
    assert table[2:4] == ["Neglect", "30"] and table[-2:] == ["Plans started in the year", "60"]
    assert 'data-testid="chart-categories-cpp_initial_category"' in html
    chart_table = cells(section(html, "chart-table-categories-cpp_initial_category"))
    assert chart_table[:7] == [
        "Year",
        "Neglect",
        "Emotional abuse",
        "Physical abuse",
        "Sexual abuse",
        "Multiple categories",
        "2024-25",
    ]
    assert chart_table[7:12] == ["50.0%", "16.7%", "15.0%", "0.0%", "18.3%"]


# --- Headline, direction of travel and benchmarks ----------------------------------------------------


def test_the_headline_shows_the_figure_and_benchmarks_beside_it(client, cast, figures):
    html = page(client, cast.manager).content.decode()
    headline = cells(section(html, "headline-icpc_within_15_wd"))
    assert headline == ["Northdale Test Partnership", "England", "Statistical neighbours", "78.9%", "81.0%", "79.3%"]
    counts = cells(section(html, "counts-icpc_within_15_wd"))
    assert counts[0] == "45" and counts[1] == "57"


@pytest.mark.parametrize(
    ("code", "label", "detail"),
    [
        ("icpc_within_15_wd", "Worse", "Down from 80.0% in 2023-24. Higher is better."),
        ("referrals", "Up", "Up from 600 in 2023-24. Neither higher nor lower is better for this figure."),
        ("cpp_started", "Not compared", "There is no figure for the year before to compare with."),
    ],
)
def test_direction_of_travel_is_given_in_words(client, cast, figures, code, label, detail):
    html = page(client, cast.manager).content.decode()
    direction = section(html, f"counts-{code}")
    assert f">{label}</strong> {detail}" in direction


def test_a_suppressed_year_is_not_compared(cast, figures):
    IndicatorValue.objects.bulk_create([value(cast.partnership, "cpp_started", 2024, 12)])
    review = build_review(user=cast.manager, partnership=cast.partnership, locality_id=figures[0].pk)
    item = next(i for _, items in review.sections for i in items if i.code == "cpp_started")
    assert item.headline.value.display == "c"
    assert item.direction.label == "Not compared" and "suppressed" in item.direction.detail


def test_a_published_marker_is_shown_as_published(client, cast, figures):
    html = page(client, cast.manager).content.decode()
    headline = cells(section(html, "headline-cpp_started"))
    assert headline == ["Northdale Test Partnership", "England", "Statistical neighbours", "9", ":", "c"]


def test_the_trend_chart_has_its_data_table_with_benchmarks(client, cast, figures):
    html = page(client, cast.manager).content.decode()
    assert (
        'role="img"' in html and 'aria-labelledby="trend-icpc_within_15_wd-title trend-icpc_within_15_wd-desc"' in html
    )
    table = cells(section(html, "chart-table-trend-icpc_within_15_wd"))
    assert table[:4] == ["Year", "Northdale Test Partnership", "England", "Statistical neighbours"]
    assert table[4:] == [
        "2022-23",
        "75.0%",
        "79.9%",
        ":",
        "2023-24",
        "80.0%",
        "80.5%",
        ":",
        "2024-25",
        "78.9%",
        "81.0%",
        "79.3%",
    ]


def test_each_indicator_has_its_definition_one_click_away(client, cast, figures):
    html = page(client, cast.manager).content.decode()
    definition = section(html, "definition-icpc_within_15_wd")
    assert '<summary class="govuk-details__summary">' in definition
    assert registry.get("icpc_within_15_wd").definition[:60] in html


# --- Filters and empty states ------------------------------------------------------------------------


def test_the_locality_filter_shows_that_localitys_figures(client, cast, figures):
    north, _south = figures
    html = page(client, cast.manager, locality=north.pk).content.decode()
    assert cells(section(html, "headline-referrals")) == ["North", "England", "Statistical neighbours", "400", ":", ":"]
    assert cells(section(html, "counts-referrals"))[0] == "400"
    assert cells(section(html, "chart-table-trend-referrals"))[:2] == ["Year", "North"]


def test_the_section_filter_shows_one_section(client, cast, figures):
    html = page(client, cast.manager, section="Referrals").content.decode()
    assert 'data-testid="indicator-referrals"' in html
    assert 'data-testid="indicator-icpc_within_15_wd"' not in html


def test_an_earlier_year_can_be_chosen(client, cast, figures):
    html = page(client, cast.manager, year=2024).content.decode()
    assert "Child protection process review: 2023-24" in html
    assert cells(section(html, "counts-icpc_within_15_wd"))[:2] == ["40", "50"]


def test_with_no_census_the_page_says_what_to_do(client, cast):
    html = page(client, cast.manager).content.decode()
    period = f"{census_year_of(timezone.localdate()) - 1}-{census_year_of(timezone.localdate()) % 100:02d}"
    assert f"No CIN census has been loaded for {period} yet: an analyst can import one on the" in html
    assert "Download as PDF" not in html


def test_a_year_without_figures_says_so_and_links_to_the_years_with_figures(client, cast, figures):
    html = page(client, cast.manager, year=2021).content.decode()
    assert "No CIN census has been loaded for 2020-21 yet" in html
    assert f"{URL}?partnership={cast.partnership.pk}&amp;year=2025" in html


def test_an_indicator_with_no_figure_says_so(client, cast, figures):
    html = page(client, cast.manager).content.decode()
    assert 'data-testid="no-figure-assessments_within_45_wd"' in html


def test_a_user_of_several_partnerships_can_choose_one(client, cast, figures):
    grant(cast.manager, cast.other_partnership, Role.READ_ONLY)
    html = page(client, cast.manager).content.decode()
    assert 'name="partnership"' in html and "Southvale Test Partnership" in html
    other = page(client, cast.manager, partnership=cast.other_partnership.pk).content.decode()
    assert "No CIN census has been loaded" in other


# --- Drill-through ---------------------------------------------------------------------------------


def _census(cast, north):
    census = Census(cast.partnership, year=YEAR)
    for number in range(3):
        child = census.child(f"C00{number}", locality=north, birth_date=dt.date(2014, 5, 1), sex="M")
        census.episode(child, referral=dt.date(2024, 6, 10 + number))
    elsewhere = census.child("C010", locality=None, birth_date=dt.date(2024, 12, 1))
    census.episode(elsewhere, referral=dt.date(2025, 1, 6))
    return census


def test_the_analyst_can_follow_a_count_to_the_children_behind_it(client, cast, figures):
    north, _south = figures
    _census(cast, north)
    html = page(client, cast.analyst).content.decode()
    links = re.findall(r'href="([^"]+)" data-testid="drill-through"', html)
    assert links
    link = next(u.replace("&amp;", "&") for u in links if "code=referrals" in u and f"locality={north.pk}" in u)
    query = parse_qs(urlsplit(link).query)
    assert set(query) == {"partnership", "code", "year", "locality", "part"}  # breakdown is empty
    assert "C00" not in link  # no child identifier in the address
    before = AccessLog.objects.count()
    response = client.get(link)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('data-testid="member-row"') == 3
    assert "C000" in body and "10 to 15" in body and "Referral 10 Jun 2024" in body and "Male" in body
    child = CensusChild.objects.get(la_child_id="C000")
    assert f'href="{reverse("extracts:child_detail", args=[child.pk])}"' in body  # the child's own record
    assert AccessLog.objects.count() == before + 1
    client.get(link)
    assert AccessLog.objects.count() == before + 2  # every read


def test_other_users_get_no_links_and_a_404_on_the_drill_through(client, cast, figures):
    north, _south = figures
    _census(cast, north)
    params = {
        "partnership": cast.partnership.pk,
        "code": "referrals",
        "year": YEAR,
        "locality": north.pk,
        "part": "numerator",
    }
    for user in (cast.manager, cast.read_only, cast.data_lead, cast.other_analyst, cast.other_manager):
        client.force_login(user)
        assert client.get(MEMBERS, params).status_code == 404, user.email
    assert AccessLog.objects.filter(action="view").count() == 0


def test_a_bad_drill_through_address_is_404(client, cast, figures):
    client.force_login(cast.analyst)
    base = {"partnership": cast.partnership.pk, "code": "referrals", "year": YEAR, "part": "numerator"}
    assert client.get(MEMBERS, {**base, "code": "nonsense"}).status_code == 404
    assert client.get(MEMBERS, {**base, "part": "everyone"}).status_code == 404
    assert client.get(MEMBERS, {**base, "year": "last"}).status_code == 404
    assert client.get(MEMBERS, {**base, "locality": "x"}).status_code == 404
    other = LocalityFactory(partnership=cast.other_partnership)
    assert client.get(MEMBERS, {**base, "locality": other.pk}).status_code == 404


def test_the_children_list_is_paginated_with_a_fixed_number_of_queries(
    client, cast, figures, django_assert_max_num_queries
):
    north, _south = figures
    census = Census(cast.partnership, year=YEAR)
    for number in range(60):
        child = census.child(f"P{number:03d}", locality=north)
        census.episode(child, referral=dt.date(2024, 7, 1))
    client.force_login(cast.analyst)
    params = {
        "partnership": cast.partnership.pk,
        "code": "referrals",
        "year": YEAR,
        "locality": north.pk,
        "part": "numerator",
    }
    client.get(MEMBERS, params)  # the content type of the access log is cached after the first read
    with django_assert_max_num_queries(24) as first_page:
        first = client.get(MEMBERS, params).content.decode()
    assert first.count('data-testid="member-row"') == 50 and "Page 1 of 2" in first
    with django_assert_max_num_queries(24) as second_page:
        second = client.get(MEMBERS, {**params, "page": 2}).content.decode()
    assert second.count('data-testid="member-row"') == 10
    assert len(first_page) == len(second_page)  # 50 children cost no more than 10


@pytest.mark.parametrize(
    ("birth", "expected", "band"),
    [
        (None, dt.date(2025, 5, 1), "Unborn"),
        (dt.date(2024, 6, 1), None, "Under 1"),
        (dt.date(2021, 3, 31), None, "1 to 4"),
        (dt.date(2015, 4, 1), None, "5 to 9"),
        (dt.date(2009, 4, 1), None, "10 to 15"),
        (dt.date(2009, 3, 31), None, "16 and over"),
        (None, None, "Not recorded"),
    ],
)
def test_age_bands_are_the_dfe_groups_at_31_march(birth, expected, band):
    assert age_band(birth, expected, dt.date(2025, 3, 31)) == band


# --- Query counts --------------------------------------------------------------------------------------


def test_the_page_makes_the_same_number_of_queries_however_many_indicators_and_localities(client, cast, figures):
    client.force_login(cast.manager)
    client.get(URL)  # warm the session and the role cache
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL).status_code == 200
    grow(cast.partnership, localities=6)
    with CaptureQueriesContext(connection) as many:
        response = client.get(URL)
    assert response.status_code == 200
    assert 'data-testid="indicator-cp_reviews_on_time"' in response.content.decode()
    assert len(many) == len(few), [q["sql"][:80] for q in many.captured_queries]


def test_the_page_stays_within_a_query_budget(client, cast, figures, django_assert_max_num_queries):
    grow(cast.partnership, localities=3)
    client.force_login(cast.analyst)
    with django_assert_max_num_queries(14):
        assert client.get(URL).status_code == 200


def test_census_years_end_on_31_march():
    assert census_year_of(dt.date(2025, 3, 31)) == 2025
    assert census_year_of(dt.date(2025, 4, 1)) == 2026
