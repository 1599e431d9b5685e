"""Housekeeping jobs of the core app."""

import datetime as dt

from django.utils import timezone
from django_tasks import task

from .models import ScheduledJobRun, WorkerHeartbeat
from .scheduler import scheduled


@scheduled(every=dt.timedelta(days=1))
@task()
def prune_housekeeping() -> int:
    """Forget scheduler slots older than 30 days and heartbeats of workers gone for a day."""
    now = timezone.now()
    removed, _ = ScheduledJobRun.objects.filter(slot__lt=now - dt.timedelta(days=30)).delete()
    gone, _ = WorkerHeartbeat.objects.filter(last_seen__lt=now - dt.timedelta(days=1)).delete()
    return removed + gone
