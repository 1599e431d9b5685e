import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from safeguard.core.concurrency import ConcurrentEditError
from safeguard.core.testing import AgencyFactory, GroupFactory, PersonFactory
from safeguard.partnerships import services
from safeguard.partnerships.choices import GroupKind, MembershipRole, Sector
from safeguard.partnerships.models import Membership

pytestmark = pytest.mark.django_db


def test_it_creates_an_agency_in_the_managers_partnership(cast):
    agency = services.agency_create(
        partnership=cast.partnership, by=cast.manager, name="Fellside School", sector=Sector.EDUCATION
    )
    assert agency.partnership == cast.partnership
    assert agency.version == 1


def test_it_refuses_a_write_from_a_role_without_manage_permission(cast):
    with pytest.raises(PermissionDenied):
        services.agency_create(partnership=cast.partnership, by=cast.board_member, name="X", sector=Sector.OTHER)


def test_it_refuses_a_write_into_another_partnership(cast):
    with pytest.raises(PermissionDenied):
        services.agency_create(partnership=cast.other_partnership, by=cast.manager, name="X", sector=Sector.OTHER)


def test_it_refuses_a_parent_agency_from_another_partnership(cast):
    foreign = AgencyFactory(partnership=cast.other_partnership)
    with pytest.raises(ValidationError) as exc:
        services.agency_create(
            partnership=cast.partnership, by=cast.manager, name="Y", sector=Sector.OTHER, parent=foreign
        )
    assert "same partnership" in exc.value.message_dict["parent"][0]


def test_it_refuses_an_agency_that_is_part_of_itself(cast):
    parent = AgencyFactory(partnership=cast.partnership)
    child = AgencyFactory(partnership=cast.partnership, parent=parent)
    with pytest.raises(ValidationError):
        services.agency_update(agency=parent, by=cast.manager, expected_version=parent.version, parent=child)


def test_second_save_from_a_stale_version_is_refused_and_nothing_is_overwritten(cast):
    agency = AgencyFactory(partnership=cast.partnership, name="Original")
    first = type(agency).objects.get(pk=agency.pk)
    second = type(agency).objects.get(pk=agency.pk)
    services.agency_update(agency=first, by=cast.manager, expected_version=1, name="Saved first")
    with pytest.raises(ConcurrentEditError) as exc:
        services.agency_update(agency=second, by=cast.officer, expected_version=1, name="Saved second")
    assert "Mina Manager changed this record" in str(exc.value)
    agency.refresh_from_db()
    assert agency.name == "Saved first"
    assert agency.version == 2


def test_a_board_cannot_report_to_another_group(cast):
    other_board = GroupFactory(partnership=cast.partnership, kind=GroupKind.BOARD)
    with pytest.raises(ValidationError) as exc:
        services.group_create(
            partnership=cast.partnership, by=cast.manager, kind=GroupKind.BOARD, name="B", reports_to=other_board
        )
    assert "reports_to" in exc.value.message_dict


def test_a_group_cannot_report_to_a_group_that_reports_to_it(cast):
    board = GroupFactory(partnership=cast.partnership, kind=GroupKind.BOARD)
    parent = GroupFactory(partnership=cast.partnership, reports_to=board)
    child = GroupFactory(partnership=cast.partnership, reports_to=parent)
    with pytest.raises(ValidationError):
        services.group_update(group=parent, by=cast.manager, expected_version=parent.version, reports_to=child)


def test_a_new_chair_ends_the_previous_chairs_term_and_keeps_the_history(cast):
    board = GroupFactory(partnership=cast.partnership, kind=GroupKind.BOARD)
    old, new = PersonFactory(partnership=cast.partnership), PersonFactory(partnership=cast.partnership)
    first = services.membership_add(
        group=board, person=old, by=cast.manager, role=MembershipRole.CHAIR, start_date=dt.date(2024, 4, 1)
    )
    services.membership_add(
        group=board, person=new, by=cast.manager, role=MembershipRole.CHAIR, start_date=dt.date(2026, 1, 5)
    )
    first.refresh_from_db()
    assert first.end_date == dt.date(2026, 1, 4)
    chairs = Membership.objects.filter(group=board, role=MembershipRole.CHAIR).order_by("start_date")
    assert [m.person for m in chairs] == [old, new]
    assert [m.is_current(dt.date(2026, 2, 1)) for m in chairs] == [False, True]


def test_a_chair_cannot_start_before_the_current_chair(cast):
    board = GroupFactory(partnership=cast.partnership, kind=GroupKind.BOARD)
    services.membership_add(
        group=board,
        person=PersonFactory(partnership=cast.partnership),
        by=cast.manager,
        role=MembershipRole.CHAIR,
        start_date=dt.date(2026, 1, 5),
    )
    with pytest.raises(ValidationError) as exc:
        services.membership_add(
            group=board,
            person=PersonFactory(partnership=cast.partnership),
            by=cast.manager,
            role=MembershipRole.CHAIR,
            start_date=dt.date(2025, 12, 1),
        )
    assert "later start date" in exc.value.message_dict["start_date"][0]


def test_a_membership_cannot_end_before_it_starts(cast):
    group = GroupFactory(partnership=cast.partnership)
    membership = services.membership_add(
        group=group,
        person=PersonFactory(partnership=cast.partnership),
        by=cast.manager,
        role=MembershipRole.MEMBER,
        start_date=dt.date(2026, 3, 1),
    )
    with pytest.raises(ValidationError):
        services.membership_end(
            membership=membership, by=cast.manager, end_date=dt.date(2026, 2, 1), expected_version=1
        )


def test_a_person_from_another_partnership_cannot_join_a_group(cast):
    group = GroupFactory(partnership=cast.partnership)
    with pytest.raises(ValidationError):
        services.membership_add(
            group=group,
            person=PersonFactory(partnership=cast.other_partnership),
            by=cast.manager,
            role=MembershipRole.MEMBER,
            start_date=dt.date(2026, 3, 1),
        )


def test_a_person_from_a_partnership_sharing_the_group_can_join(cast):
    group = GroupFactory(partnership=cast.partnership)
    group.shared_with.add(cast.other_partnership)
    membership = services.membership_add(
        group=group,
        person=PersonFactory(partnership=cast.other_partnership),
        by=cast.manager,
        role=MembershipRole.MEMBER,
        start_date=dt.date(2026, 3, 1),
    )
    assert membership.pk


def test_only_an_installation_administrator_adds_a_partnership(cast):
    with pytest.raises(PermissionDenied):
        services.partnership_create(by=cast.manager, name="New", slug="new")


def test_a_member_cannot_represent_another_partnerships_agency(cast):
    group = GroupFactory(partnership=cast.partnership)
    with pytest.raises(ValidationError) as exc:
        services.membership_add(
            group=group,
            person=PersonFactory(partnership=cast.partnership),
            by=cast.manager,
            role=MembershipRole.MEMBER,
            start_date=dt.date(2026, 3, 1),
            representing=AgencyFactory(partnership=cast.other_partnership),
        )
    assert "same partnership" in exc.value.message_dict["representing"][0]


def test_an_end_date_before_the_start_says_what_to_fix(cast):
    group = GroupFactory(partnership=cast.partnership)
    with pytest.raises(ValidationError) as exc:
        services.membership_add(
            group=group,
            person=PersonFactory(partnership=cast.partnership),
            by=cast.manager,
            role=MembershipRole.MEMBER,
            start_date=dt.date(2026, 3, 1),
            end_date=dt.date(2026, 2, 1),
        )
    assert "end date must be the same as or after the start date" in str(exc.value)
