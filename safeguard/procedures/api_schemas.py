"""Request and response schemas of the procedures API (``api.py``).

Input types (ids, versions, dates, pagination, partial updates) are the partnerships module's, so
every module refuses the same odd input with the same messages.
"""

import datetime as dt
from typing import Annotated

from ninja import Field, Schema
from pydantic import AfterValidator, StringConstraints

from safeguard.core.access import has_capability, visible_partnership_ids
from safeguard.core.roles import Capability
from safeguard.partnerships.api import MAX_ID, MAX_SMALL, Day, Id, PatchSchema, Version

from .choices import ChangeKind, ChapterStatus, ReleaseStatus

MAX_NUMBER = 2**31 - 1  # PositiveIntegerField (version numbers)
MAX_MARKDOWN = 200_000  # a long chapter is about 60,000 characters


def _storable_text(value: str) -> str:
    """Text the database can store: no NUL characters, valid UTF-8."""
    if "\x00" in value:
        raise ValueError("Remove the NUL character (\\u0000): text cannot contain it.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("Send text as valid UTF-8: this value contains an unpaired surrogate.") from None
    return value


def _text(max_length: int):
    return Annotated[str, StringConstraints(max_length=max_length), AfterValidator(_storable_text)]


Text100 = _text(100)
Text200 = _text(200)
Text500 = _text(500)
LongText = _text(20_000)
Markdown = Annotated[
    str,
    StringConstraints(max_length=MAX_MARKDOWN),
    AfterValidator(_storable_text),
    Field(description="The chapter's text in Markdown (see the chapter editor's help for links and practice points)."),
]
Slug = Annotated[str, StringConstraints(max_length=120, pattern=r"^[-a-zA-Z0-9_]+$")]
SmallNumber = Annotated[int, Field(ge=0, le=MAX_SMALL)]
Number = Annotated[int, Field(ge=1, le=MAX_NUMBER)]

__all__ = ["MAX_ID", "MAX_NUMBER", "Day", "Id", "Number", "Version"]


def _user(context):
    return context["request"].user


# --- Manuals ----------------------------------------------------------------------------------------
class SectionOut(Schema):
    id: int
    title: str
    position: int


class SectionCreate(Schema):
    title: Text200
    position: SmallNumber = Field(0, description="Sections are listed in this order (0 first).")


class ReleaseSummaryOut(Schema):
    id: int
    title: str
    go_live_on: dt.date
    status: ReleaseStatus
    published_at: dt.datetime | None


class ManualOut(Schema):
    id: int
    partnership_id: int = Field(description="The partnership that owns and edits the manual.")
    title: str
    slug: str
    description: str
    next_update_due: dt.date | None
    adopted: bool = Field(description="True when you read it because your partnership adopted it.")
    can_edit: bool = Field(description="Whether you may write chapters and releases of this manual.")
    can_review: bool = Field(description="Whether you see drafts and scheduled releases of this manual.")
    version: int

    @staticmethod
    def resolve_adopted(obj, context) -> bool:
        ids = visible_partnership_ids(_user(context))
        return ids is not None and obj.partnership_id not in ids

    @staticmethod
    def resolve_can_edit(obj, context) -> bool:
        return has_capability(_user(context), obj.partnership_id, Capability.EDIT_PROCEDURES)

    @staticmethod
    def resolve_can_review(obj, context) -> bool:
        user = _user(context)
        return has_capability(user, obj.partnership_id, Capability.REVIEW_PROCEDURES) or has_capability(
            user, obj.partnership_id, Capability.EDIT_PROCEDURES
        )


class ManualDetailOut(ManualOut):
    sections: list[SectionOut]
    last_published_release: ReleaseSummaryOut | None

    @staticmethod
    def resolve_sections(obj) -> list:
        return list(obj.sections.all())

    @staticmethod
    def resolve_last_published_release(obj):
        return getattr(obj, "last_published_release", None)


# --- Chapters ---------------------------------------------------------------------------------------
class OwnerOut(Schema):
    id: int
    name: str


class ChapterOut(Schema):
    id: int
    manual_id: int
    section_id: int
    section_title: str
    title: str
    slug: str
    status: ChapterStatus
    local_to_id: int | None = Field(description="A local chapter shown only on this partnership's site.")
    owner: OwnerOut | None = Field(
        description="Who keeps the chapter up to date; null when there is none or they are in a partnership "
        "you cannot see."
    )
    review_date: dt.date | None
    position: int
    related_chapter_ids: list[int] = Field(description="Chapters to read alongside this one, that you can see.")
    live_version_number: int | None = Field(description="The published version readers see; null before the first.")
    latest_version_number: int | None = Field(description="The newest version you can see (a draft, if newer).")
    version: int = Field(description="Send this back to change the chapter's details.")

    @staticmethod
    def resolve_section_title(obj) -> str:
        return obj.section.title

    @staticmethod
    def resolve_owner(obj, context):
        owner = obj.owner
        if owner is None:
            return None
        ids = visible_partnership_ids(_user(context))
        if ids is not None and owner.partnership_id not in ids:
            return None
        return {"id": owner.pk, "name": f"{owner.given_name} {owner.family_name}".strip()}

    @staticmethod
    def resolve_related_chapter_ids(obj) -> list[int]:
        return sorted(c.pk for c in obj.visible_related)

    @staticmethod
    def resolve_live_version_number(obj) -> int | None:
        return obj.live_version.number if obj.live_version_id else None

    @staticmethod
    def resolve_latest_version_number(obj) -> int | None:
        return obj.latest_version_number


class ChapterCreate(Schema):
    section_id: Id = Field(description="A section of this manual.")
    title: Text200
    slug: Slug | None = Field(
        None, description="The chapter's address, which never changes. Left out: made from the title."
    )
    body_markdown: Markdown
    position: SmallNumber = Field(0, description="Order within the section (0 first).")


class ChapterPatch(PatchSchema):
    nullable_fields = frozenset({"owner_id", "review_date"})

    version: Version
    title: Text200 | None = None
    section_id: Id | None = Field(None, description="A section of this chapter's manual.")
    owner_id: Id | None = Field(None, description="A person of the owning partnership; null for nobody.")
    review_date: Day | None = Field(None, description="When the chapter is next due for review; null for none.")
    position: SmallNumber | None = None
    related_chapter_ids: list[Id] | None = Field(
        None, max_length=500, description="Other chapters of the same manual. Replaces the whole list."
    )


# --- Versions ---------------------------------------------------------------------------------------
class VersionOut(Schema):
    number: int
    change_note: str
    created_at: dt.datetime
    published_at: dt.datetime | None = Field(description="When a release first published it; null for a draft.")
    is_live: bool


class VersionDetailOut(VersionOut):
    chapter_id: int
    body_markdown: str
    body_html: str = Field(description="The text as rendered and sanitised for the manual.")


class VersionCreate(Schema):
    body_markdown: Markdown
    change_note: Text500 = Field("", description="A sentence on what changed.")


# --- Releases ---------------------------------------------------------------------------------------
class ReleaseListOut(Schema):
    id: int
    manual_id: int
    title: str
    go_live_on: dt.date
    status: ReleaseStatus
    published_at: dt.datetime | None
    change_count: int
    version: int


class ChangeOut(Schema):
    id: int
    kind: ChangeKind
    chapter_id: int
    chapter_title: str
    chapter_slug: str
    version_number: int | None = Field(description="The version it publishes; null for a removed chapter.")
    summary: str

    @staticmethod
    def resolve_chapter_title(obj) -> str:
        return obj.chapter.title

    @staticmethod
    def resolve_chapter_slug(obj) -> str:
        return obj.chapter.slug

    @staticmethod
    def resolve_version_number(obj) -> int | None:
        return obj.version.number if obj.version_id else None


class ReleaseOut(Schema):
    id: int
    manual_id: int
    title: str
    go_live_on: dt.date
    status: ReleaseStatus
    published_at: dt.datetime | None
    changes: list[ChangeOut]
    version: int

    @staticmethod
    def resolve_changes(obj) -> list:
        return obj.change_list


class ReleaseCreate(Schema):
    title: Text100 = Field(description="For example 'December 2026'; practitioners see it on the amendments page.")
    go_live_on: Day = Field(description="The day the release is published automatically.")


class ReleasePatch(PatchSchema):
    version: Version
    title: Text100 | None = None
    go_live_on: Day | None = None


class ChangeCreate(Schema):
    chapter_id: Id = Field(description="A chapter of the release's manual.")
    kind: ChangeKind = Field(description="new: never published; updated: published before; removed: take it out.")
    summary: LongText = Field("", description="What changed, shown on the amendments page.")
    version_number: Number | None = Field(
        None, description="The version to publish; left out: the newest. Ignored for a removed chapter."
    )


class BrokenLinkOut(Schema):
    chapter_title: str
    chapter_slug: str
    kind: str = Field(description="chapter or document")
    target: str
    reason: str
    message: str


# --- Practice points --------------------------------------------------------------------------------
class PracticePointChapterOut(Schema):
    id: int
    title: str
    slug: str
    manual_id: int
    manual_title: str

    @staticmethod
    def resolve_manual_title(obj) -> str:
        return obj.manual.title


class PracticePointOut(Schema):
    code: str
    title: str
    statement: str
    applies_to: list[str] = Field(description="The chapters the practice point belongs in.")
    shortcode: str = Field(description="Put this on a line of its own in a chapter to show the practice point.")
    chapters: list[PracticePointChapterOut] = Field(
        description="Live chapters that show it, in the manuals your partnerships publish."
    )
