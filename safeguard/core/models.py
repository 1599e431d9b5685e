"""Shared base models: timestamps, optimistic locking, partnership scoping, worker health."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from .access import visible_partnership_ids


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class VersionedModel(TimeStampedModel):
    """A record two people may edit at once.

    ``version`` goes up by one on every save through ``safeguard.core.concurrency.save_versioned``;
    a save that starts from an older version is refused (see ``ConcurrentEditError``).
    """

    version = models.PositiveIntegerField(default=1, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    class Meta:
        abstract = True

    def get_additional_data(self) -> dict:
        """Stored with every django-auditlog entry so the audit viewer can scope by partnership."""
        from safeguard.audit.services import _partnership_id

        return {"partnership_id": _partnership_id(self)}


class PartnershipScopedQuerySet(models.QuerySet):
    """Every model holding partnership data uses this (or a subclass) as its manager.

    ``partnership_path`` names the lookup from the model to its partnership id.
    """

    partnership_path = "partnership"

    def visible_to(self, user):
        ids = visible_partnership_ids(user)
        if ids is None:
            return self.all()
        if not ids:
            return self.none()
        return self.filter(**{f"{self.partnership_path}__in": ids})

    def in_partnership(self, partnership):
        return self.filter(**{self.partnership_path: partnership})


def scoped_queryset(path: str) -> type[PartnershipScopedQuerySet]:
    """A PartnershipScopedQuerySet whose partnership is reached through ``path``."""
    return type(f"ScopedQuerySet_{path.replace('__', '_')}", (PartnershipScopedQuerySet,), {"partnership_path": path})


class WorkerHeartbeat(models.Model):
    """Written every few seconds by each running task worker; read by /healthz."""

    worker_id = models.CharField(max_length=100, unique=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    last_seen = models.DateTimeField(db_index=True)  # /healthz: latest heartbeat

    def __str__(self) -> str:
        return self.worker_id


class ScheduledJobRun(models.Model):
    """One row per scheduled job per time slot: the unique constraint makes scheduling idempotent,
    so two workers (or a restarted one) never enqueue the same slot twice."""

    job = models.CharField(max_length=100)
    slot = models.DateTimeField()
    enqueued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="core_scheduledjobrun_unique_slot")]
        indexes = [models.Index(fields=["job", "-slot"], name="core_sched_job_slot")]  # latest run per job

    def __str__(self) -> str:
        return f"{self.job} @ {self.slot:%Y-%m-%d %H:%M}"
