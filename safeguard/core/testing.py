"""Test harness shared by every module: factories for the core cast and helpers.

``build_cast()`` makes two partnerships with one user per role that matters for permissions.
Each user has a TOTP authenticator, so the MFA middleware lets them into the workspace.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import factory
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.utils import timezone

from safeguard.accounts.models import User
from safeguard.core.roles import Role
from safeguard.partnerships.choices import GroupKind, Sector
from safeguard.partnerships.models import Agency, Contact, Group, Membership, Partnership, Person, RoleAssignment


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery-staple")

    @factory.post_generation
    def with_mfa(obj, create, extracted, **kwargs):
        obj.save()
        if extracted is not False:
            TOTP.activate(obj, generate_totp_secret())


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership

    name = factory.Sequence(lambda n: f"Testshire {n} Safeguarding Children Partnership")
    slug = factory.Sequence(lambda n: f"testshire-{n}")
    short_name = "TSCP"
    email = "business.unit@testshire.example"


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    partnership = factory.SubFactory(PartnershipFactory)
    name = factory.Sequence(lambda n: f"Test Agency {n}")
    sector = Sector.HEALTH


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group

    partnership = factory.SubFactory(PartnershipFactory)
    kind = GroupKind.SUBGROUP
    name = factory.Sequence(lambda n: f"Sub-group {n}")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    partnership = factory.SubFactory(PartnershipFactory)
    given_name = factory.Faker("first_name", locale="en_GB")
    family_name = factory.Faker("last_name", locale="en_GB")
    job_title = "Designated Nurse"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    group = factory.SubFactory(GroupFactory)
    person = factory.SubFactory(PersonFactory, partnership=factory.SelfAttribute("..group.partnership"))
    role = "member"
    start_date = dt.date(2025, 4, 1)


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    partnership = factory.SubFactory(PartnershipFactory)
    title = factory.Sequence(lambda n: f"Contact {n}")
    email = "contact@testshire.example"


def grant(user: User, partnership: Partnership, role: str, agency: Agency | None = None) -> RoleAssignment:
    return RoleAssignment.objects.create(
        user=user,
        partnership=partnership,
        role=role,
        agency=agency,
        start_date=timezone.localdate() - dt.timedelta(days=30),
    )


@dataclass
class Cast:
    partnership: Partnership
    other_partnership: Partnership
    manager: User
    officer: User
    board_member: User
    data_lead: User
    read_only: User
    other_manager: User
    no_mfa_manager: User
    analyst: User
    other_analyst: User

    def factory_objects(self, partnership: Partnership | None = None) -> dict[type, object]:
        """One object of every partnership-scoped model, for URL harnesses."""
        from safeguard.api.models import ApiToken
        from safeguard.api.services import api_token_create

        p = partnership or self.partnership
        group = GroupFactory(partnership=p)
        person = PersonFactory(partnership=p)
        token, _secret = api_token_create(user=self.manager, name="Harness token")
        objects = {
            Partnership: p,
            Agency: AgencyFactory(partnership=p),
            Group: group,
            Person: person,
            Membership: MembershipFactory(group=group, person=person),
            Contact: ContactFactory(partnership=p),
            RoleAssignment: grant(UserFactory(), p, Role.ANALYST),
            ApiToken: token,
        }
        for contribute in _module_harness_hooks():
            objects.update(contribute(self, p))
        return objects


def _module_harness_hooks():
    """Each module may define ``harness_objects(cast, partnership) -> {Model: obj}`` in its
    ``testing.py``: one object of each of its models that appears in a workspace URL."""
    from importlib import import_module
    from importlib.util import find_spec

    from django.apps import apps

    hooks = []
    for config in apps.get_app_configs():
        name = f"{config.name}.testing"
        if config.name.startswith("safeguard.") and config.name != "safeguard.core" and find_spec(name):
            hook = getattr(import_module(name), "harness_objects", None)
            if hook is not None:
                hooks.append(hook)
    return hooks


def build_cast() -> Cast:
    partnership = PartnershipFactory(name="Northdale Test Partnership", slug="northdale-test")
    other = PartnershipFactory(name="Southvale Test Partnership", slug="southvale-test")
    agency = AgencyFactory(partnership=partnership, name="Northdale Constabulary", sector=Sector.POLICE)
    cast = Cast(
        partnership=partnership,
        other_partnership=other,
        manager=UserFactory(email="manager@northdale.test", first_name="Mina", last_name="Manager"),
        officer=UserFactory(email="officer@northdale.test"),
        board_member=UserFactory(email="board@northdale.test"),
        data_lead=UserFactory(email="datalead@northdale.test"),
        read_only=UserFactory(email="readonly@northdale.test"),
        other_manager=UserFactory(email="manager@southvale.test"),
        no_mfa_manager=UserFactory(email="nomfa@northdale.test", with_mfa=False),
        analyst=UserFactory(email="analyst@northdale.test"),
        other_analyst=UserFactory(email="analyst@southvale.test"),
    )
    grant(cast.manager, partnership, Role.BUSINESS_MANAGER)
    grant(cast.officer, partnership, Role.BUSINESS_UNIT_OFFICER)
    grant(cast.board_member, partnership, Role.BOARD_MEMBER)
    grant(cast.data_lead, partnership, Role.AGENCY_DATA_LEAD, agency)
    grant(cast.read_only, partnership, Role.READ_ONLY)
    grant(cast.other_manager, other, Role.BUSINESS_MANAGER)
    grant(cast.no_mfa_manager, partnership, Role.BUSINESS_MANAGER)
    grant(cast.analyst, partnership, Role.ANALYST)
    grant(cast.other_analyst, other, Role.ANALYST)
    return cast
