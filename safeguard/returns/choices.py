"""Coded values of the multi-agency data set and the agencies' returns."""

from django.db import models


class ThemeKind(models.TextChoices):
    PRIORITY = "priority", "Board priority"
    THEME = "theme", "Theme"


class PeriodKind(models.TextChoices):
    QUARTER = "quarter", "Quarter (financial year)"
    FINANCIAL_YEAR = "financial_year", "Financial year (April to March)"
    CALENDAR_YEAR = "calendar_year", "Calendar year"


class Source(models.TextChoices):
    COMPUTED = "computed", "Computed from the statutory extracts"
    MANUAL = "manual", "Supplied by an agency in its return"


class Unit(models.TextChoices):
    COUNT = "count", "Number"
    PERCENT = "percent", "Percentage (numerator of denominator)"
    RATE_10K = "rate_10k", "Rate per 10,000 children"
    DAYS = "days", "Days"


class Polarity(models.TextChoices):
    HIGHER_IS_BETTER = "higher", "Higher is better"
    LOWER_IS_BETTER = "lower", "Lower is better"
    NEUTRAL = "neutral", "Neither (context only)"


class ReturnStatus(models.TextChoices):
    """What is stored. "Late" is not stored: a return not submitted by its due date is late
    (``AgencyReturn.is_late`` and ``selectors.returns_with_state``)."""

    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    SUBMITTED = "submitted", "Submitted"
    REOPENED = "reopened", "Reopened"


class EmailStage(models.TextChoices):
    """The e-mails about one return. The automatic stages are sent at most once each (a unique
    constraint); a business-unit chase by hand can be sent as often as needed."""

    REMINDER = "reminder", "Reminder before the due date"
    CHASE = "chase", "Chase after the due date"
    ESCALATION = "escalation", "Second chase, copied to the escalation contact"
    MANUAL = "manual", "Chase sent by the business unit"


class Rag(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"


class EmailStatus(models.TextChoices):
    """Where one e-mail about a return is (``chasing.py``; docs/decisions/0007 for the reasoning).

    claimed -> sending -> sent. A row is *claimed* (inserted, committed) before anything is built;
    it moves to *sending*, committed, just before the mail server is called. A claim whose worker
    stopped was never handed over, so it is sent later; a row left *sending* may have been
    delivered, so it becomes *unconfirmed* and is never sent again automatically."""

    CLAIMED = "claimed", "Waiting to be sent"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Not sent"
    UNCONFIRMED = "unconfirmed", "Not confirmed: may or may not have been delivered"
    CANCELLED = "cancelled", "Not needed: the return was submitted or a later e-mail replaced it"
