"""The multi-agency data set: what the board reads, who supplies each figure, and the agencies' returns.

- ``DataSetIndicator``: one line of the data set, grouped by ``Theme`` (a theme or a board priority).
  A *computed* indicator takes its figures from the indicator registry (``safeguard.indicators``,
  worked out from the statutory extracts); a *manual* one is supplied by one named agency in its
  return.
- ``ReportingPeriod``: quarters by default (financial-year quarters), or financial or calendar years.
- ``AgencyReturn``: what one agency owes for one period (exactly the manual indicators it supplies),
  with its due date and status; ``ReturnValue`` holds the figures being filled in;
  ``ReturnSubmission`` keeps every submitted version (who, when, what changed), never edited.
- ``ReturnEmail``: the reminder and chasing e-mails, one row per e-mail, claimed before it is sent
  so a stage is never sent twice, even across worker restarts (``chasing.py``).
- ``EscalationContact``: the person an agency's second chase is copied to.
- ``DataSetFigure``: the agency-supplied figures the dashboard and the report read, one row per
  indicator, period and locality, written when a return is submitted, pointing at the return it
  came from. Computed indicators are read from ``indicators.IndicatorValue`` (which names the
  extracts it came from): the census year 2024-25 is the financial year 2024-25.
- ``Commentary``: the owning sub-group's words on an indicator for a period.
- ``DataSetSettings``: a partnership's timings for due dates, reminders and chases.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from safeguard.core.models import PartnershipScopedQuerySet, TimeStampedModel, VersionedModel, scoped_queryset
from safeguard.partnerships.models import Agency, Group, Locality, Partnership, Person

from .choices import EmailStage, EmailStatus, PeriodKind, Polarity, ReturnStatus, Source, ThemeKind, Unit


class DataSetSettings(VersionedModel):
    """A partnership's timings for its returns (one row per partnership; defaults when absent)."""

    partnership = models.OneToOneField(Partnership, on_delete=models.CASCADE, related_name="dataset_settings")
    due_days_after_period = models.PositiveSmallIntegerField(
        default=30, help_text="A return is due this many days after its period ends (moved to a working day)."
    )
    reminder_days_before = models.PositiveSmallIntegerField(
        default=7, help_text="Days before the due date when data leads get a reminder. 0 sends none."
    )
    chase_days_after = models.PositiveSmallIntegerField(
        default=1, help_text="Working days after the due date when an unsubmitted return is chased."
    )
    escalation_days_after = models.PositiveSmallIntegerField(
        default=10,
        help_text="Working days after the due date when a second chase goes, copied to the escalation contact.",
    )
    publish_summary = models.BooleanField(
        default=False, help_text="Show a summary of the data set on the partnership's public site."
    )

    objects = PartnershipScopedQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "data set settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(escalation_days_after__gt=F("chase_days_after")),
                name="returns_settings_escalation_after_chase",
            )
        ]

    def __str__(self) -> str:
        return f"Data set settings of {self.partnership}"


class Theme(VersionedModel):
    """A heading of the data set: a board priority (for example Neglect) or a theme."""

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="dataset_themes")
    name = models.CharField(max_length=150)
    kind = models.CharField(max_length=20, choices=ThemeKind.choices, default=ThemeKind.THEME)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Lower numbers come first.")
    is_active = models.BooleanField(default=True)

    objects = PartnershipScopedQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "name"], name="returns_theme_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class DataSetIndicator(VersionedModel):
    """One line of the data set."""

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="dataset_indicators")
    code = models.SlugField(max_length=60, help_text="A short name used in files and the API, e.g. cse-referrals.")
    title = models.CharField(max_length=200)
    definition = models.TextField(help_text="What is counted, from when to when, and what is left out.")
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="indicators")
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.MANUAL)
    registry_code = models.CharField(
        max_length=60, blank=True, help_text="Computed indicators: the code in the indicator registry."
    )
    agency = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dataset_indicators",
        help_text="Manual indicators: the agency that supplies the figure.",
    )
    owner_group = models.ForeignKey(
        Group,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="dataset_indicators",
        help_text="The sub-group that comments on this indicator.",
    )
    unit = models.CharField(max_length=20, choices=Unit.choices, default=Unit.COUNT)
    numerator_label = models.CharField(max_length=200, blank=True, help_text="Percentages: what is counted.")
    denominator_label = models.CharField(max_length=200, blank=True, help_text="Percentages: out of what.")
    polarity = models.CharField(max_length=10, choices=Polarity.choices, default=Polarity.NEUTRAL)
    target = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    amber_threshold = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Between this and the target is amber; beyond it is red (see returns/rag.py).",
    )
    period_kind = models.CharField(max_length=20, choices=PeriodKind.choices, default=PeriodKind.QUARTER)
    by_locality = models.BooleanField(default=False, help_text="Manual indicators: also supplied for each locality.")
    suppress_small_numbers = models.BooleanField(
        default=True, help_text="Counts from 1 to the threshold are shown as 'c' when published."
    )
    comment_above_change_percent = models.PositiveSmallIntegerField(
        default=25, help_text="A comment is required when the value moves more than this from the last period."
    )
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    objects = PartnershipScopedQuerySet.as_manager()

    class Meta:
        ordering = ["theme__position", "position", "title"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "code"], name="returns_indicator_unique_code"),
            models.CheckConstraint(
                condition=Q(source=Source.COMPUTED, agency__isnull=True, registry_code__gt="")
                | Q(source=Source.MANUAL, agency__isnull=False, registry_code=""),
                name="returns_indicator_source_agency_or_registry",
            ),
            models.CheckConstraint(
                condition=Q(unit=Unit.PERCENT) | Q(denominator_label=""),
                name="returns_indicator_denominator_only_for_percent",
            ),
        ]
        indexes = [
            # A return lists the active manual indicators its agency supplies.
            models.Index(fields=["agency", "is_active"], name="dsi_agency_active"),
            # Dashboard filter by theme.
            models.Index(fields=["partnership", "theme", "position"], name="dsi_theme"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("returns:indicator_detail", args=[self.pk])

    @property
    def has_denominator(self) -> bool:
        return self.unit == Unit.PERCENT


class ReportingPeriod(TimeStampedModel):
    """A period figures are reported for, e.g. "2025-26 Q3" (October to December 2025)."""

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="reporting_periods")
    kind = models.CharField(max_length=20, choices=PeriodKind.choices, default=PeriodKind.QUARTER)
    start = models.DateField()
    end = models.DateField()
    label = models.CharField(max_length=40)
    due_date = models.DateField(help_text="When the agencies' returns for this period are due.")

    objects = PartnershipScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-start", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "kind", "start"], name="returns_period_unique_start"),
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="returns_period_end_after_start"),
            models.CheckConstraint(condition=Q(due_date__gt=F("end")), name="returns_period_due_after_end"),
        ]
        indexes = [
            # The dashboard's last 20 quarters: by partnership and kind, newest first.
            models.Index(fields=["partnership", "kind", "-end"], name="period_latest"),
        ]

    def __str__(self) -> str:
        return self.label


class AgencyReturn(VersionedModel):
    """What one agency owes for one period: the manual indicators it supplies."""

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="agency_returns")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="returns")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="returns")
    due_date = models.DateField()
    status = models.CharField(max_length=20, choices=ReturnStatus.choices, default=ReturnStatus.NOT_STARTED)
    started_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reopen_reason = models.CharField(max_length=500, blank=True)

    objects = PartnershipScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-period__start", "agency__name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "period"], name="returns_return_one_per_agency_period"),
            models.CheckConstraint(
                condition=~Q(status=ReturnStatus.SUBMITTED) | Q(submitted_at__isnull=False),
                name="returns_return_submitted_at",
            ),
        ]
        indexes = [
            # Completeness grid: one partnership's returns for a run of periods, by status.
            models.Index(fields=["partnership", "period", "status"], name="return_grid"),
            # The reminder and chase job: unsubmitted returns by due date.
            models.Index(fields=["status", "due_date"], name="return_due"),
            # A data lead's returns, newest first.
            models.Index(fields=["agency", "-due_date"], name="return_agency"),
        ]

    def __str__(self) -> str:
        return f"{self.agency}, {self.period}"

    def get_absolute_url(self) -> str:
        return reverse("returns:return_detail", args=[self.pk])

    def is_late(self, today) -> bool:
        return self.status != ReturnStatus.SUBMITTED and today > self.due_date


class ReturnValueQuerySet(scoped_queryset("agency_return__partnership")):
    pass


class ReturnValue(TimeStampedModel):
    """One figure in a return (for the whole area, or one locality of a by-locality indicator)."""

    agency_return = models.ForeignKey(AgencyReturn, on_delete=models.CASCADE, related_name="values")
    indicator = models.ForeignKey(DataSetIndicator, on_delete=models.PROTECT, related_name="return_values")
    locality = models.ForeignKey(Locality, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    value = models.PositiveIntegerField(null=True, blank=True, help_text="The count, or a percentage's numerator.")
    denominator = models.PositiveIntegerField(null=True, blank=True)
    not_available = models.BooleanField(default=False)
    not_available_reason = models.CharField(max_length=500, blank=True)
    comment = models.TextField(blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ReturnValueQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency_return", "indicator"],
                condition=Q(locality__isnull=True),
                name="returns_value_one_whole_area",
            ),
            models.UniqueConstraint(
                fields=["agency_return", "indicator", "locality"],
                condition=Q(locality__isnull=False),
                name="returns_value_one_per_locality",
            ),
            models.CheckConstraint(
                condition=Q(not_available=False, not_available_reason="")
                | Q(not_available=True, value__isnull=True, denominator__isnull=True) & ~Q(not_available_reason=""),
                name="returns_value_not_available_with_reason",
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(denominator__isnull=True) | Q(value__lte=F("denominator")),
                name="returns_value_numerator_not_above_denominator",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} ({self.agency_return})"


class ReturnSubmission(models.Model):
    """One submitted version of a return, kept for good: the values as submitted and what changed
    from the previous submission. Never updated or deleted."""

    agency_return = models.ForeignKey(AgencyReturn, on_delete=models.CASCADE, related_name="submissions")
    number = models.PositiveSmallIntegerField(help_text="1 for the first submission, 2 after a reopening...")
    submitted_at = models.DateTimeField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    via = models.CharField(max_length=20, default="form", help_text="form, spreadsheet or api")
    values = models.JSONField(
        default=list, blank=True, help_text="The values as submitted (indicator code, locality, figures, comment)."
    )
    changes = models.JSONField(default=list, blank=True, help_text="What differs from the previous submission.")

    objects = scoped_queryset("agency_return__partnership").as_manager()

    class Meta:
        ordering = ["agency_return", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["agency_return", "number"], name="returns_submission_unique_number"),
        ]

    def __str__(self) -> str:
        return f"Submission {self.number} of {self.agency_return}"


class ReturnEmail(models.Model):
    """One e-mail about a return. Claimed (inserted) before it is sent: the unique constraint on
    the automatic stages means a reminder, chase or escalation goes once, whatever restarts.
    ``status`` follows the steps of ``chasing.py`` (claimed, sending, sent; failed, unconfirmed or
    cancelled)."""

    agency_return = models.ForeignKey(AgencyReturn, on_delete=models.CASCADE, related_name="emails")
    stage = models.CharField(max_length=20, choices=EmailStage.choices)
    status = models.CharField(max_length=20, choices=EmailStatus.choices, default=EmailStatus.CLAIMED)
    created_at = models.DateTimeField(auto_now_add=True)
    sending_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was last handed to the mail server (committed just before)."
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Times it was handed to the mail server.")
    recipients = models.PositiveSmallIntegerField(default=0, help_text="How many addresses it went to.")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Chases by hand: who sent it.",
    )
    error = models.CharField(max_length=500, blank=True)

    objects = scoped_queryset("agency_return__partnership").as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency_return", "stage"],
                condition=~Q(stage=EmailStage.MANUAL),
                name="returns_email_automatic_stage_once",
            ),
            models.CheckConstraint(
                condition=~Q(status=EmailStatus.SENT) | Q(sent_at__isnull=False),
                name="returns_email_sent_at",
            ),
        ]
        indexes = [
            # The daily job: claims and sends left behind by a stopped worker, and failures to retry.
            models.Index(fields=["status", "created_at"], name="returnemail_by_status"),
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} for return {self.agency_return_id}"


class EscalationContact(VersionedModel):
    """Who an agency's overdue returns are escalated to: the second chase (``EmailStage.ESCALATION``)
    goes to the agency's data leads and is copied to this person. One per agency; a person from the
    partnership's people (their e-mail address is kept there, in one place)."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="dataset_escalation_contacts")
    agency = models.OneToOneField(Agency, on_delete=models.CASCADE, related_name="dataset_escalation_contact")
    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Someone senior in the agency who can make sure its return is sent.",
    )

    objects = PartnershipScopedQuerySet.as_manager()

    class Meta:
        ordering = ["agency__name"]

    def __str__(self) -> str:
        return f"Escalation contact for {self.agency}"


class DataSetFigure(models.Model):
    """An agency-supplied figure of the data set as the dashboard and the report read it (exact:
    suppression is applied on the way out). ``locality`` empty: the whole partnership area."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="dataset_figures")
    indicator = models.ForeignKey(DataSetIndicator, on_delete=models.CASCADE, related_name="figures")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="figures")
    locality = models.ForeignKey(Locality, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    numerator = models.PositiveIntegerField(null=True, blank=True)
    denominator = models.PositiveIntegerField(null=True, blank=True)
    value = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    not_available = models.BooleanField(default=False)
    not_available_reason = models.CharField(max_length=500, blank=True)
    source_return = models.ForeignKey(
        AgencyReturn, null=True, blank=True, on_delete=models.SET_NULL, related_name="figures"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = PartnershipScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period"], condition=Q(locality__isnull=True), name="returns_figure_one_whole_area"
            ),
            models.UniqueConstraint(
                fields=["indicator", "period", "locality"],
                condition=Q(locality__isnull=False),
                name="returns_figure_one_per_locality",
            ),
        ]
        indexes = [
            # The dashboard: a partnership's figures for a run of periods (one query for every indicator).
            models.Index(fields=["partnership", "period"], name="figure_by_period"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.period}"


class Commentary(VersionedModel):
    """What the owning sub-group says about an indicator for a period."""

    indicator = models.ForeignKey(DataSetIndicator, on_delete=models.CASCADE, related_name="commentaries")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="commentaries")
    text = models.TextField()
    group = models.ForeignKey(Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = scoped_queryset("indicator__partnership").as_manager()

    class Meta:
        verbose_name_plural = "commentaries"
        constraints = [
            models.UniqueConstraint(fields=["indicator", "period"], name="returns_commentary_one_per_period"),
        ]

    def __str__(self) -> str:
        return f"Commentary on {self.indicator} for {self.period}"
