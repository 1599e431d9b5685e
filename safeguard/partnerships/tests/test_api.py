"""The partnerships API: reads through selectors, writes through services, errors in one shape."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from safeguard.api.models import TokenScope
from safeguard.api.services import api_token_create
from safeguard.core.testing import AgencyFactory, ContactFactory, GroupFactory, MembershipFactory, PersonFactory
from safeguard.partnerships.choices import GroupKind, MembershipRole, Sector
from safeguard.partnerships.models import Agency, Contact

V1 = "/api/v1"


class Api:
    """A JSON client that sends a write-scoped bearer token for one user."""

    def __init__(self, client, user):
        self.client = client
        _, secret = api_token_create(user=user, name="Test", scope=TokenScope.WRITE)
        self.headers = {"Authorization": f"Bearer {secret}"}

    def get(self, path, **params):
        return self.client.get(V1 + path, params, headers=self.headers)

    def post(self, path, body):
        return self.client.post(V1 + path, body, content_type="application/json", headers=self.headers)

    def patch(self, path, body):
        return self.client.patch(V1 + path, body, content_type="application/json", headers=self.headers)

    def delete(self, path):
        return self.client.delete(V1 + path, headers=self.headers)


@pytest.fixture
def manager_api(client, cast):
    return Api(client, cast.manager)


@pytest.fixture
def board_api(client, cast):
    """A board member: may use the API and read, may not change records."""
    return Api(client, cast.board_member)


def _fields(response):
    assert response.status_code == 422, response.content
    return {error["field"]: error["message"] for error in response.json()["detail"]}


# --- Partnerships -----------------------------------------------------------------------------
def test_it_lists_only_the_users_partnerships(manager_api, cast):
    body = manager_api.get("/partnerships/").json()
    assert body["count"] == 1
    assert body["items"][0]["id"] == cast.partnership.pk


def test_it_hides_another_partnership(manager_api, cast):
    assert manager_api.get(f"/partnerships/{cast.other_partnership.pk}").status_code == 404
    response = manager_api.patch(f"/partnerships/{cast.other_partnership.pk}", {"version": 1, "phone": "1"})
    assert response.status_code == 404


def test_it_changes_a_partnership_and_returns_the_new_version(manager_api, cast):
    p = cast.partnership
    response = manager_api.patch(f"/partnerships/{p.pk}", {"version": p.version, "phone": "01234 567890"})
    assert response.status_code == 200
    assert response.json()["phone"] == "01234 567890"
    assert response.json()["version"] == p.version + 1
    p.refresh_from_db()
    assert p.phone == "01234 567890"


def test_a_stale_version_is_refused_with_409(manager_api, cast):
    p = cast.partnership
    assert manager_api.patch(f"/partnerships/{p.pk}", {"version": p.version, "phone": "1"}).status_code == 200
    response = manager_api.patch(f"/partnerships/{p.pk}", {"version": p.version, "phone": "2"})
    assert response.status_code == 409
    assert response.json()["current_version"] == p.version + 1
    assert "nothing was saved" in response.json()["detail"]
    p.refresh_from_db()
    assert p.phone == "1"


def test_a_role_without_manage_permission_gets_403_on_writes(board_api, cast):
    p = cast.partnership
    assert board_api.get(f"/partnerships/{p.pk}").status_code == 200
    response = board_api.patch(f"/partnerships/{p.pk}", {"version": p.version, "phone": "1"})
    assert response.status_code == 403
    assert response.json()["detail"] == "You cannot change this partnership's records."


def test_bad_partnership_input_gets_field_messages(manager_api, cast):
    p = cast.partnership
    errors = _fields(manager_api.patch(f"/partnerships/{p.pk}", {"version": p.version, "local_authority_code": "12"}))
    assert "local_authority_code" in errors
    errors = _fields(manager_api.patch(f"/partnerships/{p.pk}", {"version": p.version, "email": "not an e-mail"}))
    assert errors == {"email": "Enter a valid email address."}
    errors = _fields(manager_api.patch(f"/partnerships/{p.pk}", {"phone": "1"}))
    assert errors == {"version": "Add this field: it is required."}
    errors = _fields(manager_api.patch(f"/partnerships/{p.pk}", {"version": p.version, "name": None}))
    assert errors["name"].startswith("This field cannot be null")


# --- Agencies ---------------------------------------------------------------------------------
def test_it_lists_agencies_filtered_by_partnership(manager_api, cast):
    AgencyFactory(partnership=cast.other_partnership, name="Southvale Police")
    AgencyFactory(partnership=cast.partnership, name="Northdale Hospital", sector=Sector.HEALTH)
    body = manager_api.get("/agencies/", partnership=cast.partnership.pk).json()
    assert [a["name"] for a in body["items"]] == ["Northdale Constabulary", "Northdale Hospital"]
    body = manager_api.get("/agencies/", partnership=cast.other_partnership.pk).json()
    assert body == {"items": [], "count": 0}
    body = manager_api.get("/agencies/", sector="health").json()
    assert [a["name"] for a in body["items"]] == ["Northdale Hospital"]


def test_it_paginates_with_limit_and_offset(manager_api, cast):
    for n in range(4):
        AgencyFactory(partnership=cast.partnership, name=f"Agency {n}")
    body = manager_api.get("/agencies/", limit=2, offset=1).json()
    assert body["count"] == 5
    assert [a["name"] for a in body["items"]] == ["Agency 1", "Agency 2"]
    assert _fields(manager_api.get("/agencies/", limit=201)) == {"limit": "Input should be less than or equal to 200"}


def test_it_creates_and_changes_an_agency(manager_api, cast):
    body = {"partnership_id": cast.partnership.pk, "name": "Northdale ICB", "sector": "health"}
    response = manager_api.post("/agencies/", body)
    assert response.status_code == 201
    created = response.json()
    assert created["version"] == 1 and created["is_active"] is True
    parent = Agency.objects.get(name="Northdale Constabulary")
    response = manager_api.patch(f"/agencies/{created['id']}", {"version": 1, "parent_id": parent.pk})
    assert response.status_code == 200
    assert response.json()["parent_id"] == parent.pk and response.json()["version"] == 2
    response = manager_api.patch(f"/agencies/{created['id']}", {"version": 2, "parent_id": None})
    assert response.json()["parent_id"] is None
    assert manager_api.get(f"/agencies/{created['id']}").json()["name"] == "Northdale ICB"


def test_an_agency_must_be_in_a_partnership_you_can_see(manager_api, cast):
    body = {"partnership_id": cast.other_partnership.pk, "name": "Sneaky", "sector": "police"}
    errors = _fields(manager_api.post("/agencies/", body))
    assert errors["partnership_id"].startswith(f"There is no partnership with id {cast.other_partnership.pk}")
    assert not Agency.objects.filter(name="Sneaky").exists()


def test_bad_agency_input_gets_field_messages(manager_api, cast):
    errors = _fields(manager_api.post("/agencies/", {"partnership_id": cast.partnership.pk, "name": "X"}))
    assert errors == {"sector": "Add this field: it is required."}
    errors = _fields(
        manager_api.post("/agencies/", {"partnership_id": cast.partnership.pk, "name": "X", "sector": "army"})
    )
    assert "'police'" in errors["sector"]
    duplicate = {"partnership_id": cast.partnership.pk, "name": "Northdale Constabulary", "sector": "police"}
    errors = _fields(manager_api.post("/agencies/", duplicate))
    assert list(errors) == [None] and "already exists" in errors[None]
    agency = Agency.objects.get(name="Northdale Constabulary")
    errors = _fields(manager_api.patch(f"/agencies/{agency.pk}", {"version": agency.version, "parent_id": agency.pk}))
    assert errors == {"parent_id": "An agency cannot be part of itself or of one of its own parts."}
    errors = _fields(manager_api.patch(f"/agencies/{agency.pk}", {"version": agency.version, "name": "a\x00b"}))
    assert "NUL" in errors["name"]


def test_another_partnerships_agency_is_404(manager_api, cast):
    agency = AgencyFactory(partnership=cast.other_partnership)
    assert manager_api.get(f"/agencies/{agency.pk}").status_code == 404
    assert manager_api.patch(f"/agencies/{agency.pk}", {"version": 1, "name": "Mine"}).status_code == 404


def test_a_board_member_cannot_add_or_change_agencies(board_api, cast):
    body = {"partnership_id": cast.partnership.pk, "name": "Northdale ICB", "sector": "health"}
    assert board_api.post("/agencies/", body).status_code == 403
    agency = Agency.objects.get(name="Northdale Constabulary")
    assert board_api.patch(f"/agencies/{agency.pk}", {"version": 1, "name": "Renamed"}).status_code == 403


def test_a_stale_agency_version_is_refused(manager_api, cast):
    agency = Agency.objects.get(name="Northdale Constabulary")
    assert manager_api.patch(f"/agencies/{agency.pk}", {"version": 1, "is_active": False}).status_code == 200
    response = manager_api.patch(f"/agencies/{agency.pk}", {"version": 1, "name": "Late edit"})
    assert response.status_code == 409


# --- Groups -----------------------------------------------------------------------------------
def test_it_creates_a_board_and_a_subgroup_that_reports_to_it(manager_api, cast):
    board = manager_api.post(
        "/groups/",
        {"partnership_id": cast.partnership.pk, "kind": "board", "name": "Safeguarding Board", "quorum": 5},
    )
    assert board.status_code == 201
    sub = manager_api.post(
        "/groups/",
        {
            "partnership_id": cast.partnership.pk,
            "kind": "subgroup",
            "name": "Learning and Improvement",
            "reports_to_id": board.json()["id"],
            "shared_with_ids": [cast.other_partnership.pk],
            "meeting_frequency": "monthly",
        },
    )
    assert sub.status_code == 201, sub.content
    assert sub.json()["reports_to_id"] == board.json()["id"]
    assert sub.json()["shared_with_ids"] == [cast.other_partnership.pk]
    boards = manager_api.get("/groups/", kind="board", partnership=cast.partnership.pk).json()
    assert [g["name"] for g in boards["items"]] == ["Safeguarding Board"]


def test_a_board_cannot_report_to_another_group(manager_api, cast):
    board = GroupFactory(partnership=cast.partnership, kind=GroupKind.BOARD, name="Board")
    body = {"partnership_id": cast.partnership.pk, "kind": "board", "name": "Second", "reports_to_id": board.pk}
    errors = _fields(manager_api.post("/groups/", body))
    assert errors == {"reports_to_id": "A board does not report to another group: leave this empty."}
    body = {"partnership_id": cast.partnership.pk, "kind": "subgroup", "name": "S", "shared_with_ids": [999999]}
    assert _fields(manager_api.post("/groups/", body)) == {
        "shared_with_ids": "There is no active partnership with id 999999."
    }


def test_it_changes_a_group(manager_api, cast):
    group = GroupFactory(partnership=cast.partnership, name="Old name")
    response = manager_api.patch(f"/groups/{group.pk}", {"version": group.version, "name": "New name", "quorum": 3})
    assert response.status_code == 200
    assert response.json()["name"] == "New name" and response.json()["quorum"] == 3
    assert manager_api.patch(f"/groups/{group.pk}", {"version": group.version, "quorum": 4}).status_code == 409


def test_another_partnerships_group_is_404(manager_api, cast):
    group = GroupFactory(partnership=cast.other_partnership)
    assert manager_api.get(f"/groups/{group.pk}").status_code == 404
    assert manager_api.patch(f"/groups/{group.pk}", {"version": 1, "quorum": 1}).status_code == 404


# --- People -----------------------------------------------------------------------------------
def test_it_creates_lists_and_changes_people(manager_api, cast):
    agency = Agency.objects.get(name="Northdale Constabulary")
    body = {
        "partnership_id": cast.partnership.pk,
        "given_name": "Ada",
        "family_name": "Lovelace",
        "agency_id": agency.pk,
        "email": "ada@example.test",
    }
    response = manager_api.post("/people/", body)
    assert response.status_code == 201
    person = response.json()
    PersonFactory(partnership=cast.partnership, family_name="Zed")
    listed = manager_api.get("/people/", agency=agency.pk).json()
    assert [p["id"] for p in listed["items"]] == [person["id"]]
    response = manager_api.patch(f"/people/{person['id']}", {"version": 1, "job_title": "Detective Inspector"})
    assert response.json()["job_title"] == "Detective Inspector"
    assert response.json()["version"] == 2


def test_a_person_cannot_work_for_another_partnerships_agency(manager_api, cast):
    foreign = AgencyFactory(partnership=cast.other_partnership)
    body = {"partnership_id": cast.partnership.pk, "given_name": "A", "family_name": "B", "agency_id": foreign.pk}
    errors = _fields(manager_api.post("/people/", body))
    assert errors == {"agency_id": f"There is no agency with id {foreign.pk} that you can see. Check the id."}


def test_another_partnerships_person_is_404(manager_api, cast):
    person = PersonFactory(partnership=cast.other_partnership)
    assert manager_api.get(f"/people/{person.pk}").status_code == 404


def test_a_board_member_cannot_add_people(board_api, cast):
    body = {"partnership_id": cast.partnership.pk, "given_name": "A", "family_name": "B"}
    assert board_api.post("/people/", body).status_code == 403


# --- Memberships ------------------------------------------------------------------------------
def test_adding_a_chair_ends_the_current_chairs_term(manager_api, cast):
    group = GroupFactory(partnership=cast.partnership)
    old_chair = MembershipFactory(
        group=group, person=PersonFactory(partnership=cast.partnership), role=MembershipRole.CHAIR
    )
    new_person = PersonFactory(partnership=cast.partnership)
    body = {"group_id": group.pk, "person_id": new_person.pk, "role": "chair", "start_date": "2025-09-01"}
    response = manager_api.post("/memberships/", body)
    assert response.status_code == 201, response.content
    old_chair.refresh_from_db()
    assert old_chair.end_date == dt.date(2025, 8, 31)
    current = manager_api.get("/memberships/", group=group.pk, current="true").json()
    assert [m["person_id"] for m in current["items"]] == [new_person.pk]


def test_it_ends_a_membership(manager_api, cast):
    membership = MembershipFactory(group=GroupFactory(partnership=cast.partnership))
    response = manager_api.patch(
        f"/memberships/{membership.pk}", {"version": membership.version, "end_date": "2025-12-31"}
    )
    assert response.status_code == 200
    assert response.json()["end_date"] == "2025-12-31"
    errors = _fields(
        manager_api.patch(
            f"/memberships/{membership.pk}", {"version": membership.version + 1, "end_date": "2020-01-01"}
        )
    )
    assert list(errors) == [None]


def test_memberships_filter_by_partnership_and_hide_other_partnerships(manager_api, cast):
    mine = MembershipFactory(group=GroupFactory(partnership=cast.partnership))
    theirs = MembershipFactory(group=GroupFactory(partnership=cast.other_partnership))
    listed = manager_api.get("/memberships/", partnership=cast.partnership.pk).json()
    assert [m["id"] for m in listed["items"]] == [mine.pk]
    assert manager_api.get(f"/memberships/{theirs.pk}").status_code == 404
    body = {"group_id": theirs.group_id, "person_id": mine.person_id, "start_date": "2025-01-01"}
    assert "group_id" in _fields(manager_api.post("/memberships/", body))


def test_a_board_member_cannot_change_memberships(board_api, cast):
    membership = MembershipFactory(group=GroupFactory(partnership=cast.partnership))
    response = board_api.patch(f"/memberships/{membership.pk}", {"version": 1, "notes": "x"})
    assert response.status_code == 403


# --- Contacts ---------------------------------------------------------------------------------
def test_it_creates_changes_and_deletes_a_contact(manager_api, cast):
    response = manager_api.post("/contacts/", {"partnership_id": cast.partnership.pk, "title": "Training"})
    assert response.status_code == 201
    contact = response.json()
    response = manager_api.patch(f"/contacts/{contact['id']}", {"version": 1, "position": 2})
    assert response.json()["position"] == 2
    assert manager_api.get("/contacts/", partnership=cast.partnership.pk).json()["count"] == 1
    response = manager_api.delete(f"/contacts/{contact['id']}")
    assert response.status_code == 204
    assert not Contact.objects.filter(pk=contact["id"]).exists()


def test_contacts_of_another_partnership_are_404(manager_api, cast):
    contact = ContactFactory(partnership=cast.other_partnership)
    assert manager_api.get(f"/contacts/{contact.pk}").status_code == 404
    assert manager_api.delete(f"/contacts/{contact.pk}").status_code == 404
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_a_board_member_cannot_delete_a_contact(board_api, cast):
    contact = ContactFactory(partnership=cast.partnership)
    assert board_api.delete(f"/contacts/{contact.pk}").status_code == 403
    assert board_api.patch(f"/contacts/{contact.pk}", {"version": 1, "title": "x"}).status_code == 403


def test_a_contact_needs_a_title(manager_api, cast):
    errors = _fields(manager_api.post("/contacts/", {"partnership_id": cast.partnership.pk, "title": ""}))
    assert errors == {"title": "This field cannot be blank."}


# --- Query counts -----------------------------------------------------------------------------
def _make_agencies(cast, n):
    AgencyFactory.create_batch(n, partnership=cast.partnership)


def _make_groups(cast, n):
    for group in GroupFactory.create_batch(n, partnership=cast.partnership):
        group.shared_with.set([cast.other_partnership])
        MembershipFactory(group=group)


def _make_people(cast, n):
    agency = Agency.objects.filter(partnership=cast.partnership).first()
    PersonFactory.create_batch(n, partnership=cast.partnership, agency=agency)


def _make_memberships(cast, n):
    group = GroupFactory(partnership=cast.partnership)
    for _ in range(n):
        MembershipFactory(group=group, person=PersonFactory(partnership=cast.partnership))


def _make_contacts(cast, n):
    ContactFactory.create_batch(n, partnership=cast.partnership)


@pytest.mark.parametrize(
    ("path", "make"),
    [
        ("/agencies/", _make_agencies),
        ("/groups/", _make_groups),
        ("/people/", _make_people),
        ("/memberships/", _make_memberships),
        ("/contacts/", _make_contacts),
    ],
)
def test_list_queries_do_not_grow_with_rows(manager_api, cast, path, make):
    def count_queries():
        manager_api.get(path)  # warm the token's last-used stamp so both runs do the same work
        with CaptureQueriesContext(connection) as ctx:
            response = manager_api.get(path, limit=200)
        assert response.status_code == 200
        return len(ctx.captured_queries), response.json()["count"]

    make(cast, 3)
    few, few_rows = count_queries()
    make(cast, 27)
    many, many_rows = count_queries()
    assert many_rows >= few_rows + 27
    assert many == few
