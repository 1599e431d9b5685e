from django.db import models


class ChapterStatus(models.TextChoices):
    DRAFT = "draft", "Not yet published"
    LIVE = "live", "Live"
    REMOVED = "removed", "Removed (kept in the archive)"


class ReleaseStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SCHEDULED = "scheduled", "Scheduled"
    PUBLISHED = "published", "Published"


class ChangeKind(models.TextChoices):
    NEW = "new", "New chapter"
    UPDATED = "updated", "Updated chapter"
    REMOVED = "removed", "Removed chapter"
