import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from safeguard.core.testing import AgencyFactory, ContactFactory, GroupFactory, MembershipFactory, PersonFactory
from safeguard.partnerships.choices import GroupKind, Sector
from safeguard.partnerships.models import Agency

pytestmark = pytest.mark.django_db


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("url", "make"),
    [
        (
            "/workspace/partnerships/agencies/",
            lambda p: AgencyFactory(partnership=p, parent=AgencyFactory(partnership=p)),
        ),
        ("/workspace/partnerships/groups/", lambda p: MembershipFactory(group=GroupFactory(partnership=p))),
        (
            "/workspace/partnerships/people/",
            lambda p: PersonFactory(partnership=p, agency=AgencyFactory(partnership=p)),
        ),
        ("/workspace/partnerships/", lambda p: AgencyFactory(partnership=p)),
        ("/workspace/audit/", lambda p: AgencyFactory(partnership=p)),
    ],
)
def test_list_query_count_does_not_grow_with_rows(client, cast, url, make):
    client.force_login(cast.manager)
    for _ in range(2):
        make(cast.partnership)
    few = _queries(client, url)
    for _ in range(20):
        make(cast.partnership)
    assert _queries(client, url) == few


def test_agency_list_filters_by_sector_and_name_and_hides_other_partnerships(client, cast):
    AgencyFactory(partnership=cast.partnership, name="Fellside Primary", sector=Sector.EDUCATION)
    AgencyFactory(partnership=cast.partnership, name="Fellside Hospital", sector=Sector.HEALTH)
    AgencyFactory(partnership=cast.other_partnership, name="Fellside Academy", sector=Sector.EDUCATION)
    client.force_login(cast.manager)
    body = client.get("/workspace/partnerships/agencies/?sector=education&q=fellside").content.decode()
    assert "Fellside Primary" in body
    assert "Fellside Hospital" not in body
    assert "Fellside Academy" not in body


def test_agency_list_sorts_by_name_descending(client, cast):
    for name in ["Alpha Agency", "Zulu Agency"]:
        AgencyFactory(partnership=cast.partnership, name=name)
    client.force_login(cast.manager)
    body = client.get("/workspace/partnerships/agencies/?sort=-name").content.decode()
    assert body.index("Zulu Agency") < body.index("Alpha Agency")
    assert 'aria-sort="descending"' in body


def test_agency_list_paginates(client, cast):
    for i in range(30):
        AgencyFactory(partnership=cast.partnership, name=f"Agency {i:02d}")
    client.force_login(cast.manager)
    page2 = client.get("/workspace/partnerships/agencies/?page=2").content.decode()
    assert "Page 2 of 2" in page2


def test_manager_adds_an_agency(client, cast):
    client.force_login(cast.manager)
    response = client.post(
        "/workspace/partnerships/agencies/new/",
        {"partnership": cast.partnership.pk, "name": "Fellside Youth Club", "sector": "voluntary", "is_active": "on"},
    )
    agency = Agency.objects.get(name="Fellside Youth Club")
    assert response.status_code == 302
    assert response["Location"] == agency.get_absolute_url()
    assert agency.updated_by == cast.manager


def test_manager_cannot_add_an_agency_to_another_partnership_by_editing_the_form(client, cast):
    client.force_login(cast.manager)
    response = client.post(
        "/workspace/partnerships/agencies/new/",
        {"partnership": cast.other_partnership.pk, "name": "Sneaky", "sector": "other"},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Agency.objects.filter(name="Sneaky").exists()


def test_bad_input_keeps_what_the_user_typed(client, cast):
    client.force_login(cast.manager)
    response = client.post(
        "/workspace/partnerships/agencies/new/",
        {"partnership": cast.partnership.pk, "name": "Typed name", "sector": ""},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert 'value="Typed name"' in body


def test_concurrent_edit_is_refused_with_a_clear_message_and_input_kept(client, cast):
    agency = AgencyFactory(partnership=cast.partnership, name="Original name")
    client.force_login(cast.officer)
    client.post(
        f"/workspace/partnerships/agencies/{agency.pk}/edit/",
        {"version": 1, "name": "Officer's name", "sector": "health", "is_active": "on"},
    )
    client.force_login(cast.manager)
    response = client.post(
        f"/workspace/partnerships/agencies/{agency.pk}/edit/",
        {"version": 1, "name": "Manager's name", "sector": "health", "is_active": "on"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "changed this record after you opened it" in body
    assert "Manager&#x27;s name" in body
    agency.refresh_from_db()
    assert agency.name == "Officer's name"


def test_group_page_shows_current_and_past_members(client, cast):
    board = GroupFactory(partnership=cast.partnership, kind=GroupKind.BOARD, name="Test Board")
    MembershipFactory(
        group=board,
        role="chair",
        start_date=dt.date(2020, 1, 1),
        end_date=dt.date(2024, 12, 31),
        person__given_name="Former",
    )
    MembershipFactory(group=board, role="chair", start_date=dt.date(2025, 1, 1), person__given_name="Current")
    client.force_login(cast.board_member)
    body = client.get(board.get_absolute_url()).content.decode()
    current, past = body.split('data-testid="past-members"')
    assert "Current " in current and "Former " not in current
    assert "Former " in past


def test_read_only_user_sees_no_change_buttons(client, cast):
    agency = AgencyFactory(partnership=cast.partnership)
    client.force_login(cast.read_only)
    body = client.get(agency.get_absolute_url()).content.decode()
    assert "Change agency" not in body


def test_contact_delete_removes_it_from_the_public_page(client, cast):
    contact = ContactFactory(partnership=cast.partnership, title="Training bookings")
    client.force_login(cast.manager)
    client.post(f"/workspace/partnerships/contacts/{contact.pk}/delete/", follow=True)
    assert "Training bookings" not in client.get(f"/{cast.partnership.slug}/contact/").content.decode()


def test_detail_view_is_recorded_in_the_access_log(client, cast):
    from safeguard.audit.models import AccessLog

    person = PersonFactory(partnership=cast.partnership)
    client.force_login(cast.manager)
    client.get(person.get_absolute_url())
    entry = AccessLog.objects.get()
    assert (entry.user, entry.action, entry.object_pk, entry.partnership_id) == (
        cast.manager,
        "view",
        str(person.pk),
        cast.partnership.pk,
    )


def test_agency_list_filters_by_status(client, cast):
    AgencyFactory(partnership=cast.partnership, name="Closed Clinic", is_active=False)
    AgencyFactory(partnership=cast.partnership, name="Open Clinic")
    client.force_login(cast.manager)
    body = client.get("/workspace/partnerships/agencies/?is_active=false").content.decode()
    assert "Closed Clinic" in body and "Open Clinic" not in body


def test_only_the_most_specific_navigation_item_is_current(client, cast):
    client.force_login(cast.manager)
    body = client.get("/workspace/partnerships/agencies/").content.decode()
    assert body.count('aria-current="page"') == 1


def test_read_only_user_is_not_offered_add_buttons(client, cast):
    client.force_login(cast.read_only)
    for url, label in [
        ("/workspace/partnerships/agencies/", "Add an agency"),
        ("/workspace/partnerships/groups/", "Add a board or sub-group"),
        ("/workspace/partnerships/people/", "Add a person"),
    ]:
        assert label not in client.get(url).content.decode()
    client.force_login(cast.manager)
    assert "Add an agency" in client.get("/workspace/partnerships/agencies/").content.decode()


def test_sorting_by_name_ignores_case(client, cast):
    for name in ["beta agency", "Alpha Agency", "Gamma Agency"]:
        AgencyFactory(partnership=cast.partnership, name=name)
    client.force_login(cast.manager)
    body = client.get("/workspace/partnerships/agencies/?sort=name").content.decode()
    assert body.index("Alpha Agency") < body.index("beta agency") < body.index("Gamma Agency")


def test_a_member_starting_next_month_is_listed_with_current_members_not_past(client, cast):
    board = GroupFactory(partnership=cast.partnership, kind=GroupKind.BOARD)
    start = dt.date.today() + dt.timedelta(days=30)
    MembershipFactory(group=board, start_date=start, person__given_name="Incoming")
    client.force_login(cast.manager)
    current, past = client.get(board.get_absolute_url()).content.decode().split('data-testid="past-members"')
    assert "Incoming " in current and "Incoming " not in past
