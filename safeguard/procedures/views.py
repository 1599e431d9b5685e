"""Public pages of the procedures manual (deliberately open: practitioners need no login)."""

from itertools import groupby

from django.http import Http404
from django.shortcuts import render

from safeguard.public.views import _partnership

from . import selectors
from .models import Chapter, ChapterVersion, Manual


def _manual(request, slug, manual_slug):
    partnership = _partnership(request, slug)
    try:
        return partnership, selectors.public_manual_get(partnership=partnership, slug=manual_slug)
    except Manual.DoesNotExist:
        raise Http404("No such manual") from None


def manuals(request, slug):
    partnership = _partnership(request, slug)
    items = list(selectors.public_manuals(partnership=partnership))
    if len(items) == 1:
        return contents(request, slug, items[0].slug)
    return render(request, "procedures/manuals.html", {"partnership": partnership, "manuals": items})


def contents(request, slug, manual_slug):
    partnership, manual = _manual(request, slug, manual_slug)
    return render(
        request,
        "procedures/contents.html",
        {
            "partnership": partnership,
            "manual": manual,
            "sections": selectors.public_contents(manual=manual, partnership=partnership),
            "last_release": selectors.last_published(manual=manual),
        },
    )


def chapter(request, slug, manual_slug, chapter_slug):
    partnership, manual = _manual(request, slug, manual_slug)
    try:
        item = selectors.public_chapter_get(manual=manual, partnership=partnership, slug=chapter_slug)
    except Chapter.DoesNotExist:
        raise Http404("No such chapter") from None
    return render(
        request,
        "procedures/chapter.html",
        {
            "partnership": partnership,
            "manual": manual,
            "chapter": item,
            "versions": selectors.archived_versions(chapter=item),
        },
    )


def chapter_version(request, slug, manual_slug, chapter_slug, number):
    partnership, manual = _manual(request, slug, manual_slug)
    try:
        item, version = selectors.public_archived_version_get(
            manual=manual, partnership=partnership, slug=chapter_slug, number=number
        )
    except (Chapter.DoesNotExist, ChapterVersion.DoesNotExist):
        raise Http404("No such version") from None
    return render(
        request,
        "procedures/chapter_version.html",
        {"partnership": partnership, "manual": manual, "chapter": item, "version": version},
    )


def amendments(request, slug, manual_slug):
    partnership, manual = _manual(request, slug, manual_slug)
    releases = list(selectors.published_releases(manual=manual))
    by_year = [(year, list(items)) for year, items in groupby(releases, key=lambda r: r.go_live_on.year)]
    return render(
        request, "procedures/amendments.html", {"partnership": partnership, "manual": manual, "years": by_year}
    )
