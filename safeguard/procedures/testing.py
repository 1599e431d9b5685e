"""Test helpers for the procedures manual, and the permission harness's objects for its URLs."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from . import services
from .choices import ChangeKind

_counter = itertools.count(1)


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))


def make_manual(cast, partnership=None, *, slug=None, chapters: int = 0):
    """A manual with one section and ``chapters`` draft chapters: (manual, section, [chapters])."""
    partnership = partnership or cast.partnership
    by = cast.manager if partnership == cast.partnership else cast.other_manager
    n = next(_counter)
    manual = services.manual_create(
        partnership=partnership, by=by, title=f"Procedures {n}", slug=slug or f"procedures-{n}"
    )
    section = services.section_create(manual=manual, by=by, title="Child protection processes")
    made = [
        services.chapter_create(
            section=section, by=by, title=f"Chapter {i:03d}", slug=f"chapter-{i:03d}", body_markdown=f"Text {i}."
        )
        for i in range(chapters)
    ]
    return manual, section, made


def publish(cast, manual, changes, *, title=None, day=dt.date(2026, 9, 1)):
    """Create and publish a release of ``[(chapter, kind)]`` on ``day``."""
    by = cast.manager if manual.partnership_id == cast.partnership.pk else cast.other_manager
    release = services.release_create(manual=manual, by=by, title=title or f"Release {next(_counter)}", go_live_on=day)
    for chapter, kind in changes:
        services.release_add_change(release=release, by=by, chapter=chapter, kind=kind, summary=f"{kind} {chapter}")
    services.release_publish(release=release, by=by, now=at(day))
    return release


def harness_objects(cast, partnership):
    """One object of each procedures model named by ``<int:pk>`` in a workspace URL."""
    from .models import Chapter, ChapterVersion, Manual, Release, ReleaseChange, Section

    manual, section, (chapter,) = make_manual(cast, partnership, chapters=1)
    release = services.release_create(
        manual=manual,
        by=cast.manager if partnership == cast.partnership else cast.other_manager,
        title="Harness release",
        go_live_on=dt.date(2030, 1, 1),
    )
    change = services.release_add_change(
        release=release,
        by=cast.manager if partnership == cast.partnership else cast.other_manager,
        chapter=chapter,
        kind=ChangeKind.NEW,
    )
    return {
        Manual: manual,
        Section: section,
        Chapter: chapter,
        ChapterVersion: chapter.versions.get(),
        Release: release,
        ReleaseChange: change,
    }
