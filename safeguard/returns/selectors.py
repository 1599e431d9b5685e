"""Reads for the data set and the agencies' returns. Every read starts from ``visible_to(user)``.

- The data set's definition (themes, indicators) is read by everyone with ``indicators.view`` in
  the partnership (``returns.view_dataset``).
- Periods, settings and the completeness grid are the business unit's (``returns.manage``).
- A return is seen by the business unit of its partnership and by the data leads of **its own
  agency** only (``return_list``): a data lead asking for another agency's return gets a 404, as
  for another partnership's.
- "Late" is not stored: ``returns_with_state`` works it out from the status and the due date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Case, CharField, Count, F, Q, Value, When

from safeguard.core.access import has_capability, partnerships_with_capability
from safeguard.core.roles import Capability
from safeguard.partnerships.models import Agency, Locality, Partnership

from . import periods as period_rules
from .choices import PeriodKind, ReturnStatus, Source
from .models import (
    AgencyReturn,
    DataSetFigure,
    DataSetIndicator,
    DataSetSettings,
    ReportingPeriod,
    ReturnSubmission,
    ReturnValue,
    Theme,
)
from .rules import data_lead_agency_ids
from .validation import Previous, Slot

#: How many earlier periods are searched for the "last submitted" figure a value is compared with.
PREVIOUS_LOOKBACK = 8


class ReturnState(models.TextChoices):
    """What the pages show for a return: its status, or "late" when it is not submitted (nor
    reopened by the business unit) and its due date has passed."""

    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    SUBMITTED = "submitted", "Submitted"
    LATE = "late", "Late"
    REOPENED = "reopened", "Reopened"


STATE_TAGS = {
    ReturnState.NOT_STARTED: "govuk-tag--grey",
    ReturnState.IN_PROGRESS: "govuk-tag--blue",
    ReturnState.SUBMITTED: "govuk-tag--green",
    ReturnState.LATE: "govuk-tag--red",
    ReturnState.REOPENED: "govuk-tag--yellow",
}


def state_of(agency_return: AgencyReturn, today: dt.date) -> str:
    """The state of one return already in memory (the same rule as ``returns_with_state``)."""
    if agency_return.status in (ReturnStatus.SUBMITTED, ReturnStatus.REOPENED):
        return agency_return.status
    return ReturnState.LATE if agency_return.due_date < today else agency_return.status


def returns_with_state(queryset, *, today: dt.date):
    """``queryset`` of returns annotated with ``state`` (a ``ReturnState`` value)."""
    return queryset.annotate(
        state=Case(
            When(status=ReturnStatus.SUBMITTED, then=Value(ReturnState.SUBMITTED.value)),
            When(status=ReturnStatus.REOPENED, then=Value(ReturnState.REOPENED.value)),
            When(due_date__lt=today, then=Value(ReturnState.LATE.value)),
            default=F("status"),
            output_field=CharField(),
        )
    )


# --- Partnerships -------------------------------------------------------------------------------
def _partnerships(user, capability: str):
    ids = partnerships_with_capability(user, capability) if user.is_authenticated else []
    qs = Partnership.objects.visible_to(user).filter(is_active=True).order_by("name")
    return qs if ids is None else qs.filter(pk__in=ids)


def partnerships_managing_dataset(*, user):
    """Partnerships whose data set, periods and returns the user manages."""
    return _partnerships(user, Capability.MANAGE_RETURNS)


def partnerships_viewing_dataset(*, user):
    return _partnerships(user, Capability.VIEW_INDICATORS)


def partnership_get(*, user, pk):
    return Partnership.objects.visible_to(user).get(pk=pk)


def _in(qs, ids, path: str = "partnership_id"):
    return qs if ids is None else qs.filter(**{f"{path}__in": ids})


def settings_for(*, partnership: Partnership) -> DataSetSettings:
    """The partnership's settings, or the defaults (unsaved) when it has none yet."""
    found = DataSetSettings.objects.filter(partnership=partnership).first()
    return found or DataSetSettings(partnership=partnership)


# --- The data set's definition ------------------------------------------------------------------
def theme_list(*, user):
    qs = Theme.objects.visible_to(user).select_related("partnership")
    return _in(qs, partnerships_with_capability(user, Capability.VIEW_INDICATORS))


def theme_get(*, user, pk):
    return theme_list(user=user).get(pk=pk)


def indicator_list(*, user):
    """The data set's indicators the user may read: one query for a page, whatever its length."""
    qs = DataSetIndicator.objects.visible_to(user).select_related("partnership", "theme", "agency", "owner_group")
    return _in(qs, partnerships_with_capability(user, Capability.VIEW_INDICATORS))


def indicator_get(*, user, pk):
    return indicator_list(user=user).get(pk=pk)


def indicator_returns(*, indicator: DataSetIndicator, limit: int = 8):
    """The latest figures of an indicator (whole area), newest first, with the return each came from."""
    return (
        DataSetFigure.objects.filter(indicator=indicator, locality__isnull=True)
        .select_related("period", "source_return", "source_return__submitted_by")
        .order_by("-period__start")[:limit]
    )


# --- Periods ------------------------------------------------------------------------------------
def period_list(*, user, today: dt.date):
    """Periods of the partnerships the user manages, with their returns counted by state."""
    qs = ReportingPeriod.objects.visible_to(user).select_related("partnership")
    qs = _in(qs, partnerships_with_capability(user, Capability.MANAGE_RETURNS))
    open_ = ~Q(returns__status__in=[ReturnStatus.SUBMITTED, ReturnStatus.REOPENED])
    return qs.annotate(
        return_count=Count("returns"),
        submitted_count=Count("returns", filter=Q(returns__status=ReturnStatus.SUBMITTED)),
        late_count=Count("returns", filter=open_ & Q(returns__due_date__lt=today)),
    )


def period_get(*, user, pk):
    """A period of the user's partnerships (its page checks that they manage returns: 403 if not)."""
    return ReportingPeriod.objects.visible_to(user).select_related("partnership").get(pk=pk)


def period_returns(*, period: ReportingPeriod, today: dt.date):
    qs = period.returns.select_related("agency", "submitted_by").order_by("agency__name", "pk")
    return returns_with_state(qs, today=today)


# --- Returns ------------------------------------------------------------------------------------
def return_list(*, user):
    """The returns the user may see: every return of the partnerships whose business unit they are
    in, and the returns of the agencies they are a current data lead for. Nothing else."""
    qs = AgencyReturn.objects.visible_to(user).select_related("partnership", "agency", "period", "submitted_by")
    managing = partnerships_with_capability(user, Capability.MANAGE_RETURNS) if user.is_authenticated else []
    if managing is None:
        return qs
    submitting = partnerships_with_capability(user, Capability.SUBMIT_RETURNS)
    own_agency = Q(partnership_id__in=submitting, agency_id__in=data_lead_agency_ids(user))
    return qs.filter(Q(partnership_id__in=managing) | own_agency)


def return_get(*, user, pk):
    """One return for its pages. Another partnership's is a ``DoesNotExist`` (404), and so is another
    agency's for a data lead: they never learn it exists. Other roles of the partnership get the
    record, and the page's permission check refuses them (403), as for any page they may not open."""
    found = (
        AgencyReturn.objects.visible_to(user)
        .select_related("partnership", "agency", "period", "submitted_by", "reopened_by")
        .get(pk=pk)
    )
    if not user.has_perm("returns.view_return", found) and has_capability(
        user, found.partnership_id, Capability.SUBMIT_RETURNS
    ):
        raise AgencyReturn.DoesNotExist("No such return")
    return found


def return_slots(*, agency_return: AgencyReturn) -> list[Slot]:
    """Exactly the rows the agency owes for this period: each active manual indicator it supplies
    for the period's kind (by theme), and for a by-locality indicator, the whole area and then each
    active locality. Two queries."""
    indicators = list(
        DataSetIndicator.objects.filter(
            partnership_id=agency_return.partnership_id,
            agency_id=agency_return.agency_id,
            source=Source.MANUAL,
            is_active=True,
            period_kind=agency_return.period.kind,
        )
        .select_related("theme")
        .order_by("theme__position", "theme__name", "position", "title", "pk")
    )
    localities = []
    if any(i.by_locality for i in indicators):
        localities = list(
            Locality.objects.filter(partnership_id=agency_return.partnership_id, is_active=True).order_by("name", "pk")
        )
    slots = []
    for indicator in indicators:
        slots.append(Slot(indicator))
        if indicator.by_locality:
            slots.extend(Slot(indicator, locality) for locality in localities)
    return slots


def return_values(*, agency_return: AgencyReturn) -> dict[tuple, ReturnValue]:
    """The stored figures of a return by slot key."""
    return {(v.indicator_id, v.locality_id): v for v in ReturnValue.objects.filter(agency_return=agency_return)}


def previous_figures(*, agency_return: AgencyReturn, slots: list[Slot]) -> dict[tuple, Previous]:
    """For each row, the last figure submitted for an earlier period of the same kind (looking back
    ``PREVIOUS_LOOKBACK`` periods), with that period's label. One query."""
    if not slots:
        return {}
    period = agency_return.period
    earliest = period_rules.period_containing(period.kind, period.start)
    for _ in range(PREVIOUS_LOOKBACK):
        earliest = period_rules.previous_period(earliest)
    figures = (
        DataSetFigure.objects.filter(
            partnership_id=agency_return.partnership_id,
            indicator_id__in={slot.indicator.pk for slot in slots},
            period__kind=period.kind,
            period__start__lt=period.start,
            period__start__gte=earliest.start,
            not_available=False,
            value__isnull=False,
        )
        .select_related("period")
        .order_by("-period__start", "pk")
    )
    found: dict[tuple, Previous] = {}
    for figure in figures:
        found.setdefault((figure.indicator_id, figure.locality_id), Previous(figure.value, figure.period.label))
    return found


def submission_list(*, agency_return: AgencyReturn):
    """Every submission of a return, newest first."""
    return (
        ReturnSubmission.objects.filter(agency_return=agency_return).select_related("submitted_by").order_by("-number")
    )


# --- The completeness grid ----------------------------------------------------------------------
@dataclass
class GridCell:
    period: ReportingPeriod
    agency_return: AgencyReturn | None
    state: str
    label: str
    tag: str


@dataclass
class GridRow:
    agency: Agency
    cells: list[GridCell]


@dataclass
class Grid:
    partnership: Partnership
    kind: str
    periods: list[ReportingPeriod]
    rows: list[GridRow]
    counts: list[tuple[str, str, int]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(count for _, _, count in self.counts)


GRID_PERIOD_CHOICES = (4, 8, 12, 20)
NO_RETURN = "none"


def completeness_grid(
    *, partnership: Partnership, kind: str = PeriodKind.QUARTER, count: int = 8, state: str = "", today: dt.date
) -> Grid:
    """Agencies x the last ``count`` periods of ``kind``, each cell the state of that agency's
    return. Rows: agencies with a return in those periods or supplying an active indicator of that
    kind. ``state`` keeps only agencies with at least one return in that state. Three queries,
    however many agencies and periods."""
    periods = list(ReportingPeriod.objects.filter(partnership=partnership, kind=kind).order_by("-start")[:count])
    periods.reverse()  # oldest on the left, as on a time axis
    returns = returns_with_state(
        AgencyReturn.objects.filter(partnership=partnership, period__in=periods), today=today
    ).only("pk", "agency_id", "period_id", "status", "due_date", "submitted_at")
    by_cell = {(r.agency_id, r.period_id): r for r in returns}
    suppliers = DataSetIndicator.objects.filter(
        partnership=partnership, source=Source.MANUAL, is_active=True, period_kind=kind
    ).values("agency_id")
    agency_ids = {agency_id for agency_id, _ in by_cell}
    agencies = Agency.objects.filter(partnership=partnership).filter(Q(pk__in=suppliers) | Q(pk__in=agency_ids))
    labels = dict(ReturnState.choices)
    tally = dict.fromkeys(ReturnState.values, 0)
    rows = []
    for agency in agencies.order_by("name", "pk"):
        cells = []
        for period in periods:
            found = by_cell.get((agency.pk, period.pk))
            if found is None:
                cells.append(GridCell(period, None, NO_RETURN, "No return", ""))
                continue
            cells.append(GridCell(period, found, found.state, labels[found.state], STATE_TAGS[found.state]))
        if state and not any(cell.state == state for cell in cells):
            continue
        for cell in cells:
            if cell.agency_return is not None:
                tally[cell.state] += 1
        rows.append(GridRow(agency, cells))
    counts = [(value, labels[value], tally[value]) for value in ReturnState.values]
    return Grid(partnership=partnership, kind=kind, periods=periods, rows=rows, counts=counts)
