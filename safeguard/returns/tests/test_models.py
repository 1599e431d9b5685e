"""The data set's invariants kept by the database, and the factories building valid records."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from safeguard.returns.choices import ReturnStatus, Source
from safeguard.returns.models import ReturnValue
from safeguard.returns.testing import (
    AgencyReturnFactory,
    CommentaryFactory,
    ComputedIndicatorFactory,
    DataSetFigureFactory,
    DataSetSettingsFactory,
    PercentIndicatorFactory,
    QuarterFactory,
    ReturnEmailFactory,
    ReturnSubmissionFactory,
    ReturnValueFactory,
    quarter_bounds,
)

pytestmark = pytest.mark.django_db


def test_quarter_bounds_follow_the_financial_year():
    assert quarter_bounds(dt.date(2025, 4, 1)) == (dt.date(2025, 6, 30), "2025-26 Q1")
    assert quarter_bounds(dt.date(2025, 10, 1)) == (dt.date(2025, 12, 31), "2025-26 Q3")
    assert quarter_bounds(dt.date(2024, 1, 1)) == (dt.date(2024, 3, 31), "2023-24 Q4")  # leap year: no 29 March issue


def test_every_factory_builds_a_valid_record():
    for make in (
        DataSetSettingsFactory,
        PercentIndicatorFactory,
        ComputedIndicatorFactory,
        QuarterFactory,
        AgencyReturnFactory,
        ReturnValueFactory,
        ReturnSubmissionFactory,
        ReturnEmailFactory,
        DataSetFigureFactory,
        CommentaryFactory,
    ):
        make().full_clean()


def test_an_indicator_is_either_supplied_by_an_agency_or_computed():
    indicator = ComputedIndicatorFactory()
    indicator.source = Source.MANUAL  # no agency
    with pytest.raises(IntegrityError), transaction.atomic():
        indicator.save()


def test_a_value_not_available_needs_a_reason_and_no_figure():
    value = ReturnValueFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ReturnValue.objects.filter(pk=value.pk).update(not_available=True)
    ReturnValue.objects.filter(pk=value.pk).update(not_available=True, value=None, not_available_reason="System down")


def test_a_numerator_cannot_exceed_its_denominator():
    value = ReturnValueFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ReturnValue.objects.filter(pk=value.pk).update(value=10, denominator=9)


def test_an_automatic_email_stage_is_recorded_once_per_return_but_chases_by_hand_repeat():
    first = ReturnEmailFactory(stage="chase")
    with pytest.raises(IntegrityError), transaction.atomic():
        ReturnEmailFactory(agency_return=first.agency_return, stage="chase")
    ReturnEmailFactory(agency_return=first.agency_return, stage="manual")
    ReturnEmailFactory(agency_return=first.agency_return, stage="manual")


def test_a_submitted_return_has_a_submission_time():
    with pytest.raises(IntegrityError), transaction.atomic():
        AgencyReturnFactory(status=ReturnStatus.SUBMITTED)
