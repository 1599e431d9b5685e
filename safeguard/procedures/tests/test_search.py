"""Search of the public procedures manual (``search.py``), on every engine the database offers:
PostgreSQL full-text search or SQLite FTS5 ("native"), and the LIKE fallback ("like")."""

import datetime as dt
import logging
from dataclasses import dataclass

import pytest
from django.db import connection

from safeguard.procedures import search, services
from safeguard.procedures.choices import ChangeKind
from safeguard.procedures.models import Chapter
from safeguard.procedures.practice_points import TOXIC_TRIO
from safeguard.procedures.testing import at, publish

pytestmark = pytest.mark.django_db

SEPTEMBER, OCTOBER, NOVEMBER = dt.date(2026, 9, 1), dt.date(2026, 10, 1), dt.date(2026, 11, 1)


@dataclass
class Library:
    manual: object
    processes: object  # sections
    circumstances: object
    chapters: dict


def build_library(cast, *, slug="cpp") -> Library:
    """A published manual: two sections, a chapter updated once (so with an archived version), a
    chapter removed, a draft chapter, a chapter local to another partnership."""
    by = cast.manager
    manual = services.manual_create(partnership=cast.partnership, by=by, title="Child Protection Procedures", slug=slug)
    processes = services.section_create(manual=manual, by=by, title="Child protection processes", position=0)
    circumstances = services.section_create(manual=manual, by=by, title="Specific circumstances", position=1)

    def chapter(section, title, slug, text):
        return services.chapter_create(section=section, by=by, title=title, slug=slug, body_markdown=text)

    chapters = {
        "neglect": chapter(
            circumstances,
            "Neglect",
            "neglect",
            "## Purpose\n\nHow agencies respond when a child's needs are not met. Look for patterns over time.",
        ),
        "domestic": chapter(
            circumstances,
            "Domestic Abuse",
            "domestic-abuse",
            "Domestic abuse harms children. Watch for neglect, neglect of health and neglect of schooling: "
            f"neglect often comes with it.\n\n{TOXIC_TRIO.shortcode()}\n",
        ),
        "conferences": chapter(
            processes,
            "Child Protection Conferences",
            "conferences",
            "## Purpose\n\nA conference decides whether a child is at continuing risk of **significant harm**. "
            "Old wording about the quorum.",
        ),
        "custody": chapter(processes, "Children in Custody", "custody", "Visits to children held in custody."),
        "local": chapter(processes, "Southvale Local Arrangements", "southvale-local", "Local arrangements text."),
    }
    publish(cast, manual, [(c, ChangeKind.NEW) for c in chapters.values()], day=SEPTEMBER)
    Chapter.objects.filter(pk=chapters["local"].pk).update(local_to=cast.other_partnership)
    chapters["draft"] = chapter(processes, "Belief in Witchcraft", "witchcraft", "A draft about spirit possession.")
    v2 = services.chapter_version_create(
        chapter=chapters["conferences"],
        by=by,
        body_markdown="## Purpose\n\nA conference decides whether a child is at continuing risk of "
        "**significant harm**. New wording about attendance.",
    )
    release = services.release_create(manual=manual, by=by, title="October 2026", go_live_on=OCTOBER)
    services.release_add_change(
        release=release, by=by, chapter=chapters["conferences"], kind=ChangeKind.UPDATED, version=v2
    )
    services.release_add_change(release=release, by=by, chapter=chapters["custody"], kind=ChangeKind.REMOVED)
    services.release_publish(release=release, by=by, now=at(OCTOBER))
    # a draft version of a live chapter is not searchable either
    services.chapter_version_create(chapter=chapters["neglect"], by=by, body_markdown="Unpublished draft zebra text.")
    return Library(manual, processes, circumstances, chapters)


@pytest.fixture(params=["native", "like"])
def engine(request, monkeypatch):
    """Run the test on the database's own full-text search, then on the LIKE fallback."""
    if request.param == "like":
        monkeypatch.setattr(search, "_engine", lambda: "like")
    elif connection.vendor == "sqlite":
        assert search._engine() == "fts5", "migration 0003 should have created the FTS5 table"
    return request.param


@pytest.fixture
def library(cast):
    return build_library(cast)


def find(library, partnership, query, **kwargs):
    return search.search_chapters(manual=library.manual, partnership=partnership, query=query, **kwargs)


def titles(outcome):
    return [r.chapter.title for r in outcome.results]


def test_it_finds_live_chapters_by_title_and_text(engine, cast, library):
    assert titles(find(library, cast.partnership, "quorum")) == []  # only in the archived version
    assert titles(find(library, cast.partnership, "attendance")) == ["Child Protection Conferences"]
    assert titles(find(library, cast.partnership, "conferences")) == ["Child Protection Conferences"]


def test_title_matches_rank_above_body_matches(engine, cast, library):
    outcome = find(library, cast.partnership, "neglect")
    assert titles(outcome) == ["Neglect", "Domestic Abuse"]  # Domestic Abuse says "neglect" four times
    assert outcome.results[0].title_match and not outcome.results[1].title_match
    assert outcome.results[0].rank > 0 and outcome.total == 2


def test_snippets_highlight_the_words_and_escape_everything_else(engine, cast, library):
    outcome = find(library, cast.partnership, "patterns")
    (result,) = outcome.results
    assert "<mark>patterns</mark>" in result.snippet_html.lower()
    assert "<h2>" not in result.snippet_html and "<p>" not in result.snippet_html
    assert "child&#x27;s" in result.snippet_html or "child&#39;s" in result.snippet_html  # escaped, not markup


def test_markup_in_the_text_cannot_reach_the_snippet(engine, cast, library):
    chapter = library.chapters["neglect"]
    version = services.chapter_version_create(
        chapter=chapter, by=cast.manager, body_markdown="Search for a &lt;script&gt; tag and x < y & marker."
    )
    release = services.release_create(manual=library.manual, by=cast.manager, title="Nov", go_live_on=NOVEMBER)
    services.release_add_change(release=release, by=cast.manager, chapter=chapter, kind="updated", version=version)
    services.release_publish(release=release, by=cast.manager, now=at(NOVEMBER))
    (result,) = find(library, cast.partnership, "marker").results
    assert "<script" not in result.snippet_html and "&lt; script&gt; tag" in result.snippet_html
    assert "<mark>marker</mark>" in result.snippet_html


def test_a_practice_point_is_found_by_the_words_of_its_statement(engine, cast, library):
    outcome = find(library, cast.partnership, "designated safeguarding lead")  # only in the statement
    assert titles(outcome) == ["Domestic Abuse"]
    assert "practice-point" not in outcome.results[0].snippet_html


def test_phrases_and_stemming(engine, cast, library):
    assert titles(find(library, cast.partnership, '"significant harm"')) == ["Child Protection Conferences"]
    assert titles(find(library, cast.partnership, '"harm significant"')) == []
    assert titles(find(library, cast.partnership, "conference")) == ["Child Protection Conferences"]


def test_drafts_are_never_searched(engine, cast, library):
    for archive in (False, True):
        assert find(library, cast.partnership, "spirit possession", include_archive=archive).total == 0
        assert find(library, cast.partnership, "zebra", include_archive=archive).total == 0


def test_the_archive_adds_earlier_versions_and_removed_chapters(engine, cast, library):
    assert find(library, cast.partnership, "custody").total == 0
    (removed,) = find(library, cast.partnership, "custody", include_archive=True).results
    assert removed.archived and removed.version.number == 1
    assert (
        removed.public_url(cast.partnership.slug, "cpp")
        == f"/{cast.partnership.slug}/procedures/cpp/custody/versions/1/"
    )
    outcome = find(library, cast.partnership, "significant harm", include_archive=True)
    assert [(r.version.number, r.archived) for r in outcome.results] == [(2, False), (1, True)]  # live first
    (old,) = find(library, cast.partnership, "quorum", include_archive=True).results
    assert old.archived and old.version.number == 1
    assert old.public_url(cast.partnership.slug, "cpp").endswith("/conferences/versions/1/")


def test_a_chapter_local_to_another_partnership_is_found_only_on_its_site(engine, cast, library):
    assert find(library, cast.partnership, "arrangements").total == 0
    library.manual.adopted_by.add(cast.other_partnership)
    assert titles(find(library, cast.other_partnership, "arrangements")) == ["Southvale Local Arrangements"]


def test_the_section_filter(engine, cast, library):
    assert find(library, cast.partnership, "child", section_id=library.processes.pk).total == 1
    assert find(library, cast.partnership, "child", section_id=library.circumstances.pk).total == 2


def test_results_come_in_pages_with_the_total(engine, cast, library):
    first = find(library, cast.partnership, "child", limit=2, offset=0)
    second = find(library, cast.partnership, "child", limit=2, offset=2)
    beyond = find(library, cast.partnership, "child", limit=2, offset=10)
    assert first.total == second.total == beyond.total == 3
    assert len(first.results) == 2 and len(second.results) == 1 and beyond.results == []
    assert not {r.chapter.pk for r in first.results} & {r.chapter.pk for r in second.results}


@pytest.mark.parametrize(
    "query", ["", "   ", "the and of", 'NEAR("x" "y")', "title: neglect OR", '"unclosed', "a*", "{title} : x", "-"]
)
def test_odd_input_never_fails(engine, cast, library, query):
    outcome = find(library, cast.partnership, query)
    assert outcome.total >= 0


def test_a_renamed_chapter_is_found_by_its_new_title(engine, cast, library):
    find(library, cast.partnership, "neglect")  # indexed under the old title
    Chapter.objects.filter(pk=library.chapters["neglect"].pk).update(title="Neglect and Emotional Harm")
    assert "Neglect and Emotional Harm" in titles(find(library, cast.partnership, "emotional"))


def test_parse_terms():
    assert search.parse_terms('The "Toxic  trio" and neglect') == ["toxic trio", "neglect"]
    assert search.parse_terms("Section 47 enquiries") == ["section", "47", "enquiries"]
    assert search.parse_terms("a " * 300) == []
    assert search.fts5_match(["toxic trio", 'say "hi"']) == '"toxic trio" AND "say ""hi"""'


def test_search_terms_are_never_logged(client, cast, library, caplog):
    caplog.set_level(logging.DEBUG)
    client.get(f"/{cast.partnership.slug}/procedures/cpp/?q=confidentialterm+neglect&page=99")
    client.get(f"/{cast.partnership.slug}/procedures/nomanual/?q=confidentialterm")  # a 404 is logged
    assert "confidentialterm" not in caplog.text


# --- The search page --------------------------------------------------------------------------------


def search_page(client, cast, query_string):
    response = client.get(f"/{cast.partnership.slug}/procedures/cpp/?{query_string}")
    assert response.status_code == 200
    return response.content.decode()


def test_the_contents_page_and_chapter_pages_have_a_search_box(client, cast, library):
    base = f"/{cast.partnership.slug}/procedures/cpp/"
    for url in (base, f"{base}neglect/"):
        body = client.get(url).content.decode()
        assert 'data-testid="search-box"' in body and f'action="{base}"' in body and 'name="q"' in body


def test_the_search_page_shows_results_with_snippets_and_keeps_the_query(client, cast, library):
    body = search_page(client, cast, "q=neglect")
    assert "2 results for \u2018neglect\u2019" in body
    assert 'value="neglect"' in body and "<mark>" in body.lower()
    assert body.index(">Neglect<") < body.index(">Domestic Abuse<")
    assert "Specific circumstances" in body  # the section of each result
    assert 'name="robots" content="noindex, nofollow"' in body


def test_the_search_page_filters_by_section_and_searches_the_archive_on_request(client, cast, library):
    body = search_page(client, cast, f"q=child&section={library.processes.pk}")
    assert "1 result for \u2018child\u2019 in Child protection processes" in body
    assert f'<option value="{library.processes.pk}" selected>' in body
    body = search_page(client, cast, "q=custody&archive=1")
    assert "Archived version 1" in body and "Chapter removed" in body
    assert f"/{cast.partnership.slug}/procedures/cpp/custody/versions/1/" in body
    assert 'id="search-archive" name="archive" type="checkbox" value="1" checked' in body


def test_no_results_suggests_what_to_try(client, cast, library):
    body = search_page(client, cast, f"q=custody&section={library.circumstances.pk}")
    assert 'data-testid="no-results"' in body and "0 results" in body
    assert "search all sections" in body and "include archived versions" in body and "browse the contents" in body


def test_an_empty_search_says_what_to_do(client, cast, library):
    body = search_page(client, cast, "q=")
    assert "There is a problem" in body and "Enter words to search for" in body
    assert "Enter more specific words" in search_page(client, cast, "q=the")


def test_the_search_page_is_paginated_and_a_page_past_the_end_shows_the_last(client, cast, library, monkeypatch):
    monkeypatch.setattr(search, "PAGE_SIZE", 2)
    body = search_page(client, cast, "q=child&page=2")
    assert "Page 2 of 2 (3 results)" in body and 'href="?q=child&amp;page=1"' in body
    assert "Page 2 of 2" in search_page(client, cast, "q=child&page=50")
    assert "Page 1 of 2" in search_page(client, cast, "q=child&page=nonsense")


def test_a_section_of_another_manual_is_ignored(client, cast, library):
    other = build_library(cast, slug="other")
    body = search_page(client, cast, f"q=child&section={other.processes.pk}")
    assert "3 results for \u2018child\u2019</p>" in body
