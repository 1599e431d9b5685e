"""Reads for the procedures manual. Public reads show only what is live."""

from django.db.models import Prefetch, Q

from .choices import ChapterStatus, ReleaseStatus
from .models import Chapter, Manual, Release, ReleaseChange


def public_manuals(*, partnership):
    """Manuals a partnership publishes: its own and those it adopted."""
    return Manual.objects.filter(Q(partnership=partnership) | Q(adopted_by=partnership)).distinct().order_by("title")


def public_manual_get(*, partnership, slug):
    return public_manuals(partnership=partnership).get(slug=slug)


def _live_chapters(manual, partnership):
    return Chapter.objects.filter(manual=manual, status=ChapterStatus.LIVE).filter(
        Q(local_to__isnull=True) | Q(local_to=partnership)
    )


def public_contents(*, manual, partnership):
    """Live chapters grouped by section, in order: [(section, [chapters])]."""
    groups: dict = {}
    for chapter in (
        _live_chapters(manual, partnership)
        .select_related("section")
        .order_by("section__position", "section__title", "position", "title")
    ):
        groups.setdefault(chapter.section, []).append(chapter)
    return list(groups.items())


def public_chapter_get(*, manual, partnership, slug):
    """A live chapter with its live related chapters (in one extra query)."""
    related = _live_chapters(manual, partnership).order_by("title")
    return (
        _live_chapters(manual, partnership)
        .select_related("section", "live_version")
        .prefetch_related(Prefetch("related_chapters", queryset=related, to_attr="live_related"))
        .get(slug=slug)
    )


def chapters_with_practice_point(*, code, partnership=None):
    """Live chapters whose live text shows the practice point ``code`` (see ``practice_points.py``)."""
    from .practice_points import practice_point_get

    queryset = Chapter.objects.filter(
        status=ChapterStatus.LIVE, live_version__body_markdown__contains=practice_point_get(code).shortcode()
    ).select_related("manual")
    if partnership is not None:
        queryset = queryset.filter(
            Q(manual__partnership=partnership) | Q(manual__adopted_by=partnership),
            Q(local_to__isnull=True) | Q(local_to=partnership),
        ).distinct()
    return queryset.order_by("manual__title", "title")


def published_releases(*, manual):
    """Published releases, newest first, each with its changes (no query per release)."""
    changes = ReleaseChange.objects.select_related("chapter").order_by("kind", "chapter__title")
    return (
        Release.objects.filter(manual=manual, status=ReleaseStatus.PUBLISHED)
        .prefetch_related(Prefetch("changes", queryset=changes))
        .order_by("-go_live_on")
    )


def last_published(*, manual):
    return Release.objects.filter(manual=manual, status=ReleaseStatus.PUBLISHED).order_by("-go_live_on").first()


def archived_versions(*, chapter):
    """Every published version of a chapter, newest first."""
    return chapter.versions.filter(published_at__isnull=False).order_by("-number")


def public_archived_version_get(*, manual, partnership, slug, number):
    """A published version of a live or removed chapter, as it stood (the archive)."""
    chapter = (
        Chapter.objects.filter(manual=manual, status__in=[ChapterStatus.LIVE, ChapterStatus.REMOVED])
        .filter(Q(local_to__isnull=True) | Q(local_to=partnership))
        .get(slug=slug)
    )
    return chapter, archived_versions(chapter=chapter).get(number=number)
