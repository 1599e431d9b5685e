"""Every public procedures page runs the same number of SQL queries with 5 chapters as with 50."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from safeguard.procedures import search, services
from safeguard.procedures.choices import ChangeKind
from safeguard.procedures.models import Manual
from safeguard.procedures.testing import make_manual, publish

pytestmark = pytest.mark.django_db


def grow(cast, chapters: int):
    """A live manual with ``chapters`` chapters in two sections, each chapter updated once (so the
    archive holds a version of each) and related to the first chapter."""
    manual, section, made = make_manual(cast, slug="cpp", chapters=0)
    other = services.section_create(manual=manual, by=cast.manager, title="Specific circumstances", position=1)
    made = [
        services.chapter_create(
            section=section if i % 2 else other,
            by=cast.manager,
            title=f"Chapter {i:03d} on neglect",
            slug=f"chapter-{i:03d}",
            body_markdown=f"## Purpose\n\nText {i} about neglect and [the first](chapter:chapter-000).",
        )
        for i in range(chapters)
    ]
    publish(cast, manual, [(c, ChangeKind.NEW) for c in made])
    for chapter in made:
        services.chapter_version_create(chapter=chapter, by=cast.manager, body_markdown="Updated text on neglect.")
        if chapter != made[0]:
            chapter.related_chapters.add(made[0])
    publish(cast, manual, [(c, ChangeKind.UPDATED) for c in made])
    return manual, other


def count(client, url) -> int:
    assert client.get(url).status_code == 200, url  # warm: the SQLite search index fills on first use
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def counts(client, cast, chapters: int) -> dict[str, int]:
    _, section = grow(cast, chapters)
    base = f"/{cast.partnership.slug}/procedures/cpp/"
    pages = {
        "contents": base,
        "chapter": f"{base}chapter-000/",
        "archived version": f"{base}chapter-001/versions/1/",
        "print": f"{base}chapter-000/print/",
        "archived print": f"{base}chapter-001/versions/1/print/",
        "search": f"{base}?q=neglect",
        "search in a section, with the archive": f"{base}?q=neglect&section={section.pk}&archive=1",
        "search, page 2": f"{base}?q=neglect&archive=1&page=2",
        "amendments": f"{base}amendments/",
    }
    return {name: count(client, url) for name, url in pages.items()}


@pytest.mark.parametrize("engine", ["native", "like"])
def test_query_counts_do_not_grow_with_the_number_of_chapters(client, cast, monkeypatch, engine):
    if engine == "like":
        monkeypatch.setattr(search, "_engine", lambda: "like")
    monkeypatch.setattr(search, "PAGE_SIZE", 3)  # so that page 2 exists with 5 chapters too
    few = counts(client, cast, 5)
    Manual.objects.filter(slug="cpp").update(slug="cpp-old")  # the bigger manual takes its address
    many = counts(client, cast, 50)
    assert many == few
    assert few["contents"] <= 6 and few["chapter"] <= 7 and few["search"] <= 9, few


def test_the_sqlite_index_fills_in_one_go(client, cast):
    """The first search after new versions indexes them all with a fixed number of statements."""
    if search._engine() != "fts5":
        pytest.skip("SQLite FTS5 only")
    grow(cast, 20)
    with CaptureQueriesContext(connection) as ctx:
        client.get(f"/{cast.partnership.slug}/procedures/cpp/?q=neglect")
    cold = len(ctx.captured_queries)
    with CaptureQueriesContext(connection) as ctx:
        client.get(f"/{cast.partnership.slug}/procedures/cpp/?q=neglect")
    assert cold - len(ctx.captured_queries) <= 6  # savepoint, read the text, delete, two inserts, release
