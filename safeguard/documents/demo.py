"""Synthetic demo content for the documents library. All text is written for the demo: no real
people, places or cases.

``load_demo_documents()`` is idempotent: a document that already exists (by partnership and address)
is left alone, so a second ``make run`` adds nothing. For each demo partnership it makes policies,
guidance, toolkits, a protocol, a form and an annual report; some public, some workspace only; one
with its review overdue, one due within 30 days, one with two versions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from safeguard.partnerships.models import Partnership, Person

from . import generate, services
from .choices import Category, Visibility
from .models import Document, DocumentVersion

DEMO_PARTNERSHIPS = ("northdale", "eastmoor-westbrook")


@dataclass
class Spec:
    slug: str
    title: str
    category: str
    visibility: str
    review_in_days: int
    summary: str
    build: Callable[[Partnership, int], tuple[str, bytes]]  # (file name, content) for version n
    notes: list[str] = field(default_factory=lambda: ["First version"])
    first_uploaded_days_ago: int = 300


def _paragraphs(*items: str) -> str:
    return "".join(f"<p>{item}</p>" for item in items)


def _escalation(p: Partnership, n: int) -> tuple[str, bytes]:
    stages = (
        "<h2>Stage 1: practitioner to practitioner</h2>"
        + _paragraphs(
            "Raise the disagreement directly with the practitioner concerned, by telephone or in person, "
            "and agree what happens next. Record the conversation and the outcome on the child's file."
        )
        + "<h2>Stage 2: first line managers</h2>"
        + _paragraphs(
            "If it is not resolved, both practitioners tell their first line manager, who discuss it "
            "together. Keep the child's safety at the centre of the discussion."
        )
        + "<h2>Stage 3: senior managers</h2>"
        + _paragraphs("Senior managers of each agency meet, or speak, to agree a way forward.")
        + "<h2>Stage 4: the partnership</h2>"
        + _paragraphs("The business manager arranges for the safeguarding partners to resolve it.")
    )
    timescales = ""
    if n >= 2:
        timescales = "<h2>Timescales</h2>" + _paragraphs(
            "Stage 1 within 2 working days; stage 2 within 3 working days of escalation; stage 3 within "
            "5 working days; stage 4 within 10 working days. If a child is at immediate risk, escalate at once.",
            "Named contacts at stage 3 are listed on the partnership's contacts page.",
        )
    body = (
        _paragraphs(
            f"This policy explains how practitioners of every agency in {p.name} resolve professional "
            "disagreements about the safety of a child. Disagreement is healthy: it shows professional "
            "curiosity. Unresolved disagreement is not, because it can leave a child at risk.",
        )
        + stages
        + timescales
    )
    return "escalation-policy.pdf", generate.pdf_from_html(
        "Escalation policy: resolving professional disagreements", body
    )


def _threshold(p: Partnership, n: int) -> tuple[str, bytes]:
    rows = "".join(
        f"<tr><th>{level}</th><td>{need}</td><td>{response}</td></tr>"
        for level, need, response in [
            ("Level 1: universal", "Needs met by universal services.", "Schools, GPs, health visitors."),
            ("Level 2: early help", "Additional needs: one agency or a team around the family.", "Early help."),
            ("Level 3: targeted", "Complex needs: a coordinated multi-agency plan.", "Targeted family support."),
            ("Level 4: specialist", "Significant harm or risk of it.", "Children's social care, section 17 or 47."),
        ]
    )
    body = _paragraphs(
        f"The continuum of need used by every agency in {p.name}. It helps practitioners decide which "
        "response a child and family need, and talk about need in the same words.",
        "Use it with professional judgement: it is a guide, not a checklist. If in doubt, consult your "
        "designated safeguarding lead or children's services.",
    ) + (f"<table><thead><tr><th>Level</th><th>Need</th><th>Response</th></tr></thead><tbody>{rows}</tbody></table>")
    return "threshold-document.pdf", generate.pdf_from_html("Threshold document: the continuum of need", body)


def _cse_toolkit(p: Partnership, n: int) -> tuple[str, bytes]:
    body = (
        _paragraphs(
            "This toolkit helps practitioners recognise and respond to child sexual exploitation.",
            "Use it with the risk assessment matrix when you are worried that a child may be exploited. "
            "Talk to your designated safeguarding lead the same day.",
        )
        + "<h2>Signs to look for</h2><ul>"
        + "".join(
            f"<li>{sign}</li>"
            for sign in [
                "Going missing from home, care or education",
                "Unexplained gifts, money or new phones",
                "Older 'boyfriends' or 'girlfriends'",
                "Changes in behaviour, mood or appearance",
                "Being picked up from school or home by unknown adults",
            ]
        )
        + "</ul><h2>What to do</h2>"
        + _paragraphs(
            "Complete the risk assessment matrix, share it with your designated safeguarding lead and "
            "make a referral to children's services if the child is at risk of significant harm."
        )
    )
    return "cse-toolkit.pdf", generate.pdf_from_html("Child sexual exploitation toolkit", body)


def _cse_matrix(p: Partnership, n: int) -> tuple[str, bytes]:
    rows = [
        ["Indicator", "Low risk", "Medium risk", "High risk", "Evidence and source"],
        ["Missing episodes", "None", "Occasional, short", "Frequent or overnight", ""],
        ["Relationships", "Age-appropriate", "Some older friends", "Older partner or controlling adult", ""],
        ["Gifts and money", "None unexplained", "Occasional", "Regular, unexplained", ""],
        ["Online activity", "Supervised", "Some unknown contacts", "Sharing images with unknown adults", ""],
        ["Substance misuse", "None known", "Experimenting", "Regular, supplied by adults", ""],
        ["Education", "Attending", "Some absence", "Not attending", ""],
    ]
    content = generate.xlsx_bytes("Risk matrix", rows, column_widths={"A": 22, "B": 22, "C": 24, "D": 32, "E": 40})
    return "cse-risk-assessment-matrix.xlsx", content


def _ld_protocol(p: Partnership, n: int) -> tuple[str, bytes]:
    body = _paragraphs(
        f"This protocol sets out how adult and children's services in {p.name} work together when a "
        "parent has a learning disability, so that the family gets support early and the child is safe.",
        "Adult services tell children's services when a parent they support is expecting a baby. "
        "Children's services ask adult services for an assessment of the parent's needs before a "
        "child protection conference. Information is shared in accessible formats.",
    )
    return "learning-disability-protocol.pdf", generate.pdf_from_html(
        "Protocol: working with parents who have a learning disability", body
    )


def _medical(p: Partnership, n: int) -> tuple[str, bytes]:
    body = _paragraphs(
        "When a child protection medical examination is needed, who arranges it and how the child is "
        "supported before, during and after it.",
        "The strategy discussion decides whether a medical is needed and how soon. The paediatrician on "
        "call is contacted through the hospital switchboard. A social worker the child knows goes with them.",
        "The paediatrician's report goes to children's services within 2 working days.",
    )
    return "medical-examinations-guidance.pdf", generate.pdf_from_html(
        "Child protection medical examinations: guidance for referrers", body
    )


def _fgm(p: Partnership, n: int) -> tuple[str, bytes]:
    body = (
        "<h2>Appendix A: risk indicators</h2><ul>"
        + "".join(
            f"<li>{item}</li>"
            for item in [
                "A girl's mother or sister has undergone FGM",
                "Talk of a special ceremony or a long holiday abroad",
                "Withdrawal from sex and relationships education",
            ]
        )
        + "</ul><h2>Appendix B: mandatory reporting</h2>"
        + _paragraphs(
            "Regulated health and social care professionals and teachers must report known cases of FGM in "
            "girls under 18 to the police. Record that you have done so."
        )
        + "<h2>Appendix C: referral pathway</h2>"
        + _paragraphs(
            "Designated safeguarding lead, then children's services and the police; the specialist health "
            "service for assessment and support."
        )
    )
    return "fgm-appendices.pdf", generate.pdf_from_html("Female genital mutilation: appendices", body)


def _referral_form(p: Partnership, n: int) -> tuple[str, bytes]:
    content = generate.docx_bytes(
        "Multi-agency referral form",
        [
            f"{p.name}. Use this form to refer a child to children's services. If a child is in immediate "
            "danger, call 999 first.",
            "1. The child: name, date of birth, address, school or setting.",
            "2. Parents and carers: names, addresses, whether they know about this referral.",
            "3. Your concern: what you have seen or been told, when, and by whom.",
            "4. What has been done so far, and by which agencies.",
            "5. The child's views and wishes.",
            "6. About you: name, role, agency, telephone, e-mail.",
        ],
    )
    return "multi-agency-referral-form.docx", content


def _annual_report(p: Partnership, n: int) -> tuple[str, bytes]:
    body = (
        _paragraphs(
            f"The annual report of {p.name}: what the partnership did this year, what difference it made, and "
            "its priorities for next year.",
        )
        + "<h2>Our priorities</h2><ul><li>Neglect</li><li>Child exploitation</li><li>Early help</li></ul>"
        + (
            "<h2>What we learned</h2>"
            + _paragraphs(
                "Multi-agency audits found that plans were clearer when every agency attended the core group. "
                "The partnership trained practitioners from every agency on the threshold document."
            )
        )
    )
    return "annual-report.pdf", generate.pdf_from_html("Annual report", body)


SPECS = [
    Spec(
        "escalation-policy",
        "Escalation policy: resolving professional disagreements",
        Category.POLICY,
        Visibility.PUBLIC,
        200,
        "How practitioners of every agency raise and resolve disagreements about a child's safety, in four stages.",
        _escalation,
        notes=["First version", "Added timescales for each stage and where to find the stage 3 contacts"],
        first_uploaded_days_ago=420,
    ),
    Spec(
        "threshold-document",
        "Threshold document: the continuum of need",
        Category.POLICY,
        Visibility.PUBLIC,
        -20,
        "The four levels of need every agency uses to decide which response a child and family need.",
        _threshold,
        first_uploaded_days_ago=385,
    ),
    Spec(
        "cse-toolkit",
        "Child sexual exploitation toolkit",
        Category.TOOLKIT,
        Visibility.PUBLIC,
        300,
        "Recognising and responding to child sexual exploitation. Use with the risk assessment matrix.",
        _cse_toolkit,
    ),
    Spec(
        "cse-risk-assessment-matrix",
        "Child sexual exploitation risk assessment matrix",
        Category.TOOLKIT,
        Visibility.PUBLIC,
        20,
        "A spreadsheet to record indicators of exploitation and the level of risk, to share with your "
        "designated safeguarding lead.",
        _cse_matrix,
        first_uploaded_days_ago=340,
    ),
    Spec(
        "learning-disability-protocol",
        "Protocol: working with parents who have a learning disability",
        Category.PROTOCOL,
        Visibility.PUBLIC,
        400,
        "How adult and children's services work together when a parent has a learning disability.",
        _ld_protocol,
        first_uploaded_days_ago=120,
    ),
    Spec(
        "medical-examinations-guidance",
        "Child protection medical examinations: guidance for referrers",
        Category.GUIDANCE,
        Visibility.WORKSPACE,
        150,
        "Arranging a child protection medical, and supporting the child. For partnership staff.",
        _medical,
        first_uploaded_days_ago=200,
    ),
    Spec(
        "fgm-appendices",
        "Female genital mutilation: appendices",
        Category.GUIDANCE,
        Visibility.PUBLIC,
        240,
        "Risk indicators, mandatory reporting and the referral pathway, supporting the FGM chapter.",
        _fgm,
        first_uploaded_days_ago=90,
    ),
    Spec(
        "multi-agency-referral-form",
        "Multi-agency referral form",
        Category.FORM,
        Visibility.PUBLIC,
        330,
        "The form to refer a child to children's services (Word, to fill in).",
        _referral_form,
        first_uploaded_days_ago=60,
    ),
    Spec(
        "annual-report",
        "Annual report",
        Category.REPORT,
        Visibility.PUBLIC,
        365,
        "What the partnership did this year, what difference it made, and next year's priorities.",
        _annual_report,
        first_uploaded_days_ago=30,
    ),
]


def _owners(partnership: Partnership) -> list[Person]:
    return list(Person.objects.filter(partnership=partnership, is_active=True).exclude(email="").order_by("pk")[:4])


@transaction.atomic
def _load_one(partnership: Partnership, spec: Spec, owner: Person, today: dt.date, by) -> Document:
    name, content = spec.build(partnership, 1)
    document = services.document_create(
        partnership=partnership,
        by=by,
        title=spec.title,
        slug=spec.slug,
        summary=spec.summary,
        category=spec.category,
        owner=owner,
        review_date=today + dt.timedelta(days=spec.review_in_days),
        visibility=spec.visibility,
        file=ContentFile(content, name=name),
        change_note=spec.notes[0],
    )
    uploaded = timezone.now() - dt.timedelta(days=spec.first_uploaded_days_ago)
    DocumentVersion.objects.filter(pk=document.current_version_id).update(created_at=uploaded)
    for number, note in enumerate(spec.notes[1:], start=2):
        name, content = spec.build(partnership, number)
        version = services.document_version_upload(
            document=document, by=by, file=ContentFile(content, name=name), change_note=note
        )
        later = uploaded + dt.timedelta(days=(spec.first_uploaded_days_ago // len(spec.notes)) * (number - 1))
        DocumentVersion.objects.filter(pk=version.pk).update(created_at=later)
    return document


def load_demo_documents(*, today: dt.date | None = None, by=None) -> list[Document]:
    """Add the demo library to each demo partnership that exists. Returns the documents added."""
    today = today or timezone.localdate()
    added = []
    for partnership in Partnership.objects.filter(slug__in=DEMO_PARTNERSHIPS).order_by("pk"):
        owners = _owners(partnership)
        if not owners:
            continue
        existing = set(Document.objects.filter(partnership=partnership).values_list("slug", flat=True))
        for index, spec in enumerate(SPECS):
            if spec.slug in existing:
                continue
            added.append(_load_one(partnership, spec, owners[index % len(owners)], today, by))
    return added
