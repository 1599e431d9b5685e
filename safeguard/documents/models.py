"""The documents library: a partnership's policies, protocols, guidance, toolkits, forms and reports.

A ``Document`` is the stable record (title, address, owner, review date, who may see it); each upload
is a ``DocumentVersion`` with a "what changed" note. ``Document.current_version`` is the version
served; older versions stay, downloadable by staff. ``ReviewReminder`` records each reminder e-mail
sent, so one is never sent twice.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from safeguard.core.models import PartnershipScopedQuerySet, TimeStampedModel, VersionedModel, scoped_queryset
from safeguard.partnerships.models import Partnership, Person

from . import files
from .choices import Category, DocumentStatus, ReminderStage, Visibility

#: A review is "due" this many days before the review date (list filter, reminder e-mail).
REVIEW_DUE_DAYS = 30


class DocumentQuerySet(PartnershipScopedQuerySet):
    def current(self):
        return self.filter(status=DocumentStatus.CURRENT)

    def published(self):
        """What the public practitioner site shows: public, current, with a file."""
        return self.filter(visibility=Visibility.PUBLIC, status=DocumentStatus.CURRENT, current_version__isnull=False)

    def review_overdue(self, today: dt.date):
        return self.current().filter(review_date__lt=today)

    def review_due(self, today: dt.date):
        """Current documents whose review date is today or in the next ``REVIEW_DUE_DAYS`` days."""
        return self.current().filter(
            review_date__gte=today, review_date__lte=today + dt.timedelta(days=REVIEW_DUE_DAYS)
        )


class Document(VersionedModel):
    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="documents")
    title = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=120, help_text="The document's address on the practitioner site. It never changes."
    )
    summary = models.TextField(
        max_length=2000, blank=True, help_text="One or two sentences: what it is for and who should use it."
    )
    category = models.CharField(max_length=20, choices=Category.choices)
    owner = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="owned_documents",
        help_text="Who keeps it up to date. Review reminders go to their e-mail address.",
    )
    review_date = models.DateField(help_text="When it must next be reviewed. For example, 2027-03-31")
    visibility = models.CharField(max_length=20, choices=Visibility.choices, default=Visibility.PUBLIC)
    status = models.CharField(max_length=20, choices=DocumentStatus.choices, default=DocumentStatus.CURRENT)
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)
    current_version = models.ForeignKey(
        "DocumentVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "slug"], name="documents_document_unique_slug"),
            models.CheckConstraint(
                condition=Q(status="archived", archived_at__isnull=False) | Q(status="current", archived_at=None),
                name="documents_document_archived_at_with_status",
                violation_error_message="An archived document records when it was archived; a current one does not.",
            ),
        ]
        indexes = [
            # workspace library: filter by category within the user's partnerships, ordered by title
            models.Index(fields=["partnership", "category", "title"], name="document_list_category"),
            # workspace filters "review overdue / due" and the daily reminder job (status + date range)
            models.Index(fields=["status", "review_date"], name="document_review_due"),
            # public library: public + current documents of one partnership, grouped by category
            models.Index(fields=["partnership", "visibility", "status", "category"], name="document_public_list"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("documents:document_detail", args=[self.pk])

    def get_public_url(self) -> str:
        return reverse("public_documents:detail", args=[self.partnership.slug, self.slug])

    @property
    def is_public(self) -> bool:
        return self.visibility == Visibility.PUBLIC

    @property
    def is_archived(self) -> bool:
        return self.status == DocumentStatus.ARCHIVED

    def review_state(self, today: dt.date) -> str:
        """``overdue``, ``due`` (within ``REVIEW_DUE_DAYS``) or ``later``."""
        if self.review_date < today:
            return "overdue"
        if self.review_date <= today + dt.timedelta(days=REVIEW_DUE_DAYS):
            return "due"
        return "later"


class DocumentVersion(TimeStampedModel):
    """One uploaded file. Never changed after upload; the file name on disk is random."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    file = models.FileField(storage=files.document_storage, upload_to=files.random_file_name, max_length=255)
    original_filename = models.CharField(max_length=255, help_text="The uploader's file name, made safe.")
    content_type = models.CharField(max_length=100, help_text="Detected from the file's content.")
    size = models.PositiveBigIntegerField(help_text="Bytes.")
    sha256 = models.CharField(max_length=64)
    change_note = models.CharField("what changed", max_length=500)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = scoped_queryset("document__partnership").as_manager()

    class Meta:
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="documents_version_unique_number"),
            models.CheckConstraint(condition=Q(size__gt=0), name="documents_version_not_empty"),
            models.CheckConstraint(condition=Q(number__gte=1), name="documents_version_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.document} (version {self.number})"

    @property
    def partnership_id(self) -> int:
        """The owning partnership, for the access log and the audit viewer's scoping."""
        return self.document.partnership_id

    def get_additional_data(self) -> dict:
        return {"partnership_id": self.partnership_id}

    @property
    def kind(self) -> files.FileKind | None:
        return files.KINDS.get(self.content_type)

    @property
    def type_label(self) -> str:
        kind = self.kind
        return kind.label if kind else "File"

    @property
    def size_display(self) -> str:
        return files.human_size(self.size)

    @property
    def description(self) -> str:
        """For readers: ``PDF, 240 KB``."""
        return f"{self.type_label}, {self.size_display}"

    def download_name(self, *, latest: bool) -> str:
        """``escalation-policy.pdf``, or ``escalation-policy-version-2.pdf`` for an older version."""
        kind = self.kind
        extension = kind.extension if kind else "bin"
        suffix = "" if latest else f"-version-{self.number}"
        return f"{self.document.slug}{suffix}.{extension}"


class ReviewReminder(models.Model):
    """A review reminder e-mail that has been sent. The unique constraint is what guarantees a
    reminder goes once per document, review date and stage, however often the job runs."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="reminders")
    review_date = models.DateField()
    stage = models.CharField(max_length=20, choices=ReminderStage.choices)
    sent_at = models.DateTimeField()
    recipient_count = models.PositiveSmallIntegerField(default=0)

    objects = scoped_queryset("document__partnership").as_manager()

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "review_date", "stage"], name="documents_reminder_once_per_stage"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()}: {self.document} ({self.review_date:%d %b %Y})"
