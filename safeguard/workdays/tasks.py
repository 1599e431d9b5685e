"""Scheduled job of the working-day calendar."""

import datetime as dt

from django.utils import timezone
from django_tasks import task

from safeguard.core.scheduler import scheduled

from . import calendar
from .services import calendar_refresh

#: The table always reaches at least this many years ahead.
YEARS_AHEAD = 15


@scheduled(every=dt.timedelta(days=1))
@task()
def refresh_calendar() -> int:
    """Keep the table in step with the installed ``holidays`` package and ``YEARS_AHEAD`` years
    ahead. Daily and idempotent: an unchanged table costs one read; after a ``holidays`` upgrade
    that knows a new bank holiday, the rows from that date on are rewritten."""
    last_year = max(calendar.DEFAULT_LAST_YEAR, timezone.localdate().year + YEARS_AHEAD)
    return calendar_refresh(last_year=last_year).written
