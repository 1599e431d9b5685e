"""Synthetic demo content for the procedures manual: 64 chapters in 6 sections and three
amendment releases (two published, one scheduled in the future). All text is written for the demo."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from safeguard.partnerships.models import Partnership, Person

from . import services
from .choices import ChangeKind
from .models import Chapter, Manual
from .practice_points import CP_PLAN_AFTER_RETURN_HOME, TOXIC_TRIO

SECTIONS = {
    "Responding to concerns": [
        "Recognising Abuse and Neglect",
        "Making a Referral to Children's Social Care",
        "Providing Early Help",
        "Information Sharing",
        "Responding to Allegations Against Staff",
        "Escalation and Resolving Professional Disagreements",
        "Thresholds and Levels of Need",
        "Recording Concerns and Chronologies",
        "Professional Curiosity",
        "Children Missing from Education",
        "Consent and Confidentiality",
    ],
    "Child protection processes": [
        "Strategy Discussions",
        "Section 47 Enquiries",
        "Child Protection Conferences",
        "Implementation of Child Protection Plans",
        "Core Groups",
        "Review Child Protection Conferences",
        "Child Protection Medical Examinations",
        "Children Moving Across Local Authority Boundaries",
        "Pre-birth Assessments and Planning",
        "Ending a Child Protection Plan",
        "Family Group Decision Making",
    ],
    "Specific circumstances": [
        "Abuse of Disabled Children",
        "Child Sexual Exploitation",
        "Child Criminal Exploitation",
        "Domestic Abuse",
        "Female Genital Mutilation",
        "Forced Marriage",
        "Parents Misusing Substances",
        "Parental Mental Ill Health",
        "Belief in Witchcraft or Spirit Possession",
        "Investigating Complex (Organised or Multiple) Abuse",
        "Children Who Go Missing from Home or Care",
        "Bullying and Online Abuse",
        "Radicalisation and Extremism",
        "Fabricated or Induced Illness",
        "Neglect",
        "Self-harm and Suicidal Behaviour",
        "Trafficked Children",
    ],
    "Children in particular settings": [
        "Private Fostering",
        "Children in Custody",
        "Children in Hospital",
        "Safeguarding in Faith Settings",
        "Safeguarding in Sport and Leisure",
        "Children Living Away from Home",
        "Young Carers",
        "Unaccompanied Asylum-seeking Children",
        "Children of Parents in Prison",
        "Elective Home Education",
    ],
    "Learning and review": [
        "Serious Incident Notifications",
        "Rapid Reviews",
        "Local Child Safeguarding Practice Reviews",
        "Multi-agency Case File Audits",
        "Child Death Reviews",
        "Learning from Reviews into Practice",
    ],
    "Partnership arrangements": [
        "Roles of the Safeguarding Partners",
        "Relevant Agencies and Their Duties",
        "Designated Safeguarding Leads",
        "Safer Recruitment",
        "Multi-agency Training",
        "Independent Scrutiny",
        "Annual Report",
        "Glossary of Terms",
        "Useful Contacts",
    ],
}


LIBRARY_LINKS = {
    "Escalation and Resolving Professional Disagreements": (
        "\n\n## Escalation policy\n\nFollow the partnership's [escalation policy](document:escalation-policy) "
        "when you disagree with another agency's decision about a child.\n"
    ),
    "Thresholds and Levels of Need": (
        "\n\n## Threshold document\n\nUse the [threshold document](document:threshold-document) to decide "
        "which level of support a family needs.\n"
    ),
    "Female Genital Mutilation": (
        "\n\n## Appendices\n\nThe [FGM appendices](document:fgm-appendices) in the documents library hold "
        "the risk indicators and the mandatory reporting flowchart.\n"
    ),
    "Child Sexual Exploitation": (
        "\n\n## Toolkit\n\nComplete the [CSE risk assessment matrix](document:cse-risk-assessment-matrix) "
        "with the [CSE toolkit](document:cse-toolkit).\n"
    ),
}


def _text(title: str, extra: str = "", *, library: bool = False) -> str:
    return (
        f"## Purpose\n\nThis chapter sets out how practitioners in every agency respond when they work with "
        f"**{title.lower()}**. It applies to staff and volunteers of all partner agencies.\n\n"
        "## What to do\n\n1. Make sure the child is safe now. If a child is in immediate danger, call 999.\n"
        "2. Talk to your manager or designated safeguarding lead the same day.\n"
        "3. Record what you saw and heard, the date, and who you told.\n"
        "4. Make a referral to children's social care if you think the child is at risk of significant harm.\n\n"
        "## Working together\n\nShare information with the other agencies involved, in line with the "
        "information sharing chapter. Keep the child's views and experience at the centre of every decision.\n\n"
        f"{extra}{LIBRARY_LINKS.get(title, '') if library else ''}"
    )


def _library_available() -> bool:
    """Demo chapters link to library documents only when the demo library is loaded (it is in make run)."""
    from django.apps import apps

    try:
        document_model = apps.get_model("documents", "Document")
    except LookupError:
        return False
    return document_model.objects.filter(slug="escalation-policy").exists()


PRACTICE_POINT_RETURN_HOME = (
    "## Returning home\n\nPlan a return home with the core group and review the plan at the next conference.\n\n"
    f"{CP_PLAN_AFTER_RETURN_HOME.shortcode()}\n\nSee also [Children Moving Across Local Authority Boundaries]"
    "(chapter:children-moving-across-local-authority-boundaries).\n"
)
PRACTICE_POINT_TOXIC_TRIO = (
    "## Assessment of the child's needs\n\nConsider how the adults' difficulties affect the child day to day.\n\n"
    f"{TOXIC_TRIO.shortcode()}\n\nSee also [Domestic Abuse](chapter:domestic-abuse) and "
    "[Parental Mental Ill Health](chapter:parental-mental-ill-health).\n"
)
RELATED = {
    "Section 47 Enquiries": ["Strategy Discussions", "Child Protection Conferences"],
    "Child Protection Conferences": ["Section 47 Enquiries", "Implementation of Child Protection Plans", "Core Groups"],
    "Domestic Abuse": ["Parents Misusing Substances", "Parental Mental Ill Health"],
    "Child Sexual Exploitation": ["Child Criminal Exploitation", "Children Who Go Missing from Home or Care"],
    "Providing Early Help": ["Thresholds and Levels of Need", "Making a Referral to Children's Social Care"],
}


@transaction.atomic
def load_procedures_demo(*, owner: Partnership, adopters: list[Partnership], by=None) -> Manual | None:
    if Manual.objects.filter(partnership=owner, slug="child-protection-procedures").exists():
        return None
    today = timezone.localdate()
    library = _library_available()  # link chapters to the demo library when it is loaded
    manual = Manual.objects.create(
        partnership=owner,
        title="Multi-agency Child Protection Procedures",
        slug="child-protection-procedures",
        description="The procedures every agency follows to safeguard children, shared by the partnerships below.",
        next_update_due=today + dt.timedelta(days=180),
    )
    manual.adopted_by.set(adopters)
    chapters = {}
    for s_index, (section_title, titles) in enumerate(SECTIONS.items()):
        section = services.section_create(manual=manual, by=by, title=section_title, position=s_index)
        for c_index, title in enumerate(titles):
            slug = "-".join(title.lower().replace("(", "").replace(")", "").replace("'", "").split())[:120]
            chapters[title] = services.chapter_create(
                section=section,
                by=by,
                title=title,
                slug=slug,
                body_markdown=_text(title, library=library),
                position=c_index,
            )
    first = services.release_create(manual=manual, by=by, title="Launch", go_live_on=today - dt.timedelta(days=400))
    for title, chapter in chapters.items():
        if title != "Belief in Witchcraft or Spirit Possession":
            services.release_add_change(release=first, by=by, chapter=chapter, kind=ChangeKind.NEW)
    services.release_publish(release=first, by=by)
    _add_details(manual, chapters, today)

    second = services.release_create(
        manual=manual, by=by, title=_month(today - dt.timedelta(days=120)), go_live_on=today - dt.timedelta(days=120)
    )
    for title, extra, summary in [
        (
            "Child Protection Conferences",
            PRACTICE_POINT_RETURN_HOME,
            "Revised to reinforce that a child protection plan should last at least 6 months when a child returns "
            "to carers in whose care the significant harm occurred, with notification to the host authority if "
            "out of county.",
        ),
        (
            "Implementation of Child Protection Plans",
            PRACTICE_POINT_RETURN_HOME,
            "Updated to reinforce the minimum 6 month plan when a child returns home.",
        ),
        (
            "Parents Misusing Substances",
            PRACTICE_POINT_TOXIC_TRIO,
            "Adds the practice point on domestic abuse, mental ill health and substance misuse together.",
        ),
        (
            "Domestic Abuse",
            PRACTICE_POINT_TOXIC_TRIO,
            "Section 3, assessment of the child's needs, reinforces that the 'toxic trio' must be fully considered and "
            "discussed with a line manager or designated safeguarding lead.",
        ),
    ]:
        version = services.chapter_version_create(
            chapter=chapters[title],
            by=by,
            body_markdown=_text(title, extra, library=library),
            change_note=summary[:500],
        )
        services.release_add_change(
            release=second, by=by, chapter=chapters[title], kind=ChangeKind.UPDATED, version=version, summary=summary
        )
    services.release_add_change(
        release=second,
        by=by,
        chapter=chapters["Belief in Witchcraft or Spirit Possession"],
        kind=ChangeKind.NEW,
        summary="New chapter on abuse linked to faith or belief.",
    )
    services.release_add_change(
        release=second,
        by=by,
        chapter=chapters["Children in Custody"],
        kind=ChangeKind.REMOVED,
        summary="Replaced by the youth justice protocol in the documents library.",
    )
    services.release_publish(release=second, by=by)

    third = services.release_create(
        manual=manual, by=by, title=_month(manual.next_update_due), go_live_on=manual.next_update_due
    )
    version = services.chapter_version_create(
        chapter=chapters["Investigating Complex (Organised or Multiple) Abuse"],
        by=by,
        body_markdown=_text(
            "Investigating Complex (Organised or Multiple) Abuse",
            "## Investigation\n\nPlan the investigation jointly, from the first strategy meeting.\n",
        ),
        change_note="New section on investigation planning",
    )
    services.release_add_change(
        release=third,
        by=by,
        chapter=version.chapter,
        kind=ChangeKind.UPDATED,
        version=version,
        summary="Reviewed throughout after a local practice review; new section on planning.",
    )
    services.release_schedule(release=third, by=by)
    return manual


def _add_details(manual, chapters, today):
    """Owners, review dates (a few overdue) and related chapters, as a business unit would keep them."""
    owners = list(Person.objects.filter(partnership=manual.partnership).order_by("pk")[:6])
    for index, chapter in enumerate(chapters.values()):
        chapter.owner = owners[index % len(owners)] if owners else None
        chapter.review_date = today + dt.timedelta(days=(index * 37) % 540 - 30)
    Chapter.objects.bulk_update(list(chapters.values()), ["owner", "review_date"])
    for title, related in RELATED.items():
        chapters[title].related_chapters.add(*(chapters[r] for r in related))


def _month(day: dt.date) -> str:
    return day.strftime("%B %Y")
