"""The procedures API: manuals, chapters, versions, releases and practice points.

Who sees what: the owning partnership's editors and reviewers see drafts; everyone else who can see
the manual (adopting partnerships, roles without review rights) sees published content only; anyone
else gets 404. Only the owning partnership's business unit writes.
"""

import datetime as dt

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, settings

from safeguard.api.api import api
from safeguard.api.models import TokenScope
from safeguard.api.services import api_token_create
from safeguard.core.testing import PersonFactory
from safeguard.procedures import services
from safeguard.procedures.choices import ChangeKind, ReleaseStatus
from safeguard.procedures.models import Chapter, Release, ReleaseChange
from safeguard.procedures.practice_points import TOXIC_TRIO
from safeguard.procedures.testing import make_manual, publish

pytestmark = pytest.mark.django_db

V1 = "/api/v1"
LAUNCH = dt.date(2026, 9, 1)


class Api:
    """A JSON client sending a write-scoped bearer token for one user (no token for ``user=None``)."""

    def __init__(self, client, user):
        self.client = client
        self.headers = {}
        if user is not None:
            _, secret = api_token_create(user=user, name="Test", scope=TokenScope.WRITE)
            self.headers = {"Authorization": f"Bearer {secret}"}

    def get(self, path, **params):
        return self.client.get(V1 + path, params, headers=self.headers)

    def post(self, path, body=None):
        return self.client.post(V1 + path, body or {}, content_type="application/json", headers=self.headers)

    def patch(self, path, body):
        return self.client.patch(V1 + path, body, content_type="application/json", headers=self.headers)

    def delete(self, path):
        return self.client.delete(V1 + path, headers=self.headers)


@pytest.fixture
def manager_api(client, cast):
    return Api(client, cast.manager)


@pytest.fixture
def board_api(client, cast):
    """A board member: reviews procedures (sees drafts), may not change them."""
    return Api(client, cast.board_member)


@pytest.fixture
def reader_api(client, cast):
    """An agency data lead: may use the API, has no procedures rights: published content only."""
    return Api(client, cast.data_lead)


@pytest.fixture
def other_api(client, cast):
    """The business manager of another partnership."""
    return Api(client, cast.other_manager)


@pytest.fixture
def manual(cast):
    """A manual with a live chapter (v1 live, v2 draft), a draft chapter, a published and a draft release."""
    manual, section, (live, draft) = make_manual(cast, chapters=2)
    launch = publish(cast, manual, [(live, ChangeKind.NEW)], title="September 2026", day=LAUNCH)
    services.chapter_version_create(chapter=live, by=cast.manager, body_markdown="Second text.", change_note="v2")
    pending = services.release_create(
        manual=manual, by=cast.manager, title="December 2026", go_live_on=dt.date(2026, 12, 1)
    )
    services.release_add_change(release=pending, by=cast.manager, chapter=draft, kind=ChangeKind.NEW)
    manual.next_update_due = dt.date(2027, 3, 1)
    manual.save(update_fields=["next_update_due"])
    manual.t = {"section": section, "live": live, "draft": draft, "launch": launch, "pending": pending}
    return manual


def _fields(response):
    assert response.status_code == 422, response.content
    return {error["field"]: error["message"] for error in response.json()["detail"]}


def _ids(response):
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


# --- Authentication ---------------------------------------------------------------------------------
def _operations(manual):
    t = manual.t
    change = t["pending"].changes.get()
    return [
        ("get", "/manuals/"),
        ("get", f"/manuals/{manual.pk}"),
        ("post", f"/manuals/{manual.pk}/sections"),
        ("get", f"/manuals/{manual.pk}/chapters"),
        ("post", f"/manuals/{manual.pk}/chapters"),
        ("get", f"/manuals/{manual.pk}/releases"),
        ("post", f"/manuals/{manual.pk}/releases"),
        ("get", f"/chapters/{t['live'].pk}"),
        ("patch", f"/chapters/{t['live'].pk}"),
        ("get", f"/chapters/{t['live'].pk}/versions"),
        ("post", f"/chapters/{t['live'].pk}/versions"),
        ("get", f"/chapters/{t['live'].pk}/versions/1"),
        ("get", f"/releases/{t['pending'].pk}"),
        ("patch", f"/releases/{t['pending'].pk}"),
        ("post", f"/releases/{t['pending'].pk}/changes"),
        ("delete", f"/releases/{t['pending'].pk}/changes/{change.pk}"),
        ("post", f"/releases/{t['pending'].pk}/schedule"),
        ("post", f"/releases/{t['pending'].pk}/unschedule"),
        ("get", f"/releases/{t['pending'].pk}/broken-links"),
        ("get", "/practice-points/"),
        ("get", f"/practice-points/{TOXIC_TRIO.code}"),
    ]


def test_every_operation_needs_a_token(client, manual):
    anonymous = Api(client, None)
    for method, path in _operations(manual):
        response = getattr(anonymous, method)(path, {}) if method == "patch" else getattr(anonymous, method)(path)
        assert response.status_code == 401, f"{method} {path}"
    assert ReleaseChange.objects.filter(release=manual.t["pending"]).exists()


def test_a_read_only_role_cannot_use_the_api(client, cast, manual):
    """The read-only role has no API capability: its token is refused like no token at all."""
    assert Api(client, cast.read_only).get(f"/manuals/{manual.pk}").status_code == 401


def test_a_read_scoped_token_cannot_write(client, cast, manual):
    _, secret = api_token_create(user=cast.manager, name="Read", scope=TokenScope.READ)
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get(f"{V1}/manuals/{manual.pk}", headers=headers).status_code == 200
    response = client.post(
        f"{V1}/manuals/{manual.pk}/releases",
        {"title": "X", "go_live_on": "2027-01-01"},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 401


# --- Manuals ----------------------------------------------------------------------------------------
def test_it_lists_the_users_manuals_with_limit_and_offset(manager_api, cast, manual):
    second, _, _ = make_manual(cast)
    make_manual(cast, cast.other_partnership)
    body = manager_api.get("/manuals/").json()
    assert body["count"] == 2
    assert {m["id"] for m in body["items"]} == {manual.pk, second.pk}
    item = next(m for m in body["items"] if m["id"] == manual.pk)
    assert item["can_edit"] is True and item["can_review"] is True and item["adopted"] is False
    assert item["partnership_id"] == cast.partnership.pk
    assert len(manager_api.get("/manuals/", limit=1, offset=1).json()["items"]) == 1
    assert _fields(manager_api.get("/manuals/", limit=0)) == {"limit": "Input should be greater than or equal to 1"}


def test_a_manual_has_its_sections_last_release_and_next_update(manager_api, manual):
    body = manager_api.get(f"/manuals/{manual.pk}").json()
    assert body["sections"] == [{"id": manual.t["section"].pk, "title": "Child protection processes", "position": 0}]
    assert body["last_published_release"]["id"] == manual.t["launch"].pk
    assert body["last_published_release"]["status"] == "published"
    assert body["last_published_release"]["go_live_on"] == "2026-09-01"
    assert body["next_update_due"] == "2027-03-01"


def test_it_adds_a_section(manager_api, board_api, manual):
    response = manager_api.post(f"/manuals/{manual.pk}/sections", {"title": "Specific circumstances", "position": 2})
    assert response.status_code == 201, response.content
    assert response.json()["title"] == "Specific circumstances"
    assert board_api.post(f"/manuals/{manual.pk}/sections", {"title": "No"}).status_code == 403
    assert _fields(manager_api.post(f"/manuals/{manual.pk}/sections", {"title": ""})) == {
        "title": "This field cannot be blank."
    }


def test_another_partnerships_manual_and_its_records_are_404(other_api, cast, manual):
    t = manual.t
    assert other_api.get("/manuals/").json()["count"] == 0
    for path in [
        f"/manuals/{manual.pk}",
        f"/manuals/{manual.pk}/chapters",
        f"/manuals/{manual.pk}/releases",
        f"/chapters/{t['live'].pk}",
        f"/chapters/{t['live'].pk}/versions",
        f"/chapters/{t['live'].pk}/versions/1",
        f"/releases/{t['launch'].pk}",
        f"/releases/{t['launch'].pk}/broken-links",
    ]:
        assert other_api.get(path).status_code == 404, path
    live = t["live"]
    assert other_api.patch(f"/chapters/{live.pk}", {"version": live.version, "title": "Mine"}).status_code == 404
    assert other_api.post(f"/chapters/{live.pk}/versions", {"body_markdown": "Mine"}).status_code == 404
    assert (
        other_api.post(f"/manuals/{manual.pk}/releases", {"title": "X", "go_live_on": "2027-01-01"}).status_code == 404
    )
    assert other_api.post(f"/releases/{t['pending'].pk}/schedule").status_code == 404
    change = t["pending"].changes.get()
    assert other_api.delete(f"/releases/{t['pending'].pk}/changes/{change.pk}").status_code == 404
    assert ReleaseChange.objects.filter(pk=change.pk).exists()
    live.refresh_from_db()
    assert live.title != "Mine" and live.versions.count() == 2


# --- Adopting partnerships --------------------------------------------------------------------------
@pytest.fixture
def adopted(cast, manual):
    manual.adopted_by.add(cast.other_partnership)
    return manual


def test_an_adopter_reads_the_published_manual(other_api, cast, adopted):
    t = adopted.t
    body = other_api.get("/manuals/").json()
    assert [m["id"] for m in body["items"]] == [adopted.pk]
    assert body["items"][0] == {**body["items"][0], "adopted": True, "can_edit": False, "can_review": False}
    assert other_api.get(f"/manuals/{adopted.pk}").status_code == 200
    assert _ids(other_api.get(f"/manuals/{adopted.pk}/chapters")) == [t["live"].pk]
    chapter = other_api.get(f"/chapters/{t['live'].pk}").json()
    assert chapter["live_version_number"] == 1 and chapter["latest_version_number"] == 1
    assert [v["number"] for v in other_api.get(f"/chapters/{t['live'].pk}/versions").json()["items"]] == [1]
    assert other_api.get(f"/chapters/{t['live'].pk}/versions/1").json()["body_markdown"] == "Text 0."
    assert _ids(other_api.get(f"/manuals/{adopted.pk}/releases")) == [t["launch"].pk]
    assert other_api.get(f"/releases/{t['launch'].pk}").status_code == 200


def test_an_adopter_does_not_see_drafts(other_api, adopted):
    t = adopted.t
    assert other_api.get(f"/chapters/{t['draft'].pk}").status_code == 404
    assert other_api.get(f"/chapters/{t['live'].pk}/versions/2").status_code == 404
    assert other_api.get(f"/releases/{t['pending'].pk}").status_code == 404
    assert other_api.get(f"/releases/{t['pending'].pk}/broken-links").status_code == 404
    assert _ids(other_api.get(f"/manuals/{adopted.pk}/chapters", status="draft")) == []


def test_an_adopter_cannot_write(other_api, cast, adopted):
    t = adopted.t
    live = t["live"]
    response = other_api.patch(f"/chapters/{live.pk}", {"version": live.version, "title": "Ours now"})
    assert response.status_code == 403
    assert "owns this manual" in response.json()["detail"]
    assert other_api.post(f"/chapters/{live.pk}/versions", {"body_markdown": "Ours"}).status_code == 403
    body = {"section_id": t["section"].pk, "title": "Local chapter", "body_markdown": "Text"}
    assert other_api.post(f"/manuals/{adopted.pk}/chapters", body).status_code == 403
    body = {"title": "Ours", "go_live_on": "2027-01-01"}
    assert other_api.post(f"/manuals/{adopted.pk}/releases", body).status_code == 403
    assert other_api.post(f"/manuals/{adopted.pk}/sections", {"title": "Ours"}).status_code == 403
    launch = t["launch"]
    response = other_api.patch(f"/releases/{launch.pk}", {"version": launch.version, "title": "Ours"})
    assert response.status_code == 403
    assert other_api.post(f"/releases/{launch.pk}/schedule").status_code == 403
    live.refresh_from_db()
    assert live.title != "Ours now" and live.versions.count() == 2
    assert not Chapter.objects.filter(title="Local chapter").exists()
    assert not Release.objects.filter(title="Ours").exists()


def test_an_adopter_does_not_see_another_partnerships_local_chapter(other_api, manager_api, cast, adopted):
    live = adopted.t["live"]
    Chapter.objects.filter(pk=live.pk).update(local_to=cast.partnership)
    assert other_api.get(f"/chapters/{live.pk}").status_code == 404
    assert _ids(other_api.get(f"/manuals/{adopted.pk}/chapters")) == []
    assert manager_api.get(f"/chapters/{live.pk}").json()["local_to_id"] == cast.partnership.pk
    Chapter.objects.filter(pk=live.pk).update(local_to=cast.other_partnership)
    assert other_api.get(f"/chapters/{live.pk}").status_code == 200


# --- Roles ------------------------------------------------------------------------------------------
def test_roles_without_review_rights_see_published_content_only(reader_api, manual):
    t = manual.t
    body = reader_api.get(f"/manuals/{manual.pk}").json()
    assert body["can_review"] is False and body["adopted"] is False
    assert _ids(reader_api.get(f"/manuals/{manual.pk}/chapters")) == [t["live"].pk]
    assert reader_api.get(f"/chapters/{t['draft'].pk}").status_code == 404
    assert reader_api.get(f"/chapters/{t['draft'].pk}/versions").status_code == 404
    live = reader_api.get(f"/chapters/{t['live'].pk}").json()
    assert live["latest_version_number"] == 1
    assert [v["number"] for v in reader_api.get(f"/chapters/{t['live'].pk}/versions").json()["items"]] == [1]
    assert reader_api.get(f"/chapters/{t['live'].pk}/versions/2").status_code == 404
    assert _ids(reader_api.get(f"/manuals/{manual.pk}/releases")) == [t["launch"].pk]
    assert reader_api.get(f"/releases/{t['pending'].pk}").status_code == 404


def test_reviewers_see_drafts_but_cannot_write(board_api, manual):
    t = manual.t
    assert set(_ids(board_api.get(f"/manuals/{manual.pk}/chapters"))) == {t["live"].pk, t["draft"].pk}
    assert board_api.get(f"/chapters/{t['live'].pk}").json()["latest_version_number"] == 2
    assert board_api.get(f"/chapters/{t['live'].pk}/versions/2").status_code == 200
    assert board_api.get(f"/releases/{t['pending'].pk}").status_code == 200
    assert set(_ids(board_api.get(f"/manuals/{manual.pk}/releases"))) == {t["launch"].pk, t["pending"].pk}
    draft = t["draft"]
    assert board_api.patch(f"/chapters/{draft.pk}", {"version": draft.version, "title": "X"}).status_code == 403
    assert board_api.post(f"/chapters/{draft.pk}/versions", {"body_markdown": "X"}).status_code == 403
    body = {"section_id": t["section"].pk, "title": "Board chapter", "body_markdown": "Text"}
    assert board_api.post(f"/manuals/{manual.pk}/chapters", body).status_code == 403
    pending = t["pending"]
    assert (
        board_api.post(f"/manuals/{manual.pk}/releases", {"title": "X", "go_live_on": "2027-01-01"}).status_code == 403
    )
    assert board_api.patch(f"/releases/{pending.pk}", {"version": pending.version, "title": "X"}).status_code == 403
    body = {"chapter_id": t["live"].pk, "kind": "updated"}
    assert board_api.post(f"/releases/{pending.pk}/changes", body).status_code == 403
    change = pending.changes.get()
    assert board_api.delete(f"/releases/{pending.pk}/changes/{change.pk}").status_code == 403
    assert board_api.post(f"/releases/{pending.pk}/schedule").status_code == 403
    assert board_api.post(f"/releases/{pending.pk}/unschedule").status_code == 403
    pending.refresh_from_db()
    assert pending.status == ReleaseStatus.DRAFT and pending.changes.exists()


# --- Chapters ---------------------------------------------------------------------------------------
def test_chapter_details(manager_api, cast, manual):
    t = manual.t
    owner = PersonFactory(partnership=cast.partnership, given_name="Priya", family_name="Shah")
    services.chapter_update(
        chapter=t["live"],
        by=cast.manager,
        expected_version=t["live"].version,
        title="Child Protection Conferences",
        section=t["section"],
        owner=owner,
        review_date=dt.date(2027, 1, 31),
        related_chapters=[t["draft"]],
    )
    body = manager_api.get(f"/chapters/{t['live'].pk}").json()
    assert body == {
        "id": t["live"].pk,
        "manual_id": manual.pk,
        "section_id": t["section"].pk,
        "section_title": "Child protection processes",
        "title": "Child Protection Conferences",
        "slug": "chapter-000",
        "status": "live",
        "local_to_id": None,
        "owner": {"id": owner.pk, "name": "Priya Shah"},
        "review_date": "2027-01-31",
        "position": 0,
        "related_chapter_ids": [t["draft"].pk],
        "live_version_number": 1,
        "latest_version_number": 2,
        "version": 2,
    }


def test_readers_do_not_see_unpublished_related_chapters_or_another_partnerships_owner(
    manager_api, other_api, cast, adopted
):
    t = adopted.t
    owner = PersonFactory(partnership=cast.partnership)
    services.chapter_update(
        chapter=t["live"],
        by=cast.manager,
        expected_version=t["live"].version,
        title="Live",
        section=t["section"],
        owner=owner,
        related_chapters=[t["draft"]],
    )
    body = other_api.get(f"/chapters/{t['live'].pk}").json()
    assert body["related_chapter_ids"] == [] and body["owner"] is None
    assert manager_api.get(f"/chapters/{t['live'].pk}").json()["owner"]["id"] == owner.pk


def test_chapters_filter_by_section_status_and_review_date(manager_api, cast, manual):
    t = manual.t
    other_section = services.section_create(manual=manual, by=cast.manager, title="Other", position=1)
    Chapter.objects.filter(pk=t["live"].pk).update(review_date=dt.date(2026, 10, 1))
    Chapter.objects.filter(pk=t["draft"].pk).update(review_date=dt.date(2027, 10, 1), section=other_section)
    path = f"/manuals/{manual.pk}/chapters"
    assert _ids(manager_api.get(path)) == [t["live"].pk, t["draft"].pk]
    assert _ids(manager_api.get(path, section=other_section.pk)) == [t["draft"].pk]
    assert _ids(manager_api.get(path, status="live")) == [t["live"].pk]
    assert _ids(manager_api.get(path, review_due_before="2027-01-01")) == [t["live"].pk]
    assert _ids(manager_api.get(path, review_due_before="2026-01-01")) == []
    assert "status" in _fields(manager_api.get(path, status="archived"))
    assert "review_due_before" in _fields(manager_api.get(path, review_due_before="31/12/2026"))


def test_it_creates_a_draft_chapter_with_its_first_version(manager_api, manual):
    body = {
        "section_id": manual.t["section"].pk,
        "title": "Toxic Trio: Working with Families",
        "body_markdown": f"## Purpose\n\n{TOXIC_TRIO.shortcode()}\n",
    }
    response = manager_api.post(f"/manuals/{manual.pk}/chapters", body)
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["slug"] == "toxic-trio-working-with-families"
    assert created["status"] == "draft"
    assert created["live_version_number"] is None and created["latest_version_number"] == 1
    version = manager_api.get(f"/chapters/{created['id']}/versions/1").json()
    assert version["change_note"] == "First version"
    assert 'data-practice-point="toxic-trio"' in version["body_html"]


def test_bad_chapter_input_gets_field_messages(manager_api, cast, manual):
    section = manual.t["section"]
    path = f"/manuals/{manual.pk}/chapters"
    errors = _fields(
        manager_api.post(path, {"section_id": section.pk, "title": "A", "slug": "chapter-000", "body_markdown": "x"})
    )
    assert errors == {"slug": "Another chapter of this manual already has this address: choose another."}
    errors = _fields(
        manager_api.post(path, {"section_id": section.pk, "title": "A", "slug": "not a slug", "body_markdown": "x"})
    )
    assert list(errors) == ["slug"]
    errors = _fields(manager_api.post(path, {"section_id": section.pk, "title": "???", "body_markdown": "x"}))
    assert errors == {"slug": "Add a slug: the title has no letters or numbers to make one from."}
    errors = _fields(manager_api.post(path, {"section_id": section.pk, "title": "A", "body_markdown": "  "}))
    assert errors == {"body_markdown": "Enter the chapter's text."}
    errors = _fields(manager_api.post(path, {"section_id": section.pk, "title": "A\x00", "body_markdown": "x"}))
    assert "NUL" in errors["title"]
    _, foreign_section, _ = make_manual(cast)
    errors = _fields(manager_api.post(path, {"section_id": foreign_section.pk, "title": "A", "body_markdown": "x"}))
    assert errors == {"section_id": f"There is no section with id {foreign_section.pk} in this manual. Check the id."}
    errors = _fields(
        manager_api.post(path, {"section_id": section.pk, "title": "B", "body_markdown": "[[practice-point: nope]]"})
    )
    assert errors["body_markdown"].startswith("There is no practice point called nope.")
    errors = _fields(manager_api.post(path, {"title": "B"}))
    assert errors == {
        "section_id": "Add this field: it is required.",
        "body_markdown": "Add this field: it is required.",
    }
    assert not Chapter.objects.filter(title__in=["A", "B", "???"]).exists()


def test_deeply_nested_text_is_refused_not_a_server_error(manager_api, manual):
    live = manual.t["live"]
    response = manager_api.post(f"/chapters/{live.pk}/versions", {"body_markdown": "- " * 2000 + "x"})
    assert _fields(response) == {
        "body_markdown": "A list or quotation is nested too deeply. Use at most a few levels of indentation."
    }
    assert live.versions.count() == 2


def test_it_changes_a_chapters_details(manager_api, cast, manual):
    t = manual.t
    chapter = t["draft"]
    owner = PersonFactory(partnership=cast.partnership)
    second = services.section_create(manual=manual, by=cast.manager, title="Second", position=1)
    body = {
        "version": chapter.version,
        "title": "Renamed",
        "section_id": second.pk,
        "owner_id": owner.pk,
        "review_date": "2027-06-30",
        "position": 3,
        "related_chapter_ids": [t["live"].pk],
    }
    response = manager_api.patch(f"/chapters/{chapter.pk}", body)
    assert response.status_code == 200, response.content
    out = response.json()
    assert out["title"] == "Renamed" and out["section_id"] == second.pk and out["owner"]["id"] == owner.pk
    assert out["review_date"] == "2027-06-30" and out["position"] == 3
    assert out["related_chapter_ids"] == [t["live"].pk] and out["version"] == chapter.version + 1
    # A partial update keeps the other details; null clears the owner and the review date.
    response = manager_api.patch(
        f"/chapters/{chapter.pk}", {"version": out["version"], "owner_id": None, "review_date": None}
    )
    out = response.json()
    assert out["title"] == "Renamed" and out["owner"] is None and out["review_date"] is None
    assert out["related_chapter_ids"] == [t["live"].pk] and out["section_id"] == second.pk
    chapter.refresh_from_db()
    assert chapter.slug == "chapter-001"


def test_a_stale_chapter_version_is_refused_with_409(manager_api, manual):
    chapter = manual.t["draft"]
    assert (
        manager_api.patch(f"/chapters/{chapter.pk}", {"version": chapter.version, "title": "First"}).status_code == 200
    )
    response = manager_api.patch(f"/chapters/{chapter.pk}", {"version": chapter.version, "title": "Second"})
    assert response.status_code == 409
    assert response.json()["current_version"] == chapter.version + 1
    chapter.refresh_from_db()
    assert chapter.title == "First"


def test_bad_chapter_changes_get_field_messages(manager_api, cast, manual):
    t = manual.t
    chapter = t["draft"]
    path = f"/chapters/{chapter.pk}"
    _, foreign_section, (foreign,) = make_manual(cast, chapters=1)
    errors = _fields(manager_api.patch(path, {"version": chapter.version, "section_id": foreign_section.pk}))
    assert list(errors) == ["section_id"]
    errors = _fields(manager_api.patch(path, {"version": chapter.version, "related_chapter_ids": [foreign.pk]}))
    assert errors == {"related_chapter_ids": f"There is no chapter with id {foreign.pk} in this manual."}
    errors = _fields(manager_api.patch(path, {"version": chapter.version, "related_chapter_ids": [chapter.pk]}))
    assert errors == {"related_chapter_ids": "Choose other chapters of the same manual."}
    theirs = PersonFactory(partnership=cast.other_partnership)
    errors = _fields(manager_api.patch(path, {"version": chapter.version, "owner_id": theirs.pk}))
    assert errors == {"owner_id": f"There is no person with id {theirs.pk} that you can see."}
    errors = _fields(manager_api.patch(path, {"version": chapter.version, "title": None}))
    assert errors["title"].startswith("This field cannot be null")
    errors = _fields(manager_api.patch(path, {"version": chapter.version, "review_date": "2027-02-30"}))
    assert list(errors) == ["review_date"]
    assert _fields(manager_api.patch(path, {"title": "x"})) == {"version": "Add this field: it is required."}


# --- Versions ---------------------------------------------------------------------------------------
def test_it_lists_and_reads_versions(manager_api, manual):
    live = manual.t["live"]
    items = manager_api.get(f"/chapters/{live.pk}/versions").json()["items"]
    assert [(v["number"], v["is_live"], v["published_at"] is not None) for v in items] == [
        (2, False, False),
        (1, True, True),
    ]
    assert items[0]["change_note"] == "v2" and items[0]["created_at"]
    version = manager_api.get(f"/chapters/{live.pk}/versions/2").json()
    assert version["body_markdown"] == "Second text." and version["body_html"] == "<p>Second text.</p>"
    assert manager_api.get(f"/chapters/{live.pk}/versions/3").status_code == 404
    assert "number" in _fields(manager_api.get(f"/chapters/{live.pk}/versions/{2**40}"))


def test_it_adds_a_draft_version_with_sanitised_html(manager_api, manual):
    live = manual.t["live"]
    text = "## Purpose\n\n<script>alert(1)</script>[link](javascript:alert(1)) [[practice-point: toxic-trio]]\n"
    response = manager_api.post(f"/chapters/{live.pk}/versions", {"body_markdown": text, "change_note": "Toxic trio"})
    assert response.status_code == 201, response.content
    version = response.json()
    assert version["number"] == 3 and version["published_at"] is None and version["is_live"] is False
    assert "<script" not in version["body_html"] and "javascript:" not in version["body_html"]
    live.refresh_from_db()
    assert live.live_version.number == 1


def test_an_unknown_practice_point_is_refused_with_422(manager_api, manual):
    live = manual.t["live"]
    response = manager_api.post(f"/chapters/{live.pk}/versions", {"body_markdown": "[[practice-point: toxic-duo]]"})
    message = "There is no practice point called toxic-duo. Use one of: cp-plan-after-return-home, toxic-trio."
    assert _fields(response) == {"body_markdown": message}
    assert _fields(manager_api.post(f"/chapters/{live.pk}/versions", {"body_markdown": "x", "change_note": "n" * 501}))


# --- Releases ---------------------------------------------------------------------------------------
def test_a_release_shows_its_changes(manager_api, manual):
    t = manual.t
    body = manager_api.get(f"/releases/{t['launch'].pk}").json()
    assert body["status"] == "published" and body["go_live_on"] == "2026-09-01" and body["published_at"]
    (change,) = body["changes"]
    assert change == {
        "id": t["launch"].changes.get().pk,
        "kind": "new",
        "chapter_id": t["live"].pk,
        "chapter_title": "Chapter 000",
        "chapter_slug": "chapter-000",
        "version_number": 1,
        "summary": f"new {t['live']}",
    }
    listed = manager_api.get(f"/manuals/{manual.pk}/releases").json()["items"]
    assert [(r["title"], r["status"], r["change_count"]) for r in listed] == [
        ("December 2026", "draft", 1),
        ("September 2026", "published", 1),
    ]


def test_it_builds_schedules_and_unschedules_a_release(manager_api, manual):
    t = manual.t
    response = manager_api.post(f"/manuals/{manual.pk}/releases", {"title": "March 2027", "go_live_on": "2027-03-01"})
    assert response.status_code == 201, response.content
    release = response.json()
    assert release["status"] == "draft" and release["changes"] == []
    path = f"/releases/{release['id']}"
    response = manager_api.patch(path, {"version": release["version"], "go_live_on": "2027-03-02"})
    assert response.json()["go_live_on"] == "2027-03-02" and response.json()["title"] == "March 2027"
    assert manager_api.post(f"{path}/schedule").status_code == 422  # nothing in it yet
    body = {"chapter_id": t["live"].pk, "kind": "updated", "summary": "New text", "version_number": 2}
    response = manager_api.post(f"{path}/changes", body)
    assert response.status_code == 201, response.content
    (change,) = response.json()["changes"]
    assert change["kind"] == "updated" and change["version_number"] == 2
    response = manager_api.post(f"{path}/schedule")
    assert response.status_code == 200 and response.json()["status"] == "scheduled"
    assert "change" not in _fields(manager_api.post(f"{path}/changes", {"chapter_id": t["draft"].pk, "kind": "new"}))
    response = manager_api.delete(f"{path}/changes/{change['id']}")
    assert _fields(response) == {None: "Take the release back to draft before changing what it contains."}
    response = manager_api.post(f"{path}/unschedule")
    assert response.status_code == 200 and response.json()["status"] == "draft"
    assert _fields(manager_api.post(f"{path}/unschedule")) == {
        None: "Only a scheduled release can be taken back to draft."
    }
    assert manager_api.delete(f"{path}/changes/{change['id']}").status_code == 204
    assert manager_api.get(path).json()["changes"] == []


def test_bad_release_changes_get_field_messages(manager_api, cast, manual):
    t = manual.t
    path = f"/releases/{t['pending'].pk}/changes"
    _, _, (foreign,) = make_manual(cast, chapters=1)
    assert _fields(manager_api.post(path, {"chapter_id": foreign.pk, "kind": "new"})) == {
        "chapter_id": f"There is no chapter with id {foreign.pk} in this release's manual."
    }
    assert _fields(manager_api.post(path, {"chapter_id": t["live"].pk, "kind": "new"})) == {
        "kind": "This chapter has been published before: add it as an updated chapter."
    }
    assert _fields(manager_api.post(path, {"chapter_id": t["live"].pk, "kind": "updated", "version_number": 9})) == {
        "version_number": "'Chapter 000' has no version 9. Check the number."
    }
    assert _fields(manager_api.post(path, {"chapter_id": t["draft"].pk, "kind": "new"})) == {
        "chapter_id": "This release already changes this chapter: take that change out first."
    }
    assert "kind" in _fields(manager_api.post(path, {"chapter_id": t["live"].pk, "kind": "rewritten"}))
    response = manager_api.post(f"/releases/{t['launch'].pk}/changes", {"chapter_id": t["live"].pk, "kind": "updated"})
    assert _fields(response) == {None: "This release is already live: put the change in the next release."}
    other_change = t["launch"].changes.get()
    assert manager_api.delete(f"/releases/{t['pending'].pk}/changes/{other_change.pk}").status_code == 404


def test_a_stale_release_version_is_refused_with_409(manager_api, manual):
    pending = manual.t["pending"]
    path = f"/releases/{pending.pk}"
    assert manager_api.patch(path, {"version": pending.version, "title": "January 2027"}).status_code == 200
    response = manager_api.patch(path, {"version": pending.version, "title": "February 2027"})
    assert response.status_code == 409 and response.json()["current_version"] == pending.version + 1
    assert _fields(manager_api.patch(path, {"version": pending.version + 1, "go_live_on": "2027-13-01"}))


def test_a_published_release_cannot_be_changed_or_scheduled_again(manager_api, manual):
    launch = manual.t["launch"]
    response = manager_api.patch(f"/releases/{launch.pk}", {"version": launch.version, "title": "Renamed"})
    assert _fields(response) == {None: "This release is already live and cannot be changed."}
    assert _fields(manager_api.post(f"/releases/{launch.pk}/schedule")) == {
        None: "This release is already live: it cannot be scheduled again."
    }
    launch.refresh_from_db()
    assert launch.status == ReleaseStatus.PUBLISHED
    assert manager_api.get(f"/releases/{launch.pk}/broken-links").json() == []


def test_broken_links_are_listed_and_stop_scheduling(manager_api, cast, manual):
    t = manual.t
    draft = t["draft"]
    services.chapter_version_create(
        chapter=draft,
        by=cast.manager,
        body_markdown="See [enquiries](chapter:section-47) and [policy](document:escalation).",
    )
    pending = t["pending"]
    assert manager_api.get(f"/releases/{pending.pk}/broken-links").json() == []  # the release has version 1
    assert manager_api.delete(f"/releases/{pending.pk}/changes/{pending.changes.get().pk}").status_code == 204
    response = manager_api.post(f"/releases/{pending.pk}/changes", {"chapter_id": draft.pk, "kind": "new"})
    assert response.json()["changes"][0]["version_number"] == 2
    links = manager_api.get(f"/releases/{pending.pk}/broken-links").json()
    assert [(link["kind"], link["target"], link["chapter_slug"]) for link in links] == [
        ("chapter", "section-47", draft.slug),
        ("document", "escalation", draft.slug),
    ]
    assert links[0]["message"] == "'Chapter 001' links to the chapter 'section-47', which does not exist."
    response = manager_api.post(f"/releases/{pending.pk}/schedule")
    messages = [error["message"] for error in response.json()["detail"]]
    assert response.status_code == 422
    assert messages == ["Fix the broken links before this release can go live (2):"] + [
        link["message"] for link in links
    ]
    pending.refresh_from_db()
    assert pending.status == ReleaseStatus.DRAFT


# --- Practice points --------------------------------------------------------------------------------
@pytest.fixture
def trio_chapter(cast, manual):
    """A live chapter of ``manual`` that shows the toxic trio practice point."""
    chapter = manual.t["draft"]
    services.chapter_version_create(
        chapter=chapter, by=cast.manager, body_markdown=f"Intro\n\n{TOXIC_TRIO.shortcode()}\n"
    )
    ReleaseChange.objects.filter(chapter=chapter).delete()
    publish(cast, manual, [(chapter, ChangeKind.NEW)], day=LAUNCH)
    return chapter


def test_it_lists_practice_points_with_the_chapters_that_show_them(reader_api, trio_chapter):
    points = {p["code"]: p for p in reader_api.get("/practice-points/").json()}
    assert set(points) == {"toxic-trio", "cp-plan-after-return-home"}
    assert points["toxic-trio"]["applies_to"] == list(TOXIC_TRIO.applies_to)
    assert [c["id"] for c in points["toxic-trio"]["chapters"]] == [trio_chapter.pk]
    assert points["cp-plan-after-return-home"]["chapters"] == []
    point = reader_api.get("/practice-points/toxic-trio").json()
    assert point["statement"] == TOXIC_TRIO.statement and point["shortcode"] == "[[practice-point: toxic-trio]]"
    assert point["chapters"] == [
        {
            "id": trio_chapter.pk,
            "title": "Chapter 001",
            "slug": "chapter-001",
            "manual_id": trio_chapter.manual_id,
            "manual_title": trio_chapter.manual.title,
        }
    ]


def test_practice_point_chapters_are_limited_to_the_users_manuals(other_api, cast, trio_chapter):
    assert other_api.get("/practice-points/toxic-trio").json()["chapters"] == []
    trio_chapter.manual.adopted_by.add(cast.other_partnership)
    assert [c["id"] for c in other_api.get("/practice-points/toxic-trio").json()["chapters"]] == [trio_chapter.pk]


def test_an_unknown_practice_point_is_404(reader_api):
    response = reader_api.get("/practice-points/toxic-duo")
    assert response.status_code == 404
    assert (
        response.json()["detail"]
        == "There is no practice point 'toxic-duo'. Known: cp-plan-after-return-home, toxic-trio."
    )


# --- Query counts -----------------------------------------------------------------------------------
def _grow_chapters(cast, manual, n):
    section = manual.t["section"]
    owner = PersonFactory(partnership=cast.partnership)
    start = manual.chapters.count()
    made = []
    for i in range(start, start + n):
        chapter = services.chapter_create(
            section=section, by=cast.manager, title=f"Grown {i:03d}", slug=f"grown-{i:03d}", body_markdown="Text."
        )
        Chapter.objects.filter(pk=chapter.pk).update(owner=owner, review_date=dt.date(2027, 1, 1))
        chapter.related_chapters.set([manual.t["live"]])
        made.append(chapter)
    publish(cast, manual, [(c, ChangeKind.NEW) for c in made], day=LAUNCH)


def _grow_releases(cast, manual, n):
    for i in range(n):
        release = services.release_create(manual=manual, by=cast.manager, title=f"R{i}", go_live_on=dt.date(2027, 1, 1))
        services.release_add_change(release=release, by=cast.manager, chapter=manual.t["live"], kind=ChangeKind.UPDATED)


def _grow_versions(cast, manual, n):
    for i in range(n):
        services.chapter_version_create(chapter=manual.t["live"], by=cast.manager, body_markdown=f"v{i}")


def _grow_manuals(cast, manual, n):
    for _ in range(n):
        other, _, _ = make_manual(cast)
        other.adopted_by.add(cast.other_partnership)


@pytest.mark.parametrize(
    ("path", "grow", "user"),
    [
        ("/manuals/{manual}/chapters", _grow_chapters, "manager"),
        ("/manuals/{manual}/chapters", _grow_chapters, "data_lead"),
        ("/manuals/{manual}/releases", _grow_releases, "manager"),
        ("/chapters/{live}/versions", _grow_versions, "manager"),
        ("/manuals/", _grow_manuals, "manager"),
    ],
)
def test_list_queries_do_not_grow_with_rows(client, cast, manual, path, grow, user):
    user_api = Api(client, getattr(cast, user))
    path = path.format(manual=manual.pk, live=manual.t["live"].pk)

    def count_queries():
        user_api.get(path)  # warm the token's last-used stamp so both runs do the same work
        with CaptureQueriesContext(connection) as ctx:
            response = user_api.get(path, limit=200)
        assert response.status_code == 200
        return len(ctx.captured_queries), response.json()["count"]

    grow(cast, manual, 5)
    few, few_rows = count_queries()
    grow(cast, manual, 45)
    many, many_rows = count_queries()
    assert many_rows >= few_rows + 45
    assert many == few


# --- Generated requests -----------------------------------------------------------------------------
schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1/")).include(
    path_regex=r"^/api/v1/(manuals|chapters|releases|practice-points)/"
)
APP = get_wsgi_application()


@pytest.fixture
def keep_the_test_connection_open():
    """As in ``safeguard/api/tests/test_schemathesis.py``: the WSGI app must not close the test's connection."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def procedures_ids(cast, manual, keep_the_test_connection_open):
    _, secret = api_token_create(user=cast.manager, name="Schemathesis", scope=TokenScope.WRITE)
    t = manual.t
    ids = {
        "manual_id": manual.pk,
        "chapter_id": t["live"].pk,
        "release_id": t["pending"].pk,
        "change_id": t["pending"].changes.get().pk,
        "number": 1,
        "code": TOXIC_TRIO.code,
    }
    return {"Authorization": f"Bearer {secret}"}, ids


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_no_generated_procedures_request_causes_a_server_error(case, procedures_ids):
    """The general schemathesis test sends random ids to these operations; this one points half of
    the path ids at real records of the manager's manual so the writes reach the services."""
    headers, ids = procedures_ids
    for name, value in list((case.path_parameters or {}).items()):
        real = value > 0 and value % 2 == 0 if isinstance(value, int) else len(str(value)) % 2 == 0
        if name in ids and real:
            case.path_parameters[name] = ids[name]
    response = case.call(app=APP, headers=headers)
    assert response.status_code < 500, f"{response.status_code} from {case.method} {case.formatted_path}"
