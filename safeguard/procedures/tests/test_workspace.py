"""The procedures editor in the workspace: preview, versions and diff, releases, broken links,
reviewers' preview, and who may do what."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from safeguard.procedures import services
from safeguard.procedures.choices import ChangeKind, ReleaseStatus
from safeguard.procedures.models import Chapter, ChapterVersion, Release
from safeguard.procedures.testing import make_manual, publish

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"procedures_workspace:{name}", args=args)


@pytest.fixture
def live(cast):
    manual, section, (first, second) = make_manual(cast, chapters=2)
    manual.adopted_by.add(cast.other_partnership)
    publish(cast, manual, [(first, ChangeKind.NEW), (second, ChangeKind.NEW)])
    return manual, section, first, second


def test_preview_shows_the_rendered_text_and_saves_nothing(client, cast, live):
    _manual, _section, first, _ = live
    client.force_login(cast.manager)
    data = {"body_markdown": "## Purpose\n\n[[practice-point: toxic-trio]]\n\n<script>x()</script>", "preview": "1"}
    response = client.post(url("version_create", first.pk), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-practice-point="toxic-trio"' in body and "<script>x()" not in body
    assert "## Purpose" in body  # the form keeps what was typed
    assert first.versions.count() == 1


def test_saving_a_version_keeps_the_live_one_until_a_release(client, cast, live):
    _, _, first, _ = live
    client.force_login(cast.manager)
    response = client.post(url("version_create", first.pk), {"body_markdown": "New text", "change_note": "Rewrite"})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.versions.count() == 2 and first.live_version.number == 1


def test_new_version_form_starts_from_the_newest_text(client, cast, live):
    _, _, first, _ = live
    client.force_login(cast.manager)
    assert "Text 0." in client.get(url("version_create", first.pk)).content.decode()


def test_unknown_practice_point_keeps_the_text_and_explains(client, cast, live):
    _, _, first, _ = live
    client.force_login(cast.manager)
    response = client.post(url("version_create", first.pk), {"body_markdown": "[[practice-point: trio]]"})
    assert response.status_code == 200
    assert "There is no practice point called trio" in response.content.decode()
    assert "[[practice-point: trio]]" in response.content.decode()


def test_compare_shows_word_level_differences(client, cast, live):
    _, _, first, _ = live
    services.chapter_version_create(chapter=first, by=cast.manager, body_markdown="Text 0 amended.")
    client.force_login(cast.board_member)  # reviewers see diffs
    response = client.get(url("compare", first.pk), {"a": 1, "b": 2})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Text <del>0.</del><ins>0 amended.</ins>" in body
    assert "1 paragraph changed" in body


def test_compare_with_a_version_that_does_not_exist_is_refused_gently(client, cast, live):
    _, _, first, _ = live
    client.force_login(cast.manager)
    assert client.get(url("compare", first.pk), {"a": 1, "b": 99}).status_code == 200


def test_create_chapter_with_address_from_title(client, cast, live):
    manual, section, _, _ = live
    client.force_login(cast.manager)
    response = client.post(
        url("chapter_create", manual.pk),
        {"section": section.pk, "title": "Private Fostering", "slug": "", "body_markdown": "Text", "submit": "1"},
    )
    assert response.status_code == 302
    chapter = Chapter.objects.get(manual=manual, slug="private-fostering")
    assert chapter.status == "draft"


def test_chapter_address_clash_is_explained(client, cast, live):
    manual, section, first, _ = live
    client.force_login(cast.manager)
    response = client.post(
        url("chapter_create", manual.pk),
        {"section": section.pk, "title": "Again", "slug": first.slug, "body_markdown": "Text"},
    )
    assert "already has this address" in response.content.decode()


def test_release_flow_with_broken_link_blocking_schedule(client, cast, live):
    manual, _, first, _second = live
    client.force_login(cast.manager)
    response = client.post(url("release_create", manual.pk), {"title": "December 2026", "go_live_on": "2026-12-01"})
    release = Release.objects.get(manual=manual, title="December 2026")
    assert response.status_code == 302
    services.chapter_version_create(chapter=first, by=cast.manager, body_markdown="See [x](chapter:nowhere)")
    client.post(url("change_add", release.pk), {"chapter": first.pk, "kind": "updated", "summary": "Linked"})
    page = client.get(url("release", release.pk)).content.decode()
    assert "1 broken link" in page and "&#x27;nowhere&#x27;, which does not exist" in page
    assert url("release_schedule", release.pk) not in page  # no schedule button while links are broken
    client.post(url("release_schedule", release.pk))
    release.refresh_from_db()
    assert release.status == ReleaseStatus.DRAFT

    client.post(url("change_remove", release.changes.get().pk))
    services.chapter_version_create(chapter=first, by=cast.manager, body_markdown="See [x](chapter:chapter-001)")
    client.post(url("change_add", release.pk), {"chapter": first.pk, "kind": "updated", "summary": "Linked"})
    client.post(url("release_schedule", release.pk))
    release.refresh_from_db()
    assert release.status == ReleaseStatus.SCHEDULED
    assert release.changes.get().version.number == 3


def test_reviewer_sees_the_preview_with_differences_but_cannot_change_it(client, cast, live):
    manual, _, first, _ = live
    version = services.chapter_version_create(chapter=first, by=cast.manager, body_markdown="Text 0. And more.")
    release = services.release_create(manual=manual, by=cast.manager, title="Next", go_live_on=dt.date(2030, 1, 1))
    services.release_add_change(release=release, by=cast.manager, chapter=first, kind="updated", version=version)
    client.force_login(cast.board_member)
    preview = client.get(url("release_preview", release.pk))
    assert preview.status_code == 200
    assert "And more." in preview.content.decode() and "Practitioners cannot see this yet" in preview.content.decode()
    assert client.get(url("change_add", release.pk)).status_code == 403
    assert client.post(url("release_schedule", release.pk)).status_code == 403


def test_the_public_cannot_see_a_release_preview(client, cast, live):
    manual, _, _first, _ = live
    release = services.release_create(manual=manual, by=cast.manager, title="Next", go_live_on=dt.date(2030, 1, 1))
    response = client.get(url("release_preview", release.pk))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_an_adopting_partnerships_editor_gets_404_in_the_workspace(client, cast, live):
    manual, _, first, _ = live
    client.force_login(cast.other_manager)  # its partnership adopted the manual
    assert client.get(url("manual", manual.pk)).status_code == 404
    assert client.get(url("chapter", first.pk)).status_code == 404
    assert client.post(url("version_create", first.pk), {"body_markdown": "x"}).status_code == 404
    assert ChapterVersion.objects.filter(chapter=first).count() == 1
    assert manual.title not in client.get(url("manual_list")).content.decode()


def test_stale_chapter_edit_is_refused_and_keeps_the_input(client, cast, live):
    _, section, first, _second = live
    client.force_login(cast.manager)
    data = {"title": "Renamed", "section": section.pk, "position": 0, "version": first.version}
    services.chapter_update(
        chapter=first, by=cast.officer, expected_version=first.version, title="Other", section=section
    )
    response = client.post(url("chapter_edit", first.pk), data)
    assert response.status_code == 200 and "Renamed" in response.content.decode()
    assert "your changes have not been saved" in response.content.decode()


def test_chapter_details_related_chapters_and_owner(client, cast, live):
    _, section, first, second = live
    from safeguard.core.testing import PersonFactory

    owner = PersonFactory(partnership=cast.partnership)
    client.force_login(cast.manager)
    data = {
        "title": first.title,
        "section": section.pk,
        "owner": owner.pk,
        "review_date": "2027-03-31",
        "position": 0,
        "related_chapters": [second.pk],
        "version": first.version,
    }
    assert client.post(url("chapter_edit", first.pk), data).status_code == 302
    first.refresh_from_db()
    assert first.owner == owner and list(first.related_chapters.all()) == [second]
    assert list(second.related_chapters.all()) == [first]  # related both ways


def test_manual_page_query_count_is_constant_in_the_number_of_chapters(client, cast):
    manual, _, _ = make_manual(cast, chapters=3)
    big, _, _ = make_manual(cast, chapters=40)
    client.force_login(cast.manager)
    counts = []
    for m in (manual, big):
        client.get(url("manual", m.pk))  # warm the session
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url("manual", m.pk)).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_filter_chapters_by_review_date(client, cast, live):
    manual, section, first, second = live
    services.chapter_update(
        chapter=first,
        by=cast.manager,
        expected_version=first.version,
        title=first.title,
        section=section,
        review_date=dt.date(2020, 1, 1),
    )
    client.force_login(cast.manager)
    body = client.get(url("manual", manual.pk), {"review": "overdue"}).content.decode()
    assert first.title in body and second.title not in body


def test_every_workspace_page_of_the_demo_manual_renders(client):
    """The demo manual's workspace pages, opened as its business manager (a smoke test of real content)."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.core.management import call_command

    from safeguard.accounts.models import User
    from safeguard.procedures.models import Manual

    call_command("load_demo_data", quiet_logins=True)
    manager = User.objects.get(email="manager@northdale.example")
    TOTP.activate(manager, generate_totp_secret())
    client.force_login(manager)
    manual = Manual.objects.get(slug="child-protection-procedures")
    pages = [url("manual_list"), url("manual", manual.pk), url("chapter_create", manual.pk)]
    for release in manual.releases.all():
        pages += [url("release", release.pk), url("release_preview", release.pk)]
    conferences = manual.chapters.get(slug="child-protection-conferences")
    pages += [url("chapter", conferences.pk), url("compare", conferences.pk), url("version_create", conferences.pk)]
    pages += [url("version", v.pk) for v in conferences.versions.all()]
    for page in pages:
        assert client.get(page).status_code == 200, page
    preview = client.get(url("release_preview", manual.releases.get(status="scheduled").pk)).content.decode()
    assert "Practitioners cannot see this yet" in preview
