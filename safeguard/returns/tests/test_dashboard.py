"""The data set dashboard: what each indicator shows, small-number suppression (and who is spared
it), where each figure came from, commentary, filters, and a query count that does not grow with
the number of indicators."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from safeguard.core.suppression import suppress_line
from safeguard.extracts.choices import ExtractKind, ExtractStatus
from safeguard.extracts.models import Extract
from safeguard.indicators.choices import AreaKind
from safeguard.indicators.testing import BenchmarkFactory, IndicatorValueFactory, LocalityFactory
from safeguard.partnerships.models import RoleAssignment
from safeguard.returns import dashboard
from safeguard.returns.choices import Polarity, ReturnStatus, ThemeKind
from safeguard.returns.models import Commentary, DataSetFigure
from safeguard.returns.testing import (
    AgencyReturnFactory,
    CommentaryFactory,
    ComputedIndicatorFactory,
    ManualIndicatorFactory,
    PercentIndicatorFactory,
    QuarterFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db

D = dt.date
QUARTERS = [D(2024, 4, 1), D(2024, 7, 1), D(2024, 10, 1), D(2025, 1, 1), D(2025, 4, 1), D(2025, 7, 1)]


@pytest.fixture(autouse=True)
def _fresh_reviews():
    dashboard._REVIEWS.clear()  # kept between requests in a process: not between tests
    yield
    dashboard._REVIEWS.clear()


def figure(indicator, period, *, locality=None, numerator=None, denominator=None, source=None, value=None, **extra):
    if value is None and numerator is not None:
        value = Decimal(numerator * 100) / Decimal(denominator) if denominator else Decimal(numerator)
    return DataSetFigure.objects.create(
        partnership=indicator.partnership,
        indicator=indicator,
        period=period,
        locality=locality,
        numerator=numerator,
        denominator=denominator,
        value=value,
        source_return=source,
        **extra,
    )


def build(cast):
    """Northdale's data set: a count by locality (small numbers), a percentage with a target, and a
    computed census indicator with England and statistical-neighbour benchmarks."""
    p = cast.partnership
    lead = RoleAssignment.objects.get(user=cast.data_lead, partnership=p)
    police = lead.agency
    north = LocalityFactory(partnership=p, name="North", code="north")
    south = LocalityFactory(partnership=p, name="South", code="south")
    neglect = ThemeFactory(partnership=p, name="Neglect", kind=ThemeKind.PRIORITY, position=1)
    exploitation = ThemeFactory(partnership=p, name="Exploitation", kind=ThemeKind.THEME, position=2)
    periods = [QuarterFactory(partnership=p, start=start) for start in QUARTERS]
    returns = {
        period.pk: AgencyReturnFactory(
            partnership=p,
            agency=police,
            period=period,
            status=ReturnStatus.SUBMITTED,
            submitted_at=timezone.make_aware(dt.datetime.combine(period.due_date, dt.time(10))),
            submitted_by=cast.data_lead,
        )
        for period in periods
    }
    cse = ManualIndicatorFactory(
        partnership=p, agency=police, theme=exploitation, code="cse-referrals", title="CSE referrals", by_locality=True
    )
    for period, (whole, n, s) in zip(periods, [(30, 12, 18)] * 4 + [(30, 12, 18), (20, 3, 17)], strict=True):
        source = returns[period.pk]
        figure(cse, period, numerator=whole, source=source)
        figure(cse, period, locality=north, numerator=n, source=source)
        figure(cse, period, locality=south, numerator=s, source=source)
    health = PercentIndicatorFactory(
        partnership=p,
        agency=police,
        theme=neglect,
        code="health-assessments",
        title="Health assessments on time",
        target=90,
        amber_threshold=80,
    )
    for period, numerator in zip(periods, [30, 31, 32, 33, 34, 36], strict=True):
        figure(health, period, numerator=numerator, denominator=50, source=returns[period.pk])
    icpc = ComputedIndicatorFactory(
        partnership=p, theme=neglect, code="icpc-timeliness", registry_code="icpc_within_15_wd", target=80
    )
    extract = Extract.objects.create(
        partnership=p,
        kind=ExtractKind.CIN_CENSUS,
        collection_year=2025,
        original_filename="cin-2025.xml",
        status=ExtractStatus.LOADED,
    )
    for year, (num, den) in ((2024, (60, 100)), (2025, (70, 100))):
        IndicatorValueFactory(
            partnership=p,
            code="icpc_within_15_wd",
            collection_year=year,
            numerator=num,
            denominator=den,
            value=num * 100 / den,
            extracts=[extract.pk],
        )
        IndicatorValueFactory(
            partnership=p,
            code="icpc_within_15_wd",
            collection_year=year,
            locality=north,
            numerator=2,
            denominator=40,
            value=5.0,
            extracts=[extract.pk],
        )
        IndicatorValueFactory(
            partnership=p,
            code="icpc_within_15_wd",
            collection_year=year,
            locality=south,
            numerator=num - 2,
            denominator=60,
            value=(num - 2) * 100 / 60,
            extracts=[extract.pk],
        )
    BenchmarkFactory(
        partnership=p, code="icpc_within_15_wd", collection_year=2025, area_kind=AreaKind.ENGLAND, value=78.5
    )
    BenchmarkFactory(
        partnership=p,
        code="icpc_within_15_wd",
        collection_year=2025,
        area_kind=AreaKind.STATISTICAL_NEIGHBOURS,
        area_code="",
        value=75.1,
    )
    CommentaryFactory(indicator=cse, period=periods[-1], text="Referrals fell after the schools campaign ended.")
    return SimpleNamespace(
        partnership=p,
        police=police,
        north=north,
        south=south,
        neglect=neglect,
        exploitation=exploitation,
        periods=periods,
        returns=returns,
        cse=cse,
        health=health,
        icpc=icpc,
        extract=extract,
    )


def page(client, user, query=""):
    client.force_login(user)
    response = client.get(f"/workspace/data-set/{query}")
    assert response.status_code == 200
    return response.content.decode()


def section(body: str, code: str) -> str:
    start = body.index(f'data-testid="indicator-{code}"')
    return body[start : body.find("</section>", start)]


def test_each_indicator_shows_its_latest_figure_target_rating_and_direction(client, cast):
    data = build(cast)
    board = dashboard.build_dashboard(user=cast.board_member, partnership=data.partnership, filters=dashboard.Filters())
    assert board.as_at == data.periods[-1]
    row = next(r for r in board.rows if r.indicator == data.health)
    assert (row.latest.label, row.latest.figure.display) == ("2025-26 Q2", "72.0%")
    assert row.target == "90.0%"
    assert (row.rating.label, row.rating.meaning) == ("Red", "off target")
    assert row.travel.label == "Up, better"
    assert "from 68.0% in 2025-26 Q1" in row.travel.detail
    assert len(row.points) == 6 and row.chart is not None
    body = section(page(client, cast.board_member), "health-assessments")
    assert "72.0%" in body and "(36 of 50)" in body and "Red" in body and "Up, better" in body
    assert 'role="img"' in body and 'data-testid="chart-table-indicator-' in body  # chart and its table


def test_the_trend_goes_back_twenty_quarters_at_most(cast):
    data = build(cast)
    p = data.partnership
    for year in range(2019, 2024):
        for month in (4, 7, 10, 1):
            QuarterFactory(partnership=p, start=D(year + (month < 4), month, 1))
    board = dashboard.build_dashboard(user=cast.board_member, partnership=p, filters=dashboard.Filters())
    row = next(r for r in board.rows if r.indicator == data.health)
    assert len(row.points) == 20
    assert row.points[0].label == "2020-21 Q3" and row.points[-1].label == "2025-26 Q2"


def test_computed_indicators_come_with_england_and_statistical_neighbours(client, cast):
    data = build(cast)
    board = dashboard.build_dashboard(user=cast.board_member, partnership=data.partnership, filters=dashboard.Filters())
    row = next(r for r in board.rows if r.indicator == data.icpc)
    assert [p.label for p in row.points] == ["2023-24", "2024-25"]
    assert row.latest.figure.display == "70.0%"
    assert [(label, f.display) for label, f in row.benchmarks] == [
        ("England", "78.5%"),
        ("Statistical neighbours", "75.1%"),
    ]
    assert row.rating.label == "Red" and row.travel.label == "Up, better"
    body = section(page(client, cast.board_member), "icpc-timeliness")
    assert "78.5%" in body and "Statistical neighbours" in body


def test_small_numbers_are_suppressed_for_everyone_but_the_analyst(client, cast):
    data = build(cast)
    north = f"?locality={data.north.pk}"
    south = f"?locality={data.south.pk}"
    for user in (cast.board_member, cast.manager, cast.data_lead, cast.read_only):
        body = section(page(client, user, north), "cse-referrals")
        assert '-font-weight-bold">c<span class="govuk-visually-hidden"> (suppressed)' in body
        # South's 17 would give North's 3 away (20 - 17): it is suppressed too.
        assert 'govuk-!-font-weight-bold">c' in section(page(client, user, south), "cse-referrals")
    analyst = section(page(client, cast.analyst, north), "cse-referrals")
    assert '<span class="govuk-!-font-size-24 govuk-!-font-weight-bold">3</span>' in analyst
    assert 'data-testid="unsuppressed-notice"' in page(client, cast.analyst)


def test_a_figure_worked_out_from_a_suppressed_count_is_not_rated(cast):
    data = build(cast)
    figure(data.health, data.periods[-1], locality=data.north, numerator=2, denominator=4)
    data.health.by_locality = True
    data.health.save()
    board = dashboard.build_dashboard(
        user=cast.board_member, partnership=data.partnership, filters=dashboard.Filters(locality=data.north.pk)
    )
    row = next(r for r in board.rows if r.indicator == data.health)
    assert row.latest.figure.display == "c" and row.rating is None
    assert row.travel.label == "Not compared"


def test_indicators_that_do_not_protect_small_numbers_show_them(cast):
    data = build(cast)
    data.cse.suppress_small_numbers = False
    data.cse.save()
    board = dashboard.build_dashboard(
        user=cast.board_member, partnership=data.partnership, filters=dashboard.Filters(locality=data.north.pk)
    )
    assert next(r for r in board.rows if r.indicator == data.cse).latest.figure.display == "3"


def test_every_figure_says_where_it_came_from_and_links_for_those_who_may_open_the_return(client, cast):
    data = build(cast)
    last = data.returns[data.periods[-1].pk]
    url = f"/workspace/returns/{last.pk}/"
    for user in (cast.manager, cast.data_lead):
        body = section(page(client, user), "health-assessments")
        assert f'href="{url}"' in body
    board_view = section(page(client, cast.board_member), "health-assessments")
    assert f'href="{url}"' not in board_view  # may not open another agency's return
    submitted = f"{timezone.localtime(last.submitted_at):%d %B %Y}"
    assert (
        f"{data.police.name} return for 2025-26 Q2, submitted by {cast.data_lead.get_full_name()} on {submitted}"
        in (board_view)
    )


def test_computed_figures_name_their_extracts_for_the_analyst_only(client, cast):
    data = build(cast)
    analyst = section(page(client, cast.analyst), "icpc-timeliness")
    assert f'href="/workspace/extracts/{data.extract.pk}/"' in analyst and "cin-2025.xml" in analyst
    board = section(page(client, cast.board_member), "icpc-timeliness")
    assert "/workspace/extracts/" not in board and "cin-2025.xml" not in board
    assert "children in need census 2024-25" in board


def test_the_definition_is_one_click_away(client, cast):
    data = build(cast)
    body = section(page(client, cast.board_member), "cse-referrals")
    assert 'data-testid="definition-cse-referrals"' in body and data.cse.definition in body
    assert f'href="/workspace/returns/indicators/{data.cse.pk}/"' in body  # the full definition page


def test_the_sub_groups_commentary_is_shown_and_the_business_unit_edits_it(client, cast):
    data = build(cast)
    assert "Referrals fell after the schools campaign ended." in section(
        page(client, cast.board_member), "cse-referrals"
    )
    assert 'data-testid="edit-commentary-' not in page(client, cast.board_member)
    url = f"/workspace/data-set/indicators/{data.health.pk}/commentary/?period={data.periods[-1].pk}"
    assert client.get(url).status_code == 403  # still the board member
    client.force_login(cast.manager)
    assert 'data-testid="edit-commentary-health-assessments"' in page(client, cast.manager)
    assert client.get(url).status_code == 200
    assert "Enter the sub-group" in client.post(url, {"text": "  "}).content.decode()  # kept on the form
    response = client.post(url, {"text": "Improving: a new duty rota since July."})
    assert response.status_code == 302 and response["Location"].endswith(f"#indicator-{data.health.pk}")
    commentary = Commentary.objects.get(indicator=data.health, period=data.periods[-1])
    assert commentary.text == "Improving: a new duty rota since July." and commentary.updated_by == cast.manager
    response = client.post(url, {"text": "Changed", "version": commentary.version - 1})
    assert "changed this record after you opened it" in response.content.decode()


def test_filters_by_theme_priority_agency_and_locality(client, cast):
    data = build(cast)
    codes = lambda board: {r.indicator.code for r in board.rows}  # noqa: E731
    build_for = lambda **f: dashboard.build_dashboard(  # noqa: E731
        user=cast.board_member, partnership=data.partnership, filters=dashboard.Filters(**f)
    )
    assert codes(build_for()) == {"cse-referrals", "health-assessments", "icpc-timeliness"}
    assert codes(build_for(theme=data.neglect.pk)) == {"health-assessments", "icpc-timeliness"}
    assert codes(build_for(priority=ThemeKind.THEME)) == {"cse-referrals"}
    assert codes(build_for(agency=data.police.pk)) == {"cse-referrals", "health-assessments"}
    assert codes(build_for(locality=data.north.pk)) == {"cse-referrals", "icpc-timeliness"}
    body = page(client, cast.board_member, f"?theme={data.neglect.pk}&priority=priority")
    assert 'data-testid="indicator-health-assessments"' in body and 'data-testid="indicator-cse-referrals"' not in body
    client.force_login(cast.board_member)
    for query in ("?theme=999999", "?locality=abc", f"?agency={data.police.pk + 1000}", "?period=999999"):
        assert client.get(f"/workspace/data-set/{query}").status_code == 404


def test_an_earlier_quarter_can_be_chosen(cast):
    data = build(cast)
    board = dashboard.build_dashboard(
        user=cast.board_member, partnership=data.partnership, filters=dashboard.Filters(period=data.periods[3].pk)
    )
    row = next(r for r in board.rows if r.indicator == data.health)
    assert row.latest.label == "2024-25 Q4" and len(row.points) == 4


def test_another_partnerships_user_gets_404(client, cast):
    data = build(cast)
    client.force_login(cast.other_manager)
    assert client.get(f"/workspace/data-set/?partnership={data.partnership.pk}").status_code == 404
    assert client.get(f"/workspace/data-set/report.pdf?partnership={data.partnership.pk}").status_code == 404
    assert client.get(f"/workspace/data-set/report.xlsx?partnership={data.partnership.pk}").status_code == 404
    assert client.get(f"/workspace/data-set/indicators/{data.cse.pk}/commentary/").status_code == 404
    assert client.post(f"/workspace/data-set/indicators/{data.cse.pk}/commentary/", {"text": "x"}).status_code == 404
    body = client.get("/workspace/data-set/").content.decode()  # their own partnership: nothing of Northdale's
    assert "CSE referrals" not in body


def count_queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    connection.queries_log.clear()  # a full log (9,000 queries) would capture nothing
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_page_reads_a_fixed_number_of_queries_whatever_the_number_of_indicators(
    client, cast, django_assert_num_queries
):
    data = build(cast)
    client.force_login(cast.board_member)
    url = f"/workspace/data-set/?partnership={data.partnership.pk}"
    client.get(url)
    small = count_queries(client, url)  # 3 indicators
    for n in range(12):
        indicator = ManualIndicatorFactory(
            partnership=data.partnership, agency=data.police, theme=data.neglect, by_locality=True
        )
        for period in data.periods:
            source = data.returns[period.pk]
            figure(indicator, period, numerator=10 + n, source=source)
            figure(indicator, period, locality=data.north, numerator=2, source=source)
            figure(indicator, period, locality=data.south, numerator=8 + n, source=source)
    client.get(url)
    from django.db import connection

    connection.queries_log.clear()
    with django_assert_num_queries(small):
        response = client.get(url)  # 15 indicators
    assert response.content.decode().count('data-testid="indicator-') == 15
    client.force_login(cast.analyst)  # exact figures and the extracts named: a fixed number too
    client.get(url)
    analyst_small = count_queries(client, url)
    ManualIndicatorFactory(partnership=data.partnership, agency=data.police, theme=data.neglect)
    assert count_queries(client, url) == analyst_small


@settings(max_examples=300, deadline=None)
@given(
    values=st.lists(st.one_of(st.none(), st.integers(min_value=0, max_value=30)), min_size=1, max_size=9),
    total=st.one_of(st.none(), st.integers(min_value=0, max_value=200)),
    threshold=st.integers(min_value=0, max_value=7),
)
def test_line_hidden_suppresses_exactly_as_suppress_line(values, total, threshold):
    expected = suppress_line(values, total=total, threshold=threshold)
    figures = [*expected.cells, *([expected.total] if expected.total is not None else [])]
    hidden = {i for i, f in enumerate(figures) if f.suppressed}
    assert dashboard.line_hidden(values, total, threshold) == hidden


def test_polarity_neutral_indicators_are_not_rated_nor_judged(cast):
    data = build(cast)
    data.health.polarity = Polarity.NEUTRAL
    data.health.save()
    board = dashboard.build_dashboard(user=cast.board_member, partnership=data.partnership, filters=dashboard.Filters())
    row = next(r for r in board.rows if r.indicator == data.health)
    assert row.rating is None and row.travel.label == "Up"
