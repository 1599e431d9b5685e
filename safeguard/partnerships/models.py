"""Partnerships, their agencies, boards and sub-groups, people and memberships.

Every record belongs to a partnership and is reached through ``Model.objects.visible_to(user)``.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from safeguard.core.models import PartnershipScopedQuerySet, VersionedModel, scoped_queryset
from safeguard.core.roles import Role

from .choices import GroupKind, MeetingFrequency, MembershipRole, Sector

lea_code = RegexValidator(r"^\d{3}$", "Enter the three-digit local authority (LEA) code, for example 830.")


class PartnershipQuerySet(PartnershipScopedQuerySet):
    partnership_path = "pk"


class Partnership(VersionedModel):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(
        max_length=60, unique=True, help_text="Used in the public site address, for example /northdale/."
    )
    short_name = models.CharField(max_length=40, blank=True, help_text="For example NSCP.")
    description = models.TextField(blank=True, help_text="Shown on the public home page.")
    local_authority_code = models.CharField("local authority code", max_length=3, blank=True, validators=[lea_code])
    email = models.EmailField("business unit e-mail", blank=True)
    phone = models.CharField("business unit telephone", max_length=40, blank=True)
    address = models.TextField("business unit address", blank=True)
    is_active = models.BooleanField(default=True)

    objects = PartnershipQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("partnerships:partnership_detail", args=[self.pk])


class Agency(VersionedModel):
    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="agencies")
    name = models.CharField(max_length=200)
    sector = models.CharField(max_length=30, choices=Sector.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text="The organisation this one is part of, for example a school's academy trust.",
    )
    is_statutory_partner = models.BooleanField(
        "statutory safeguarding partner",
        default=False,
        help_text="The local authority, the integrated care board and the chief officer of police.",
    )
    is_active = models.BooleanField(default=True)

    objects = PartnershipScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"
        constraints = [
            models.UniqueConstraint(fields=["partnership", "name"], name="partnerships_agency_unique_name"),
        ]
        indexes = [
            models.Index(fields=["partnership", "sector", "name"], name="agency_list_sector"),  # list filter
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("partnerships:agency_detail", args=[self.pk])


class Locality(VersionedModel):
    """A part of the partnership's area that figures are broken down by (for example "North",
    "Central", or each local authority of a multi-authority partnership).

    A child in a statutory extract is placed in a locality by the extract's locality lookup
    (LAchildID to locality code) or, failing that, by the local authority code: a locality with
    ``local_authority_code`` set receives every child of that authority's extracts not placed by a
    lookup. Population estimates for rates per 10,000 are matched on ``code`` or ``ons_code``.
    """

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="localities")
    name = models.CharField(max_length=100)
    code = models.SlugField(
        max_length=40, help_text="Short code used in locality lookups and population files, for example 'north'."
    )
    local_authority_code = models.CharField(
        "local authority code",
        max_length=3,
        blank=True,
        validators=[lea_code],
        help_text="Set this when the locality is a whole local authority: its children are placed here.",
    )
    ons_code = models.CharField(
        "ONS area code", max_length=9, blank=True, help_text="For example E08000021, to match ONS population estimates."
    )
    is_active = models.BooleanField(default=True)

    objects = PartnershipScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "localities"
        constraints = [
            models.UniqueConstraint(fields=["partnership", "code"], name="partnerships_locality_unique_code"),
            models.UniqueConstraint(fields=["partnership", "name"], name="partnerships_locality_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Group(VersionedModel):
    """A board or a sub-group. Sub-groups report to a board (or to another sub-group)."""

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="groups")
    kind = models.CharField(max_length=20, choices=GroupKind.choices)
    name = models.CharField(max_length=200)
    terms_of_reference = models.TextField(blank=True)
    reports_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reporting_groups"
    )
    meeting_frequency = models.CharField(max_length=20, choices=MeetingFrequency.choices, default="quarterly")
    quorum = models.PositiveSmallIntegerField(
        default=0, help_text="Members who must attend for decisions to be made (0: no quorum set)."
    )
    shared_with = models.ManyToManyField(
        Partnership, blank=True, related_name="shared_groups", help_text="Partnerships that run this group jointly."
    )
    is_active = models.BooleanField(default=True)

    objects = PartnershipScopedQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "name"], name="partnerships_group_unique_name"),
            models.CheckConstraint(
                condition=Q(kind="subgroup") | Q(reports_to__isnull=True),
                name="partnerships_group_board_reports_to_nobody",
                violation_error_message="A board does not report to another group: leave 'reports to' empty.",
            ),
        ]
        indexes = [models.Index(fields=["partnership", "kind", "name"], name="group_list_kind")]  # list filter

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("partnerships:group_detail", args=[self.pk])


class Person(VersionedModel):
    """Someone who sits on a board or sub-group, or is a contact. Not necessarily a user."""

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="people")
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    job_title = models.CharField(max_length=200, blank=True)
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="people")
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="people"
    )
    is_active = models.BooleanField(default=True)

    objects = PartnershipScopedQuerySet.as_manager()

    class Meta:
        ordering = ["family_name", "given_name"]
        verbose_name_plural = "people"
        indexes = [
            models.Index(fields=["partnership", "family_name", "given_name"], name="person_list_name"),  # list
            models.Index(fields=["partnership", "agency"], name="person_list_agency"),  # filter by agency
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def get_absolute_url(self) -> str:
        return reverse("partnerships:person_detail", args=[self.pk])


class MembershipQuerySet(scoped_queryset("group__partnership")):
    def current(self, on: dt.date):
        return self.filter(Q(start_date__lte=on), Q(end_date__isnull=True) | Q(end_date__gte=on))


class Membership(VersionedModel):
    """A person's seat on a board or sub-group, with dates: ending one keeps the history."""

    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=20, choices=MembershipRole.choices, default=MembershipRole.MEMBER)
    representing = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The agency the person represents on this group, if not their own.",
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    notes = models.CharField(max_length=300, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["group", "-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="partnerships_membership_end_after_start",
                violation_error_message="The end date must be the same as or after the start date.",
            ),
        ]
        indexes = [models.Index(fields=["group", "end_date"], name="membership_current")]  # current members

    def __str__(self) -> str:
        return f"{self.person} ({self.get_role_display()}, {self.group})"

    def is_current(self, on: dt.date) -> bool:
        return self.start_date <= on and (self.end_date is None or self.end_date >= on)


class Contact(VersionedModel):
    """A business-unit contact shown on the public site."""

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="contacts")
    title = models.CharField(max_length=200, help_text="What to contact them about, for example 'Training'.")
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Lower numbers are listed first.")

    objects = PartnershipScopedQuerySet.as_manager()

    class Meta:
        ordering = ["position", "title"]
        indexes = [models.Index(fields=["partnership", "position"], name="contact_public_order")]  # public page

    def __str__(self) -> str:
        return self.title


class RoleAssignmentQuerySet(PartnershipScopedQuerySet):
    def current(self, on: dt.date):
        return self.filter(Q(start_date__lte=on), Q(end_date__isnull=True) | Q(end_date__gte=on))


class RoleAssignment(VersionedModel):
    """A user's role in a partnership (what they may do in the workspace)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="role_assignments")
    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="role_assignments")
    role = models.CharField(max_length=30, choices=Role.choices)
    agency = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="For agency data leads: the agency whose returns they submit.",
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["partnership", "role"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="partnerships_roleassignment_end_after_start",
                violation_error_message="The end date must be the same as or after the start date.",
            ),
        ]
        indexes = [models.Index(fields=["user", "end_date"], name="roleassignment_user")]  # per-request roles

    def __str__(self) -> str:
        return f"{self.user} - {self.get_role_display()} ({self.partnership})"
