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


# --- Workspace (editors and reviewers of the owning partnership) ------------------------------------


def _reviewable_manuals(user):
    from safeguard.core.access import partnerships_with_capability
    from safeguard.core.roles import Capability

    ids = partnerships_with_capability(user, Capability.REVIEW_PROCEDURES)
    manuals = _owned_manuals(user)
    return manuals if ids is None else manuals.filter(partnership__in=ids)


def workspace_manual_list(*, user):
    """Manuals the user's partnerships own (and the user may review), with counts for the list page."""
    from django.db.models import Count, Max

    return (
        _reviewable_manuals(user)
        .select_related("partnership")
        .annotate(
            live_chapters=Count("chapters", filter=Q(chapters__status=ChapterStatus.LIVE), distinct=True),
            draft_chapters=Count("chapters", filter=Q(chapters__status=ChapterStatus.DRAFT), distinct=True),
            last_live=Max("releases__go_live_on", filter=Q(releases__status=ReleaseStatus.PUBLISHED)),
        )
        .order_by("title")
    )


def _owned_manuals(user):
    """Manuals owned by the user's partnerships. An adopting partnership reads the manual on its public
    site but does not see the owner's drafts: in the workspace the manual does not exist for it (404)."""
    from safeguard.core.access import visible_partnership_ids

    ids = visible_partnership_ids(user)
    return Manual.objects.all() if ids is None else Manual.objects.filter(partnership__in=ids)


def workspace_manual_get(*, user, pk):
    return _owned_manuals(user).select_related("partnership").get(pk=pk)


def workspace_chapters(*, manual, status: str = "", review: str = "", today=None):
    """Every chapter of a manual with its live version number, owner and newest version number."""
    from django.db.models import Max

    chapters = (
        Chapter.objects.filter(manual=manual)
        .select_related("section", "owner", "live_version", "local_to")
        .annotate(latest_number=Max("versions__number"))
        .order_by("section__position", "section__title", "position", "title")
    )
    if status:
        chapters = chapters.filter(status=status)
    if review == "overdue" and today is not None:
        chapters = chapters.filter(review_date__lt=today)
    elif review == "due" and today is not None:
        import datetime as dt

        chapters = chapters.filter(review_date__gte=today, review_date__lte=today + dt.timedelta(days=90))
    return chapters


def workspace_releases(*, manual):
    from django.db.models import Count

    return Release.objects.filter(manual=manual).annotate(change_count=Count("changes")).order_by("-go_live_on")


def workspace_chapter_get(*, user, pk):
    return (
        Chapter.objects.visible_to(user)
        .select_related("manual", "manual__partnership", "section", "owner", "live_version", "local_to")
        .prefetch_related("related_chapters")
        .get(pk=pk)
    )


def chapter_versions(*, chapter):
    """All versions, newest first, with who wrote them (no query per version)."""
    return chapter.versions.select_related("created_by").order_by("-number")


def workspace_version_get(*, user, pk):
    from .models import ChapterVersion

    return (
        ChapterVersion.objects.visible_to(user)
        .select_related("chapter", "chapter__manual", "chapter__manual__partnership", "created_by")
        .get(pk=pk)
    )


def workspace_release_get(*, user, pk):
    return Release.objects.visible_to(user).select_related("manual", "manual__partnership").get(pk=pk)


def release_changes(*, release):
    return release.changes.select_related("chapter", "chapter__section", "chapter__live_version", "version").order_by(
        "kind", "chapter__title"
    )


def workspace_change_get(*, user, pk):
    return (
        ReleaseChange.objects.visible_to(user)
        .select_related("release", "release__manual", "release__manual__partnership", "chapter", "version")
        .get(pk=pk)
    )


def workspace_section_get(*, user, pk):
    from .models import Section

    return Section.objects.visible_to(user).select_related("manual", "manual__partnership").get(pk=pk)


def unreleased_versions(*, manual):
    """Chapters whose newest version is not live and not in a draft or scheduled release: work in progress."""
    from django.db.models import Exists, Max, OuterRef

    pending = ReleaseChange.objects.filter(
        chapter=OuterRef("pk"), release__status__in=[ReleaseStatus.DRAFT, ReleaseStatus.SCHEDULED]
    )
    return (
        Chapter.objects.filter(manual=manual)
        .exclude(status=ChapterStatus.REMOVED)
        .annotate(latest_number=Max("versions__number"), in_release=Exists(pending))
        .select_related("live_version")
        .filter(in_release=False)
        .order_by("title")
    )
