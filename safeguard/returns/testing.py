"""Factories for the data set and the agencies' returns, and the permission harness's objects.

All data is synthetic. ``ManualIndicatorFactory`` makes an indicator supplied by an agency;
``ComputedIndicatorFactory`` one taken from the indicator registry. ``QuarterFactory`` makes
financial-year quarters (``start`` the first day of the quarter).
"""

from __future__ import annotations

import datetime as dt

import factory

from safeguard.core.testing import AgencyFactory, PartnershipFactory

from .choices import PeriodKind, Polarity, ReturnStatus, Source, ThemeKind, Unit
from .models import (
    AgencyReturn,
    Commentary,
    DataSetFigure,
    DataSetIndicator,
    DataSetSettings,
    ReportingPeriod,
    ReturnEmail,
    ReturnSubmission,
    ReturnValue,
    Theme,
)


def quarter_bounds(start: dt.date) -> tuple[dt.date, str]:
    """The end of the financial-year quarter starting on ``start`` and its label (2025-26 Q3)."""
    month = start.month + 3
    year = start.year + (month > 12)
    month = month - 12 if month > 12 else month
    end = dt.date(year, month, 1) - dt.timedelta(days=1)
    fy = start.year if start.month >= 4 else start.year - 1
    q = (start.month - 4) % 12 // 3 + 1
    return end, f"{fy}-{(fy + 1) % 100:02d} Q{q}"


class DataSetSettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DataSetSettings

    partnership = factory.SubFactory(PartnershipFactory)


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme

    partnership = factory.SubFactory(PartnershipFactory)
    name = factory.Sequence(lambda n: f"Theme {n}")
    kind = ThemeKind.THEME


class ManualIndicatorFactory(factory.django.DjangoModelFactory):
    """A count supplied each quarter by one agency."""

    class Meta:
        model = DataSetIndicator

    partnership = factory.SubFactory(PartnershipFactory)
    code = factory.Sequence(lambda n: f"manual-{n}")
    title = factory.Sequence(lambda n: f"Referrals for child sexual exploitation {n}")
    definition = "Referrals received in the quarter where exploitation was a presenting concern."
    theme = factory.SubFactory(ThemeFactory, partnership=factory.SelfAttribute("..partnership"))
    source = Source.MANUAL
    agency = factory.SubFactory(AgencyFactory, partnership=factory.SelfAttribute("..partnership"))
    unit = Unit.COUNT
    polarity = Polarity.NEUTRAL
    period_kind = PeriodKind.QUARTER


class PercentIndicatorFactory(ManualIndicatorFactory):
    """A percentage supplied as a numerator and a denominator, higher is better, with a target."""

    title = factory.Sequence(lambda n: f"Health assessments on time {n}")
    unit = Unit.PERCENT
    numerator_label = "Initial health assessments within 20 working days"
    denominator_label = "Initial health assessments due"
    polarity = Polarity.HIGHER_IS_BETTER
    target = 90
    amber_threshold = 80


class ComputedIndicatorFactory(factory.django.DjangoModelFactory):
    """An indicator whose figures come from the indicator registry (statutory extracts)."""

    class Meta:
        model = DataSetIndicator

    partnership = factory.SubFactory(PartnershipFactory)
    code = factory.Sequence(lambda n: f"computed-{n}")
    title = "Initial conferences within 15 working days of the section 47 enquiry starting"
    definition = "From the CIN census: see the indicator registry."
    theme = factory.SubFactory(ThemeFactory, partnership=factory.SelfAttribute("..partnership"))
    source = Source.COMPUTED
    registry_code = "icpc_within_15_wd"
    unit = Unit.PERCENT
    numerator_label = "ICPCs within 15 working days"
    denominator_label = "ICPCs"
    polarity = Polarity.HIGHER_IS_BETTER
    period_kind = PeriodKind.FINANCIAL_YEAR


class QuarterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportingPeriod
        django_get_or_create = ("partnership", "kind", "start")

    partnership = factory.SubFactory(PartnershipFactory)
    kind = PeriodKind.QUARTER
    start = dt.date(2025, 4, 1)
    end = factory.LazyAttribute(lambda o: quarter_bounds(o.start)[0])
    label = factory.LazyAttribute(lambda o: quarter_bounds(o.start)[1])
    due_date = factory.LazyAttribute(lambda o: o.end + dt.timedelta(days=30))


class AgencyReturnFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgencyReturn

    partnership = factory.SubFactory(PartnershipFactory)
    agency = factory.SubFactory(AgencyFactory, partnership=factory.SelfAttribute("..partnership"))
    period = factory.SubFactory(QuarterFactory, partnership=factory.SelfAttribute("..partnership"))
    due_date = factory.SelfAttribute("period.due_date")
    status = ReturnStatus.NOT_STARTED


class ReturnValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReturnValue

    agency_return = factory.SubFactory(AgencyReturnFactory)
    indicator = factory.SubFactory(
        ManualIndicatorFactory,
        partnership=factory.SelfAttribute("..agency_return.partnership"),
        agency=factory.SelfAttribute("..agency_return.agency"),
    )
    value = 12


class ReturnSubmissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReturnSubmission

    agency_return = factory.SubFactory(
        AgencyReturnFactory,
        status=ReturnStatus.SUBMITTED,
        submitted_at=factory.LazyFunction(lambda: dt.datetime(2025, 7, 20, 10, 0, tzinfo=dt.UTC)),
    )
    number = 1
    submitted_at = factory.LazyFunction(lambda: dt.datetime(2025, 7, 20, 10, 0, tzinfo=dt.UTC))
    values = factory.LazyFunction(list)


class ReturnEmailFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReturnEmail

    agency_return = factory.SubFactory(AgencyReturnFactory)
    stage = "reminder"
    recipients = 1


class DataSetFigureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DataSetFigure

    partnership = factory.SubFactory(PartnershipFactory)
    indicator = factory.SubFactory(ManualIndicatorFactory, partnership=factory.SelfAttribute("..partnership"))
    period = factory.SubFactory(QuarterFactory, partnership=factory.SelfAttribute("..partnership"))
    numerator = 12
    value = 12


class CommentaryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commentary

    indicator = factory.SubFactory(ManualIndicatorFactory)
    period = factory.SubFactory(QuarterFactory, partnership=factory.SelfAttribute("..indicator.partnership"))
    text = "Referrals rose after the awareness campaign in schools; the sub-group will look at outcomes."


def harness_objects(cast, partnership) -> dict:
    """One object of each model that appears as ``<int:pk>`` in a workspace URL. The return belongs
    to the cast's data lead's agency (so the data lead can open it)."""
    from safeguard.partnerships.models import RoleAssignment

    lead = RoleAssignment.objects.filter(user=cast.data_lead, partnership=partnership).first()
    agency = lead.agency if lead is not None and lead.agency else AgencyFactory(partnership=partnership)
    indicator = ManualIndicatorFactory(partnership=partnership, agency=agency)
    agency_return = AgencyReturnFactory(partnership=partnership, agency=agency)
    return {
        Theme: indicator.theme,
        DataSetIndicator: indicator,
        ReportingPeriod: agency_return.period,
        AgencyReturn: agency_return,
    }


class EscalationContactFactory(factory.django.DjangoModelFactory):
    """The person an agency's second chase is copied to (a person of the same partnership)."""

    class Meta:
        model = "returns.EscalationContact"

    partnership = factory.SubFactory(PartnershipFactory)
    agency = factory.SubFactory(AgencyFactory, partnership=factory.SelfAttribute("..partnership"))
    person = factory.SubFactory(
        "safeguard.core.testing.PersonFactory",
        partnership=factory.SelfAttribute("..partnership"),
        email="escalation@agency.test",
    )
