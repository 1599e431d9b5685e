import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from safeguard.accounts.models import User
from safeguard.core.access import has_capability
from safeguard.core.roles import Capability, Role
from safeguard.partnerships import services
from safeguard.partnerships.models import RoleAssignment

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 23)


def test_giving_a_role_to_a_new_person_creates_an_account_and_emails_them(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assignment = services.role_grant(
            partnership=cast.partnership,
            by=cast.manager,
            email="New.Analyst@Northdale.test",
            role=Role.ANALYST,
            start_date=TODAY,
            first_name="Nadia",
            last_name="Analyst",
        )
    user = assignment.user
    assert user.email == "new.analyst@northdale.test"
    assert not user.has_usable_password()
    assert len(mail.outbox) == 1
    assert "choose a password" in mail.outbox[0].body
    assert mail.outbox[0].to == ["new.analyst@northdale.test"]


def test_a_person_can_hold_roles_in_two_partnerships(cast):
    services.role_grant(
        partnership=cast.other_partnership,
        by=cast.other_manager,
        email=cast.board_member.email,
        role=Role.ANALYST,
        start_date=TODAY - dt.timedelta(days=1),
    )
    user = User.objects.get(pk=cast.board_member.pk)
    assert has_capability(user, cast.partnership.pk, Capability.VIEW_WORKSPACE)
    assert has_capability(user, cast.other_partnership.pk, Capability.VIEW_WORKSPACE)
    assert not has_capability(user, cast.other_partnership.pk, Capability.MANAGE_PARTNERSHIP)


def test_a_new_account_needs_a_name(cast):
    with pytest.raises(ValidationError) as exc:
        services.role_grant(
            partnership=cast.partnership, by=cast.manager, email="nobody@x.test", role=Role.ANALYST, start_date=TODAY
        )
    assert "first and last name" in exc.value.message_dict["first_name"][0]


def test_a_data_lead_needs_an_agency(cast):
    with pytest.raises(ValidationError):
        services.role_grant(
            partnership=cast.partnership,
            by=cast.manager,
            email=cast.officer.email,
            role=Role.AGENCY_DATA_LEAD,
            start_date=TODAY,
        )


def test_the_same_role_twice_is_refused(cast):
    with pytest.raises(ValidationError):
        services.role_grant(
            partnership=cast.partnership,
            by=cast.manager,
            email=cast.officer.email,
            role=Role.BUSINESS_UNIT_OFFICER,
            start_date=TODAY,
        )


def test_only_a_business_manager_gives_roles(cast):
    with pytest.raises(PermissionDenied):
        services.role_grant(
            partnership=cast.partnership,
            by=cast.officer,
            email="x@x.test",
            role=Role.ANALYST,
            start_date=TODAY,
            first_name="X",
            last_name="Y",
        )


def test_ending_a_role_removes_access_the_next_day_and_keeps_the_history(cast):
    assignment = RoleAssignment.objects.get(user=cast.board_member)
    services.role_end(
        assignment=assignment,
        by=cast.manager,
        end_date=dt.date.today() - dt.timedelta(days=1),
        expected_version=assignment.version,
    )
    user = User.objects.get(pk=cast.board_member.pk)
    assert not has_capability(user, cast.partnership.pk, Capability.VIEW_WORKSPACE)
    assert RoleAssignment.objects.filter(user=cast.board_member).exists()


def test_a_role_cannot_end_before_it_started(cast):
    assignment = RoleAssignment.objects.get(user=cast.board_member)
    with pytest.raises(ValidationError):
        services.role_end(
            assignment=assignment,
            by=cast.manager,
            end_date=assignment.start_date - dt.timedelta(days=1),
            expected_version=assignment.version,
        )


def test_roles_page_lists_current_and_ended_roles(client, cast):
    client.force_login(cast.manager)
    body = client.get(f"/workspace/partnerships/{cast.partnership.pk}/roles/").content.decode()
    assert cast.board_member.email in body
    assert "Ended roles (0)" in body


def test_roles_page_is_for_business_managers_only(client, cast):
    client.force_login(cast.officer)
    assert client.get(f"/workspace/partnerships/{cast.partnership.pk}/roles/").status_code == 403


def test_give_role_form_keeps_input_on_error(client, cast):
    client.force_login(cast.manager)
    response = client.post(
        f"/workspace/partnerships/{cast.partnership.pk}/roles/new/",
        {"email": "someone.new@northdale.test", "role": "analyst", "start_date": "2026-12-01"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "first and last name" in body
    assert 'value="someone.new@northdale.test"' in body
