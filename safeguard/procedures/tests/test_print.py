"""The print view and the PDF of a chapter, live or archived."""

import datetime as dt
import re
import zlib

import pytest
from django.utils import timezone

from safeguard.procedures import views
from safeguard.procedures.models import Chapter

from .test_search import build_library

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(cast):
    library = build_library(cast)
    Chapter.objects.filter(pk=library.chapters["conferences"].pk).update(review_date=dt.date(2027, 3, 1))
    return library


def url(cast, path):
    return f"/{cast.partnership.slug}/procedures/cpp/{path}"


def pdf_text(pdf: bytes) -> bytes:
    """The PDF's objects, inflated: WeasyPrint keeps its outline (one entry per heading, with the
    heading's text) and metadata in compressed object streams."""
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(parts)


def test_the_print_view_shows_the_chapter_alone_with_its_details(client, cast, library):
    response = client.get(url(cast, "conferences/print/"))
    body = response.content.decode()
    assert response.status_code == 200 and response["X-Robots-Tag"] == "noindex"
    assert "Child Protection Procedures" in body and cast.partnership.name in body
    assert "<h1" in body and "Child Protection Conferences" in body
    assert "New wording about attendance" in body  # the live version's text
    assert ">2</dd>" in body and "1 October 2026" in body and "March 2027" in body  # version, live, review
    assert f"http://testserver/{cast.partnership.slug}/procedures/cpp/conferences/" in body
    assert f"Printed on {timezone.localdate():%-d %B %Y}" in body
    assert "govuk-service-navigation" not in body and "govuk-footer" not in body and "sg-search" not in body


def test_an_archived_version_prints_as_it_stood(client, cast, library):
    body = client.get(url(cast, "conferences/versions/1/print/")).content.decode()
    assert "Old wording about the quorum" in body and "attendance" not in body
    assert "Archived version" in body and "Do not use it for current practice" in body
    assert "/conferences/versions/1/" in body
    removed = client.get(url(cast, "custody/versions/1/print/")).content.decode()
    assert "a chapter that has been removed" in removed


def test_chapter_pages_link_to_the_print_view_and_the_pdf(client, cast, library):
    body = client.get(url(cast, "conferences/")).content.decode()
    assert "Print this chapter" in body and url(cast, "conferences/print/") in body
    assert "Download as PDF" in body and url(cast, "conferences/pdf/") in body
    old = client.get(url(cast, "conferences/versions/1/")).content.decode()
    assert url(cast, "conferences/versions/1/print/") in old and url(cast, "conferences/versions/1/pdf/") in old


def test_the_pdf_is_an_a4_pdf_of_the_chapter(client, cast, library):
    response = client.get(url(cast, "conferences/pdf/"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="conferences-v2.pdf"'
    assert response["Cache-Control"] == "public, max-age=300" and response["ETag"]
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    assert b"Child Protection Conferences" in text  # the h1, in the PDF's outline
    assert b"/MediaBox [0 0 595" in text  # A4: 595 x 842 points


def test_an_archived_version_has_its_own_pdf(client, cast, library):
    response = client.get(url(cast, "conferences/versions/1/pdf/"))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response["Content-Disposition"] == 'inline; filename="conferences-v1.pdf"'
    assert response["Cache-Control"] == "public, max-age=86400"


def test_the_pdf_answers_not_modified_to_a_matching_etag(client, cast, library):
    tag = client.get(url(cast, "conferences/pdf/"))["ETag"]
    again = client.get(url(cast, "conferences/pdf/"), headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""


@pytest.mark.parametrize(
    "path",
    [
        "witchcraft/print/",  # a draft chapter
        "witchcraft/pdf/",
        "custody/print/",  # removed: only its archived versions print
        "custody/pdf/",
        "southvale-local/print/",  # local to another partnership
        "neglect/versions/2/print/",  # a draft version
        "neglect/versions/2/pdf/",
        "nothing/pdf/",
    ],
)
def test_what_is_not_public_does_not_print(client, cast, library, path):
    assert client.get(url(cast, path)).status_code == 404


def test_making_a_pdf_never_fetches_from_the_network():
    fetcher = views.pdf_url_fetcher()
    for address in ("https://example.com/logo.png", "file:///etc/passwd", "ftp://example.com/x"):
        with pytest.raises(ValueError, match="only local static files"):
            fetcher.fetch(address)
    assert fetcher.fetch("data:text/plain,hello").read() == b"hello"
    static = fetcher.fetch("http://testserver/static/favicon.svg")
    assert static.content_type == "image/svg+xml" and static.read().startswith(b"<svg")
