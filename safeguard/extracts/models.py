"""Statutory extracts and the child-level records loaded from them.

An ``Extract`` is one uploaded file (a CIN census XML or an Annex A workbook) for one local
authority and collection year. Its child-level rows are written in one transaction with the
extract's status becoming ``loaded`` and the previous current extract becoming ``superseded``, so
a failed or interrupted import leaves the previous extract in place (see ``services.py``).

Child-level rows are minimal: only the fields the indicators and the DfE rules need. They are
visible only to users with ``extracts.view_child_data`` (the analyst role) and every read is
written to the access log. Every child-level table carries ``extract`` (and ``child``) so an
indicator is one scan of one table filtered by extract, and an extract can be deleted in bulk.

The database keeps one chain of foreign keys: extract <- child <- episode <- assessment, CIN plan,
section 47, CP plan <- review. The ``extract`` and ``child`` shortcuts beside it (``shortcut``) are
indexed relations without a database constraint: the loader copies them from the row's parent, so
they cannot disagree with the chain, and PostgreSQL would otherwise check each of them row by row
when the load commits (about 250,000 checks for a 50,000-child file, more than half of them all).
Deleting an extract still removes every row: Django's ``on_delete=CASCADE`` is done by the ORM, which
follows shortcuts like any relation (``tests/test_child_rows.py`` proves it on both databases).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from safeguard.core.models import PartnershipScopedQuerySet, TimeStampedModel, scoped_queryset

from .choices import ExtractKind, ExtractStatus, Severity


class Extract(TimeStampedModel):
    partnership = models.ForeignKey("partnerships.Partnership", on_delete=models.PROTECT, related_name="extracts")
    kind = models.CharField(max_length=20, choices=ExtractKind.choices)
    local_authority_code = models.CharField(max_length=3, blank=True, help_text="Three-digit LEA code from the file.")
    collection_year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The year the census year ends: 2025 for 1 April 2024 to 31 March 2025."
    )
    reference_date = models.DateField(null=True, blank=True)
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    source = models.JSONField(default=dict, blank=True, help_text="Header details: software, release, serial number.")

    original_filename = models.CharField(max_length=255)
    size_bytes = models.BigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    stored_name = models.CharField(
        max_length=100, blank=True, help_text="Private file waiting to be imported; emptied when the import ends."
    )
    locality_lookup_name = models.CharField(
        max_length=255, blank=True, help_text="Optional CSV placing each LAchildID in a locality."
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    status = models.CharField(max_length=20, choices=ExtractStatus.choices, default=ExtractStatus.PENDING)
    is_current = models.BooleanField(
        default=False, help_text="The extract the partnership's figures use for this authority, kind and year."
    )
    failure_message = models.TextField(blank=True)

    # Progress, written by the import as it reads (committed outside the import's transaction).
    bytes_read = models.BigIntegerField(default=0)
    children_read = models.PositiveIntegerField(default=0)

    children_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    query_count = models.PositiveIntegerField(default=0)
    finding_counts = models.JSONField(default=dict, blank=True, help_text="Findings counted by rule code.")
    timings = models.JSONField(default=dict, blank=True, help_text="Seconds spent parsing, validating and loading.")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = PartnershipScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "kind", "local_authority_code", "collection_year"],
                condition=Q(is_current=True),
                name="extracts_extract_one_current",
                violation_error_message="Only one extract can be current for an authority, kind and year.",
            ),
            models.CheckConstraint(
                condition=Q(is_current=False) | Q(status=ExtractStatus.LOADED),
                name="extracts_extract_current_is_loaded",
            ),
        ]
        indexes = [
            # The extract list: per partnership, newest first, filtered by kind and status.
            models.Index(fields=["partnership", "kind", "-created_at"], name="extract_list"),
            # Indicators: the current extracts of a partnership by year.
            models.Index(fields=["partnership", "kind", "collection_year"], name="extract_current_by_year"),
            # The extract list filtered by status, newest first.
            models.Index(fields=["partnership", "status", "-created_at"], name="extract_by_status"),
            # Stalled imports: importing, with no progress written for a while (services.extracts_fail_stalled).
            models.Index(fields=["status", "updated_at"], name="extract_stalled"),
        ]

    def __str__(self) -> str:
        year = f" {self.collection_year - 1}-{self.collection_year % 100:02d}" if self.collection_year else ""
        la = f" LA {self.local_authority_code}" if self.local_authority_code else ""
        return f"{self.get_kind_display().split(' (')[0]}{year}{la} (#{self.pk})"

    def get_absolute_url(self) -> str:
        return reverse("extracts:extract_detail", args=[self.pk])

    def get_additional_data(self) -> dict:
        """Stored with every django-auditlog entry so the audit viewer can scope by partnership."""
        return {"partnership_id": self.partnership_id}


class Finding(models.Model):
    """One validation finding: a DfE rule (or a structural check) that a child or the file breaks."""

    extract = models.ForeignKey(Extract, on_delete=models.CASCADE, related_name="findings")
    code = models.CharField(max_length=12, help_text="DfE rule code (8840, 8670Q) or our own (XML01).")
    severity = models.CharField(max_length=10, choices=Severity.choices)
    la_child_id = models.CharField("LAchildID", max_length=40, blank=True)
    field = models.CharField(max_length=60, blank=True)
    line = models.PositiveIntegerField(null=True, blank=True)
    message = models.TextField()
    fix = models.TextField(blank=True)

    objects = scoped_queryset("extract__partnership").as_manager()

    class Meta:
        ordering = ["pk"]
        indexes = [
            models.Index(fields=["extract", "code"], name="finding_by_rule"),  # report filtered by rule
            models.Index(fields=["extract", "severity"], name="finding_by_severity"),  # errors first
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.la_child_id}".strip()


ChildScoped = scoped_queryset("extract__partnership")


def shortcut(to, *, related_name: str = "+") -> models.ForeignKey:
    """A child-level row's ``extract`` or ``child``: an indexed relation the ORM cascades, with no
    database constraint (the chain of parents keeps the integrity; see the module's docstring)."""
    return models.ForeignKey(to, on_delete=models.CASCADE, related_name=related_name, db_constraint=False)


class CensusChild(models.Model):
    extract = models.ForeignKey(Extract, on_delete=models.CASCADE, related_name="children")
    la_child_id = models.CharField("LAchildID", max_length=40)
    upn = models.CharField("UPN", max_length=13, blank=True)
    former_upn = models.CharField("former UPN", max_length=13, blank=True)
    upn_unknown = models.CharField("UPN unknown reason", max_length=3, blank=True)
    sex = models.CharField(max_length=1, blank=True, help_text="M, F or U (GenderCurrent 1/2/0/9 before 2024-25).")
    birth_date = models.DateField(null=True, blank=True)
    expected_birth_date = models.DateField(null=True, blank=True)
    death_date = models.DateField(null=True, blank=True)
    ethnicity = models.CharField(max_length=4, blank=True)
    disabilities = models.CharField(max_length=80, blank=True, help_text="Disability codes, comma-separated.")
    locality = models.ForeignKey(
        "partnerships.Locality", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    line = models.PositiveIntegerField(null=True, blank=True)

    objects = ChildScoped.as_manager()

    class Meta:
        ordering = ["la_child_id"]
        indexes = [models.Index(fields=["extract", "la_child_id"], name="censuschild_by_id")]  # drill-through

    def __str__(self) -> str:
        return f"Child {self.la_child_id}"


class CinEpisode(models.Model):
    """A CINdetails group: one referral and what followed it."""

    extract = shortcut(Extract)
    child = models.ForeignKey(CensusChild, on_delete=models.CASCADE, related_name="episodes")
    referral_date = models.DateField(null=True, blank=True)
    referral_source = models.CharField(max_length=3, blank=True)
    primary_need = models.CharField(max_length=2, blank=True)
    closure_date = models.DateField(null=True, blank=True)
    reason_for_closure = models.CharField(max_length=4, blank=True)
    initial_cpc_date = models.DateField(
        null=True, blank=True, help_text="DateOfInitialCPC at the CINdetails level (ICPC with no S47 in the year)."
    )
    referral_nfa = models.BooleanField(null=True)

    objects = ChildScoped.as_manager()

    class Meta:
        ordering = ["referral_date", "pk"]
        indexes = [models.Index(fields=["extract", "referral_date"], name="episode_by_referral")]  # referrals

    def __str__(self) -> str:
        return f"Referral {self.referral_date or '(no date)'}"


class CensusAssessment(models.Model):
    extract = shortcut(Extract)
    child = shortcut(CensusChild)
    episode = models.ForeignKey(CinEpisode, on_delete=models.CASCADE, related_name="assessments")
    start_date = models.DateField(null=True, blank=True)
    authorisation_date = models.DateField(null=True, blank=True)
    factors = models.CharField(max_length=200, blank=True, help_text="Assessment factor codes, comma-separated.")

    objects = ChildScoped.as_manager()

    class Meta:
        ordering = ["start_date", "pk"]

    def __str__(self) -> str:
        return f"Assessment {self.start_date or '(no date)'}"


class CinPlan(models.Model):
    extract = shortcut(Extract)
    child = shortcut(CensusChild)
    episode = models.ForeignKey(CinEpisode, on_delete=models.CASCADE, related_name="cin_plans")
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)

    objects = ChildScoped.as_manager()

    class Meta:
        ordering = ["start_date", "pk"]

    def __str__(self) -> str:
        return f"CIN plan {self.start_date or '(no date)'}"


class Section47(models.Model):
    extract = shortcut(Extract)
    child = shortcut(CensusChild)
    episode = models.ForeignKey(CinEpisode, on_delete=models.CASCADE, related_name="section47s")
    start_date = models.DateField(null=True, blank=True)
    icpc_target = models.DateField(null=True, blank=True)
    icpc_date = models.DateField(null=True, blank=True)
    icpc_not_required = models.BooleanField(null=True)

    objects = ChildScoped.as_manager()

    class Meta:
        ordering = ["start_date", "pk"]
        verbose_name = "section 47 enquiry"

    def __str__(self) -> str:
        return f"Section 47 enquiry {self.start_date or '(no date)'}"


class ChildProtectionPlan(models.Model):
    extract = shortcut(Extract)
    child = shortcut(CensusChild)
    episode = models.ForeignKey(CinEpisode, on_delete=models.CASCADE, related_name="cp_plans")
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    initial_category = models.CharField(max_length=3, blank=True)
    latest_category = models.CharField(max_length=3, blank=True)
    previous_plans = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="NumberOfPreviousCPP (0 accepted, although the schema says positive)."
    )

    objects = ChildScoped.as_manager()

    class Meta:
        ordering = ["start_date", "pk"]

    def __str__(self) -> str:
        return f"Child protection plan {self.start_date or '(no date)'}"


class CpReview(models.Model):
    extract = shortcut(Extract)
    plan = models.ForeignKey(ChildProtectionPlan, on_delete=models.CASCADE, related_name="reviews")
    review_date = models.DateField(null=True, blank=True)

    objects = ChildScoped.as_manager()

    class Meta:
        ordering = ["review_date", "pk"]

    def __str__(self) -> str:
        return f"Review {self.review_date or '(no date)'}"
