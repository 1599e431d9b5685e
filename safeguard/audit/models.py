"""Access log: who looked at or downloaded which record, and when.

Change history is django-auditlog's ``LogEntry``. Both tables are append-only: database triggers
(migration 0002) refuse UPDATE and DELETE on them, on SQLite and PostgreSQL alike.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models


class AccessAction(models.TextChoices):
    VIEW = "view", "Viewed"
    DOWNLOAD = "download", "Downloaded"
    EXPORT = "export", "Exported"


class AccessLog(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    action = models.CharField(max_length=20, choices=AccessAction.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    object_pk = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200)
    partnership_id = models.BigIntegerField(null=True)
    timestamp = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-timestamp", "-pk"]
        indexes = [
            models.Index(fields=["-timestamp"], name="accesslog_recent"),  # viewer default order
            models.Index(fields=["user", "-timestamp"], name="accesslog_by_user"),  # filter by person
            models.Index(fields=["content_type", "object_pk"], name="accesslog_by_object"),  # filter by object
            models.Index(fields=["partnership_id", "-timestamp"], name="accesslog_by_partnership"),  # scoping
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}"
