"""Every write of the data set and the agencies' returns, and the rules around them.

- The data set's definition (themes, indicators, settings) and the periods are changed by the
  business unit (``returns.manage``). ``by=None`` is the system (the demo loader, scheduled jobs).
- ``period_open`` creates a period and one return for each agency that supplies an active manual
  indicator of that kind; opening it again adds returns for agencies added since, never twice. Due
  dates follow ``periods.py``.
- A return is filled in by the data leads of its agency or the business unit while it is not
  submitted. The figures are checked by ``validation.py`` (the same rules for the form, the
  spreadsheet and the API). Status: not started -> in progress (first draft save) -> submitted; the
  business unit can reopen a submitted return (reopened -> submitted again). "Late" is worked out,
  not stored (``selectors.returns_with_state``).
- Submitting writes, in one transaction: the figures, a ``ReturnSubmission`` (the values as
  submitted and what changed from the previous submission), the return's status, and the
  ``DataSetFigure`` rows the dashboard and report read. Earlier submissions are kept.
- Edits carry the version the user started from (``safeguard.core.concurrency``).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from safeguard.core.access import has_capability
from safeguard.core.concurrency import ConcurrentEditError, audit_actor, save_new, save_versioned
from safeguard.core.roles import Capability
from safeguard.indicators import registry
from safeguard.indicators.choices import Polarity as RegistryPolarity
from safeguard.indicators.choices import Unit as RegistryUnit
from safeguard.partnerships.models import Agency, Partnership
from safeguard.workdays.selectors import closure_dates

from . import periods, selectors, validation
from .choices import Polarity, ReturnStatus, Source, Unit
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
from .validation import Entry, Figures, Problem, Slot

THEME_FIELDS = ("name", "kind", "description", "position", "is_active")
INDICATOR_FIELDS = (
    "code",
    "title",
    "definition",
    "theme",
    "source",
    "registry_code",
    "agency",
    "owner_group",
    "unit",
    "numerator_label",
    "denominator_label",
    "polarity",
    "target",
    "amber_threshold",
    "period_kind",
    "by_locality",
    "suppress_small_numbers",
    "comment_above_change_percent",
    "position",
    "is_active",
)
SETTINGS_FIELDS = (
    "due_days_after_period",
    "reminder_days_before",
    "chase_days_after",
    "escalation_days_after",
    "publish_summary",
)
MANUAL_UNITS = (Unit.COUNT, Unit.PERCENT, Unit.DAYS)
_REGISTRY_UNITS = {
    RegistryUnit.COUNT: Unit.COUNT,
    RegistryUnit.PERCENT: Unit.PERCENT,
    RegistryUnit.RATE_PER_10000: Unit.RATE_10K,
    RegistryUnit.DAYS: Unit.DAYS,
}
_REGISTRY_POLARITIES = {
    RegistryPolarity.HIGHER_BETTER: Polarity.HIGHER_IS_BETTER,
    RegistryPolarity.LOWER_BETTER: Polarity.LOWER_IS_BETTER,
    RegistryPolarity.NEUTRAL: Polarity.NEUTRAL,
}


class ReturnInvalid(ValidationError):
    """Figures refused by ``validation.py``: ``problems`` names each row and field; the message
    dict is keyed ``<indicator code>[/<locality code>].<field>``."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        errors: dict[str, list[str]] = {}
        for problem in problems:
            errors.setdefault(f"{problem.slot.path}.{problem.field}", []).append(problem.message)
        super().__init__(errors)


def _actor(by):
    return by if by is not None and by.is_authenticated else None


def _require_manage(by, partnership_id: int) -> None:
    if by is not None and not has_capability(by, partnership_id, Capability.MANAGE_RETURNS):
        raise PermissionDenied("Only the business unit can change the data set, its periods and its settings.")


def _merge(errors: dict, exc: ValidationError) -> None:
    for field, messages in exc.message_dict.items():
        errors.setdefault(field, []).extend(messages)


def _same_partnership(partnership_id: int, errors: dict, **related) -> None:
    for field, obj in related.items():
        if obj is not None and obj.partnership_id != partnership_id:
            errors.setdefault(field, []).append(f"Choose a {obj._meta.verbose_name} from the same partnership.")


def _apply(obj, data: dict, allowed: tuple[str, ...]) -> list[str]:
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValidationError(f"These cannot be changed here: {', '.join(sorted(unknown))}.")
    for name, value in data.items():
        setattr(obj, name, value.strip() if isinstance(value, str) else value)
    return list(data)


# --- Themes -------------------------------------------------------------------------------------
def _check_theme(theme: Theme) -> None:
    if not theme.name:
        raise ValidationError({"name": "Enter the name of the theme or priority, for example 'Neglect'."})
    clash = Theme.objects.filter(partnership_id=theme.partnership_id, name__iexact=theme.name).exclude(pk=theme.pk)
    if clash.exists():
        raise ValidationError({"name": f"There is already a theme called '{theme.name}': choose another name."})


@transaction.atomic
def theme_create(*, partnership: Partnership, by, **data) -> Theme:
    _require_manage(by, partnership.pk)
    theme = Theme(partnership=partnership, updated_by=_actor(by))
    _apply(theme, data, THEME_FIELDS)
    _check_theme(theme)
    save_new(theme, by=by)
    return theme


@transaction.atomic
def theme_update(*, theme: Theme, by, expected_version: int, **data) -> Theme:
    _require_manage(by, theme.partnership_id)
    fields = _apply(theme, data, THEME_FIELDS)
    _check_theme(theme)
    save_versioned(theme, expected_version=expected_version, by=by, fields=fields or ["name"])
    return theme


# --- Indicators ---------------------------------------------------------------------------------
def _check_indicator(indicator: DataSetIndicator) -> None:
    """Make the indicator coherent (fields that do not apply to its source or unit are emptied) and
    refuse what cannot be made so, every problem at once."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    for name in ("code", "title", "definition", "registry_code", "numerator_label", "denominator_label"):
        setattr(indicator, name, (getattr(indicator, name) or "").strip())
    _same_partnership(
        indicator.partnership_id,
        errors,
        theme=indicator.theme if indicator.theme_id else None,
        agency=indicator.agency,
        owner_group=indicator.owner_group,
    )
    if not indicator.theme_id:
        add("theme", "Choose the theme or priority the indicator comes under.")
    if indicator.source == Source.COMPUTED:
        _check_computed(indicator, add)
    else:
        indicator.source = Source.MANUAL
        indicator.registry_code = ""
        if indicator.agency is None:
            add("agency", "Choose the agency that supplies this figure in its return.")
        if indicator.unit not in MANUAL_UNITS:
            add(
                "unit",
                "An agency supplies a number, a percentage or a number of days. Rates per 10,000 children are "
                "worked out from the statutory extracts: choose 'Computed' for them.",
            )
    if indicator.unit == Unit.PERCENT:
        if not indicator.numerator_label:
            add("numerator_label", "Say what the numerator counts, for example 'Assessments completed in time'.")
        if not indicator.denominator_label:
            add("denominator_label", "Say what the percentage is out of, for example 'Assessments completed'.")
    else:
        indicator.denominator_label = ""
    if not indicator.title:
        add("title", "Enter the indicator's title, for example 'Referrals for child sexual exploitation'.")
    if not indicator.definition:
        add("definition", "Say what is counted, over which dates, and what is left out.")
    if not indicator.code:
        add("code", "Enter a short code of letters, numbers and hyphens, for example cse-referrals.")
    elif (
        DataSetIndicator.objects.filter(partnership_id=indicator.partnership_id, code=indicator.code)
        .exclude(pk=indicator.pk)
        .exists()
    ):
        add("code", f"Another indicator already uses the code '{indicator.code}': choose a different one.")
    _check_thresholds(indicator, add)
    if errors:
        raise ValidationError(errors)


def _check_computed(indicator: DataSetIndicator, add) -> None:
    indicator.agency = None
    indicator.by_locality = False
    try:
        entry = registry.get(indicator.registry_code)
    except KeyError:
        message = "Choose the indicator in the registry that this figure is computed from."
        if indicator.registry_code:
            message = f"There is no indicator '{indicator.registry_code}' in the registry: choose one from the list."
        add("registry_code", message)
        return
    indicator.unit = _REGISTRY_UNITS.get(entry.unit, Unit.COUNT)
    indicator.title = indicator.title or entry.title
    indicator.definition = indicator.definition or entry.definition
    indicator.numerator_label = indicator.numerator_label or entry.numerator
    indicator.denominator_label = indicator.denominator_label or entry.denominator
    if not indicator.pk and indicator.polarity == Polarity.NEUTRAL:
        indicator.polarity = _REGISTRY_POLARITIES.get(entry.polarity, Polarity.NEUTRAL)


def _check_thresholds(indicator: DataSetIndicator, add) -> None:
    target, amber = indicator.target, indicator.amber_threshold
    if amber is None:
        return
    if target is None:
        add("amber_threshold", "Set a target first: the amber threshold is measured against it.")
    elif indicator.polarity == Polarity.HIGHER_IS_BETTER and amber > target:
        add("amber_threshold", f"Higher is better, so the amber threshold must be at or below the target ({target}).")
    elif indicator.polarity == Polarity.LOWER_IS_BETTER and amber < target:
        add("amber_threshold", f"Lower is better, so the amber threshold must be at or above the target ({target}).")
    elif indicator.polarity == Polarity.NEUTRAL:
        add(
            "amber_threshold",
            "An indicator where neither higher nor lower is better has no RAG rating: leave this empty.",
        )


@transaction.atomic
def indicator_create(*, partnership: Partnership, by, **data) -> DataSetIndicator:
    _require_manage(by, partnership.pk)
    indicator = DataSetIndicator(partnership=partnership, updated_by=_actor(by))
    _apply(indicator, data, INDICATOR_FIELDS)
    _check_indicator(indicator)
    save_new(indicator, by=by)
    return indicator


@transaction.atomic
def indicator_update(*, indicator: DataSetIndicator, by, expected_version: int, **data) -> DataSetIndicator:
    _require_manage(by, indicator.partnership_id)
    _apply(indicator, data, INDICATOR_FIELDS)
    _check_indicator(indicator)
    save_versioned(indicator, expected_version=expected_version, by=by, fields=list(INDICATOR_FIELDS))
    return indicator


# --- Settings -----------------------------------------------------------------------------------
@transaction.atomic
def dataset_settings_update(*, partnership: Partnership, by, expected_version: int, **data) -> DataSetSettings:
    """Change the partnership's timings (creating its settings on first save). New periods use them;
    periods already open keep their due dates."""
    _require_manage(by, partnership.pk)
    Partnership.objects.select_for_update().filter(pk=partnership.pk).first()
    settings = DataSetSettings.objects.filter(partnership=partnership).first()
    created = settings is None
    if created:
        settings = DataSetSettings(partnership=partnership, updated_by=_actor(by))
    fields = _apply(settings, data, SETTINGS_FIELDS)
    errors: dict[str, list[str]] = {}
    if settings.due_days_after_period < 1:
        errors["due_days_after_period"] = ["A return is due at least 1 day after its period ends."]
    if settings.escalation_days_after <= settings.chase_days_after:
        errors["escalation_days_after"] = [
            f"The second chase goes after the first: enter more than {settings.chase_days_after} working days."
        ]
    if errors:
        raise ValidationError(errors)
    if created:
        if expected_version not in (0, 1):
            raise ConcurrentEditError(settings, None, None)
        save_new(settings, by=by)
    else:
        save_versioned(settings, expected_version=expected_version, by=by, fields=fields or ["publish_summary"])
    return settings


# --- Periods ------------------------------------------------------------------------------------
@transaction.atomic
def period_open(*, partnership: Partnership, kind: str, start: dt.date, by) -> ReportingPeriod:
    """Open the period of ``kind`` starting on ``start`` (creating it the first time, with its due
    date from ``periods.due_date``), and make sure every agency that supplies an active manual
    indicator of that kind has one return for it. Safe to run again: it adds only what is missing."""
    _require_manage(by, partnership.pk)
    try:
        wanted = periods.period_starting(kind, start)
    except ValueError as exc:
        raise ValidationError({"start": str(exc)}) from None
    Partnership.objects.select_for_update().filter(pk=partnership.pk).first()  # one opening at a time
    period = ReportingPeriod.objects.filter(partnership=partnership, kind=kind, start=wanted.start).first()
    if period is None:
        due_days = selectors.settings_for(partnership=partnership).due_days_after_period
        period = ReportingPeriod(
            partnership=partnership,
            kind=kind,
            start=wanted.start,
            end=wanted.end,
            label=wanted.label,
            due_date=periods.due_date(wanted.end, due_days, closure_dates(partnership=partnership)),
        )
        save_new(period, by=by)
    suppliers = DataSetIndicator.objects.filter(
        partnership=partnership, source=Source.MANUAL, is_active=True, period_kind=kind
    ).values("agency_id")
    missing = (
        Agency.objects.filter(partnership=partnership, is_active=True, pk__in=suppliers)
        .exclude(returns__period=period)
        .order_by("name", "pk")
    )
    for agency in missing:
        agency_return = AgencyReturn(
            partnership=partnership, agency=agency, period=period, due_date=period.due_date, updated_by=_actor(by)
        )
        save_new(agency_return, by=by)
    return period


# --- Returns ------------------------------------------------------------------------------------
def check_can_edit(by, agency_return: AgencyReturn) -> None:
    if by is not None and not by.has_perm("returns.view_return", agency_return):
        raise PermissionDenied("Only the data leads of the return's agency and the business unit can fill it in.")
    if agency_return.status == ReturnStatus.SUBMITTED:
        raise ValidationError(
            "This return has been submitted, so its figures cannot be changed. "
            "If a figure is wrong, ask the business unit to reopen it."
        )


def _lock(agency_return: AgencyReturn, expected_version: int) -> None:
    """Lock the return's row and check nobody has saved it since the user opened it."""
    current = (
        AgencyReturn.objects.select_for_update()
        .filter(pk=agency_return.pk)
        .values("version", "status", "updated_by_id")
        .first()
    )
    if current is None or current["version"] != expected_version:
        changed_by = None
        if current and current["updated_by_id"]:
            from safeguard.accounts.models import User

            editor = User.objects.filter(pk=current["updated_by_id"]).first()
            changed_by = editor.get_full_name() if editor else None
        raise ConcurrentEditError(agency_return, current["version"] if current else None, changed_by)
    agency_return.status = current["status"]


def _entry_from(stored: ReturnValue | None) -> Entry:
    if stored is None:
        return Entry()
    return Entry(stored.value, stored.denominator, stored.not_available, stored.not_available_reason, stored.comment)


def _rows(agency_return: AgencyReturn, entries: dict[tuple, Entry]):
    """The return's rows with what was typed, or the stored figures for rows not sent."""
    slots = selectors.return_slots(agency_return=agency_return)
    stored = selectors.return_values(agency_return=agency_return)
    known = {slot.key for slot in slots}
    unknown = [key for key in entries if key not in known]
    if unknown:
        raise ValidationError({"values": "Some figures are for indicators or localities this return does not have."})
    rows = [(slot, entries[slot.key] if slot.key in entries else _entry_from(stored.get(slot.key))) for slot in slots]
    return slots, stored, rows


def _check(agency_return: AgencyReturn, rows, *, submitting: bool) -> dict[tuple, Figures]:
    previous = selectors.previous_figures(agency_return=agency_return, slots=[slot for slot, _ in rows])
    figures, problems = validation.check_return(rows, previous=previous, submitting=submitting)
    if problems:
        raise ReturnInvalid(problems)
    return figures


def _write_values(agency_return: AgencyReturn, by, slots: list[Slot], stored: dict, figures: dict) -> None:
    """Save the rows whose figures changed (each through ``save()``, so the audit log has them)."""
    actor = _actor(by)
    for slot in slots:
        new = figures.get(slot.key)
        row = stored.get(slot.key)
        if new is None or (row is None and new.is_blank and not new.comment):
            continue
        if row is None:
            row = ReturnValue(agency_return=agency_return, indicator=slot.indicator, locality=slot.locality)
        elif (row.value, row.denominator, row.not_available, row.not_available_reason, row.comment) == (
            new.value,
            new.denominator,
            new.not_available,
            new.reason,
            new.comment,
        ):
            continue
        row.value, row.denominator = new.value, new.denominator
        row.not_available, row.not_available_reason, row.comment = new.not_available, new.reason, new.comment
        row.updated_by = actor
        row.clean_fields(exclude=["agency_return", "indicator", "locality", "updated_by"])
        with audit_actor(by):
            row.save()


def _figure_text(slot: Slot, figures: Figures) -> str:
    return validation.figure_text(slot.indicator.unit, figures.value, figures.denominator, figures.not_available)


@transaction.atomic
def return_save(
    *, agency_return: AgencyReturn, by, entries: dict[tuple, Entry], expected_version: int, now=None
) -> AgencyReturn:
    """Save figures as a draft: they may be partial (blanks allowed), but what is there must be
    right. ``entries`` maps slot keys (indicator id, locality id or None) to what was typed; rows
    left out keep their stored figures. A return not started becomes in progress."""
    check_can_edit(by, agency_return)
    _lock(agency_return, expected_version)
    slots, stored, rows = _rows(agency_return, entries)
    figures = _check(agency_return, rows, submitting=False)
    _write_values(agency_return, by, slots, stored, figures)
    now = now or timezone.now()
    if agency_return.status == ReturnStatus.NOT_STARTED:
        agency_return.status = ReturnStatus.IN_PROGRESS
    agency_return.started_at = agency_return.started_at or now
    save_versioned(agency_return, expected_version=expected_version, by=by, fields=["status", "started_at"])
    return agency_return


@transaction.atomic
def return_submit(
    *,
    agency_return: AgencyReturn,
    by,
    expected_version: int,
    entries: dict[tuple, Entry] | None = None,
    via: str = "form",
    now=None,
) -> ReturnSubmission:
    """Submit a return (with ``entries`` typed at the same time, if any): every row must have a
    figure or be marked not available, and every rule in ``validation.py`` must pass. Writes the
    figures, the submission (values and changes since the previous one), the status and the data
    set's figures, all or nothing."""
    check_can_edit(by, agency_return)
    _lock(agency_return, expected_version)
    slots, stored, rows = _rows(agency_return, entries or {})
    if not slots:
        raise ValidationError(
            "This return has no indicators to fill in, so there is nothing to submit. "
            "The business unit sets which indicators each agency supplies."
        )
    figures = _check(agency_return, rows, submitting=True)
    _write_values(agency_return, by, slots, stored, figures)
    now = now or timezone.now()
    snapshot = [_snapshot(slot, figures[slot.key]) for slot in slots]
    last = ReturnSubmission.objects.filter(agency_return=agency_return).order_by("-number").first()
    submission = ReturnSubmission(
        agency_return=agency_return,
        number=(last.number + 1) if last else 1,
        submitted_at=now,
        submitted_by=_actor(by),
        via=via,
        values=snapshot,
        changes=_changes(last.values, snapshot) if last else [],
    )
    submission.full_clean(exclude=["agency_return", "submitted_by"])
    submission.save()
    _write_figures(agency_return, slots, figures, now)
    agency_return.status = ReturnStatus.SUBMITTED
    agency_return.submitted_at = now
    agency_return.submitted_by = _actor(by)
    agency_return.started_at = agency_return.started_at or now
    save_versioned(
        agency_return,
        expected_version=expected_version,
        by=by,
        fields=["status", "submitted_at", "submitted_by", "started_at"],
    )
    return submission


def _snapshot(slot: Slot, figures: Figures) -> dict:
    return {
        "indicator": slot.indicator.code,
        "title": slot.indicator.title,
        "locality": slot.locality.code if slot.locality is not None else None,
        "area": slot.area,
        "unit": slot.indicator.unit,
        "value": figures.value,
        "denominator": figures.denominator,
        "not_available": figures.not_available,
        "not_available_reason": figures.reason,
        "comment": figures.comment,
        "text": _figure_text(slot, figures),
    }


def _changes(before: list[dict], after: list[dict]) -> list[dict]:
    """What differs between two submissions' values: one entry per row whose figures changed."""

    def key(item):
        return (item.get("indicator"), item.get("locality"))

    old = {key(item): item for item in before or []}
    changes = []
    for item in after:
        previous = old.pop(key(item), None)
        old_text = previous.get("text", "") if previous else ""
        if old_text != item["text"]:
            changes.append(_change(item, old_text, item["text"]))
    changes.extend(_change(item, item.get("text", ""), "") for item in old.values())
    return changes


def _change(item: dict, old: str, new: str) -> dict:
    return {
        "indicator": item.get("indicator"),
        "title": item.get("title", ""),
        "locality": item.get("locality"),
        "area": item.get("area", ""),
        "old": old,
        "new": new,
    }


def _write_figures(agency_return: AgencyReturn, slots: list[Slot], figures: dict, now) -> None:
    """The data set's figures for this return's rows (the last submission wins); figures this return
    gave before for rows it no longer has are removed."""
    period_id = agency_return.period_id
    indicator_ids = {slot.indicator.pk for slot in slots}
    existing = {
        (f.indicator_id, f.locality_id): f
        for f in DataSetFigure.objects.filter(period_id=period_id, indicator_id__in=indicator_ids)
    }
    to_create, to_update = [], []
    for slot in slots:
        new = figures[slot.key]
        figure = existing.get(slot.key)
        if figure is None:
            figure = DataSetFigure(
                partnership_id=agency_return.partnership_id,
                indicator=slot.indicator,
                period_id=period_id,
                locality=slot.locality,
            )
            to_create.append(figure)
        else:
            to_update.append(figure)
        figure.numerator = None if new.not_available else new.value
        figure.denominator = None if new.not_available else new.denominator
        figure.value = (
            None if new.not_available else validation.figure_value(slot.indicator, new.value, new.denominator)
        )
        figure.not_available = new.not_available
        figure.not_available_reason = new.reason
        figure.source_return = agency_return
        figure.updated_at = now
    kept = [figure.pk for figure in to_update]
    DataSetFigure.objects.filter(source_return=agency_return).exclude(pk__in=kept).delete()
    DataSetFigure.objects.bulk_create(to_create)
    DataSetFigure.objects.bulk_update(
        to_update,
        ["numerator", "denominator", "value", "not_available", "not_available_reason", "source_return", "updated_at"],
    )


@transaction.atomic
def return_reopen(*, agency_return: AgencyReturn, by, reason: str, expected_version: int, now=None) -> AgencyReturn:
    """The business unit reopens a submitted return so its agency can correct it. The submitted
    figures stay in the data set (and in the history) until it is submitted again."""
    if by is not None and not by.has_perm("returns.reopen_return", agency_return):
        raise PermissionDenied("Only the business unit can reopen a submitted return.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": "Say why the return is being reopened, for example 'the North figures were counted twice'."}
        )
    if len(reason) > 500:
        raise ValidationError({"reason": f"Shorten the reason to 500 characters or fewer (it has {len(reason):,})."})
    _lock(agency_return, expected_version)
    if agency_return.status != ReturnStatus.SUBMITTED:
        raise ValidationError("Only a submitted return can be reopened: this one has not been submitted.")
    agency_return.status = ReturnStatus.REOPENED
    agency_return.reopened_at = now or timezone.now()
    agency_return.reopened_by = _actor(by)
    agency_return.reopen_reason = reason
    save_versioned(
        agency_return,
        expected_version=expected_version,
        by=by,
        fields=["status", "reopened_at", "reopened_by", "reopen_reason"],
    )
    return agency_return
