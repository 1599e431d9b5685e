"""Fixtures of the returns tests: the data lead's agency (the cast's "Northdale Constabulary"), a
theme, a quarter and a return of that agency, and a way to add its indicators."""

import datetime as dt

import pytest

from safeguard.core.testing import AgencyFactory
from safeguard.partnerships.models import RoleAssignment
from safeguard.returns.testing import (
    AgencyReturnFactory,
    ManualIndicatorFactory,
    PercentIndicatorFactory,
    QuarterFactory,
    ThemeFactory,
)


@pytest.fixture
def lead_agency(cast):
    return RoleAssignment.objects.get(user=cast.data_lead, partnership=cast.partnership).agency


@pytest.fixture
def other_agency(cast):
    return AgencyFactory(partnership=cast.partnership, name="Northdale Health Trust")


@pytest.fixture
def theme(cast):
    return ThemeFactory(partnership=cast.partnership, name="Exploitation", position=1)


@pytest.fixture
def quarter(cast):
    """2025-26 Q2 (July to September 2025), due a year from now so it is not late."""
    return QuarterFactory(
        partnership=cast.partnership,
        start=dt.date(2025, 7, 1),
        due_date=dt.date.today() + dt.timedelta(days=365),
    )


@pytest.fixture
def previous_quarter(cast):
    return QuarterFactory(partnership=cast.partnership, start=dt.date(2025, 4, 1))


@pytest.fixture
def add_indicator(cast, lead_agency, theme):
    """``add_indicator(percent=False, **fields)``: a manual indicator the data lead's agency supplies
    (a count, or a percentage with a target of 90 and amber from 80)."""

    def make(percent=False, **fields):
        fields.setdefault("partnership", cast.partnership)
        fields.setdefault("agency", lead_agency)
        fields.setdefault("theme", theme)
        return (PercentIndicatorFactory if percent else ManualIndicatorFactory)(**fields)

    return make


@pytest.fixture
def agency_return(cast, lead_agency, quarter):
    return AgencyReturnFactory(partnership=cast.partnership, agency=lead_agency, period=quarter)
