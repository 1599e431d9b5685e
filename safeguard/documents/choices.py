from django.db import models


class Category(models.TextChoices):
    """What kind of document it is; the public library groups documents by it, in this order."""

    POLICY = "policy", "Policies"
    PROTOCOL = "protocol", "Protocols"
    GUIDANCE = "guidance", "Practice guidance"
    TOOLKIT = "toolkit", "Toolkits"
    FORM = "form", "Forms and templates"
    REPORT = "report", "Reports"


class Visibility(models.TextChoices):
    PUBLIC = "public", "Public: on the practitioner site, for anyone"
    WORKSPACE = "workspace", "Workspace only: signed-in partnership staff"


class DocumentStatus(models.TextChoices):
    CURRENT = "current", "Current"
    ARCHIVED = "archived", "Archived"


class ReminderStage(models.TextChoices):
    DUE_SOON = "due_soon", "Review due soon"
    OVERDUE = "overdue", "Review overdue"


class ReviewState(models.TextChoices):
    """List filter: where a document stands against its review date."""

    OVERDUE = "overdue", "Review overdue"
    DUE = "due", "Review due in the next 30 days"
    LATER = "later", "Review not yet due"
