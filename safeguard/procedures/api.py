"""API for the procedures manual: manuals, chapters and their versions, amendment releases, and the
practice point registry. The same rules as the workspace pages: writes go through ``services``.

Who sees what:

- a manual is readable by users of the partnership that owns it **and** of every partnership that
  adopted it (``Manual.objects.visible_to``); anyone else gets 404;
- reviewers and editors of the owning partnership (``procedures.review`` or ``procedures.edit``)
  see everything: draft chapters and versions, draft and scheduled releases;
- everyone else who can see the manual (adopting partnerships, roles without those capabilities)
  sees only published content, as on the public site: live and removed chapters (not local chapters
  of another partnership), published versions and published releases. Anything else is a 404, so
  the API does not disclose that a draft exists;
- only the owning partnership's business unit can write (the services refuse everyone else: 403).

Updates are PATCH requests carrying ``version`` (409 when it is stale). Validation errors are 422
with the field named as the client sent it (``section_id``, not ``section``).
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import BooleanField, ExpressionWrapper, Max, Prefetch, Q, Value
from django.utils.text import slugify
from ninja import Path, Query, Router, Status
from ninja.pagination import paginate

from safeguard.api.errors import READ_ERRORS, WRITE_ERRORS, ErrorOut
from safeguard.core.access import has_capability, visible_partnership_ids
from safeguard.core.roles import Capability
from safeguard.partnerships import selectors as partnership_selectors
from safeguard.partnerships.api import Pagination

from . import selectors, services
from .api_schemas import (
    MAX_ID,
    MAX_NUMBER,
    BrokenLinkOut,
    ChangeCreate,
    ChapterCreate,
    ChapterOut,
    ChapterPatch,
    ManualDetailOut,
    ManualOut,
    PracticePointOut,
    ReleaseCreate,
    ReleaseListOut,
    ReleaseOut,
    ReleasePatch,
    SectionCreate,
    SectionOut,
    VersionCreate,
    VersionDetailOut,
    VersionOut,
)
from .choices import ChapterStatus, ReleaseStatus
from .links import release_broken_links
from .models import Chapter, Manual, Release, ReleaseChange
from .practice_points import PRACTICE_POINTS, practice_point_get

PUBLISHED_CHAPTER_STATUSES = (ChapterStatus.LIVE, ChapterStatus.REMOVED)
NOT_FOUND = {404: ErrorOut}
DELETE_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: WRITE_ERRORS[422]}


def _path_id(description: str):
    return Path(..., ge=1, le=MAX_ID, description=description)


MANUAL_ID = "The manual's id."
CHAPTER_ID = "The chapter's id."
RELEASE_ID = "The release's id."


# --- Visibility -------------------------------------------------------------------------------------
def _reviews(user, manual: Manual) -> bool:
    """Editors and reviewers of the owning partnership see drafts and scheduled releases."""
    return has_capability(user, manual.partnership_id, Capability.REVIEW_PROCEDURES) or has_capability(
        user, manual.partnership_id, Capability.EDIT_PROCEDURES
    )


def _published_chapters(user) -> Q:
    """Chapters a reader outside the review team sees: published ones, not another partnership's local ones."""
    published = Q(status__in=PUBLISHED_CHAPTER_STATUSES)
    ids = visible_partnership_ids(user)
    if ids is None:
        return published
    return published & (Q(local_to__isnull=True) | Q(local_to__in=ids))


def _visible_manual_ids(user):
    return Manual.objects.visible_to(user).values("pk")


def _manual(user, pk: int) -> Manual:
    """A manual the user's partnerships own or adopted (not ``workspace_manual_get``: the workspace
    hides adopted manuals, the API shows their published content)."""
    return Manual.objects.visible_to(user).select_related("partnership").get(pk=pk)  # DoesNotExist -> 404


def _chapters(user, manual: Manual, *, reviewer: bool):
    """The manual's chapters ``user`` may see, with everything ``ChapterOut`` shows (3 queries a page)."""
    chapters = Chapter.objects.filter(manual=manual)
    related = Chapter.objects.filter(manual=manual).only("pk")
    latest = Max("versions__number")
    if not reviewer:
        chapters = chapters.filter(_published_chapters(user))
        related = related.filter(_published_chapters(user))
        latest = Max("versions__number", filter=Q(versions__published_at__isnull=False))
    return (
        chapters.select_related("section", "owner", "live_version")
        .annotate(latest_version_number=latest)
        .prefetch_related(Prefetch("related_chapters", queryset=related, to_attr="visible_related"))
        .order_by("section__position", "section__title", "position", "title", "pk")
    )


def _chapter(user, pk: int) -> tuple[Chapter, bool]:
    """A chapter the user may see, and whether they review its manual; anything else is a 404."""
    chapter = (
        Chapter.objects.filter(manual__in=_visible_manual_ids(user))
        .select_related("manual", "manual__partnership")
        .get(pk=pk)
    )
    reviewer = _reviews(user, chapter.manual)
    if not reviewer:
        ids = visible_partnership_ids(user)
        published = chapter.status in PUBLISHED_CHAPTER_STATUSES
        if not published or (ids is not None and chapter.local_to_id is not None and chapter.local_to_id not in ids):
            raise Chapter.DoesNotExist
    return chapter, reviewer


def _chapter_out(user, chapter: Chapter, reviewer: bool) -> Chapter:
    return _chapters(user, chapter.manual, reviewer=reviewer).get(pk=chapter.pk)


def _versions(chapter: Chapter, *, reviewer: bool):
    """The chapter's versions the user may see (drafts only for reviewers), newest first."""
    if chapter.live_version_id:
        is_live = ExpressionWrapper(Q(pk=chapter.live_version_id), output_field=BooleanField())
    else:
        is_live = Value(False, output_field=BooleanField())
    versions = chapter.versions.annotate(is_live=is_live)
    if not reviewer:
        versions = versions.filter(published_at__isnull=False)
    return versions.order_by("-number")


def _release(user, pk: int) -> tuple[Release, bool]:
    """A release the user may see (drafts and scheduled ones only for reviewers), and whether they review."""
    release = (
        Release.objects.filter(manual__in=_visible_manual_ids(user))
        .select_related("manual", "manual__partnership")
        .get(pk=pk)
    )
    reviewer = _reviews(user, release.manual)
    if not reviewer and release.status != ReleaseStatus.PUBLISHED:
        raise Release.DoesNotExist
    return release, reviewer


def _release_out(user, release: Release, reviewer: bool) -> Release:
    changes = selectors.release_changes(release=release)
    if not reviewer:
        ids = visible_partnership_ids(user)
        if ids is not None:
            changes = changes.filter(Q(chapter__local_to__isnull=True) | Q(chapter__local_to__in=ids))
    release.change_list = list(changes)
    return release


# --- Calling services -------------------------------------------------------------------------------
def _call(service, renames: dict[str, str] | None = None, **kwargs):
    """Call a service, naming fields in its validation errors as the client sent them."""
    renames = renames or {}
    try:
        return service(**kwargs)
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        raise ValidationError({renames.get(field, field): errors for field, errors in exc.error_dict.items()}) from None
    except RecursionError:  # Python-Markdown recurses once per nested list level
        raise ValidationError(
            {"body_markdown": "The text nests lists or quotes too deeply to show: use fewer levels."}
        ) from None


def _section(manual: Manual, pk: int, field: str = "section_id"):
    section = manual.sections.filter(pk=pk).first()
    if section is None:
        raise ValidationError({field: f"There is no section with id {pk} in this manual. Check the id."})
    return section


# --- Manuals ----------------------------------------------------------------------------------------
manuals_router = Router(tags=["Procedures manuals"])


@manuals_router.get("/", response=list[ManualOut], summary="List procedures manuals")
@paginate(Pagination)
def list_manuals(request):
    """Manuals your partnerships own, and those they adopted from another partnership."""
    return Manual.objects.visible_to(request.user).order_by("title", "pk")


@manuals_router.get("/{int:manual_id}", response={200: ManualDetailOut, **READ_ERRORS}, summary="Get a manual")
def get_manual(request, manual_id: int = _path_id(MANUAL_ID)):
    """The manual with its sections, its last published release and when the next update is due."""
    manual = _manual(request.user, manual_id)
    manual.last_published_release = selectors.last_published(manual=manual)
    return manual


@manuals_router.post(
    "/{int:manual_id}/sections", response={201: SectionOut, **WRITE_ERRORS}, summary="Add a section to a manual"
)
def create_section(request, payload: SectionCreate, manual_id: int = _path_id(MANUAL_ID)):
    manual = _manual(request.user, manual_id)
    return Status(201, _call(services.section_create, manual=manual, by=request.user, **payload.dict()))


SECTION_FILTER = Query(None, ge=1, le=MAX_ID, description="Only chapters in this section.")
STATUS_FILTER = Query(None, description="Only chapters with this status.")
REVIEW_FILTER = Query(None, description="Only chapters whose review date is before this day, for example 2026-12-31.")


@manuals_router.get(
    "/{int:manual_id}/chapters", response={200: list[ChapterOut], **READ_ERRORS}, summary="List chapters"
)
@paginate(Pagination)
def list_chapters(
    request,
    manual_id: int = _path_id(MANUAL_ID),
    section: int | None = SECTION_FILTER,
    status: ChapterStatus | None = STATUS_FILTER,
    review_due_before: dt.date | None = REVIEW_FILTER,
):
    """In manual order. Without review rights you see live and removed chapters only."""
    manual = _manual(request.user, manual_id)
    chapters = _chapters(request.user, manual, reviewer=_reviews(request.user, manual))
    if section is not None:
        chapters = chapters.filter(section_id=section)
    if status is not None:
        chapters = chapters.filter(status=status)
    if review_due_before is not None:
        chapters = chapters.filter(review_date__lt=review_due_before)
    return chapters


@manuals_router.post(
    "/{int:manual_id}/chapters", response={201: ChapterOut, **WRITE_ERRORS}, summary="Add a draft chapter"
)
def create_chapter(request, payload: ChapterCreate, manual_id: int = _path_id(MANUAL_ID)):
    """A new chapter with its first version, not yet published: add it to a release as a new chapter."""
    manual = _manual(request.user, manual_id)
    section = _section(manual, payload.section_id)
    slug = payload.slug or slugify(payload.title)[:120]
    if not slug:
        raise ValidationError({"slug": "Add a slug: the title has no letters or numbers to make one from."})
    if Chapter.objects.filter(manual=manual, slug=slug).exists():
        raise ValidationError({"slug": "Another chapter of this manual already has this address: choose another."})
    chapter = _call(
        services.chapter_create,
        {"section": "section_id"},
        section=section,
        by=request.user,
        title=payload.title,
        slug=slug,
        body_markdown=payload.body_markdown,
        position=payload.position,
    )
    return Status(201, _chapter_out(request.user, chapter, reviewer=True))


@manuals_router.get(
    "/{int:manual_id}/releases", response={200: list[ReleaseListOut], **READ_ERRORS}, summary="List releases"
)
@paginate(Pagination)
def list_releases(request, manual_id: int = _path_id(MANUAL_ID)):
    """Newest go-live date first. Without review rights you see published releases only."""
    manual = _manual(request.user, manual_id)
    releases = selectors.workspace_releases(manual=manual)
    if not _reviews(request.user, manual):
        releases = releases.filter(status=ReleaseStatus.PUBLISHED)
    return releases.order_by("-go_live_on", "-pk")


@manuals_router.post(
    "/{int:manual_id}/releases", response={201: ReleaseOut, **WRITE_ERRORS}, summary="Create a draft release"
)
def create_release(request, payload: ReleaseCreate, manual_id: int = _path_id(MANUAL_ID)):
    manual = _manual(request.user, manual_id)
    release = _call(services.release_create, manual=manual, by=request.user, **payload.dict())
    return Status(201, _release_out(request.user, release, reviewer=True))


# --- Chapters ---------------------------------------------------------------------------------------
chapters_router = Router(tags=["Procedures chapters"])


@chapters_router.get("/{int:chapter_id}", response={200: ChapterOut, **READ_ERRORS}, summary="Get a chapter")
def get_chapter(request, chapter_id: int = _path_id(CHAPTER_ID)):
    chapter, reviewer = _chapter(request.user, chapter_id)
    return _chapter_out(request.user, chapter, reviewer)


@chapters_router.patch(
    "/{int:chapter_id}", response={200: ChapterOut, **WRITE_ERRORS}, summary="Change a chapter's details"
)
def update_chapter(request, payload: ChapterPatch, chapter_id: int = _path_id(CHAPTER_ID)):
    """Title, section, owner, review date, position and related chapters. The address never changes;
    the text changes by a new version."""
    chapter, reviewer = _chapter(request.user, chapter_id)
    data = payload.dict(exclude_unset=True, exclude={"version"})
    kwargs = {
        "title": data.get("title", chapter.title),
        "section": chapter.section,
        "owner": chapter.owner,
        "review_date": data.get("review_date", chapter.review_date),
        "position": data.get("position", chapter.position),
        "related_chapters": list(chapter.related_chapters.all()),
    }
    if "section_id" in data:
        kwargs["section"] = _section(chapter.manual, data["section_id"])
    if "owner_id" in data:
        kwargs["owner"] = None
        if data["owner_id"] is not None:
            kwargs["owner"] = partnership_selectors.person_list(user=request.user).filter(pk=data["owner_id"]).first()
            if kwargs["owner"] is None:
                raise ValidationError({"owner_id": f"There is no person with id {data['owner_id']} that you can see."})
    if "related_chapter_ids" in data:
        ids = set(data["related_chapter_ids"])
        related = list(Chapter.objects.filter(manual=chapter.manual, pk__in=ids))
        missing = sorted(ids - {c.pk for c in related})
        if missing:
            raise ValidationError(
                {"related_chapter_ids": f"There is no chapter with id {', '.join(map(str, missing))} in this manual."}
            )
        kwargs["related_chapters"] = related
    _call(
        services.chapter_update,
        {"section": "section_id", "owner": "owner_id", "related_chapters": "related_chapter_ids"},
        chapter=chapter,
        by=request.user,
        expected_version=payload.version,
        **kwargs,
    )
    return _chapter_out(request.user, chapter, reviewer)


@chapters_router.get(
    "/{int:chapter_id}/versions", response={200: list[VersionOut], **READ_ERRORS}, summary="List a chapter's versions"
)
@paginate(Pagination)
def list_versions(request, chapter_id: int = _path_id(CHAPTER_ID)):
    """Newest first. Without review rights you see published versions only."""
    chapter, reviewer = _chapter(request.user, chapter_id)
    return _versions(chapter, reviewer=reviewer)


@chapters_router.get(
    "/{int:chapter_id}/versions/{int:number}",
    response={200: VersionDetailOut, **READ_ERRORS},
    summary="Get one version of a chapter",
)
def get_version(
    request,
    chapter_id: int = _path_id(CHAPTER_ID),
    number: int = Path(..., ge=1, le=MAX_NUMBER, description="The version number (1 is the first)."),
):
    """The version's Markdown and its rendered, sanitised HTML."""
    chapter, reviewer = _chapter(request.user, chapter_id)
    return _versions(chapter, reviewer=reviewer).get(number=number)


@chapters_router.post(
    "/{int:chapter_id}/versions",
    response={201: VersionDetailOut, **WRITE_ERRORS},
    summary="Add a draft version of a chapter",
)
def create_version(request, payload: VersionCreate, chapter_id: int = _path_id(CHAPTER_ID)):
    """A new draft; it is published by adding the chapter to a release. A practice point that does not
    exist (``[[practice-point: ...]]``) is refused with 422."""
    chapter, reviewer = _chapter(request.user, chapter_id)
    version = _call(services.chapter_version_create, chapter=chapter, by=request.user, **payload.dict())
    return Status(201, _versions(chapter, reviewer=reviewer).get(pk=version.pk))


# --- Releases ---------------------------------------------------------------------------------------
releases_router = Router(tags=["Procedures releases"])


@releases_router.get("/{int:release_id}", response={200: ReleaseOut, **READ_ERRORS}, summary="Get a release")
def get_release(request, release_id: int = _path_id(RELEASE_ID)):
    """The release's status, go-live date and chapter changes."""
    release, reviewer = _release(request.user, release_id)
    return _release_out(request.user, release, reviewer)


@releases_router.patch("/{int:release_id}", response={200: ReleaseOut, **WRITE_ERRORS}, summary="Change a release")
def update_release(request, payload: ReleasePatch, release_id: int = _path_id(RELEASE_ID)):
    release, reviewer = _release(request.user, release_id)
    data = payload.dict(exclude_unset=True, exclude={"version"})
    _call(
        services.release_update,
        release=release,
        by=request.user,
        expected_version=payload.version,
        title=data.get("title", release.title),
        go_live_on=data.get("go_live_on", release.go_live_on),
    )
    return _release_out(request.user, release, reviewer)


@releases_router.post(
    "/{int:release_id}/changes", response={201: ReleaseOut, **WRITE_ERRORS}, summary="Add a chapter change"
)
def add_change(request, payload: ChangeCreate, release_id: int = _path_id(RELEASE_ID)):
    """Only while the release is a draft. New and updated chapters publish their newest version unless
    ``version_number`` says otherwise."""
    release, reviewer = _release(request.user, release_id)
    chapter = Chapter.objects.filter(manual_id=release.manual_id, pk=payload.chapter_id).first()
    if chapter is None:
        raise ValidationError(
            {"chapter_id": f"There is no chapter with id {payload.chapter_id} in this release's manual."}
        )
    version = None
    if payload.version_number is not None:
        version = chapter.versions.filter(number=payload.version_number).first()
        if version is None:
            raise ValidationError(
                {"version_number": f"'{chapter.title}' has no version {payload.version_number}. Check the number."}
            )
    duplicate = ReleaseChange.objects.filter(release=release, chapter=chapter)
    if release.status == ReleaseStatus.DRAFT and duplicate.exists():  # otherwise the service says why not
        raise ValidationError({"chapter_id": "This release already changes this chapter: take that change out first."})
    _call(
        services.release_add_change,
        {"chapter": "chapter_id", "version": "version_number"},
        release=release,
        by=request.user,
        chapter=chapter,
        kind=payload.kind,
        summary=payload.summary,
        version=version,
    )
    return Status(201, _release_out(request.user, release, reviewer))


@releases_router.delete(
    "/{int:release_id}/changes/{int:change_id}",
    response={204: None, **DELETE_ERRORS},
    summary="Take a chapter change out of a release",
)
def remove_change(
    request,
    release_id: int = _path_id(RELEASE_ID),
    change_id: int = _path_id("The change's id (from the release's changes)."),
):
    """Only while the release is a draft. The chapter and its versions are kept."""
    release, _ = _release(request.user, release_id)
    change = release.changes.select_related("release__manual").get(pk=change_id)
    services.release_remove_change(change=change, by=request.user)
    return Status(204, None)


@releases_router.post(
    "/{int:release_id}/schedule", response={200: ReleaseOut, **WRITE_ERRORS}, summary="Schedule a release"
)
def schedule_release(request, release_id: int = _path_id(RELEASE_ID)):
    """It is published automatically on its go-live date. Refused with 422, listing each broken link,
    while a chapter links to a chapter or document that will not be there."""
    release, reviewer = _release(request.user, release_id)
    if release.status == ReleaseStatus.PUBLISHED:  # release_schedule itself does not check this
        if not has_capability(request.user, release.manual.partnership_id, Capability.EDIT_PROCEDURES):
            raise PermissionDenied("Only the business unit of the partnership that owns this manual can change it.")
        raise ValidationError("This release is already live: it cannot be scheduled again.")
    _call(services.release_schedule, release=release, by=request.user)
    return _release_out(request.user, release, reviewer)


@releases_router.post(
    "/{int:release_id}/unschedule", response={200: ReleaseOut, **WRITE_ERRORS}, summary="Take a release back to draft"
)
def unschedule_release(request, release_id: int = _path_id(RELEASE_ID)):
    release, reviewer = _release(request.user, release_id)
    _call(services.release_unschedule, release=release, by=request.user)
    return _release_out(request.user, release, reviewer)


@releases_router.get(
    "/{int:release_id}/broken-links",
    response={200: list[BrokenLinkOut], **READ_ERRORS},
    summary="Check a release's links",
)
def broken_links(request, release_id: int = _path_id(RELEASE_ID)):
    """Links that would be broken once the release is live; empty when it can be scheduled (and for a
    release already published)."""
    release, _ = _release(request.user, release_id)
    if release.status == ReleaseStatus.PUBLISHED:
        return []
    return [{**vars(link), "message": link.message} for link in release_broken_links(release)]


# --- Practice points --------------------------------------------------------------------------------
practice_points_router = Router(tags=["Practice points"])


def _practice_point_out(user, point) -> dict:
    chapters = selectors.chapters_with_practice_point(code=point.code).filter(manual__in=_visible_manual_ids(user))
    ids = visible_partnership_ids(user)
    if ids is not None:
        chapters = chapters.filter(Q(local_to__isnull=True) | Q(local_to__in=ids))
    return {
        "code": point.code,
        "title": point.title,
        "statement": point.statement,
        "applies_to": list(point.applies_to),
        "shortcode": point.shortcode(),
        "chapters": list(chapters),
    }


@practice_points_router.get("/", response=list[PracticePointOut], summary="List practice points")
def list_practice_points(request):
    """Every practice point, with the live chapters that show it in manuals you can read."""
    return [_practice_point_out(request.user, point) for point in PRACTICE_POINTS.values()]


@practice_points_router.get(
    "/{code}", response={200: PracticePointOut, 401: ErrorOut, **NOT_FOUND}, summary="Get a practice point"
)
def get_practice_point(request, code: str = Path(..., max_length=100, description="For example toxic-trio.")):
    try:
        point = practice_point_get(code)
    except KeyError:
        return Status(404, {"detail": f"There is no practice point '{code}'. Known: {', '.join(PRACTICE_POINTS)}."})
    return _practice_point_out(request.user, point)


#: (URL prefix, router) pairs for ``safeguard.api.api`` to mount.
ROUTERS = [
    ("/manuals/", manuals_router),
    ("/chapters/", chapters_router),
    ("/releases/", releases_router),
    ("/practice-points/", practice_points_router),
]
