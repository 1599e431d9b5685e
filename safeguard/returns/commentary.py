"""The owning sub-group's commentary on an indicator for a period, written by the business unit."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from safeguard.core.concurrency import save_new, save_versioned

from .choices import PeriodKind, Source
from .models import Commentary, DataSetIndicator, ReportingPeriod


def commentary_period_kind(indicator: DataSetIndicator) -> str:
    """Computed indicators are yearly (the census year is the financial year)."""
    return PeriodKind.FINANCIAL_YEAR if indicator.source == Source.COMPUTED else indicator.period_kind


@transaction.atomic
def commentary_save(
    *, indicator: DataSetIndicator, period: ReportingPeriod, text: str, by, expected_version: int | None = None
) -> Commentary:
    """Write (or rewrite) the commentary on ``indicator`` for ``period``, in the name of the
    indicator's owning sub-group. ``expected_version``: the version the editor started from."""
    if not by.has_perm("returns.manage_dataset", indicator):
        raise PermissionDenied("Only the business unit can write the commentary.")
    if period.partnership_id != indicator.partnership_id or period.kind != commentary_period_kind(indicator):
        raise ValidationError({"period": "Choose one of this indicator's own reporting periods."})
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Enter the sub-group's commentary"})
    existing = Commentary.objects.select_for_update().filter(indicator=indicator, period=period).first()
    if existing is None:
        commentary = Commentary(indicator=indicator, period=period, text=text, group=indicator.owner_group)
        commentary.updated_by = by
        save_new(commentary, by=by)
        return commentary
    existing.text = text
    existing.group = indicator.owner_group
    version = existing.version if expected_version is None else expected_version
    save_versioned(existing, expected_version=version, by=by, fields=["text", "group"])
    return existing
