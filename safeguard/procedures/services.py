"""Writes and rules for the procedures manual.

The central rule: a release publishes **all** its chapter changes or none (``release_publish`` runs
in one transaction), and only on or after its go-live date. Publishing twice is harmless.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from safeguard.core.access import has_capability
from safeguard.core.concurrency import audit_actor, save_new, save_versioned
from safeguard.core.roles import Capability

from .choices import ChangeKind, ChapterStatus, ReleaseStatus
from .links import release_broken_links
from .markdown import render_markdown, validate_markdown
from .models import Chapter, ChapterVersion, Manual, Release, ReleaseChange, Section
from .signals import release_published

logger = logging.getLogger(__name__)

#: Chapter addresses that would be hidden by the manual's own pages (see urls.py).
RESERVED_CHAPTER_SLUGS = frozenset({"amendments"})


def _require_edit(user, manual: Manual) -> None:
    if user is None:  # the scheduled go-live job acts for the partnership
        return
    if not has_capability(user, manual.partnership_id, Capability.EDIT_PROCEDURES):
        raise PermissionDenied("Only the business unit of the partnership that owns this manual can change it.")


@transaction.atomic
def manual_create(*, partnership, by, title: str, slug: str, description: str = "") -> Manual:
    if not has_capability(by, partnership.pk, Capability.EDIT_PROCEDURES):
        raise PermissionDenied("Only the business unit can create a manual.")
    manual = Manual(partnership=partnership, title=title, slug=slug, description=description, updated_by=by)
    save_new(manual, by=by)
    return manual


@transaction.atomic
def section_create(*, manual: Manual, by, title: str, position: int = 0) -> Section:
    _require_edit(by, manual)
    section = Section(manual=manual, title=title, position=position)
    save_new(section, by=by)
    return section


@transaction.atomic
def chapter_create(*, section: Section, by, title: str, slug: str, body_markdown: str, position: int = 0) -> Chapter:
    """A new chapter, not yet published: it goes live with the release that adds it."""
    _require_edit(by, section.manual)
    if slug in RESERVED_CHAPTER_SLUGS:
        raise ValidationError({"slug": f"'{slug}' is used by the manual's own pages: choose another address."})
    chapter = Chapter(manual=section.manual, section=section, title=title, slug=slug, position=position, updated_by=by)
    save_new(chapter, by=by)
    chapter_version_create(chapter=chapter, by=by, body_markdown=body_markdown, change_note="First version")
    return chapter


@transaction.atomic
def chapter_version_create(*, chapter: Chapter, by, body_markdown: str, change_note: str = "") -> ChapterVersion:
    """A new draft version of a chapter. It is published by a release, never directly."""
    _require_edit(by, chapter.manual)
    if not body_markdown.strip():
        raise ValidationError({"body_markdown": "Enter the chapter's text."})
    validate_markdown(body_markdown)
    Chapter.objects.select_for_update().filter(pk=chapter.pk).first()  # serialise version numbers
    number = (chapter.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = ChapterVersion(
        chapter=chapter,
        number=number,
        body_markdown=body_markdown,
        body_html=render_markdown(body_markdown),
        change_note=change_note,
        created_by=by if by is not None and by.is_authenticated else None,
    )
    save_new(version, by=by)
    return version


@transaction.atomic
def chapter_update(
    *,
    chapter: Chapter,
    by,
    expected_version: int,
    title: str,
    section: Section,
    owner=None,
    review_date: dt.date | None = None,
    position: int = 0,
    related_chapters=(),
) -> Chapter:
    """Change a chapter's details. Its address (slug) never changes; its text changes by a new version."""
    _require_edit(by, chapter.manual)
    if section.manual_id != chapter.manual_id:
        raise ValidationError({"section": "Choose a section of this chapter's manual."})
    if owner is not None and owner.partnership_id != chapter.manual.partnership_id:
        raise ValidationError({"owner": "Choose a person from the partnership that owns the manual."})
    related = list(related_chapters)
    if any(r.manual_id != chapter.manual_id or r.pk == chapter.pk for r in related):
        raise ValidationError({"related_chapters": "Choose other chapters of the same manual."})
    chapter.title, chapter.section, chapter.owner = title, section, owner
    chapter.review_date, chapter.position = review_date, position
    save_versioned(
        chapter,
        expected_version=expected_version,
        by=by,
        fields=["title", "section", "owner", "review_date", "position"],
    )
    chapter.related_chapters.set(related)
    return chapter


@transaction.atomic
def release_create(*, manual: Manual, by, title: str, go_live_on: dt.date) -> Release:
    _require_edit(by, manual)
    release = Release(manual=manual, title=title, go_live_on=go_live_on, updated_by=by)
    save_new(release, by=by)
    return release


@transaction.atomic
def release_add_change(
    *, release: Release, by, chapter: Chapter, kind: str, summary: str = "", version: ChapterVersion | None = None
) -> ReleaseChange:
    _require_edit(by, release.manual)
    if release.status == ReleaseStatus.PUBLISHED:
        raise ValidationError("This release is already live: put the change in the next release.")
    if release.status == ReleaseStatus.SCHEDULED:
        raise ValidationError("This release is scheduled: take it back to draft before changing what it contains.")
    if chapter.manual_id != release.manual_id:
        raise ValidationError({"chapter": "Choose a chapter of this release's manual."})
    status = Chapter.objects.filter(pk=chapter.pk).values_list("status", flat=True).get()  # not a stale copy
    published_before = status != ChapterStatus.DRAFT
    if kind == ChangeKind.NEW and published_before:
        raise ValidationError({"kind": "This chapter has been published before: add it as an updated chapter."})
    if kind == ChangeKind.UPDATED and not published_before:
        raise ValidationError({"kind": "This chapter has never been published: add it as a new chapter."})
    if kind == ChangeKind.REMOVED and status != ChapterStatus.LIVE:
        raise ValidationError({"kind": "Only a live chapter can be removed."})
    if kind != ChangeKind.REMOVED:
        version = version or chapter.versions.order_by("-number").first()
        if version is None or version.chapter_id != chapter.pk:
            raise ValidationError({"version": "Choose a version of this chapter."})
    else:
        version = None
    change = ReleaseChange(release=release, chapter=chapter, kind=kind, summary=summary, version=version)
    save_new(change, by=by)
    return change


@transaction.atomic
def release_schedule(*, release: Release, by) -> Release:
    """Mark a draft release ready: the go-live job publishes it on its date."""
    _require_edit(by, release.manual)
    release.status = Release.objects.select_for_update().values_list("status", flat=True).get(pk=release.pk)
    if release.status != ReleaseStatus.DRAFT:
        raise ValidationError(
            f"Only a draft release can be scheduled; this one is {release.get_status_display().lower()}."
        )
    if not release.changes.exists():
        raise ValidationError("Add at least one chapter change before scheduling the release.")
    _refuse_broken_links(release)
    release.status = ReleaseStatus.SCHEDULED
    with audit_actor(by):
        release.save(update_fields=["status", "updated_at"])
    return release


def release_publish(*, release: Release, by=None, now: dt.datetime | None = None) -> bool:
    """Publish every change of ``release`` in one transaction. Returns False if it was already live.

    If anything fails part-way (or the process dies), the transaction rolls back and the previous
    versions stay live.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = Release.objects.select_for_update().get(pk=release.pk)
        if locked.status == ReleaseStatus.PUBLISHED:
            return False
        _require_edit(by, locked.manual)
        if locked.go_live_on > timezone.localdate(now):
            raise ValidationError(f"This release goes live on {locked.go_live_on:%d %B %Y}, not before.")
        changes = list(locked.changes.select_related("chapter", "version"))
        if not changes:
            raise ValidationError("The release has no chapter changes.")
        _refuse_broken_links(locked)
        for change in changes:
            _apply_change(change, now)
        locked.status = ReleaseStatus.PUBLISHED
        locked.published_at = now
        with audit_actor(by):
            locked.save(update_fields=["status", "published_at", "updated_at"])
        transaction.on_commit(lambda: release_published.send(sender=Release, release=locked))
    release.refresh_from_db()
    return True


def _refuse_broken_links(release: Release) -> None:
    broken = release_broken_links(release)
    if broken:
        raise ValidationError(
            [f"Fix the broken links before this release can go live ({len(broken)}):"] + [b.message for b in broken]
        )


@transaction.atomic
def release_update(*, release: Release, by, expected_version: int, title: str, go_live_on: dt.date) -> Release:
    _require_edit(by, release.manual)
    if release.status == ReleaseStatus.PUBLISHED:
        raise ValidationError("This release is already live and cannot be changed.")
    release.title, release.go_live_on = title, go_live_on
    save_versioned(release, expected_version=expected_version, by=by, fields=["title", "go_live_on"])
    return release


@transaction.atomic
def release_unschedule(*, release: Release, by) -> Release:
    """Take a scheduled release back to draft so it can be changed; it will not go live until scheduled again."""
    _require_edit(by, release.manual)
    if release.status != ReleaseStatus.SCHEDULED:
        raise ValidationError("Only a scheduled release can be taken back to draft.")
    release.status = ReleaseStatus.DRAFT
    with audit_actor(by):
        release.save(update_fields=["status", "updated_at"])
    return release


@transaction.atomic
def release_remove_change(*, change: ReleaseChange, by) -> None:
    _require_edit(by, change.release.manual)
    if change.release.status != ReleaseStatus.DRAFT:
        raise ValidationError("Take the release back to draft before changing what it contains.")
    with audit_actor(by):
        change.delete()


def _apply_change(change: ReleaseChange, now: dt.datetime) -> None:
    chapter = change.chapter
    if change.kind == ChangeKind.REMOVED:
        chapter.status = ChapterStatus.REMOVED
    else:
        chapter.status = ChapterStatus.LIVE
        chapter.live_version = change.version
        ChapterVersion.objects.filter(pk=change.version_id, published_at__isnull=True).update(published_at=now)
    chapter.save(update_fields=["status", "live_version", "updated_at"])


def publish_due_releases(*, now: dt.datetime | None = None) -> list[int]:
    """Publish every scheduled release whose go-live date has come (run by the scheduler)."""
    now = now or timezone.now()
    due = Release.objects.filter(status=ReleaseStatus.SCHEDULED, go_live_on__lte=timezone.localdate(now))
    published = []
    for release in due.order_by("go_live_on"):
        try:
            if release_publish(release=release, now=now):
                published.append(release.pk)
        except ValidationError as exc:  # e.g. a document linked from a chapter was retired since scheduling
            logger.warning("Release %s not published: %s", release.pk, "; ".join(exc.messages))
    return published
