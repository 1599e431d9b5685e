"""Child-level rows of an Ofsted Annex A workbook (lists 1-7), and how each sheet was read.

An Annex A import is an ``extracts.Extract`` of kind ``annex_a``: its findings are
``extracts.Finding`` rows and the generic extract pages show them. This app adds:

- one table per list (``AnnexAContact`` for list 1 ... ``AnnexAChildProtection`` for list 7), each
  row with its ``extract`` and the sheet row number it came from (``line``);
- ``AnnexASheet``: for each sheet of the workbook, which list it was taken for, which heading was
  matched to which field, what was missing or ignored, and how many rows were read.

Rows keep only what the partnership needs: the child's ID, gender, ethnicity, date of birth, age,
disability, the allocated team (to place the child in a locality) and the list's own fields. Staff
names, children's names, addresses and other identifiers are never stored (``columns.NOT_KEPT``).
Rows are written only by ``services.annex_a_import``, all of a workbook or none of it, and never
edited afterwards; like every child-level table they are reached through
``objects.visible_to(user)`` and shown only to the analyst role.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from safeguard.core.models import PartnershipScopedQuerySet, scoped_queryset
from safeguard.extracts.choices import ExtractKind
from safeguard.extracts.models import Extract

RowScoped = scoped_queryset("extract__partnership")


class AnnexAExtractManager(models.Manager.from_queryset(PartnershipScopedQuerySet)):
    def get_queryset(self):
        return super().get_queryset().filter(kind=ExtractKind.ANNEX_A)


class AnnexAExtract(Extract):
    """The Annex A extracts among ``extracts.Extract`` (a proxy: no table of its own). Pages about
    one Annex A import name it, so an extract of another kind is never shown there."""

    objects = AnnexAExtractManager()

    class Meta:
        proxy = True
        verbose_name = "Annex A import"

    def get_summary_url(self) -> str:
        return reverse("annexa:extract_summary", args=[self.pk])


class SheetStatus(models.TextChoices):
    IMPORTED = "imported", "Read"
    NOT_IMPORTED = "not_imported", "Not imported (list outside the partnership's child protection focus)"
    DUPLICATE = "duplicate", "Not imported: an earlier sheet already holds this list"
    NO_HEADINGS = "no_headings", "Not read: no row of column headings was recognised"
    UNRECOGNISED = "unrecognised", "Not imported: not an Annex A list"


class AnnexASheet(models.Model):
    """One sheet of an imported workbook and what was made of it (kept for rejected imports too,
    so the analyst can see why a column was not found)."""

    extract = models.ForeignKey(Extract, on_delete=models.CASCADE, related_name="annexa_sheets")
    position = models.PositiveSmallIntegerField(help_text="Order of the sheet in the workbook, from 1.")
    name = models.CharField(max_length=100)
    list_number = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Annex A list 1-11, if recognised.")
    status = models.CharField(max_length=20, choices=SheetStatus.choices)
    header_row = models.PositiveIntegerField(null=True, blank=True)
    rows = models.PositiveIntegerField(default=0, help_text="Rows with data under the headings.")
    columns = models.JSONField(
        default=dict,
        blank=True,
        help_text="Matched columns, missing fields and ignored headings (columns.ColumnMatch).",
    )

    objects = RowScoped.as_manager()

    class Meta:
        ordering = ["extract", "position"]
        constraints = [
            models.UniqueConstraint(fields=["extract", "position"], name="annexa_sheet_unique_position"),
            models.CheckConstraint(
                condition=Q(list_number__isnull=True) | Q(list_number__gte=1, list_number__lte=11),
                name="annexa_sheet_list_1_to_11",
            ),
        ]

    def __str__(self) -> str:
        return f"Sheet {self.name}"


class AnnexARow(models.Model):
    """The columns every list starts with, and where the row came from."""

    extract = models.ForeignKey(Extract, on_delete=models.CASCADE, related_name="+")
    line = models.PositiveIntegerField(help_text="Row number in the sheet.")
    child_id = models.CharField("child unique ID", max_length=40)
    gender = models.CharField(max_length=1, blank=True, help_text="M, F or U (as the DfE census records sex).")
    ethnicity = models.CharField(max_length=4, blank=True, help_text="DfE ethnicity code, for example WBRI.")
    birth_date = models.DateField(null=True, blank=True)
    age = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Age in years as the workbook gives it.")
    disability = models.BooleanField(null=True, help_text="Does the child have a disability (blank: not known).")
    allocated_team = models.CharField(max_length=200, blank=True)

    objects = RowScoped.as_manager()

    class Meta:
        abstract = True
        ordering = ["line"]

    list_number = 0

    def __str__(self) -> str:
        return f"List {self.list_number} row {self.line}"


class AnnexAContact(AnnexARow):
    """List 1: one row per contact."""

    list_number = 1
    contact_date = models.DateField()
    contact_source = models.CharField(max_length=3, blank=True, help_text="DfE referral source code.")

    class Meta(AnnexARow.Meta):
        verbose_name = "Annex A contact (list 1)"
        indexes = [models.Index(fields=["extract", "contact_date"], name="annexa_contact_by_date")]  # contacts by month


class AnnexAEarlyHelp(AnnexARow):
    """List 2: one row per early help assessment."""

    list_number = 2
    start_date = models.DateField()
    completion_date = models.DateField(null=True, blank=True)
    organisation = models.CharField(max_length=200, blank=True, help_text="Organisation completing the assessment.")

    class Meta(AnnexARow.Meta):
        verbose_name = "Annex A early help assessment (list 2)"
        indexes = [models.Index(fields=["extract", "start_date"], name="annexa_earlyhelp_by_start")]  # by agency/month
        constraints = [
            models.CheckConstraint(
                condition=Q(completion_date__isnull=True) | Q(completion_date__gte=F("start_date")),
                name="annexa_earlyhelp_completed_after_start",
            )
        ]


class AnnexAReferral(AnnexARow):
    """List 3: one row per referral."""

    list_number = 3
    referral_date = models.DateField()
    referral_source = models.CharField(max_length=3, blank=True, help_text="DfE referral source code.")
    referral_nfa = models.BooleanField("no further action", null=True)
    referrals_last_12_months = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta(AnnexARow.Meta):
        verbose_name = "Annex A referral (list 3)"
        indexes = [models.Index(fields=["extract", "referral_date"], name="annexa_referral_by_date")]  # re-referrals


class AnnexAAssessment(AnnexARow):
    """List 4: one row per child and family assessment."""

    list_number = 4
    start_date = models.DateField()
    child_seen = models.BooleanField(null=True)
    authorisation_date = models.DateField(null=True, blank=True)
    needs_support = models.BooleanField("assessed as needing social care support", null=True)

    class Meta(AnnexARow.Meta):
        verbose_name = "Annex A assessment (list 4)"
        indexes = [models.Index(fields=["extract", "start_date"], name="annexa_assessment_by_start")]  # 45-day figure
        constraints = [
            models.CheckConstraint(
                condition=Q(authorisation_date__isnull=True) | Q(authorisation_date__gte=F("start_date")),
                name="annexa_assessment_authorised_after_start",
            )
        ]


class AnnexASection47(AnnexARow):
    """List 5: one row per section 47 enquiry, with its initial child protection conference."""

    list_number = 5
    start_date = models.DateField(help_text="Strategy discussion initiating the section 47 enquiry.")
    icpc_not_required = models.BooleanField("ICPC not required", null=True)
    icpc_date = models.DateField("ICPC date", null=True, blank=True)
    resulted_in_plan = models.BooleanField("ICPC resulted in a child protection plan", null=True)
    section47s_last_12_months = models.PositiveSmallIntegerField(null=True, blank=True)
    icpcs_last_12_months = models.PositiveSmallIntegerField("ICPCs in the last 12 months", null=True, blank=True)

    class Meta(AnnexARow.Meta):
        verbose_name = "Annex A section 47 enquiry (list 5)"
        indexes = [models.Index(fields=["extract", "start_date"], name="annexa_s47_by_start")]  # ICPC in 15 days
        constraints = [
            models.CheckConstraint(
                condition=Q(icpc_date__isnull=True) | Q(icpc_date__gte=F("start_date")),
                name="annexa_s47_icpc_after_start",
            )
        ]


class AnnexAChildInNeed(AnnexARow):
    """List 6: one row per child in need episode open in the window."""

    list_number = 6
    start_date = models.DateField("CIN start date", null=True, blank=True)
    primary_need = models.CharField(max_length=2, blank=True, help_text="DfE primary need code N0-N9.")
    last_seen_date = models.DateField(null=True, blank=True)
    closure_date = models.DateField(null=True, blank=True)
    closure_reason = models.CharField(max_length=3, blank=True, help_text="DfE reason for closure RC1-RC9.")
    case_status = models.CharField(max_length=6, blank=True, help_text="LAC, CPP, CINP, ASMT or CLOSED.")

    class Meta(AnnexARow.Meta):
        verbose_name = "Annex A child in need (list 6)"
        verbose_name_plural = "Annex A children in need (list 6)"
        indexes = [models.Index(fields=["extract", "child_id"], name="annexa_cin_by_child")]  # one episode per child
        constraints = [
            models.CheckConstraint(
                condition=Q(closure_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(closure_date__gte=F("start_date")),
                name="annexa_cin_closed_after_start",
            )
        ]


class AnnexAChildProtection(AnnexARow):
    """List 7: one row per child protection plan open in the window."""

    list_number = 7
    start_date = models.DateField("plan start date")
    initial_category = models.CharField(max_length=3, blank=True, help_text="NEG, PHY, SAB, EMO or MUL.")
    latest_category = models.CharField(max_length=3, blank=True)
    last_visit_date = models.DateField("last statutory visit", null=True, blank=True)
    seen_alone = models.BooleanField(null=True)
    latest_review_date = models.DateField("latest review conference", null=True, blank=True)
    end_date = models.DateField("plan end date", null=True, blank=True)
    emergency_protection = models.BooleanField("EPO or police protection in the last six months", null=True)
    previous_plans = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta(AnnexARow.Meta):
        verbose_name = "Annex A child protection plan (list 7)"
        indexes = [models.Index(fields=["extract", "start_date"], name="annexa_cp_by_start")]  # plan length, repeats
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gt=F("start_date")),
                name="annexa_cp_ends_after_start",
            )
        ]


#: The table each list's rows go to.
LIST_MODELS: dict[int, type[AnnexARow]] = {
    model.list_number: model
    for model in (
        AnnexAContact,
        AnnexAEarlyHelp,
        AnnexAReferral,
        AnnexAAssessment,
        AnnexASection47,
        AnnexAChildInNeed,
        AnnexAChildProtection,
    )
}
