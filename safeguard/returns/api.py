"""API for the data set and the agencies' returns: the same selectors, services and rules as the
workspace pages.

- ``/data-set/indicators/``: the data set's indicators (everyone with ``indicators.view``).
- ``/returns/``: returns, scoped as on the web: the business unit sees every return of its
  partnership, a data lead only their own agency's (another agency's return is a 404).
- ``/returns/{id}/values``: a return's rows (one per indicator, and per locality for a by-locality
  indicator) with their figures and the last submitted figure; ``PUT`` saves figures as a draft
  (rows left out keep theirs); ``POST /returns/{id}/submit`` submits, optionally with figures.

Writes carry the return's ``version`` (409 if it changed since). Figures are checked by
``validation.py``, exactly as on the web; a refusal is a 422 whose ``field`` is the path of the
row in the request (``values[2].comment``), or ``<indicator code>[/<locality code>].<field>`` for
a row the request did not send.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from safeguard.api.errors import READ_ERRORS, WRITE_ERRORS
from safeguard.partnerships.api import LongText, Pagination, Text100, Version, _filter_id, _get, _path_id

from . import selectors, services
from .choices import PeriodKind, Polarity, ReturnStatus, Source, ThemeKind, Unit
from .selectors import ReturnState
from .validation import Entry

dataset_router = Router(tags=["Data set"])
returns_router = Router(tags=["Agency returns"])

_API_FIELD = {"reason": "not_available_reason"}
SOURCE_FILTER = Query(None, description="Only computed, or only manual, indicators.")
ACTIVE_FILTER = Query(None, description="Only indicators in use (true) or not in use (false).")
STATE_FILTER = Query(None, description="Only returns in this state (late included).")


# --- Indicators ---------------------------------------------------------------------------------
class ThemeOut(Schema):
    id: int
    name: str
    kind: ThemeKind


class IndicatorOut(Schema):
    id: int
    partnership_id: int
    code: str
    title: str
    definition: str
    theme: ThemeOut
    source: Source
    registry_code: str = Field(description="Computed indicators: the code in the indicator registry.")
    agency_id: int | None = Field(description="Manual indicators: the agency that supplies the figure.")
    agency_name: str | None
    owner_group_id: int | None
    unit: Unit
    numerator_label: str
    denominator_label: str
    polarity: Polarity
    target: float | None
    amber_threshold: float | None
    period_kind: PeriodKind
    by_locality: bool
    suppress_small_numbers: bool
    comment_above_change_percent: int
    is_active: bool
    version: int
    definition_url: str = Field(description="The indicator's definition page in the workspace.")

    @staticmethod
    def resolve_agency_name(obj) -> str | None:
        return obj.agency.name if obj.agency_id else None

    @staticmethod
    def resolve_definition_url(obj) -> str:
        return obj.get_absolute_url()


@dataset_router.get("/indicators/", response=list[IndicatorOut], summary="List the data set's indicators")
@paginate(Pagination)
def list_indicators(
    request,
    partnership: int | None = _filter_id("Only this partnership's indicators."),
    theme: int | None = _filter_id("Only indicators under this theme or priority."),
    agency: int | None = _filter_id("Only indicators this agency supplies."),
    source: Source | None = SOURCE_FILTER,
    active: bool | None = ACTIVE_FILTER,
):
    """The data set's indicators of the partnerships where you hold a role, by theme."""
    qs = selectors.indicator_list(user=request.user)
    filters = {"partnership_id": partnership, "theme_id": theme, "agency_id": agency, "source": source}
    qs = qs.filter(**{key: value for key, value in filters.items() if value is not None})
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.order_by("partnership_id", "theme__position", "theme__name", "position", "title", "pk")


@dataset_router.get(
    "/indicators/{int:indicator_id}", response={200: IndicatorOut, **READ_ERRORS}, summary="Get an indicator"
)
def get_indicator(request, indicator_id: int = _path_id("The indicator's id.")):
    return _get(selectors.indicator_get, request.user, indicator_id)


# --- Returns ------------------------------------------------------------------------------------
class PeriodOut(Schema):
    id: int
    label: str
    kind: PeriodKind
    start: dt.date
    end: dt.date


class ReturnOut(Schema):
    id: int
    partnership_id: int
    agency_id: int
    agency_name: str
    period: PeriodOut
    due_date: dt.date
    status: ReturnStatus = Field(description="As stored: not started, in progress, submitted or reopened.")
    state: ReturnState = Field(description="As the pages show it: the status, or late when past its due date.")
    submitted_at: dt.datetime | None
    reopened_at: dt.datetime | None
    reopen_reason: str
    version: int = Field(description="Send it back with changes; a stale version is refused with 409.")
    url: str = Field(description="The return's page in the workspace.")

    @staticmethod
    def resolve_agency_name(obj) -> str:
        return obj.agency.name

    @staticmethod
    def resolve_state(obj) -> str:
        return getattr(obj, "state", None) or selectors.state_of(obj, timezone.localdate())

    @staticmethod
    def resolve_url(obj) -> str:
        return obj.get_absolute_url()


class ValueOut(Schema):
    indicator: str = Field(description="The indicator's code.")
    indicator_id: int
    title: str
    locality: str | None = Field(description="The locality's code; null for the whole area.")
    locality_name: str | None
    unit: Unit
    value: int | None = Field(description="The count, or a percentage's numerator.")
    denominator: int | None = Field(description="Percentages only.")
    not_available: bool
    not_available_reason: str
    comment: str
    previous: float | None = Field(description="The last figure submitted for an earlier period (percentages: %).")
    previous_period: str | None


class ValuesOut(Schema):
    return_id: int
    status: ReturnStatus
    version: int
    values: list[ValueOut]


class ValueIn(Schema):
    indicator: Text100 = Field(description="The indicator's code (see GET .../values).")
    locality: Text100 | None = Field(None, description="The locality's code; leave out for the whole area.")
    value: int | None = Field(None, description="A whole number of 0 or more; a percentage's numerator.")
    denominator: int | None = Field(None, description="Percentages only: what the numerator is out of.")
    not_available: bool = False
    not_available_reason: LongText = Field("", description="Required when not_available is true.")
    comment: LongText = Field("", description="Required when the figure moves a lot from the last one.")


class ValuesIn(Schema):
    version: Version
    values: list[ValueIn] = Field(max_length=5000)


class SubmitIn(Schema):
    version: Version
    values: list[ValueIn] = Field(
        [], max_length=5000, description="Figures to save before submitting; rows left out keep theirs."
    )


def _return(request, return_id: int):
    def selector(*, user, pk):
        scoped = selectors.returns_with_state(selectors.return_list(user=user), today=timezone.localdate())
        return scoped.get(pk=pk)

    return _get(selector, request.user, return_id)


@returns_router.get("/", response=list[ReturnOut], summary="List returns")
@paginate(Pagination)
def list_returns(
    request,
    partnership: int | None = _filter_id("Only this partnership's returns."),
    period: int | None = _filter_id("Only returns for this period."),
    agency: int | None = _filter_id("Only this agency's returns."),
    state: ReturnState | None = STATE_FILTER,
):
    """The returns you may see (a data lead: their own agency's), newest due date first."""
    qs = selectors.returns_with_state(selectors.return_list(user=request.user), today=timezone.localdate())
    filters = {"partnership_id": partnership, "period_id": period, "agency_id": agency, "state": state}
    qs = qs.filter(**{key: value for key, value in filters.items() if value is not None})
    return qs.order_by("-due_date", "agency__name", "pk")


@returns_router.get("/{int:return_id}", response={200: ReturnOut, **READ_ERRORS}, summary="Get a return")
def get_return(request, return_id: int = _path_id("The return's id.")):
    return _return(request, return_id)


def _values(agency_return) -> dict:
    slots = selectors.return_slots(agency_return=agency_return)
    stored = selectors.return_values(agency_return=agency_return)
    previous = selectors.previous_figures(agency_return=agency_return, slots=slots)
    rows = []
    for slot in slots:
        value = stored.get(slot.key)
        before = previous.get(slot.key)
        rows.append(
            {
                "indicator": slot.indicator.code,
                "indicator_id": slot.indicator.pk,
                "title": slot.indicator.title,
                "locality": slot.locality.code if slot.locality is not None else None,
                "locality_name": slot.locality.name if slot.locality is not None else None,
                "unit": slot.indicator.unit,
                "value": value.value if value else None,
                "denominator": value.denominator if value else None,
                "not_available": value.not_available if value else False,
                "not_available_reason": value.not_available_reason if value else "",
                "comment": value.comment if value else "",
                "previous": float(before.value) if before else None,
                "previous_period": before.period_label if before else None,
            }
        )
    return {
        "return_id": agency_return.pk,
        "status": agency_return.status,
        "version": agency_return.version,
        "values": rows,
    }


@returns_router.get(
    "/{int:return_id}/values", response={200: ValuesOut, **READ_ERRORS}, summary="Get a return's figures"
)
def get_values(request, return_id: int = _path_id("The return's id.")):
    """Every row the return has, with its figures (empty until filled in) and the last submitted figure."""
    return _values(_return(request, return_id))


def _entries(agency_return, rows: list[ValueIn]) -> tuple[dict, dict]:
    """Request rows -> entries by slot key, and the request index of each slot."""
    slots = selectors.return_slots(agency_return=agency_return)
    by_code = {(s.indicator.code, s.locality.code if s.locality is not None else None): s for s in slots}
    entries, index, errors = {}, {}, {}
    for i, row in enumerate(rows):
        slot = by_code.get((row.indicator, row.locality or None))
        if slot is None:
            where = f" and locality '{row.locality}'" if row.locality else ""
            errors[f"values[{i}].indicator"] = (
                f"This return has no row for indicator '{row.indicator}'{where}. "
                "GET the return's values to see its rows."
            )
        elif slot.key in entries:
            errors[f"values[{i}]"] = "This row is sent twice: send each indicator and locality once."
        else:
            entries[slot.key] = Entry(
                row.value, row.denominator, row.not_available, row.not_available_reason, row.comment
            )
            index[slot.key] = i
    if errors:
        raise ValidationError(errors)
    return entries, index


def _call(service, index: dict, **kwargs):
    """Call a service, naming each refused figure by its path in the request."""
    try:
        return service(**kwargs)
    except services.ReturnInvalid as exc:
        errors: dict[str, list[str]] = {}
        in_request_order = sorted(exc.problems, key=lambda p: index.get(p.slot.key, len(index)))
        for problem in in_request_order:
            field = _API_FIELD.get(problem.field, problem.field)
            key = problem.slot.key
            path = f"values[{index[key]}].{field}" if key in index else f"{problem.slot.path}.{field}"
            errors.setdefault(path, []).append(problem.message)
        raise ValidationError(errors) from None


@returns_router.put(
    "/{int:return_id}/values", response={200: ValuesOut, **WRITE_ERRORS}, summary="Save figures as a draft"
)
def put_values(request, payload: ValuesIn, return_id: int = _path_id("The return's id.")):
    """Save figures as a draft (blanks allowed; what is there must be right). Rows left out keep
    their figures. The return becomes in progress."""
    agency_return = _return(request, return_id)
    entries, index = _entries(agency_return, payload.values)
    _call(
        services.return_save,
        index,
        agency_return=agency_return,
        by=request.user,
        entries=entries,
        expected_version=payload.version,
    )
    return _values(agency_return)


@returns_router.post("/{int:return_id}/submit", response={200: ReturnOut, **WRITE_ERRORS}, summary="Submit a return")
def submit_return(request, payload: SubmitIn, return_id: int = _path_id("The return's id.")):
    """Submit the return, with any figures sent saved first. Every row needs a figure, or 'not
    available' with a reason, and every rule must pass; otherwise nothing is saved."""
    agency_return = _return(request, return_id)
    entries, index = _entries(agency_return, payload.values)
    _call(
        services.return_submit,
        index,
        agency_return=agency_return,
        by=request.user,
        entries=entries,
        expected_version=payload.version,
        via="api",
    )
    return _return(request, return_id)


ROUTERS = [("/data-set/", dataset_router), ("/returns/", returns_router)]
