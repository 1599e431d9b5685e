"""Scheduled jobs of the documents library."""

import datetime as dt

from django_tasks import task

from safeguard.core.scheduler import scheduled

from .services import review_reminders_send


@scheduled(every=dt.timedelta(hours=1))
@task()
def send_review_reminders() -> int:
    """E-mail owners whose documents are due for review (30 days before, and once overdue).

    Hourly so a new or restarted installation catches up the same day; each reminder is still
    sent only once (``ReviewReminder``'s unique constraint)."""
    return len(review_reminders_send())
