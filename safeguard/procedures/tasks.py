"""Scheduled jobs of the procedures manual."""

import datetime as dt

from django_tasks import task

from safeguard.core.scheduler import scheduled

from .services import publish_due_releases


@scheduled(every=dt.timedelta(minutes=5))
@task()
def go_live_due_releases() -> list[int]:
    """Publish releases whose go-live date has come. Safe to run any number of times."""
    return publish_due_releases()
