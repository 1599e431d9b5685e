"""Reads for the partnerships module. Every query starts from ``visible_to(user)``."""

from django.db import models
from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from safeguard.core.access import partnerships_with_capability
from safeguard.core.roles import Capability

from .models import Agency, Contact, Group, Membership, Partnership, Person, RoleAssignment


def partnership_list(*, user):
    return Partnership.objects.visible_to(user).annotate(
        agency_count=Count("agencies", distinct=True), people_count=Count("people", distinct=True)
    )


def partnership_get(*, user, pk):
    return Partnership.objects.visible_to(user).get(pk=pk)


def partnerships_manageable(*, user):
    ids = partnerships_with_capability(user, Capability.MANAGE_PARTNERSHIP)
    qs = Partnership.objects.filter(is_active=True)
    return qs if ids is None else qs.filter(pk__in=ids)


def agency_list(*, user):
    return Agency.objects.visible_to(user).select_related("partnership", "parent")


def agency_get(*, user, pk):
    return agency_list(user=user).get(pk=pk)


def group_list(*, user):
    today = timezone.localdate()
    return (
        Group.objects.visible_to(user)
        .select_related("partnership", "reports_to")
        .annotate(
            current_members=Count(
                "memberships",
                filter=Q(memberships__start_date__lte=today)
                & (Q(memberships__end_date__isnull=True) | Q(memberships__end_date__gte=today)),
            )
        )
    )


def group_get(*, user, pk):
    return Group.objects.visible_to(user).select_related("partnership", "reports_to").get(pk=pk)


def group_memberships(*, group):
    return group.memberships.select_related("person", "person__agency", "representing").order_by(
        "end_date", "role", "person__family_name"
    )


def person_list(*, user):
    return Person.objects.visible_to(user).select_related("partnership", "agency")


def person_get(*, user, pk):
    return person_list(user=user).get(pk=pk)


def person_memberships(*, person):
    return person.memberships.select_related("group").order_by("-start_date")


def membership_list(*, user):
    """Memberships the user can see (scoped through the group's partnership)."""
    return Membership.objects.visible_to(user).select_related("group")


def membership_get(*, user, pk):
    return Membership.objects.visible_to(user).select_related("group", "person").get(pk=pk)


def contact_list(*, user):
    return Contact.objects.visible_to(user).select_related("partnership")


def contact_get(*, user, pk):
    return contact_list(user=user).get(pk=pk)


def public_partnerships():
    return Partnership.objects.filter(is_active=True).order_by("name")


def public_partnership_get(*, slug):
    return Partnership.objects.filter(is_active=True).get(slug=slug)


def public_contacts(*, partnership):
    return Contact.objects.filter(partnership=partnership).order_by("position", "title")


def public_groups(*, partnership):
    today = timezone.localdate()
    chairs = Membership.objects.current(today).filter(role="chair").select_related("person", "person__agency")
    return (
        Group.objects.filter(partnership=partnership, is_active=True)
        .select_related("reports_to")
        .prefetch_related(Prefetch("memberships", queryset=chairs, to_attr="current_chairs"))
        .order_by("kind", "name")
    )


def role_assignments_for_user(*, user):
    return (
        RoleAssignment.objects.filter(user=user).current(timezone.localdate()).select_related("partnership", "agency")
    )


def partnership_roles(*, partnership):
    """Everyone's roles in a partnership, current ones first."""
    return (
        RoleAssignment.objects.filter(partnership=partnership)
        .select_related("user", "agency")
        .order_by(models.F("end_date").desc(nulls_first=True), "user__last_name", "role")
    )


def role_assignment_get(*, user, pk):
    return RoleAssignment.objects.visible_to(user).select_related("user", "partnership", "agency").get(pk=pk)
