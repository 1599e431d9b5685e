"""The multi-agency procedures manual: manuals, sections, chapters with versions, and amendment
releases that publish chapter changes together on a go-live date."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from safeguard.core.models import PartnershipScopedQuerySet, TimeStampedModel, VersionedModel, scoped_queryset
from safeguard.partnerships.models import Partnership, Person

from .choices import ChangeKind, ChapterStatus, ReleaseStatus


class ManualQuerySet(PartnershipScopedQuerySet):
    """A manual is visible to its owning partnership and to partnerships that adopted it."""

    def visible_to(self, user):
        from safeguard.core.access import visible_partnership_ids

        ids = visible_partnership_ids(user)
        if ids is None:
            return self.all()
        return self.filter(Q(partnership__in=ids) | Q(adopted_by__in=ids)).distinct()


class Manual(VersionedModel):
    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="manuals")
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80)
    description = models.TextField(blank=True)
    adopted_by = models.ManyToManyField(Partnership, blank=True, related_name="adopted_manuals")
    next_update_due = models.DateField(null=True, blank=True)

    objects = ManualQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        constraints = [models.UniqueConstraint(fields=["partnership", "slug"], name="procedures_manual_unique_slug")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("procedures_workspace:manual", args=[self.pk])


class Section(TimeStampedModel):
    manual = models.ForeignKey(Manual, on_delete=models.CASCADE, related_name="sections")
    title = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    objects = scoped_queryset("manual__partnership").as_manager()

    class Meta:
        ordering = ["position", "title"]

    def __str__(self) -> str:
        return self.title


class Chapter(VersionedModel):
    manual = models.ForeignKey(Manual, on_delete=models.CASCADE, related_name="chapters")
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="chapters")
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=120, help_text="The chapter's stable address; it never changes.")
    local_to = models.ForeignKey(
        Partnership,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="A local chapter shown only on this partnership's site; empty: shared by every adopter.",
    )
    status = models.CharField(max_length=20, choices=ChapterStatus.choices, default=ChapterStatus.DRAFT)
    live_version = models.ForeignKey(
        "ChapterVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_date = models.DateField(null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    owner = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_chapters",
        help_text="The person responsible for keeping this chapter up to date.",
    )
    related_chapters = models.ManyToManyField("self", blank=True, help_text="Chapters to read alongside this one.")

    objects = scoped_queryset("manual__partnership").as_manager()

    class Meta:
        ordering = ["section__position", "position", "title"]
        constraints = [models.UniqueConstraint(fields=["manual", "slug"], name="procedures_chapter_unique_slug")]
        indexes = [models.Index(fields=["manual", "status"], name="chapter_manual_status")]  # contents page

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("procedures_workspace:chapter", args=[self.pk])


class ChapterVersion(TimeStampedModel):
    chapter = models.ForeignKey(Chapter, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    body_markdown = models.TextField()
    body_html = models.TextField(editable=False)
    change_note = models.CharField("what changed", max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    objects = scoped_queryset("chapter__manual__partnership").as_manager()

    class Meta:
        ordering = ["chapter", "-number"]
        constraints = [models.UniqueConstraint(fields=["chapter", "number"], name="procedures_version_unique_number")]

    def __str__(self) -> str:
        return f"{self.chapter} v{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("procedures_workspace:version", args=[self.pk])


class Release(VersionedModel):
    """An amendment release (e.g. "December 2017"): chapter changes that go live together."""

    manual = models.ForeignKey(Manual, on_delete=models.PROTECT, related_name="releases")
    title = models.CharField(max_length=100)
    go_live_on = models.DateField()
    status = models.CharField(max_length=20, choices=ReleaseStatus.choices, default=ReleaseStatus.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)

    objects = scoped_queryset("manual__partnership").as_manager()

    class Meta:
        ordering = ["-go_live_on"]
        indexes = [models.Index(fields=["status", "go_live_on"], name="release_due")]  # the go-live job

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("procedures_workspace:release", args=[self.pk])


class ReleaseChange(TimeStampedModel):
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="changes")
    chapter = models.ForeignKey(Chapter, on_delete=models.PROTECT, related_name="release_changes")
    kind = models.CharField(max_length=20, choices=ChangeKind.choices)
    version = models.ForeignKey(ChapterVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    summary = models.TextField(blank=True, help_text="What changed, shown on the amendments page.")

    objects = scoped_queryset("release__manual__partnership").as_manager()

    class Meta:
        ordering = ["kind", "chapter__title"]
        constraints = [
            models.UniqueConstraint(fields=["release", "chapter"], name="procedures_change_one_per_chapter"),
            models.CheckConstraint(
                condition=Q(kind="removed") | Q(version__isnull=False),
                name="procedures_change_version_unless_removed",
                violation_error_message="A new or updated chapter needs the version to publish.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.chapter}"
