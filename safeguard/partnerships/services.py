"""Every write in the partnerships module: plain, keyword-only, transactional functions.

Views and the API call these; the rules live here (same partnership for related records, one
current chair per group, history kept when a chair changes, optimistic locking on edits).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from safeguard.accounts.models import User
from safeguard.core.access import forget_roles, has_capability
from safeguard.core.concurrency import audit_actor, save_new, save_versioned
from safeguard.core.email import send_email
from safeguard.core.roles import Capability, Role

from .choices import GroupKind, MembershipRole
from .models import Agency, Contact, Group, Membership, Partnership, Person, RoleAssignment


def _require_manage(user, partnership_id: int) -> None:
    if not has_capability(user, partnership_id, Capability.MANAGE_PARTNERSHIP):
        raise PermissionDenied("You cannot change this partnership's records.")


def _same_partnership(partnership_id: int, **related) -> None:
    errors = {}
    for field, obj in related.items():
        if obj is not None and obj.partnership_id != partnership_id:
            errors[field] = f"Choose a {obj._meta.verbose_name} from the same partnership."
    if errors:
        raise ValidationError(errors)


def _apply(obj, data: dict) -> list[str]:
    for key, value in data.items():
        setattr(obj, key, value)
    return list(data.keys())


# --- Partnership ------------------------------------------------------------------------------
@transaction.atomic
def partnership_create(*, by, **data) -> Partnership:
    if not (by and by.is_superuser):
        raise PermissionDenied("Only an installation administrator can add a partnership.")
    partnership = Partnership(**data, updated_by=by)
    save_new(partnership, by=by)
    return partnership


def partnership_update(*, partnership: Partnership, by, expected_version: int, **data) -> Partnership:
    _require_manage(by, partnership.pk)
    fields = _apply(partnership, data)
    save_versioned(partnership, expected_version=expected_version, by=by, fields=fields)
    return partnership


# --- Agency -----------------------------------------------------------------------------------
@transaction.atomic
def agency_create(*, partnership: Partnership, by, **data) -> Agency:
    _require_manage(by, partnership.pk)
    _same_partnership(partnership.pk, parent=data.get("parent"))
    agency = Agency(partnership=partnership, updated_by=by, **data)
    save_new(agency, by=by)
    return agency


def agency_update(*, agency: Agency, by, expected_version: int, **data) -> Agency:
    _require_manage(by, agency.partnership_id)
    _same_partnership(agency.partnership_id, parent=data.get("parent"))
    parent = data.get("parent")
    while parent is not None:
        if parent.pk == agency.pk:
            raise ValidationError({"parent": "An agency cannot be part of itself or of one of its own parts."})
        parent = parent.parent
    fields = _apply(agency, data)
    save_versioned(agency, expected_version=expected_version, by=by, fields=fields)
    return agency


# --- Group ------------------------------------------------------------------------------------
def _check_group(partnership_id: int, kind: str, reports_to: Group | None, group: Group | None = None) -> None:
    _same_partnership(partnership_id, reports_to=reports_to)
    if kind == GroupKind.BOARD and reports_to is not None:
        raise ValidationError({"reports_to": "A board does not report to another group: leave this empty."})
    node = reports_to
    while node is not None and group is not None:
        if node.pk == group.pk:
            raise ValidationError({"reports_to": "A group cannot report to itself or to a group that reports to it."})
        node = node.reports_to


@transaction.atomic
def group_create(*, partnership: Partnership, by, **data) -> Group:
    _require_manage(by, partnership.pk)
    shared_with = data.pop("shared_with", None)
    _check_group(partnership.pk, data.get("kind"), data.get("reports_to"))
    group = Group(partnership=partnership, updated_by=by, **data)
    save_new(group, by=by)
    if shared_with is not None:
        group.shared_with.set(shared_with)
    return group


@transaction.atomic
def group_update(*, group: Group, by, expected_version: int, **data) -> Group:
    _require_manage(by, group.partnership_id)
    shared_with = data.pop("shared_with", None)
    _check_group(group.partnership_id, data.get("kind", group.kind), data.get("reports_to", group.reports_to), group)
    fields = _apply(group, data)
    save_versioned(group, expected_version=expected_version, by=by, fields=fields)
    if shared_with is not None:
        group.shared_with.set(shared_with)
    return group


# --- Person -----------------------------------------------------------------------------------
@transaction.atomic
def person_create(*, partnership: Partnership, by, **data) -> Person:
    _require_manage(by, partnership.pk)
    _same_partnership(partnership.pk, agency=data.get("agency"))
    person = Person(partnership=partnership, updated_by=by, **data)
    save_new(person, by=by)
    return person


def person_update(*, person: Person, by, expected_version: int, **data) -> Person:
    _require_manage(by, person.partnership_id)
    _same_partnership(person.partnership_id, agency=data.get("agency"))
    fields = _apply(person, data)
    save_versioned(person, expected_version=expected_version, by=by, fields=fields)
    return person


# --- Membership -------------------------------------------------------------------------------
def _overlapping_chair(group: Group, start: dt.date, end: dt.date | None, exclude_pk=None):
    qs = group.memberships.filter(role=MembershipRole.CHAIR)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    qs = qs.exclude(end_date__lt=start)
    if end is not None:
        qs = qs.exclude(start_date__gt=end)
    return qs.select_related("person").first()


@transaction.atomic
def membership_add(*, group: Group, person: Person, by, role: str, start_date: dt.date, **data) -> Membership:
    """Add a person to a group. Adding a new chair ends the current chair's term the day before,
    so the history of chairs is kept."""
    _require_manage(by, group.partnership_id)
    allowed = {group.partnership_id, *group.shared_with.values_list("pk", flat=True)}
    if person.partnership_id not in allowed:
        raise ValidationError({"person": "Choose a person from this group's partnership."})
    Group.objects.select_for_update().filter(pk=group.pk).first()  # serialise chair changes per group
    if role == MembershipRole.CHAIR:
        current = _overlapping_chair(group, start_date, data.get("end_date"))
        if current is not None:
            if current.start_date >= start_date:
                raise ValidationError(
                    {
                        "start_date": f"{current.person} is chair from {current.start_date:%d %B %Y}. "
                        "Choose a later start date, or change their membership first."
                    }
                )
            current.end_date = start_date - dt.timedelta(days=1)
            current.full_clean()
            with audit_actor(by):
                current.save(update_fields=["end_date", "updated_at"])
    _same_partnership(group.partnership_id, representing=data.get("representing"))
    membership = Membership(group=group, person=person, role=role, start_date=start_date, updated_by=by, **data)
    save_new(membership, by=by)
    return membership


def membership_update(*, membership: Membership, by, expected_version: int, **data) -> Membership:
    _require_manage(by, membership.group.partnership_id)
    _same_partnership(membership.group.partnership_id, representing=data.get("representing"))
    role = data.get("role", membership.role)
    if role == MembershipRole.CHAIR:
        clash = _overlapping_chair(
            membership.group, data.get("start_date", membership.start_date), data.get("end_date"), membership.pk
        )
        if clash is not None:
            raise ValidationError(
                {"role": f"{clash.person} is chair for part of these dates. A group has one chair at a time."}
            )
    fields = _apply(membership, data)
    save_versioned(membership, expected_version=expected_version, by=by, fields=fields)
    return membership


def membership_end(*, membership: Membership, by, end_date: dt.date, expected_version: int) -> Membership:
    return membership_update(membership=membership, by=by, expected_version=expected_version, end_date=end_date)


# --- Contact ----------------------------------------------------------------------------------
@transaction.atomic
def contact_create(*, partnership: Partnership, by, **data) -> Contact:
    _require_manage(by, partnership.pk)
    contact = Contact(partnership=partnership, updated_by=by, **data)
    save_new(contact, by=by)
    return contact


def contact_update(*, contact: Contact, by, expected_version: int, **data) -> Contact:
    _require_manage(by, contact.partnership_id)
    fields = _apply(contact, data)
    save_versioned(contact, expected_version=expected_version, by=by, fields=fields)
    return contact


@transaction.atomic
def contact_delete(*, contact: Contact, by) -> None:
    _require_manage(by, contact.partnership_id)
    with audit_actor(by):
        contact.delete()


# --- Roles (who may do what in the workspace) -------------------------------------------------
def _require_manage_roles(user, partnership_id: int) -> None:
    if not has_capability(user, partnership_id, Capability.MANAGE_ROLES):
        raise PermissionDenied("Only the partnership's business manager can give or end roles.")


@transaction.atomic
def role_grant(
    *,
    partnership: Partnership,
    by,
    email: str,
    role: str,
    start_date: dt.date,
    first_name: str = "",
    last_name: str = "",
    agency: Agency | None = None,
) -> RoleAssignment:
    """Give a role to the person with this e-mail address, creating their account if they have none.

    A new account has no password: the person is e-mailed a link to choose one, and must set up
    two-factor authentication at first sign-in.
    """
    _require_manage_roles(by, partnership.pk)
    _same_partnership(partnership.pk, agency=agency)
    if role == Role.AGENCY_DATA_LEAD and agency is None:
        raise ValidationError({"agency": "Choose the agency whose returns this data lead submits."})
    email = email.strip().lower()
    user = User.objects.filter(email=email).first()
    created = user is None
    if created:
        if not first_name or not last_name:
            raise ValidationError({"first_name": "Enter the person's first and last name: they have no account yet."})
        user = User(email=email, first_name=first_name, last_name=last_name)
        user.set_unusable_password()
        save_new(user, by=by)
    clash = RoleAssignment.objects.filter(user=user, partnership=partnership, role=role).current(start_date)
    if clash.exists():
        raise ValidationError({"role": f"{user} already has this role in {partnership}."})
    assignment = RoleAssignment(
        user=user, partnership=partnership, role=role, agency=agency, start_date=start_date, updated_by=by
    )
    save_new(assignment, by=by)
    forget_roles(user)
    if created:
        transaction.on_commit(lambda: _send_welcome(user, partnership, assignment))
    return assignment


def _send_welcome(user, partnership, assignment) -> None:
    site = settings.SITE_URL
    send_email(
        to=[user.email],
        subject=f"Your {settings.SERVICE_NAME} account for {partnership}",
        body=(
            f"Hello {user.first_name},\n\n{partnership} has given you the role '{assignment.get_role_display()}' in "
            f"{settings.SERVICE_NAME}.\n\nTo sign in for the first time, choose a password at "
            f"{site}/accounts/password/reset/ using this e-mail address. You will then set up two-factor "
            "authentication with an authenticator app or a security key.\n\n"
            f"If you were not expecting this e-mail, contact {partnership.email or 'your business unit'}."
        ),
    )


def role_end(*, assignment: RoleAssignment, by, end_date: dt.date, expected_version: int) -> RoleAssignment:
    _require_manage_roles(by, assignment.partnership_id)
    if end_date < assignment.start_date:
        raise ValidationError(
            {"end_date": f"The role started on {assignment.start_date:%d %B %Y}: choose that date or later."}
        )
    assignment.end_date = end_date
    save_versioned(assignment, expected_version=expected_version, by=by, fields=["end_date"])
    forget_roles(assignment.user)
    return assignment
