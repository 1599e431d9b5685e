"""The working-day calendar: one row per date for England and Wales, and local closure days.

``CalendarDay.working_index`` counts the working days from the first date in the table up to and
including that date, so the database answers working-day questions with index arithmetic:

- working days after ``a`` up to and including ``b``: ``idx(b) - idx(a)``;
- the Nth working day after ``a``: the row with ``is_working`` and ``working_index = idx(a) + N``.

A partnership's closure days (``ClosureDay``) are subtracted from the national answer (see
``safeguard/workdays/sql.py`` and docs/working-days.md). The rule itself is in ``calendar.py``.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse

from safeguard.core.models import PartnershipScopedQuerySet, VersionedModel


class CalendarDay(models.Model):
    """One date of the national (England and Wales) calendar. Written only by ``calendar_refresh``."""

    date = models.DateField(primary_key=True)
    is_working = models.BooleanField()
    working_index = models.PositiveIntegerField(
        help_text="Working days from the first date in the table up to and including this date."
    )
    holiday_name = models.CharField(max_length=100, blank=True, help_text="The bank holiday on this date, if any.")

    class Meta:
        ordering = ["date"]
        constraints = [
            # "The Nth working day after a" looks up working_index among working days: this unique
            # partial index makes that lookup a single index probe and keeps the answer unique.
            models.UniqueConstraint(
                fields=["working_index"], condition=Q(is_working=True), name="workdays_calendarday_unique_index"
            ),
            models.CheckConstraint(
                condition=Q(is_working=False) | Q(holiday_name=""),
                name="workdays_calendarday_holiday_not_working",
                violation_error_message="A bank holiday is not a working day.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} ({'working day' if self.is_working else self.holiday_name or 'weekend'})"


class ClosureDay(VersionedModel):
    """A weekday that is not a bank holiday on which a partnership's offices are closed (for
    example a council's extra day at Christmas). It counts as a non-working day only for that
    partnership's answers."""

    partnership = models.ForeignKey("partnerships.Partnership", on_delete=models.PROTECT, related_name="closure_days")
    date = models.DateField()
    reason = models.CharField(
        max_length=200, help_text="For example, 'Council offices closed between Christmas and New Year'."
    )

    objects = PartnershipScopedQuerySet.as_manager()

    class Meta:
        ordering = ["date"]
        constraints = [
            # Also the index for the closure list (per partnership by date) and for the SQL count of
            # a partnership's closures between two dates (sql.closures_between).
            models.UniqueConstraint(
                fields=["partnership", "date"],
                name="workdays_closureday_unique_date",
                violation_error_message="This partnership already has a closure on that date.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d}: {self.reason}"

    def get_absolute_url(self) -> str:
        return f"{reverse('workdays:closure_list')}?partnership={self.partnership_id}"
