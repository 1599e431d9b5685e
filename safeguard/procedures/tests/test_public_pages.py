import datetime as dt

import pytest

from safeguard.procedures import services
from safeguard.procedures.choices import ChangeKind

from .test_releases import CHRISTMAS, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def live_manual(cast):
    manual = services.manual_create(
        partnership=cast.partnership, by=cast.manager, title="Child Protection Procedures", slug="cpp"
    )
    manual.next_update_due = dt.date(2027, 6, 1)
    manual.save()
    section = services.section_create(manual=manual, by=cast.manager, title="Child protection processes")
    chapter = services.chapter_create(
        section=section,
        by=cast.manager,
        title="Child Protection Conferences",
        slug="conferences",
        body_markdown="## Purpose\n\nThe live text.",
    )
    future = services.chapter_create(
        section=section, by=cast.manager, title="Belief in Witchcraft", slug="witchcraft", body_markdown="Future text."
    )
    launch = services.release_create(
        manual=manual, by=cast.manager, title="September 2026", go_live_on=dt.date(2026, 9, 1)
    )
    services.release_add_change(
        release=launch, by=cast.manager, chapter=chapter, kind=ChangeKind.NEW, summary="New chapter."
    )
    services.release_publish(release=launch, by=cast.manager, now=at(dt.date(2026, 9, 1)))
    december = services.release_create(manual=manual, by=cast.manager, title="December 2026", go_live_on=CHRISTMAS)
    services.release_add_change(release=december, by=cast.manager, chapter=future, kind=ChangeKind.NEW)
    services.release_schedule(release=december, by=cast.manager)
    return manual


def test_contents_show_live_chapters_and_the_update_dates(client, cast, live_manual):
    body = client.get(f"/{cast.partnership.slug}/procedures/").content.decode()
    assert "Child Protection Conferences" in body
    assert "1 September 2026" in body and "June 2027" in body


def test_a_future_release_is_invisible_to_the_public(client, cast, live_manual):
    slug = cast.partnership.slug
    assert "Belief in Witchcraft" not in client.get(f"/{slug}/procedures/cpp/").content.decode()
    assert client.get(f"/{slug}/procedures/cpp/witchcraft/").status_code == 404
    assert "December 2026" not in client.get(f"/{slug}/procedures/cpp/amendments/").content.decode()


def test_chapter_page_shows_the_live_version(client, cast, live_manual):
    body = client.get(f"/{cast.partnership.slug}/procedures/cpp/conferences/").content.decode()
    assert "<h2>Purpose</h2>" in body and "The live text." in body


def test_amendments_page_lists_releases_by_year(client, cast, live_manual):
    body = client.get(f"/{cast.partnership.slug}/procedures/cpp/amendments/").content.decode()
    assert "2026" in body and "September 2026" in body and "New chapter." in body


def test_a_partnership_that_did_not_adopt_the_manual_gets_404(client, cast, live_manual):
    assert client.get(f"/{cast.other_partnership.slug}/procedures/cpp/").status_code == 404
    live_manual.adopted_by.add(cast.other_partnership)
    assert client.get(f"/{cast.other_partnership.slug}/procedures/cpp/conferences/").status_code == 200


def test_a_past_version_is_readable_as_it_stood_and_a_removed_chapter_stays_in_the_archive(client, cast, live_manual):
    chapter = live_manual.chapters.get(slug="conferences")
    v2 = services.chapter_version_create(chapter=chapter, by=cast.manager, body_markdown="The new text.")
    release = services.release_create(
        manual=live_manual, by=cast.manager, title="October 2026", go_live_on=dt.date(2026, 10, 1)
    )
    services.release_add_change(release=release, by=cast.manager, chapter=chapter, kind=ChangeKind.UPDATED, version=v2)
    services.release_publish(release=release, by=cast.manager, now=at(dt.date(2026, 10, 1)))
    slug = cast.partnership.slug
    current = client.get(f"/{slug}/procedures/cpp/conferences/").content.decode()
    assert "The new text." in current and "Version 1, live from 1 September 2026" in current
    old = client.get(f"/{slug}/procedures/cpp/conferences/versions/1/").content.decode()
    assert "The live text." in old and "archived version" in old
    assert client.get(f"/{slug}/procedures/cpp/conferences/versions/99/").status_code == 404
    # a draft version that never went live is not in the archive
    services.chapter_version_create(chapter=chapter, by=cast.manager, body_markdown="Draft only.")
    assert client.get(f"/{slug}/procedures/cpp/conferences/versions/3/").status_code == 404
    removal = services.release_create(
        manual=live_manual, by=cast.manager, title="November 2026", go_live_on=dt.date(2026, 11, 1)
    )
    services.release_add_change(release=removal, by=cast.manager, chapter=chapter, kind=ChangeKind.REMOVED)
    services.release_publish(release=removal, by=cast.manager, now=at(dt.date(2026, 11, 1)))
    assert client.get(f"/{slug}/procedures/cpp/conferences/").status_code == 404
    archived = client.get(f"/{slug}/procedures/cpp/conferences/versions/2/").content.decode()
    assert "has been removed from the procedures" in archived
