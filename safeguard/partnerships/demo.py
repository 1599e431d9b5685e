"""Synthetic demo data: two made-up partnerships, their agencies, groups, people and users.

Every name and place here is invented. Loading is idempotent: a partnership that already exists
(by slug) is left as it is, so a second `make run` adds nothing.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from safeguard.accounts.models import User
from safeguard.core.roles import Role

from .choices import GroupKind, MembershipRole, Sector
from .models import Agency, Contact, Group, Membership, Partnership, Person, RoleAssignment

DEMO_PASSWORD = "demo-password-2026"

GIVEN = [
    "Aisha",
    "Ben",
    "Carys",
    "Dev",
    "Eilidh",
    "Farah",
    "Gareth",
    "Hana",
    "Ifan",
    "Jas",
    "Kofi",
    "Lena",
    "Marek",
    "Nia",
    "Owen",
    "Priya",
    "Rhys",
    "Saoirse",
    "Tomasz",
    "Uma",
    "Vik",
    "Wren",
    "Yusuf",
    "Zara",
]
FAMILY = [
    "Ashdown",
    "Bellamy",
    "Carrow",
    "Delaney",
    "Ellery",
    "Fenwick",
    "Garside",
    "Hollins",
    "Ingleby",
    "Jarrow",
    "Kettering",
    "Linthorpe",
    "Moorcroft",
    "Netherby",
    "Oakridge",
    "Pennock",
    "Quarry",
    "Redmire",
    "Stainforth",
    "Thornley",
    "Upwood",
    "Varley",
    "Whitmoor",
    "Yarrow",
]

PARTNERSHIPS = [
    {
        "slug": "northdale",
        "name": "Northdale Safeguarding Children Partnership",
        "short_name": "NSCP",
        "lea": "991",
        "place": "Northdale",
        "description": "The local authority, police and health working with schools, probation and the voluntary "
        "sector to keep children in Northdale safe.",
        "police": "Northdale Constabulary",
        "icb": "Northdale and Fellside Integrated Care Board",
        "trusts": ["Northdale Hospitals NHS Foundation Trust", "Fellside Community Health NHS Trust"],
        "schools": ["Kirkby Moor Academy", "St Aidan's Primary School", "Northdale College"],
        "trust": "Moorland Learning Trust",
        "voluntary": ["Northdale Family Support", "Young Minds Northdale"],
    },
    {
        "slug": "eastmoor-westbrook",
        "name": "Eastmoor and Westbrook Safeguarding Children Partnership",
        "short_name": "EWSCP",
        "lea": "992",
        "place": "Eastmoor",
        "description": "A joint partnership of Eastmoor Borough and Westbrook County for children and families.",
        "police": "Eastmoor and Westbrook Police",
        "icb": "Eastmoor and Westbrook Integrated Care Board",
        "trusts": ["Westbrook Teaching Hospitals NHS Trust", "Eastmoor Mental Health NHS Trust"],
        "schools": ["Brookside High School", "Eastmoor Park Primary", "Westbrook Sixth Form College"],
        "trust": "Riverside Schools Partnership Trust",
        "voluntary": ["Eastmoor Women's Aid", "Westbrook Youth Projects"],
    },
]

SUBGROUPS = [
    ("Quality and Performance", "Scrutinises the multi-agency data set and audits, and reports to the board."),
    ("Policies and Procedures", "Keeps the multi-agency procedures manual up to date and plans each release."),
    ("Learning and Improvement", "Commissions rapid reviews and local practice reviews and tracks their actions."),
    ("Workforce Development and Training", "Plans the multi-agency training programme and checks its impact."),
    ("Child Exploitation", "Leads the response to child sexual and criminal exploitation and missing children."),
    ("Education Safeguarding", "Works with schools and colleges on their safeguarding duties."),
]

ROLE_USERS = [
    (Role.BUSINESS_MANAGER, "manager", "Business", "Manager"),
    (Role.BUSINESS_UNIT_OFFICER, "officer", "Unit", "Officer"),
    (Role.BOARD_MEMBER, "board", "Board", "Member"),
    (Role.AGENCY_DATA_LEAD, "datalead", "Data", "Lead"),
    (Role.ANALYST, "analyst", "Performance", "Analyst"),
    (Role.QA_OFFICER, "qa", "Quality", "Officer"),
    (Role.CDOP_COORDINATOR, "cdop", "Review", "Coordinator"),
    (Role.TRAINING_COORDINATOR, "training", "Training", "Coordinator"),
    (Role.READ_ONLY, "readonly", "Read", "Only"),
]


def demo_logins() -> list[tuple[str, str, str]]:
    """(e-mail, role, partnership) for every demo user, for printing after `make run`."""
    rows = []
    for spec in PARTNERSHIPS:
        for role, key, _, _ in ROLE_USERS:
            rows.append((f"{key}@{spec['slug']}.example", Role(role).label, spec["name"]))
    return rows


@transaction.atomic
def load_demo_data(*, today: dt.date | None = None) -> list[str]:
    today = today or dt.date.today()
    created = []
    for index, spec in enumerate(PARTNERSHIPS):
        if Partnership.objects.filter(slug=spec["slug"]).exists():
            continue
        _load_partnership(spec, random.Random(index), today)
        created.append(spec["slug"])
    return created


def _load_partnership(spec, rng: random.Random, today: dt.date) -> None:
    place, slug = spec["place"], spec["slug"]
    partnership = Partnership.objects.create(
        name=spec["name"],
        slug=slug,
        short_name=spec["short_name"],
        description=spec["description"],
        local_authority_code=spec["lea"],
        email=f"business.unit@{slug}.example",
        phone="01632 960000",
        address=f"Safeguarding Business Unit\n1 Civic Way\n{place}",
    )
    la = Agency.objects.create(
        partnership=partnership,
        name=f"{place} Council Children's Services",
        sector=Sector.LOCAL_AUTHORITY,
        is_statutory_partner=True,
    )
    agencies = [
        la,
        Agency.objects.create(
            partnership=partnership, name=spec["police"], sector=Sector.POLICE, is_statutory_partner=True
        ),
        Agency.objects.create(
            partnership=partnership, name=spec["icb"], sector=Sector.HEALTH, is_statutory_partner=True
        ),
    ]
    agencies += [Agency.objects.create(partnership=partnership, name=n, sector=Sector.HEALTH) for n in spec["trusts"]]
    trust = Agency.objects.create(partnership=partnership, name=spec["trust"], sector=Sector.EDUCATION)
    agencies.append(trust)
    agencies += [
        Agency.objects.create(partnership=partnership, name=n, sector=Sector.EDUCATION, parent=trust if i < 2 else None)
        for i, n in enumerate(spec["schools"])
    ]
    agencies.append(
        Agency.objects.create(partnership=partnership, name=f"Probation Service, {place} area", sector=Sector.PROBATION)
    )
    agencies.append(
        Agency.objects.create(
            partnership=partnership, name=f"{place} Youth Justice Service", sector=Sector.PROBATION, parent=la
        )
    )
    agencies += [
        Agency.objects.create(partnership=partnership, name=n, sector=Sector.VOLUNTARY) for n in spec["voluntary"]
    ]

    board = Group.objects.create(
        partnership=partnership,
        kind=GroupKind.BOARD,
        name=f"{place} Safeguarding Children Board",
        quorum=6,
        meeting_frequency="quarterly",
        terms_of_reference="The board sets the partnership's priorities, holds agencies to account for how they "
        "safeguard children, and publishes the annual report. It meets quarterly; sub-groups report to it.",
    )
    groups = [board] + [
        Group.objects.create(
            partnership=partnership,
            kind=GroupKind.SUBGROUP,
            name=name,
            reports_to=board,
            terms_of_reference=tor,
            quorum=4,
            meeting_frequency=rng.choice(["bimonthly", "quarterly"]),
        )
        for name, tor in SUBGROUPS[: 5 if slug == "northdale" else 6]
    ]

    titles = [
        "Head of Safeguarding",
        "Designated Nurse",
        "Detective Inspector",
        "Head Teacher",
        "Service Manager",
        "Named Doctor",
        "Team Manager",
        "Education Safeguarding Lead",
        "Chief Executive",
        "Practice Lead",
    ]
    people = []
    for i in range(44):
        people.append(
            Person.objects.create(
                partnership=partnership,
                given_name=GIVEN[(i + rng.randrange(24)) % 24],
                family_name=FAMILY[(i * 7 + len(slug)) % 24],
                job_title=rng.choice(titles),
                agency=agencies[i % len(agencies)],
                email=f"person{i + 1}@{slug}.example",
                phone=f"01632 96{i:04d}",
            )
        )
    chair_start = today - dt.timedelta(days=900)
    # The board's chair changed a year ago: the history keeps the previous chair.
    Membership.objects.create(
        group=board,
        person=people[0],
        role=MembershipRole.CHAIR,
        start_date=chair_start,
        end_date=today - dt.timedelta(days=366),
    )
    Membership.objects.create(
        group=board, person=people[1], role=MembershipRole.CHAIR, start_date=today - dt.timedelta(days=365)
    )
    for person in people[2:14]:
        Membership.objects.create(group=board, person=person, role=MembershipRole.MEMBER, start_date=chair_start)
    for g_index, group in enumerate(groups[1:]):
        members = people[14 + g_index * 5 : 14 + g_index * 5 + 6]
        for m_index, person in enumerate(members):
            Membership.objects.create(
                group=group,
                person=person,
                role=MembershipRole.CHAIR if m_index == 0 else MembershipRole.MEMBER,
                start_date=chair_start + dt.timedelta(days=30 * g_index),
            )

    Contact.objects.create(
        partnership=partnership,
        position=1,
        title="Business unit",
        name="Safeguarding Business Unit",
        email=f"business.unit@{slug}.example",
        phone="01632 960000",
        description="Board and sub-group business, the annual report and general enquiries.",
    )
    Contact.objects.create(
        partnership=partnership,
        position=2,
        title="Multi-agency training",
        email=f"training@{slug}.example",
        phone="01632 960001",
        description="Booking and cancelling places on partnership courses.",
    )
    Contact.objects.create(
        partnership=partnership,
        position=3,
        title="Procedures and practice guidance",
        email=f"procedures@{slug}.example",
        description="Suggest a change to the multi-agency procedures or report a broken link.",
    )

    for role, key, first, last in ROLE_USERS:
        email = f"{key}@{slug}.example"
        user = User.objects.filter(email=email).first() or User.objects.create_user(
            email=email,
            password=DEMO_PASSWORD,
            first_name=first,
            last_name=f"{last} ({place})",
            demo_account=True,
        )
        RoleAssignment.objects.create(
            user=user,
            partnership=partnership,
            role=role,
            start_date=today - dt.timedelta(days=400),
            agency=agencies[1] if role == Role.AGENCY_DATA_LEAD else None,
        )
