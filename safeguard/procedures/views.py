"""Public pages of the procedures manual (deliberately open: practitioners need no login).

Search lives on the manual's contents page: ``/<partnership>/procedures/<manual>/?q=...`` (with
``section=<id>``, ``archive=1``, ``page=<n>``). A path of its own (``<manual>/search/``) would share
its shape with a chapter (``<manual>/<chapter>/``), so a chapter called "search" would hide it or be
hidden by it; a query on the contents page cannot clash with any chapter address.
"""

import datetime as dt
import hashlib
import mimetypes
from collections.abc import Sequence
from itertools import groupby
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from safeguard.public.views import _partnership

from . import search as search_engine
from . import selectors
from .models import Chapter, ChapterVersion, Manual


def _manual(request, slug, manual_slug):
    partnership = _partnership(request, slug)
    try:
        return partnership, selectors.public_manual_get(partnership=partnership, slug=manual_slug)
    except Manual.DoesNotExist:
        raise Http404("No such manual") from None


def _live_chapter(request, slug, manual_slug, chapter_slug):
    partnership, manual = _manual(request, slug, manual_slug)
    try:
        item = selectors.public_chapter_get(manual=manual, partnership=partnership, slug=chapter_slug)
    except Chapter.DoesNotExist:
        raise Http404("No such chapter") from None
    return partnership, manual, item


def _archived_version(request, slug, manual_slug, chapter_slug, number):
    partnership, manual = _manual(request, slug, manual_slug)
    try:
        item, version = selectors.public_archived_version_get(
            manual=manual, partnership=partnership, slug=chapter_slug, number=number
        )
    except (Chapter.DoesNotExist, ChapterVersion.DoesNotExist):
        raise Http404("No such version") from None
    return partnership, manual, item, version


def manuals(request, slug):
    partnership = _partnership(request, slug)
    items = list(selectors.public_manuals(partnership=partnership))
    if len(items) == 1:
        return contents(request, slug, items[0].slug)
    return render(request, "procedures/manuals.html", {"partnership": partnership, "manuals": items})


def contents(request, slug, manual_slug):
    partnership, manual = _manual(request, slug, manual_slug)
    if "q" in request.GET:
        return _search(request, partnership, manual)
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
    partnership, manual, item = _live_chapter(request, slug, manual_slug, chapter_slug)
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
    partnership, manual, item, version = _archived_version(request, slug, manual_slug, chapter_slug, number)
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


# --- Search ----------------------------------------------------------------------------------------


class _Window(Sequence):
    """The one page of results a search returned, posing as the whole list to Django's Paginator."""

    def __init__(self, total: int, items: list):
        self.total, self.items = total, items

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, index):
        return self.items  # the paginator only ever asks for the page that was searched


def _int_param(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _search(request, partnership, manual):
    query = search_engine.normalise_query(request.GET.get("q", ""))
    sections = list(search_engine.manual_sections(manual=manual))
    section_id = _int_param(request.GET.get("section"))
    section = next((s for s in sections if s.pk == section_id), None)
    include_archive = request.GET.get("archive") == "1"
    page_number = max(_int_param(request.GET.get("page")) or 1, 1)
    size = search_engine.PAGE_SIZE

    def run(number):
        return search_engine.search_chapters(
            manual=manual,
            partnership=partnership,
            query=query,
            section_id=section.pk if section else None,
            include_archive=include_archive,
            limit=size,
            offset=(number - 1) * size,
        )

    error = ""
    if not search_engine.parse_terms(query):
        error = "Enter words to search for" if not query else "Enter more specific words to search for"
        outcome = search_engine.SearchOutcome([], 0)
    else:
        outcome = run(page_number)
        if not outcome.results and outcome.total:  # a page past the end: show the last one
            page_number = (outcome.total - 1) // size + 1
            outcome = run(page_number)
    page = Paginator(_Window(outcome.total, outcome.results), size).get_page(page_number)
    params = request.GET.copy()
    params.pop("page", None)
    slug = partnership.slug
    return render(
        request,
        "procedures/search.html",
        {
            "partnership": partnership,
            "manual": manual,
            "query": query,
            "error": error,
            "sections": sections,
            "section": section,
            "include_archive": include_archive,
            "results": [(r, r.public_url(slug, manual.slug)) for r in outcome.results],
            "total": outcome.total,
            "page_obj": page,
            "querystring_without_page": f"{params.urlencode()}&" if params else "",
            "contents_url": reverse("procedures:contents", args=[slug, manual.slug]),
        },
    )


# --- Print view and PDF ----------------------------------------------------------------------------


def chapter_print(request, slug, manual_slug, chapter_slug):
    partnership, manual, item = _live_chapter(request, slug, manual_slug, chapter_slug)
    return _print(request, partnership, manual, item, item.live_version, archived=False)


def chapter_pdf(request, slug, manual_slug, chapter_slug):
    partnership, manual, item = _live_chapter(request, slug, manual_slug, chapter_slug)
    return _pdf(request, partnership, manual, item, item.live_version, archived=False)


def version_print(request, slug, manual_slug, chapter_slug, number):
    partnership, manual, item, version = _archived_version(request, slug, manual_slug, chapter_slug, number)
    archived = not (item.status == "live" and item.live_version_id == version.pk)
    return _print(request, partnership, manual, item, version, archived=archived)


def version_pdf(request, slug, manual_slug, chapter_slug, number):
    partnership, manual, item, version = _archived_version(request, slug, manual_slug, chapter_slug, number)
    archived = not (item.status == "live" and item.live_version_id == version.pk)
    return _pdf(request, partnership, manual, item, version, archived=archived)


def _print_context(request, partnership, manual, item, version, *, archived: bool, for_pdf: bool) -> dict:
    if archived:
        page_path = reverse("procedures:version", args=[partnership.slug, manual.slug, item.slug, version.number])
    else:
        page_path = reverse("procedures:chapter", args=[partnership.slug, manual.slug, item.slug])
    return {
        "partnership": partnership,
        "manual": manual,
        "chapter": item,
        "version": version,
        "archived": archived,
        "removed": item.status == "removed",
        "page_path": page_path,
        "page_url": request.build_absolute_uri(page_path),
        "today": timezone.localdate(),
        "for_pdf": for_pdf,
    }


def _print(request, partnership, manual, item, version, *, archived: bool):
    context = _print_context(request, partnership, manual, item, version, archived=archived, for_pdf=False)
    response = render(request, "procedures/print.html", context)
    response["X-Robots-Tag"] = "noindex"  # the chapter page is the one to find
    return response


def pdf_url_fetcher():
    """WeasyPrint's resource loader for chapter PDFs: ``data:`` URLs and this site's static files,
    read from disk. Anything else is refused, so making a PDF never makes a network request."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = urlsplit(url).path
            if urlsplit(url).scheme in ("http", "https") and path.startswith(settings.STATIC_URL):
                found = finders.find(path[len(settings.STATIC_URL) :])
                if found:
                    with open(found, "rb") as handle:
                        body = handle.read()
                    content_type = mimetypes.guess_type(found)[0] or "application/octet-stream"
                    return URLFetcherResponse(url, body, {"Content-Type": content_type})
            raise ValueError(f"A chapter PDF loads only local static files, not {url}")

    return LocalOnlyFetcher(allowed_protocols=("data",), allow_redirects=False)


def _pdf(request, partnership, manual, item, version, *, archived: bool):
    today = timezone.localdate()
    tag = _pdf_etag(partnership, manual, item, version, today)
    if tag in request.headers.get("If-None-Match", ""):
        return HttpResponseNotModified(headers={"ETag": tag})
    context = _print_context(request, partnership, manual, item, version, archived=archived, for_pdf=True)
    html = render_to_string("procedures/print.html", context, request=request)
    from weasyprint import HTML

    pdf = HTML(string=html, base_url=request.build_absolute_uri("/"), url_fetcher=pdf_url_fetcher()).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{item.slug}-v{version.number}.pdf"'
    response["ETag"] = tag
    # A live chapter changes when a release goes live; an archived version only by its "printed on" date.
    response["Cache-Control"] = "public, max-age=300" if not archived else "public, max-age=86400"
    response["X-Robots-Tag"] = "noindex"
    return response


def _pdf_etag(partnership, manual, item, version, today: dt.date) -> str:
    """Changes with anything the PDF shows: the version, the chapter's details, the names, the date."""
    parts = [
        partnership.slug,
        partnership.name,
        manual.slug,
        manual.title,
        item.title,
        item.status,
        item.review_date,
        item.updated_at,
        version.pk,
        version.published_at,
        today,
    ]
    return '"' + hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:32] + '"'
