"""Factories for statutory extracts, a small census file writer for tests, and the permission
harness's objects.

The factories build rows directly (a loaded extract with its child-level records), as the indicator
tests need them. ``census_file`` writes a census XML file from ``ChildRecord`` objects, laid out as
the DfE schema has it, so import tests control every value; ``valid_child`` makes a plausible child
that breaks no rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from xml.sax.saxutils import escape

import factory

from safeguard.core.testing import PartnershipFactory

from .census.records import (
    AssessmentRecord,
    ChildRecord,
    CPPlanRecord,
    EpisodeRecord,
    Section47Record,
)
from .census.validation import REGISTRY, CensusValidator, Hit, Rule, rule
from .choices import ExtractKind, ExtractStatus, Severity
from .models import (
    CensusAssessment,
    CensusChild,
    ChildProtectionPlan,
    CinEpisode,
    CinPlan,
    CpReview,
    Extract,
    Finding,
    Section47,
)


class ExtractFactory(factory.django.DjangoModelFactory):
    """A loaded CIN census extract for 2024-25, local authority 931, without child rows
    (``current=True`` makes it the one the figures use)."""

    class Meta:
        model = Extract

    partnership = factory.SubFactory(PartnershipFactory)
    kind = ExtractKind.CIN_CENSUS
    local_authority_code = "931"
    collection_year = 2025
    reference_date = factory.LazyAttribute(lambda o: dt.date(o.collection_year, 3, 31) if o.collection_year else None)
    period_start = factory.LazyAttribute(lambda o: dt.date(o.collection_year - 1, 4, 1) if o.collection_year else None)
    period_end = factory.LazyAttribute(lambda o: dt.date(o.collection_year, 3, 31) if o.collection_year else None)
    original_filename = factory.Sequence(lambda n: f"cin-census-{n}.xml")
    size_bytes = 1024
    status = ExtractStatus.LOADED
    is_current = False

    class Params:
        #: the extract the partnership's figures use (one per partnership, kind, authority and year)
        current = factory.Trait(is_current=True)

    timings = factory.LazyFunction(lambda: {"parse": 0.1, "validate": 0.1, "load": 0.1, "total": 0.3})


class FindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Finding

    extract = factory.SubFactory(ExtractFactory, status=ExtractStatus.REJECTED)
    code = "8840"
    severity = Severity.ERROR
    la_child_id = factory.Sequence(lambda n: f"CH{n:06d}")
    field = "CPPendDate"
    line = factory.Sequence(lambda n: 20 + n * 40)
    message = "The plan starting 2024-06-03 also ends on 2024-06-03."
    fix = "Correct the plan's start or end date."


class CensusChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CensusChild

    extract = factory.SubFactory(ExtractFactory)
    la_child_id = factory.Sequence(lambda n: f"CH{n:06d}")
    sex = "F"
    birth_date = dt.date(2015, 5, 1)
    ethnicity = "WBRI"
    disabilities = "NONE"
    line = factory.Sequence(lambda n: 20 + n * 40)


class CinEpisodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CinEpisode

    child = factory.SubFactory(CensusChildFactory)
    extract = factory.SelfAttribute("child.extract")
    referral_date = dt.date(2024, 6, 3)
    referral_source = "3A"
    primary_need = "N1"
    referral_nfa = False


class _EpisodePart(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True

    episode = factory.SubFactory(CinEpisodeFactory)
    child = factory.SelfAttribute("episode.child")
    extract = factory.SelfAttribute("episode.extract")


class CensusAssessmentFactory(_EpisodePart):
    class Meta:
        model = CensusAssessment

    start_date = dt.date(2024, 6, 4)
    authorisation_date = dt.date(2024, 7, 15)
    factors = "1A,2B"


class CinPlanFactory(_EpisodePart):
    class Meta:
        model = CinPlan

    start_date = dt.date(2024, 7, 20)


class Section47Factory(_EpisodePart):
    class Meta:
        model = Section47

    start_date = dt.date(2024, 6, 5)
    icpc_target = dt.date(2024, 6, 26)
    icpc_date = dt.date(2024, 6, 20)
    icpc_not_required = False


class ChildProtectionPlanFactory(_EpisodePart):
    class Meta:
        model = ChildProtectionPlan

    start_date = dt.date(2024, 6, 20)
    initial_category = "NEG"
    latest_category = "NEG"
    previous_plans = 0


class CpReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CpReview

    plan = factory.SubFactory(ChildProtectionPlanFactory)
    extract = factory.SelfAttribute("plan.extract")
    review_date = dt.date(2024, 9, 12)


def child_with_history(extract: Extract, **kwargs) -> CensusChild:
    """A loaded child with one referral, an assessment, a section 47 enquiry and a reviewed CP plan."""
    child = CensusChildFactory(extract=extract, **kwargs)
    episode = CinEpisodeFactory(child=child)
    CensusAssessmentFactory(episode=episode)
    Section47Factory(episode=episode)
    CinPlanFactory(episode=episode, start_date=dt.date(2024, 4, 10), end_date=dt.date(2024, 6, 19))
    CpReviewFactory(plan=ChildProtectionPlanFactory(episode=episode))
    return child


def harness_objects(cast, partnership) -> dict:
    """A loaded extract and one of its children for the ``<int:pk>`` workspace URLs (the pages for
    analysts only say so with ``harness_user = "analyst"``)."""
    extract = ExtractFactory(partnership=partnership, current=True)
    child = child_with_history(extract)
    FindingFactory(extract=extract, la_child_id=child.la_child_id, code="8670Q", severity=Severity.QUERY)
    return {Extract: extract, CensusChild: child}


# --- Census files for tests -------------------------------------------------------------------
def valid_child(la_child_id: str, *, year: int = 2025, with_plan: bool = False) -> ChildRecord:
    """A child referred in the census year, assessed within 45 working days; optionally with a
    section 47 enquiry, an initial conference within 15 working days and a reviewed CP plan."""
    start = dt.date(year - 1, 6, 3)  # a Monday
    episode = EpisodeRecord(
        referral_date=start,
        referral_source="3A",
        primary_need="N1",
        referral_nfa=False,
        assessments=[
            AssessmentRecord(start_date=start, authorisation_date=start + dt.timedelta(days=28), factors=["2B"])
        ],
    )
    if with_plan:
        icpc = start + dt.timedelta(days=17)  # a Thursday, 13 working days after the enquiry started
        episode.section47s = [
            Section47Record(
                start_date=start, icpc_target=start + dt.timedelta(days=21), icpc_date=icpc, icpc_not_required=False
            )
        ]
        episode.cp_plans = [
            CPPlanRecord(
                start_date=icpc,
                initial_category="NEG",
                latest_category="NEG",
                number_of_previous_cpp=0,
                reviews=[icpc + dt.timedelta(days=84)],
            )
        ]
    return ChildRecord(
        la_child_id=la_child_id,
        upn_unknown="UN2",
        birth_date=dt.date(year - 9, 5, 1),
        sex="F",
        ethnicity="WBRI",
        disabilities=["NONE"],
        episodes=[episode],
    )


def _el(tag: str, value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        value = "true" if value else "false"
    return f"<{tag}>{escape(str(value))}</{tag}>"


def _episode_xml(ep: EpisodeRecord) -> str:
    parts = [
        _el("CINreferralDate", ep.referral_date),
        _el("ReferralSource", ep.referral_source),
        _el("PrimaryNeedCode", ep.primary_need),
        _el("CINclosureDate", ep.closure_date),
        _el("ReasonForClosure", ep.reason_for_closure),
        _el("DateOfInitialCPC", ep.initial_cpc_date),
        _el("ReferralNFA", ep.referral_nfa),
    ]
    for a in ep.assessments:
        factors = "".join(_el("AssessmentFactors", f) for f in a.factors)
        parts.append(
            "<Assessments>"
            + _el("AssessmentActualStartDate", a.start_date)
            + _el("AssessmentInternalReviewDate", a.internal_review_date)
            + _el("AssessmentAuthorisationDate", a.authorisation_date)
            + (f"<FactorsIdentifiedAtAssessment>{factors}</FactorsIdentifiedAtAssessment>" if factors else "")
            + "</Assessments>"
        )
    for p in ep.cin_plans:
        parts.append(
            f"<CINPlanDates>{_el('CINPlanStartDate', p.start_date)}{_el('CINPlanEndDate', p.end_date)}</CINPlanDates>"
        )
    for s in ep.section47s:
        parts.append(
            "<Section47>"
            + _el("S47ActualStartDate", s.start_date)
            + _el("InitialCPCtarget", s.icpc_target)
            + _el("DateOfInitialCPC", s.icpc_date)
            + _el("ICPCnotRequired", s.icpc_not_required)
            + "</Section47>"
        )
    for p in ep.cp_plans:
        reviews = "".join(_el("CPPreviewDate", r) for r in p.reviews)
        parts.append(
            "<ChildProtectionPlans>"
            + _el("CPPstartDate", p.start_date)
            + _el("CPPendDate", p.end_date)
            + _el("InitialCategoryOfAbuse", p.initial_category)
            + _el("LatestCategoryOfAbuse", p.latest_category)
            + _el("NumberOfPreviousCPP", p.number_of_previous_cpp)
            + (f"<Reviews>{reviews}</Reviews>" if reviews else "")
            + "</ChildProtectionPlans>"
        )
    return "<CINdetails>" + "".join(parts) + "</CINdetails>"


def _child_xml(child: ChildRecord, year: int) -> str:
    sex = _el("Sex", child.sex) if year >= 2025 else _el("GenderCurrent", child.gender_current or "2")
    disabilities = "".join(_el("Disability", d) for d in child.disabilities)
    return (
        "<Child><ChildIdentifiers>"
        + _el("LAchildID", child.la_child_id)
        + _el("UPN", child.upn)
        + _el("FormerUPN", child.former_upn)
        + _el("UPNunknown", child.upn_unknown)
        + _el("PersonBirthDate", child.birth_date)
        + _el("ExpectedPersonBirthDate", child.expected_birth_date)
        + sex
        + _el("PersonDeathDate", child.death_date)
        + "</ChildIdentifiers><ChildCharacteristics>"
        + _el("Ethnicity", child.ethnicity)
        + (f"<Disabilities>{disabilities}</Disabilities>" if disabilities else "")
        + "</ChildCharacteristics>"
        + "".join(_episode_xml(ep) for ep in child.episodes)
        + "</Child>"
    )


def census_xml(children, *, year: int = 2025, lea: str = "931", reference_date: dt.date | None = None) -> bytes:
    """A census file (one element a line, so findings have distinct lines) from ChildRecords."""
    reference = reference_date or dt.date(year, 3, 31)
    header = (
        "<Header><CollectionDetails><Collection>CIN</Collection>"
        f"<Year>{year}</Year><ReferenceDate>{reference.isoformat()}</ReferenceDate></CollectionDetails>"
        f"<Source><SourceLevel>L</SourceLevel><LEA>{escape(lea)}</LEA><SoftwareCode>Test system</SoftwareCode>"
        "<Release>1.0</Release><SerialNo>1</SerialNo><DateTime>2025-04-20T10:00:00</DateTime></Source></Header>"
    )
    body = "\n".join(_child_xml(child, year) for child in children)
    text = f'<?xml version="1.0" encoding="UTF-8"?>\n<Message>\n{header}\n<Children>\n{body}\n</Children>\n</Message>\n'
    return text.replace("><", ">\n<").encode()


def census_file(path: Path, children, **kwargs) -> Path:
    path.write_bytes(census_xml(children, **kwargs))
    return path


# --- Rules for tests --------------------------------------------------------------------------
@contextmanager
def only_these_rules(*specs: tuple[str, str, Callable[[ChildRecord], bool]]) -> Iterator[list[Rule]]:
    """Register throwaway rules ``(code, severity, fires_for(child))``, make the import run only
    them (so a test does not depend on which DfE rules exist), and remove them afterwards."""
    from . import services

    codes = []
    for code, severity, fires_for in specs:

        def check(child, ctx, fires_for=fires_for, code=code):
            if fires_for(child):
                yield Hit("LAchildID", child.lines.get("LAchildID", child.line), f"Test rule {code} fired.")

        rule(code, severity=severity, title=f"Test rule {code}", fix=f"Fix {code}.", fields=("LAchildID",))(check)
        codes.append(code)
    chosen = [REGISTRY[code][-1] for code in codes]
    original = services.CensusValidator
    services.CensusValidator = partial(CensusValidator, rules=chosen)
    try:
        yield chosen
    finally:
        services.CensusValidator = original
        for code in codes:
            REGISTRY.pop(code, None)
