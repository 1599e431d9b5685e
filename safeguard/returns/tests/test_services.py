"""The rules of services.py: the data set's definition, opening periods, filling in, submitting and
reopening returns, the submission history and the data set's figures."""

import datetime as dt
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError

from safeguard.core.concurrency import ConcurrentEditError
from safeguard.core.testing import AgencyFactory, GroupFactory
from safeguard.indicators.testing import LocalityFactory
from safeguard.returns import selectors, services
from safeguard.returns.choices import PeriodKind, Polarity, ReturnStatus, Source, Unit
from safeguard.returns.models import AgencyReturn, DataSetFigure, ReportingPeriod, ReturnSubmission, ReturnValue
from safeguard.returns.testing import (
    AgencyReturnFactory,
    DataSetFigureFactory,
    DataSetSettingsFactory,
    ManualIndicatorFactory,
    QuarterFactory,
    ThemeFactory,
)
from safeguard.returns.validation import Entry
from safeguard.workdays.models import ClosureDay

pytestmark = pytest.mark.django_db


def key(indicator, locality=None):
    return (indicator.pk, locality.pk if locality else None)


def fresh(obj):
    obj.refresh_from_db()
    return obj


def save(agency_return, by, entries):
    return services.return_save(
        agency_return=agency_return, by=by, entries=entries, expected_version=fresh(agency_return).version
    )


def submit(agency_return, by, entries=None, via="form"):
    return services.return_submit(
        agency_return=agency_return, by=by, entries=entries, expected_version=fresh(agency_return).version, via=via
    )


def refused(exc_info) -> dict:
    return exc_info.value.message_dict


# --- The data set's definition ------------------------------------------------------------------
def _indicator_data(theme, agency, **overrides):
    data = {
        "code": "cse-referrals",
        "title": "Referrals for child sexual exploitation",
        "definition": "Referrals in the quarter where exploitation was a presenting concern.",
        "theme": theme,
        "source": Source.MANUAL,
        "agency": agency,
        "unit": Unit.COUNT,
        "polarity": Polarity.NEUTRAL,
        "period_kind": PeriodKind.QUARTER,
    }
    return {**data, **overrides}


def test_the_business_unit_adds_a_manual_indicator(cast, theme, lead_agency):
    indicator = services.indicator_create(
        partnership=cast.partnership, by=cast.manager, **_indicator_data(theme, lead_agency, registry_code="stale")
    )
    assert (indicator.agency, indicator.registry_code, indicator.version) == (lead_agency, "", 1)
    assert indicator.get_absolute_url() == f"/workspace/returns/indicators/{indicator.pk}/"


def test_a_manual_indicator_needs_its_agency_and_a_percentage_its_labels(cast, theme):
    with pytest.raises(ValidationError) as exc:
        services.indicator_create(
            partnership=cast.partnership, by=cast.manager, **_indicator_data(theme, None, unit=Unit.PERCENT)
        )
    errors = refused(exc)
    assert errors["agency"] == ["Choose the agency that supplies this figure in its return."]
    assert "Say what the numerator counts" in errors["numerator_label"][0]
    assert "Say what the percentage is out of" in errors["denominator_label"][0]


def test_an_agency_supplies_no_rates_per_10000(cast, theme, lead_agency):
    with pytest.raises(ValidationError) as exc:
        services.indicator_create(
            partnership=cast.partnership, by=cast.manager, **_indicator_data(theme, lead_agency, unit=Unit.RATE_10K)
        )
    assert "choose 'Computed' for them" in refused(exc)["unit"][0]


def test_a_computed_indicator_takes_its_unit_and_words_from_the_registry(cast, theme, lead_agency):
    data = _indicator_data(
        theme, lead_agency, source=Source.COMPUTED, registry_code="icpc_within_15_wd", title="", definition=""
    )
    data["code"] = "icpc-timeliness"
    indicator = services.indicator_create(partnership=cast.partnership, by=cast.manager, **data)
    assert indicator.agency is None
    assert indicator.unit == Unit.PERCENT
    assert indicator.title and indicator.definition and indicator.denominator_label
    assert indicator.polarity == Polarity.HIGHER_IS_BETTER


def test_an_unknown_registry_code_is_refused(cast, theme):
    data = _indicator_data(theme, None, source=Source.COMPUTED, registry_code="made_up")
    with pytest.raises(ValidationError) as exc:
        services.indicator_create(partnership=cast.partnership, by=cast.manager, **data)
    assert refused(exc)["registry_code"] == [
        "There is no indicator 'made_up' in the registry: choose one from the list."
    ]


def test_codes_are_unique_within_a_partnership_and_records_come_from_it(cast, theme, lead_agency):
    services.indicator_create(partnership=cast.partnership, by=cast.manager, **_indicator_data(theme, lead_agency))
    foreign = AgencyFactory(partnership=cast.other_partnership)
    with pytest.raises(ValidationError) as exc:
        services.indicator_create(
            partnership=cast.partnership,
            by=cast.manager,
            **_indicator_data(theme, foreign, owner_group=GroupFactory(partnership=cast.other_partnership)),
        )
    errors = refused(exc)
    assert errors["code"] == ["Another indicator already uses the code 'cse-referrals': choose a different one."]
    assert errors["agency"] == ["Choose a agency from the same partnership."]
    assert errors["owner_group"] == ["Choose a group from the same partnership."]


def test_the_amber_threshold_follows_the_polarity(cast, theme, lead_agency):
    base = _indicator_data(theme, lead_agency, polarity=Polarity.HIGHER_IS_BETTER, target=Decimal(70))
    with pytest.raises(ValidationError) as exc:
        services.indicator_create(
            partnership=cast.partnership, by=cast.manager, **{**base, "amber_threshold": Decimal(75)}
        )
    assert "must be at or below the target (70)" in refused(exc)["amber_threshold"][0]
    with pytest.raises(ValidationError) as exc:
        services.indicator_create(
            partnership=cast.partnership, by=cast.manager, **{**base, "target": None, "amber_threshold": Decimal(60)}
        )
    assert refused(exc)["amber_threshold"] == ["Set a target first: the amber threshold is measured against it."]
    indicator = services.indicator_create(
        partnership=cast.partnership, by=cast.manager, **{**base, "amber_threshold": Decimal(60)}
    )
    assert indicator.amber_threshold == 60


def test_only_the_business_unit_changes_the_data_set(cast, theme, lead_agency):
    with pytest.raises(PermissionDenied):
        services.indicator_create(partnership=cast.partnership, by=cast.data_lead, **_indicator_data(theme, None))
    with pytest.raises(PermissionDenied):
        services.theme_create(partnership=cast.partnership, by=cast.other_manager, name="Neglect")


def test_an_edit_from_a_stale_version_is_refused(cast, add_indicator):
    indicator = add_indicator()
    services.indicator_update(indicator=indicator, by=cast.manager, expected_version=1, title="New title")
    with pytest.raises(ConcurrentEditError):
        services.indicator_update(indicator=indicator, by=cast.officer, expected_version=1, title="Other title")
    assert fresh(indicator).title == "New title"


def test_theme_names_are_unique_whatever_their_case(cast, theme):
    with pytest.raises(ValidationError) as exc:
        services.theme_create(partnership=cast.partnership, by=cast.manager, name="exploitation")
    assert refused(exc)["name"] == ["There is already a theme called 'exploitation': choose another name."]
    renamed = services.theme_update(theme=theme, by=cast.manager, expected_version=1, name="Exploitation and gangs")
    assert renamed.version == 2


def test_settings_are_created_on_first_save_and_checked(cast):
    settings = services.dataset_settings_update(
        partnership=cast.partnership, by=cast.manager, expected_version=1, due_days_after_period=45
    )
    assert settings.pk and settings.due_days_after_period == 45
    with pytest.raises(ValidationError) as exc:
        services.dataset_settings_update(
            partnership=cast.partnership,
            by=cast.manager,
            expected_version=1,
            due_days_after_period=0,
            chase_days_after=5,
            escalation_days_after=5,
        )
    errors = refused(exc)
    assert errors["due_days_after_period"] == ["A return is due at least 1 day after its period ends."]
    assert "enter more than 5 working days" in errors["escalation_days_after"][0]


# --- Periods ------------------------------------------------------------------------------------
def test_opening_a_period_gives_each_supplying_agency_one_return(cast, add_indicator, lead_agency, other_agency):
    add_indicator()
    add_indicator()  # two indicators, one return
    add_indicator(agency=other_agency)
    add_indicator(agency=AgencyFactory(partnership=cast.partnership), is_active=False)
    add_indicator(agency=AgencyFactory(partnership=cast.partnership), period_kind=PeriodKind.FINANCIAL_YEAR)
    add_indicator(agency=AgencyFactory(partnership=cast.partnership, is_active=False))
    period = services.period_open(
        partnership=cast.partnership, kind=PeriodKind.QUARTER, start=dt.date(2025, 10, 1), by=cast.manager
    )
    assert (period.label, period.end, period.due_date) == ("2025-26 Q3", dt.date(2025, 12, 31), dt.date(2026, 1, 30))
    returns = AgencyReturn.objects.filter(period=period)
    assert sorted(r.agency.name for r in returns) == sorted([lead_agency.name, other_agency.name])
    assert {r.status for r in returns} == {ReturnStatus.NOT_STARTED}
    assert {r.due_date for r in returns} == {period.due_date}


def test_opening_again_adds_returns_for_new_agencies_and_never_duplicates(cast, add_indicator):
    add_indicator()
    start = dt.date(2025, 10, 1)
    first = services.period_open(partnership=cast.partnership, kind=PeriodKind.QUARTER, start=start, by=cast.manager)
    again = services.period_open(partnership=cast.partnership, kind=PeriodKind.QUARTER, start=start, by=cast.manager)
    assert first == again
    assert first.returns.count() == 1
    add_indicator(agency=AgencyFactory(partnership=cast.partnership, name="Northdale Schools"))
    services.period_open(partnership=cast.partnership, kind=PeriodKind.QUARTER, start=start, by=cast.officer)
    assert first.returns.count() == 2
    assert ReportingPeriod.objects.count() == 1


def test_the_due_date_uses_the_settings_and_the_partnerships_closure_days(cast, add_indicator):
    add_indicator()
    DataSetSettingsFactory(partnership=cast.partnership, due_days_after_period=86)
    ClosureDay.objects.create(partnership=cast.partnership, date=dt.date(2025, 12, 29), reason="Council closed")
    period = services.period_open(
        partnership=cast.partnership, kind=PeriodKind.QUARTER, start=dt.date(2025, 7, 1), by=None
    )
    # 30 September + 86 days is Christmas Day; Boxing Day, the weekend and the closure day follow.
    assert period.due_date == dt.date(2025, 12, 30)


def test_a_period_must_start_on_its_first_day_and_only_the_business_unit_opens_one(cast):
    with pytest.raises(ValidationError) as exc:
        services.period_open(
            partnership=cast.partnership, kind=PeriodKind.QUARTER, start=dt.date(2025, 8, 1), by=cast.manager
        )
    assert refused(exc)["start"] == [
        "1 August 2025 is not the first day of a period: a quarter starts on 1 April, 1 July, 1 October or 1 January."
    ]
    with pytest.raises(PermissionDenied):
        services.period_open(
            partnership=cast.partnership, kind=PeriodKind.QUARTER, start=dt.date(2025, 7, 1), by=cast.data_lead
        )


# --- The rows of a return -----------------------------------------------------------------------
def test_a_return_lists_exactly_what_its_agency_supplies_with_a_row_per_active_locality(
    cast, add_indicator, agency_return, other_agency
):
    north = LocalityFactory(partnership=cast.partnership, name="North", code="north")
    south = LocalityFactory(partnership=cast.partnership, name="South", code="south")
    LocalityFactory(partnership=cast.partnership, name="Old", code="old", is_active=False)
    LocalityFactory(partnership=cast.other_partnership, name="Elsewhere", code="elsewhere")
    by_area = add_indicator(title="Missing episodes", by_locality=True, position=1)
    plain = add_indicator(title="Return interviews", position=2)
    add_indicator(agency=other_agency)
    add_indicator(is_active=False)
    add_indicator(period_kind=PeriodKind.FINANCIAL_YEAR)
    slots = selectors.return_slots(agency_return=agency_return)
    assert [s.key for s in slots] == [key(by_area), key(by_area, north), key(by_area, south), key(plain)]
    assert [s.label for s in slots][:2] == ["Missing episodes", "Missing episodes: North"]
    assert slots[1].path == f"{by_area.code}/north"


# --- Draft saves --------------------------------------------------------------------------------
def test_a_draft_may_be_partial_and_starts_the_return(cast, add_indicator, agency_return):
    first, second = add_indicator(), add_indicator()
    saved = save(agency_return, cast.data_lead, {key(first): Entry(value="12", comment="  Rose after a campaign ")})
    assert saved.status == ReturnStatus.IN_PROGRESS and saved.started_at is not None
    value = ReturnValue.objects.get()
    assert (value.indicator, value.value, value.comment, value.updated_by) == (
        first,
        12,
        "Rose after a campaign",
        cast.data_lead,
    )
    assert not ReturnValue.objects.filter(indicator=second).exists()
    assert LogEntry.objects.get_for_object(value).count() == 1  # every figure typed is in the audit log


def test_a_draft_with_a_wrong_figure_saves_nothing(cast, add_indicator, agency_return):
    first, second = add_indicator(), add_indicator()
    with pytest.raises(services.ReturnInvalid) as exc:
        save(agency_return, cast.data_lead, {key(first): Entry(value="7"), key(second): Entry(value="-2")})
    assert exc.value.message_dict == {
        f"{second.code}.value": ["Enter a whole number of 0 or more: a figure cannot be negative"]
    }
    assert not ReturnValue.objects.exists()
    assert fresh(agency_return).status == ReturnStatus.NOT_STARTED


def test_rows_left_out_keep_their_figures_and_a_later_save_changes_only_what_changed(
    cast, add_indicator, agency_return
):
    first, second = add_indicator(), add_indicator()
    save(agency_return, cast.data_lead, {key(first): Entry(value=5), key(second): Entry(value=6)})
    save(agency_return, cast.manager, {key(second): Entry(value=8)})
    assert dict(ReturnValue.objects.values_list("indicator_id", "value")) == {first.pk: 5, second.pk: 8}
    assert ReturnValue.objects.get(indicator=first).updated_by == cast.data_lead


def test_figures_for_rows_the_return_does_not_have_are_refused(cast, add_indicator, agency_return, other_agency):
    elsewhere = add_indicator(agency=other_agency)
    with pytest.raises(ValidationError) as exc:
        save(agency_return, cast.data_lead, {key(elsewhere): Entry(value=1)})
    assert "this return does not have" in refused(exc)["values"][0]


def test_only_the_agencys_data_leads_and_the_business_unit_fill_it_in(cast, add_indicator, agency_return, other_agency):
    indicator = add_indicator()
    elsewhere = AgencyReturnFactory(partnership=cast.partnership, agency=other_agency, period=agency_return.period)
    with pytest.raises(PermissionDenied):
        save(elsewhere, cast.data_lead, {})
    with pytest.raises(PermissionDenied):
        save(agency_return, cast.other_manager, {key(indicator): Entry(value=1)})
    with pytest.raises(PermissionDenied):
        save(agency_return, cast.board_member, {key(indicator): Entry(value=1)})
    save(agency_return, cast.officer, {key(indicator): Entry(value=1)})


def test_two_people_saving_from_the_same_version_do_not_overwrite_each_other(cast, add_indicator, agency_return):
    indicator = add_indicator()
    version = fresh(agency_return).version
    services.return_save(
        agency_return=agency_return,
        by=cast.data_lead,
        entries={key(indicator): Entry(value=3)},
        expected_version=version,
    )
    with pytest.raises(ConcurrentEditError):
        services.return_save(
            agency_return=agency_return,
            by=cast.officer,
            entries={key(indicator): Entry(value=4)},
            expected_version=version,
        )
    assert ReturnValue.objects.get().value == 3


# --- Submitting ---------------------------------------------------------------------------------
def test_submit_writes_the_submission_status_and_the_data_sets_figures(cast, add_indicator, agency_return):
    count = add_indicator(code="cse", position=1)
    share = add_indicator(percent=True, code="iha", position=2)
    missing = add_indicator(code="missing", position=3)
    entries = {
        key(count): Entry(value="44"),
        key(share): Entry(value="45", denominator="50"),
        key(missing): Entry(not_available=True, reason="New system not live"),
    }
    submission = submit(agency_return, cast.data_lead, entries)
    agency_return = fresh(agency_return)
    assert agency_return.status == ReturnStatus.SUBMITTED
    assert (agency_return.submitted_by, agency_return.submitted_at) == (cast.data_lead, submission.submitted_at)
    assert (submission.number, submission.via, submission.changes) == (1, "form", [])
    assert [(v["indicator"], v["text"]) for v in submission.values] == [
        ("cse", "44"),
        ("iha", "45 of 50 (90.0%)"),
        ("missing", "not available"),
    ]
    figures = {f.indicator.code: f for f in DataSetFigure.objects.select_related("indicator")}
    assert (figures["cse"].numerator, figures["cse"].value) == (44, Decimal(44))
    assert (figures["iha"].numerator, figures["iha"].denominator, figures["iha"].value) == (45, 50, Decimal("90"))
    assert figures["missing"].not_available and figures["missing"].value is None
    assert figures["missing"].not_available_reason == "New system not live"
    assert {f.source_return_id for f in figures.values()} == {agency_return.pk}
    assert {f.period_id for f in figures.values()} == {agency_return.period_id}


def test_a_blank_row_stops_the_submission_and_nothing_is_saved(cast, add_indicator, agency_return):
    first, second = add_indicator(), add_indicator()
    with pytest.raises(services.ReturnInvalid) as exc:
        submit(agency_return, cast.data_lead, {key(first): Entry(value=3)})
    assert exc.value.message_dict == {f"{second.code}.value": ["Enter the figure, or tick 'Not available' and say why"]}
    assert not ReturnValue.objects.exists() and not ReturnSubmission.objects.exists()
    assert fresh(agency_return).status == ReturnStatus.NOT_STARTED


def test_stored_draft_figures_are_submitted(cast, add_indicator, agency_return):
    indicator = add_indicator()
    save(agency_return, cast.data_lead, {key(indicator): Entry(value=9)})
    submit(agency_return, cast.data_lead)
    assert DataSetFigure.objects.get().numerator == 9


def test_a_large_change_from_the_last_submitted_period_needs_a_comment(
    cast, add_indicator, agency_return, previous_quarter
):
    indicator = add_indicator()
    DataSetFigureFactory(
        partnership=cast.partnership, indicator=indicator, period=previous_quarter, numerator=44, value=44
    )
    with pytest.raises(services.ReturnInvalid) as exc:
        submit(agency_return, cast.data_lead, {key(indicator): Entry(value=102)})
    assert exc.value.message_dict[f"{indicator.code}.comment"] == [
        "Add a comment saying why: the figure rose by 132%, from 44 in 2025-26 Q1 to 102 "
        "(a comment is needed above 25%)"
    ]
    submit(agency_return, cast.data_lead, {key(indicator): Entry(value=102, comment="Schools campaign")})


def test_the_last_submitted_figure_skips_periods_without_one(cast, add_indicator, agency_return, previous_quarter):
    indicator = add_indicator()
    older = QuarterFactory(partnership=cast.partnership, start=dt.date(2025, 1, 1))
    DataSetFigureFactory(partnership=cast.partnership, indicator=indicator, period=older, numerator=10, value=10)
    DataSetFigureFactory(
        partnership=cast.partnership,
        indicator=indicator,
        period=previous_quarter,
        numerator=None,
        value=None,
        not_available=True,
        not_available_reason="Down",
    )
    previous = selectors.previous_figures(
        agency_return=agency_return, slots=selectors.return_slots(agency_return=agency_return)
    )
    assert previous[key(indicator)].period_label == "2024-25 Q4"
    assert previous[key(indicator)].value == 10


def test_by_locality_figures_cannot_add_up_to_more_than_the_whole_area(cast, add_indicator, agency_return):
    north = LocalityFactory(partnership=cast.partnership, name="North", code="north")
    south = LocalityFactory(partnership=cast.partnership, name="South", code="south")
    indicator = add_indicator(by_locality=True)
    entries = {
        key(indicator): Entry(value=10),
        key(indicator, north): Entry(value=6),
        key(indicator, south): Entry(value=5),
    }
    with pytest.raises(services.ReturnInvalid) as exc:
        submit(agency_return, cast.data_lead, entries)
    assert list(exc.value.message_dict) == [f"{indicator.code}.value"]
    entries[key(indicator, south)] = Entry(value=4)
    submit(agency_return, cast.data_lead, entries)
    assert DataSetFigure.objects.filter(locality__isnull=False).count() == 2


def test_a_numerator_above_its_denominator_is_refused(cast, add_indicator, agency_return):
    indicator = add_indicator(percent=True)
    with pytest.raises(services.ReturnInvalid) as exc:
        submit(agency_return, cast.data_lead, {key(indicator): Entry(value=51, denominator=50)})
    assert "cannot be more than the denominator" in exc.value.message_dict[f"{indicator.code}.value"][0]


def test_not_available_needs_a_reason(cast, add_indicator, agency_return):
    indicator = add_indicator()
    with pytest.raises(services.ReturnInvalid) as exc:
        save(agency_return, cast.data_lead, {key(indicator): Entry(not_available=True)})
    assert list(exc.value.message_dict) == [f"{indicator.code}.reason"]


def test_a_return_with_nothing_to_fill_in_cannot_be_submitted(cast, agency_return):
    with pytest.raises(ValidationError, match="nothing to submit"):
        submit(agency_return, cast.data_lead)


def test_a_submitted_return_cannot_be_changed_until_it_is_reopened(cast, add_indicator, agency_return):
    indicator = add_indicator()
    submit(agency_return, cast.data_lead, {key(indicator): Entry(value=1)})
    with pytest.raises(ValidationError, match="ask the business unit to reopen it"):
        save(agency_return, cast.data_lead, {key(indicator): Entry(value=2)})
    with pytest.raises(ValidationError, match="ask the business unit to reopen it"):
        submit(agency_return, cast.manager)


# --- Reopening and resubmitting -----------------------------------------------------------------
def test_the_business_unit_reopens_with_a_reason_and_a_resubmission_keeps_the_history(
    cast, add_indicator, agency_return
):
    cse = add_indicator(code="cse", title="CSE referrals", position=1)
    harm = add_indicator(code="harm", title="Self-harm attendances", position=2)
    submit(agency_return, cast.data_lead, {key(cse): Entry(value=44), key(harm): Entry(value=332)})
    with pytest.raises(PermissionDenied):
        services.return_reopen(
            agency_return=agency_return, by=cast.data_lead, reason="x", expected_version=fresh(agency_return).version
        )
    with pytest.raises(ValidationError) as exc:
        services.return_reopen(
            agency_return=agency_return, by=cast.manager, reason=" ", expected_version=fresh(agency_return).version
        )
    assert "Say why the return is being reopened" in refused(exc)["reason"][0]
    reopened = services.return_reopen(
        agency_return=agency_return,
        by=cast.manager,
        reason="CSE double-counted",
        expected_version=fresh(agency_return).version,
    )
    assert (reopened.status, reopened.reopened_by, reopened.reopen_reason) == (
        ReturnStatus.REOPENED,
        cast.manager,
        "CSE double-counted",
    )
    assert DataSetFigure.objects.get(indicator=cse).numerator == 44  # stands until resubmitted

    save(agency_return, cast.data_lead, {key(cse): Entry(value=40)})
    assert fresh(agency_return).status == ReturnStatus.REOPENED  # a draft keeps it reopened
    second = submit(agency_return, cast.data_lead, via="spreadsheet")
    assert (second.number, second.via) == (2, "spreadsheet")
    assert second.changes == [
        {"indicator": "cse", "title": "CSE referrals", "locality": None, "area": "Whole area", "old": "44", "new": "40"}
    ]
    history = list(selectors.submission_list(agency_return=agency_return))
    assert [s.number for s in history] == [2, 1]
    assert [v["value"] for v in history[1].values] == [44, 332]  # the first submission is kept as it was
    assert fresh(agency_return).status == ReturnStatus.SUBMITTED
    assert DataSetFigure.objects.get(indicator=cse).numerator == 40
    assert DataSetFigure.objects.count() == 2


def test_only_a_submitted_return_can_be_reopened(cast, agency_return):
    with pytest.raises(ValidationError, match="Only a submitted return can be reopened"):
        services.return_reopen(agency_return=agency_return, by=cast.manager, reason="x", expected_version=1)


# --- State --------------------------------------------------------------------------------------
def test_late_is_worked_out_from_the_due_date_and_the_status(cast, lead_agency):
    today = dt.date(2025, 11, 1)
    period = QuarterFactory(partnership=cast.partnership, start=dt.date(2025, 7, 1), due_date=dt.date(2025, 10, 31))
    make = AgencyReturnFactory
    cases = {
        "late": make(partnership=cast.partnership, period=period, status=ReturnStatus.IN_PROGRESS),
        "not_started": make(partnership=cast.partnership, period=period, due_date=today),
        "submitted": make(
            partnership=cast.partnership,
            period=period,
            status=ReturnStatus.SUBMITTED,
            submitted_at=dt.datetime(2025, 11, 1, tzinfo=dt.UTC),
        ),
        "reopened": make(partnership=cast.partnership, period=period, status=ReturnStatus.REOPENED),
    }
    states = dict(selectors.returns_with_state(AgencyReturn.objects.all(), today=today).values_list("pk", "state"))
    assert {state: states[r.pk] for state, r in cases.items()} == {state: state for state in cases}
    assert {state: selectors.state_of(r, today) for state, r in cases.items()} == {state: state for state in cases}


def test_another_partnerships_theme_is_not_offered(cast):
    ThemeFactory(partnership=cast.other_partnership, name="Elsewhere")
    assert not selectors.theme_list(user=cast.manager).filter(name="Elsewhere").exists()
    assert ManualIndicatorFactory(partnership=cast.other_partnership).pk not in selectors.indicator_list(
        user=cast.manager
    ).values_list("pk", flat=True)
