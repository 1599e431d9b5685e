"""The broken-link check: a release cannot go live while its chapters link to missing targets.

A chapter links to another chapter (``chapter:slug``) or to a library document
(``document:slug``); see ``markdown.py``. Checked against the manual **as it will stand after the
release**: a link to a chapter the release adds is fine; a link to a chapter the release removes,
or that was never published, is broken; so is a link from an unchanged live chapter to a chapter
this release removes. Documents must be public and current in the owning partnership's library.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps

from .choices import ChangeKind, ChapterStatus
from .markdown import internal_links


@dataclass(frozen=True)
class BrokenLink:
    chapter_title: str
    chapter_slug: str
    kind: str  # "chapter" or "document"
    target: str
    reason: str

    @property
    def message(self) -> str:
        what = "chapter" if self.kind == "chapter" else "document"
        return f"'{self.chapter_title}' links to the {what} '{self.target}', which {self.reason}."


def _current_document_slugs(partnership_id: int) -> set[str] | None:
    """Slugs of documents practitioners can open (public and current) in the owning partnership's
    library, or None when the documents module is not installed."""
    try:
        document_model = apps.get_model("documents", "Document")
    except LookupError:
        return None
    public = document_model.objects.filter(partnership_id=partnership_id).published()
    return set(public.values_list("slug", flat=True))


def release_broken_links(release) -> list[BrokenLink]:
    """Every broken link in the manual as it would stand once ``release`` is live (2-4 queries)."""
    from .models import Chapter

    manual = release.manual
    changes = {c.chapter_id: c for c in release.changes.select_related("version")}
    chapters = list(Chapter.objects.filter(manual=manual).select_related("live_version"))
    after: dict[str, tuple] = {}  # slug -> (chapter, html) for chapters live after the release
    for chapter in chapters:
        change = changes.get(chapter.pk)
        if change is not None:
            if change.kind == ChangeKind.REMOVED:
                continue
            after[chapter.slug] = (chapter, change.version.body_html)
        elif chapter.status == ChapterStatus.LIVE and chapter.live_version is not None:
            after[chapter.slug] = (chapter, chapter.live_version.body_html)
    known = {c.slug: c for c in chapters}
    removed_now = {c.slug for c in chapters if c.pk in changes and changes[c.pk].kind == ChangeKind.REMOVED}
    documents = None
    broken = []
    for slug, (chapter, html) in sorted(after.items(), key=lambda item: item[1][0].title):
        for kind, target in internal_links(html):
            reason = None
            if kind == "chapter" and target not in after:
                if target in removed_now:
                    reason = "this release removes"
                elif target in known and known[target].status == ChapterStatus.REMOVED:
                    reason = "was removed from the manual"
                elif target in known:
                    reason = "is not published and is not in this release"
                else:
                    reason = "does not exist"
            elif kind == "document":
                if documents is None:
                    documents = _current_document_slugs(manual.partnership_id)
                if documents is not None and target not in documents:
                    reason = "is not a current public document in the library"
            if reason:
                broken.append(BrokenLink(chapter.title, slug, kind, target, reason))
    return broken
