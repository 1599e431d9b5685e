"""Scheduled jobs without cron: the task worker enqueues them (``manage.py run_worker``).

A job registers with an interval; each time slot is recorded in ``ScheduledJobRun`` under a unique
constraint, so a slot is enqueued exactly once however many workers run. Later modules register
their jobs (release go-live, reminders) with ``@scheduled(every=...)``.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import ScheduledJobRun

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScheduledJob:
    name: str
    every: dt.timedelta
    task: object  # a django_tasks Task


REGISTRY: dict[str, ScheduledJob] = {}


def scheduled(*, every: dt.timedelta):
    """Decorator for a django_tasks ``@task``: enqueue it once every ``every``."""

    def register(task):
        name = f"{task.func.__module__}.{task.func.__name__}"
        REGISTRY[name] = ScheduledJob(name=name, every=every, task=task)
        return task

    return register


def slot_for(now: dt.datetime, every: dt.timedelta) -> dt.datetime:
    seconds = int(every.total_seconds())
    epoch = int(now.timestamp())
    return dt.datetime.fromtimestamp(epoch - epoch % seconds, tz=dt.UTC)


def run_due_jobs(now: dt.datetime | None = None) -> list[str]:
    """Enqueue every registered job whose current slot has not been enqueued yet."""
    now = now or timezone.now()
    enqueued = []
    for job in REGISTRY.values():
        slot = slot_for(now, job.every)
        try:
            with transaction.atomic():
                ScheduledJobRun.objects.create(job=job.name, slot=slot)
                job.task.enqueue()
        except IntegrityError:
            continue  # this slot was already enqueued (by us or another worker)
        enqueued.append(job.name)
        logger.info("Enqueued scheduled job %s for %s", job.name, slot.isoformat())
    return enqueued
