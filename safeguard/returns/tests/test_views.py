"""Workspace pages of the returns portal: who sees what (a data lead only their own agency's returns),
the return form (draft, submit, errors that keep what was typed), reopening, the history, the
completeness grid, the data set's definition pages, and query counts that do not grow with rows."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from safeguard.core.testing import AgencyFactory
from safeguard.indicators.testing import LocalityFactory
from safeguard.returns import services
from safeguard.returns.choices import PeriodKind, ReturnStatus, Source, Unit
from safeguard.returns.forms import field_prefix
from safeguard.returns.models import DataSetIndicator, DataSetSettings, ReportingPeriod, ReturnValue, Theme
from safeguard.returns.testing import AgencyReturnFactory, DataSetFigureFactory, QuarterFactory
from safeguard.returns.validation import Entry, Slot

LIST = reverse("returns:return_list")
GRID = reverse("returns:grid")


def url(name, obj):
    return reverse(f"returns:{name}", args=[obj.pk])


def field(indicator, name, locality=None):
    return f"{field_prefix(Slot(indicator, locality))}-{name}"


def post_data(agency_return, action="save", **fields):
    agency_return.refresh_from_db()
    return {"version": agency_return.version, "action": action, **fields}


def queries(client, path) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


# --- Who sees which return ----------------------------------------------------------------------
def test_a_data_lead_sees_only_their_own_agencys_returns(client, cast, agency_return, other_agency):
    AgencyReturnFactory(partnership=cast.partnership, agency=other_agency, period=agency_return.period)
    client.force_login(cast.data_lead)
    page = client.get(LIST).content.decode()
    assert "Northdale Constabulary" in page and "Northdale Health Trust" not in page
    client.force_login(cast.manager)
    page = client.get(LIST).content.decode()
    assert "Northdale Constabulary" in page and "Northdale Health Trust" in page


def test_a_data_lead_cannot_open_another_agencys_draft_return(client, cast, add_indicator, agency_return, other_agency):
    indicator = add_indicator(agency=other_agency)
    draft = AgencyReturnFactory(partnership=cast.partnership, agency=other_agency, period=agency_return.period)
    services.return_save(
        agency_return=draft, by=cast.manager, entries={(indicator.pk, None): Entry(value=5)}, expected_version=1
    )
    client.force_login(cast.data_lead)
    for name in ("return_detail", "return_history", "return_template", "return_upload", "return_reopen"):
        assert client.get(url(name, draft)).status_code == 404, name
    assert client.post(url("return_detail", draft), {"version": 2, "action": "submit"}).status_code == 404


def test_another_partnerships_user_gets_404_and_staff_without_the_role_403(client, cast, agency_return):
    client.force_login(cast.other_manager)
    assert client.get(url("return_detail", agency_return)).status_code == 404
    client.force_login(cast.board_member)
    assert client.get(url("return_detail", agency_return)).status_code == 403
    assert client.get(LIST).status_code == 403
    assert client.get(GRID).status_code == 403


def test_returns_are_in_the_navigation_of_data_leads_and_the_business_unit_only(client, cast):
    for user, shown in ((cast.data_lead, True), (cast.manager, True), (cast.board_member, False)):
        client.force_login(user)
        page = client.get(reverse("workspace:home")).content.decode()
        assert (f'href="{LIST}"' in page) is shown, user


# --- The return form ----------------------------------------------------------------------------
def test_the_return_page_lists_its_rows_with_the_last_submitted_figure(
    client, cast, add_indicator, agency_return, previous_quarter
):
    north = LocalityFactory(partnership=cast.partnership, name="North", code="north")
    indicator = add_indicator(title="Missing episodes", by_locality=True)
    add_indicator(percent=True, title="Health assessments in time")
    DataSetFigureFactory(partnership=cast.partnership, indicator=indicator, period=previous_quarter, value=44)
    client.force_login(cast.data_lead)
    page = client.get(url("return_detail", agency_return)).content.decode()
    assert page.count('data-testid="return-row"') == 3
    assert "Missing episodes: North" in page
    assert 'data-testid="previous">44</span> (2025-26 Q1)' in page
    assert f'name="{field(indicator, "value", north)}"' in page
    assert "Initial health assessments due" in page  # the denominator's label


def test_save_a_draft_then_submit(client, cast, add_indicator, agency_return):
    indicator = add_indicator()
    client.force_login(cast.data_lead)
    path = url("return_detail", agency_return)
    response = client.post(path, post_data(agency_return, **{field(indicator, "value"): "12"}))
    assert response.status_code == 302
    agency_return.refresh_from_db()
    assert agency_return.status == ReturnStatus.IN_PROGRESS
    assert ReturnValue.objects.get().value == 12
    assert "Draft saved" in client.get(path).content.decode()
    response = client.post(path, post_data(agency_return, "submit", **{field(indicator, "value"): "12"}))
    assert response.status_code == 302
    agency_return.refresh_from_db()
    assert agency_return.status == ReturnStatus.SUBMITTED
    page = client.get(path).content.decode()
    assert "Return submitted" in page
    assert 'data-testid="return-form"' not in page and 'data-testid="figure">12' in page


def test_errors_keep_what_was_typed_and_save_nothing(client, cast, add_indicator, agency_return):
    first, second = add_indicator(title="First"), add_indicator(title="Second")
    client.force_login(cast.data_lead)
    data = post_data(
        agency_return,
        "submit",
        **{
            field(first, "value"): "twelve",
            field(first, "comment"): "My careful comment",
            field(second, "not_available"): "on",
        },
    )
    response = client.post(url("return_detail", agency_return), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "First: enter a whole number of 0 or more, for example 12" in page
    assert "Second: say why the figure is not available" in page
    assert 'value="twelve"' in page and "My careful comment" in page
    assert f'id="id_{field(second, "not_available")}" checked' in page
    assert not ReturnValue.objects.exists()


def test_a_stale_form_is_refused_with_the_input_kept(client, cast, add_indicator, agency_return):
    indicator = add_indicator()
    client.force_login(cast.data_lead)
    stale = post_data(agency_return, **{field(indicator, "value"): "7"})
    services.return_save(
        agency_return=agency_return, by=cast.officer, entries={(indicator.pk, None): Entry(value=3)}, expected_version=1
    )
    response = client.post(url("return_detail", agency_return), stale)
    assert response.status_code == 200
    assert "changed this record after you opened it" in response.content.decode()
    assert ReturnValue.objects.get().value == 3


def test_a_submitted_return_cannot_be_posted_to(client, cast, add_indicator, agency_return):
    indicator = add_indicator()
    services.return_submit(
        agency_return=agency_return,
        by=cast.data_lead,
        entries={(indicator.pk, None): Entry(value=3)},
        expected_version=1,
    )
    client.force_login(cast.data_lead)
    response = client.post(
        url("return_detail", agency_return), post_data(agency_return, **{field(indicator, "value"): "9"})
    )
    assert response.status_code == 302
    assert ReturnValue.objects.get().value == 3


def test_the_business_unit_reopens_from_the_return_page_and_the_history_shows_both_submissions(
    client, cast, add_indicator, agency_return
):
    indicator = add_indicator(title="CSE referrals")
    services.return_submit(
        agency_return=agency_return,
        by=cast.data_lead,
        entries={(indicator.pk, None): Entry(value=44)},
        expected_version=1,
    )
    client.force_login(cast.data_lead)
    assert 'data-testid="reopen-link"' not in client.get(url("return_detail", agency_return)).content.decode()
    client.force_login(cast.manager)
    assert 'data-testid="reopen-link"' in client.get(url("return_detail", agency_return)).content.decode()
    response = client.post(url("return_reopen", agency_return), {"version": 2, "reason": ""})
    assert "Say why the return is being reopened" in response.content.decode()
    response = client.post(url("return_reopen", agency_return), {"version": 2, "reason": "North counted twice"})
    assert response.status_code == 302
    agency_return.refresh_from_db()
    assert agency_return.status == ReturnStatus.REOPENED

    client.force_login(cast.data_lead)
    page = client.get(url("return_detail", agency_return)).content.decode()
    assert "North counted twice" in page and 'data-testid="return-form"' in page
    client.post(
        url("return_detail", agency_return), post_data(agency_return, "submit", **{field(indicator, "value"): "40"})
    )
    history = client.get(url("return_history", agency_return)).content.decode()
    assert history.count('data-testid="submission"') == 2
    assert 'data-testid="change-row"><td class="govuk-table__cell">CSE referrals</td>' in history
    assert '<td class="govuk-table__cell">44</td><td class="govuk-table__cell">40</td>' in history
    assert "North counted twice" in history


def test_the_reopen_page_of_a_return_not_submitted_says_so(client, cast, agency_return):
    client.force_login(cast.manager)
    page = client.get(url("return_reopen", agency_return)).content.decode()
    assert 'data-testid="not-submitted"' in page
    assert client.post(url("return_reopen", agency_return), {"version": 1, "reason": "x"}).status_code == 200
    agency_return.refresh_from_db()
    assert agency_return.status == ReturnStatus.NOT_STARTED


def test_the_return_page_runs_a_constant_number_of_queries(
    client, cast, add_indicator, agency_return, previous_quarter
):
    LocalityFactory(partnership=cast.partnership, code="north", name="North")
    client.force_login(cast.data_lead)
    path = url("return_detail", agency_return)
    first = add_indicator(by_locality=True)
    DataSetFigureFactory(partnership=cast.partnership, indicator=first, period=previous_quarter)
    client.get(path)
    baseline = queries(client, path)
    for _ in range(10):
        indicator = add_indicator(by_locality=True, percent=True)
        DataSetFigureFactory(partnership=cast.partnership, indicator=indicator, period=previous_quarter)
    services.return_save(
        agency_return=agency_return, by=cast.data_lead, entries={(first.pk, None): Entry(value=4)}, expected_version=1
    )
    assert queries(client, path) == baseline


# --- Lists and the grid -------------------------------------------------------------------------
def test_the_list_runs_a_constant_number_of_queries(client, cast, lead_agency, django_assert_num_queries):
    client.force_login(cast.manager)
    QuarterFactory(partnership=cast.partnership, start=dt.date(2025, 4, 1))
    AgencyReturnFactory(partnership=cast.partnership, agency=lead_agency)
    client.get(LIST)
    baseline = queries(client, LIST)
    for start in (dt.date(2024, 4, 1), dt.date(2024, 7, 1), dt.date(2024, 10, 1)):
        period = QuarterFactory(partnership=cast.partnership, start=start)
        for _ in range(3):
            AgencyReturnFactory(partnership=cast.partnership, period=period)
    with django_assert_num_queries(baseline):
        assert client.get(LIST).status_code == 200


def _grid_world(cast, agencies: int, quarters: list[dt.date]):
    for start in quarters:
        period = QuarterFactory(partnership=cast.partnership, start=start)
        for n in range(agencies):
            agency = AgencyFactory(partnership=cast.partnership, name=f"Agency {start:%Y%m} {n}")
            AgencyReturnFactory(partnership=cast.partnership, agency=agency, period=period)


def test_the_grid_shows_each_agencys_state_for_each_period(client, cast, add_indicator, lead_agency, other_agency):
    add_indicator()
    add_indicator(agency=other_agency)
    old = QuarterFactory(partnership=cast.partnership, start=dt.date(2025, 4, 1), due_date=dt.date(2025, 7, 30))
    new = QuarterFactory(
        partnership=cast.partnership, start=dt.date(2025, 7, 1), due_date=dt.date.today() + dt.timedelta(days=30)
    )
    AgencyReturnFactory(partnership=cast.partnership, agency=lead_agency, period=old)  # late
    submitted = AgencyReturnFactory(
        partnership=cast.partnership,
        agency=lead_agency,
        period=new,
        status=ReturnStatus.SUBMITTED,
        submitted_at=dt.datetime(2025, 10, 20, tzinfo=dt.UTC),
    )
    AgencyReturnFactory(partnership=cast.partnership, agency=other_agency, period=new, status=ReturnStatus.IN_PROGRESS)
    client.force_login(cast.manager)
    page = client.get(GRID).content.decode()
    assert page.count('data-testid="grid-row"') == 2
    assert 'data-state="late"' in page and 'data-state="submitted"' in page and 'data-state="in_progress"' in page
    assert 'data-state="none"' in page  # the health trust had no return for Q1
    assert url("return_detail", submitted) in page
    assert 'data-testid="count-late">1<' in page and 'data-testid="count-submitted">1<' in page
    only_late = client.get(GRID, {"state": "late"}).content.decode()
    assert only_late.count('data-testid="grid-row"') == 1
    assert 'data-testid="no-periods"' in client.get(GRID, {"kind": PeriodKind.CALENDAR_YEAR}).content.decode()


def test_the_grid_runs_a_constant_number_of_queries(client, cast, django_assert_num_queries):
    client.force_login(cast.manager)
    _grid_world(cast, 1, [dt.date(2025, 4, 1)])
    client.get(GRID)
    baseline = queries(client, GRID)
    _grid_world(cast, 6, [dt.date(2024, 4, 1), dt.date(2024, 7, 1), dt.date(2024, 10, 1), dt.date(2025, 1, 1)])
    with django_assert_num_queries(baseline):
        response = client.get(GRID)
    assert response.content.decode().count('data-testid="grid-row"') == 25


# --- Periods ------------------------------------------------------------------------------------
def test_the_business_unit_opens_a_period_from_its_page(client, cast, add_indicator):
    add_indicator()
    client.force_login(cast.manager)
    response = client.post(
        reverse("returns:period_open"),
        {"partnership": cast.partnership.pk, "kind": PeriodKind.QUARTER, "start": "2025-10-01"},
    )
    period = ReportingPeriod.objects.get()
    assert response["Location"] == url("period_detail", period)
    assert period.returns.count() == 1
    page = client.get(response["Location"]).content.decode()
    assert "2025-26 Q3 is open" in page and "1 agency has a return for it" in page
    response = client.post(
        reverse("returns:period_open"),
        {"partnership": cast.partnership.pk, "kind": PeriodKind.QUARTER, "start": "2025-11-01"},
    )
    assert "a quarter starts on 1 April" in response.content.decode()
    assert 'value="2025-11-01"' in response.content.decode()


def test_a_data_lead_cannot_open_periods_or_change_the_data_set(client, cast, agency_return):
    client.force_login(cast.data_lead)
    for name in ("period_list", "period_open", "indicator_create", "theme_list", "theme_create", "grid"):
        assert client.get(reverse(f"returns:{name}")).status_code == 403, name
    assert client.get(url("period_detail", agency_return.period)).status_code == 403
    assert client.get(url("settings", cast.partnership)).status_code == 403


def test_settings_are_saved_from_their_page(client, cast):
    client.force_login(cast.manager)
    path = url("settings", cast.partnership)
    data = {
        "version": 1,
        "due_days_after_period": "45",
        "reminder_days_before": "7",
        "chase_days_after": "3",
        "escalation_days_after": "2",
    }
    response = client.post(path, data)
    assert "enter more than 3 working days" in response.content.decode()
    assert 'value="45"' in response.content.decode()
    assert client.post(path, {**data, "escalation_days_after": "8"}).status_code == 302
    assert DataSetSettings.objects.get(partnership=cast.partnership).due_days_after_period == 45


# --- The data set's definition ------------------------------------------------------------------
def test_everyone_with_the_data_set_reads_an_indicators_definition(client, cast, add_indicator):
    indicator = add_indicator(title="CSE referrals", definition="Referrals where exploitation was a concern.")
    client.force_login(cast.read_only)
    page = client.get(reverse("returns:indicator_detail", args=[indicator.pk])).content.decode()
    assert "Referrals where exploitation was a concern." in page
    assert "Supplied by Northdale Constabulary" in page
    assert 'data-testid="edit-indicator"' not in page
    assert "CSE referrals" in client.get(reverse("returns:indicator_list")).content.decode()
    client.force_login(cast.other_manager)
    assert client.get(reverse("returns:indicator_detail", args=[indicator.pk])).status_code == 404


def test_add_a_manual_indicator_keeping_input_on_error(client, cast, theme, lead_agency):
    client.force_login(cast.manager)
    path = reverse("returns:indicator_create")
    data = {
        "partnership": cast.partnership.pk,
        "title": "Health assessments in time",
        "code": "iha-in-time",
        "definition": "Initial health assessments within 20 working days.",
        "theme": theme.pk,
        "source": Source.MANUAL,
        "agency": lead_agency.pk,
        "unit": Unit.PERCENT,
        "numerator_label": "",
        "denominator_label": "Assessments due",
        "period_kind": PeriodKind.QUARTER,
        "polarity": "higher",
        "comment_above_change_percent": "25",
        "position": "0",
        "is_active": "on",
        "suppress_small_numbers": "on",
    }
    response = client.post(path, data)
    page = response.content.decode()
    assert "Say what the numerator counts" in page and 'value="iha-in-time"' in page
    response = client.post(path, {**data, "numerator_label": "Assessments in time"})
    indicator = DataSetIndicator.objects.get()
    assert response["Location"] == indicator.get_absolute_url()
    assert (indicator.unit, indicator.agency, indicator.version) == (Unit.PERCENT, lead_agency, 1)


def test_add_a_computed_indicator_and_edit_it(client, cast, theme):
    client.force_login(cast.manager)
    response = client.post(
        reverse("returns:indicator_create"),
        {
            "partnership": cast.partnership.pk,
            "code": "icpc",
            "theme": theme.pk,
            "source": Source.COMPUTED,
            "registry_code": "icpc_within_15_wd",
            "unit": Unit.COUNT,
            "period_kind": PeriodKind.FINANCIAL_YEAR,
            "polarity": "neutral",
            "comment_above_change_percent": "25",
            "position": "0",
            "is_active": "on",
        },
    )
    indicator = DataSetIndicator.objects.get()
    assert response.status_code == 302 and indicator.unit == Unit.PERCENT and indicator.title
    edit = url("indicator_edit", indicator)
    assert client.get(edit).status_code == 200
    response = client.post(
        edit,
        {
            "version": 1,
            "code": "icpc",
            "title": "Conferences in time",
            "definition": indicator.definition,
            "theme": theme.pk,
            "source": Source.COMPUTED,
            "registry_code": "icpc_within_15_wd",
            "unit": Unit.PERCENT,
            "period_kind": PeriodKind.FINANCIAL_YEAR,
            "polarity": "higher",
            "target": "85",
            "comment_above_change_percent": "25",
            "position": "0",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    indicator.refresh_from_db()
    assert (indicator.title, indicator.target, indicator.version) == ("Conferences in time", 85, 2)


def test_themes_are_added_and_changed(client, cast):
    client.force_login(cast.manager)
    response = client.post(
        reverse("returns:theme_create"),
        {"partnership": cast.partnership.pk, "name": "Neglect", "kind": "priority", "position": "1", "is_active": "on"},
    )
    theme = Theme.objects.get()
    assert response["Location"] == reverse("returns:theme_list")
    assert "Neglect" in client.get(reverse("returns:theme_list")).content.decode()
    response = client.post(
        url("theme_edit", theme), {"version": 1, "name": "Neglect and poverty", "kind": "priority", "position": "1"}
    )
    theme.refresh_from_db()
    assert (theme.name, theme.is_active) == ("Neglect and poverty", False)


def test_the_periods_page_counts_each_periods_returns(client, cast, lead_agency, other_agency):
    period = QuarterFactory(partnership=cast.partnership, start=dt.date(2025, 4, 1), due_date=dt.date(2025, 7, 30))
    AgencyReturnFactory(partnership=cast.partnership, agency=lead_agency, period=period)
    AgencyReturnFactory(
        partnership=cast.partnership,
        agency=other_agency,
        period=period,
        status=ReturnStatus.SUBMITTED,
        submitted_at=dt.datetime(2025, 7, 1, tzinfo=dt.UTC),
    )
    AgencyReturnFactory(partnership=cast.partnership, period=period, status=ReturnStatus.REOPENED)
    client.force_login(cast.manager)
    page = client.get(reverse("returns:period_list")).content.decode()
    numbers = page.split('data-testid="period-row"')[1].split("govuk-table__cell--numeric")[1:4]
    assert [n.split(">")[1].split("<")[0] for n in numbers] == ["3", "1", "1"]  # returns, submitted, late
    assert client.get(LIST, {"state": "late"}).content.decode().count('data-testid="return-row"') == 1
    assert client.get(LIST, {"state": "reopened"}).content.decode().count('data-testid="return-row"') == 1
