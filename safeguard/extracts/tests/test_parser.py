"""The CIN census parser: exact records from a hand-written file, older layouts, value types, every
structural check, progress, and memory that does not grow with the file.

All data here is invented (synthetic identifiers, made-up dates)."""

from __future__ import annotations

import datetime as dt
import gc
import io
import os
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from safeguard.extracts.census import schema
from safeguard.extracts.census.generator import generate_census
from safeguard.extracts.census.parser import CensusFileError, open_census
from safeguard.extracts.census.records import (
    AssessmentRecord,
    CensusHeader,
    ChildRecord,
    CINPlanRecord,
    CPPlanRecord,
    EpisodeRecord,
    PreProceedingsRecord,
    Section47Record,
)

D = dt.date

SAMPLE = """<?xml version="1.0" encoding="UTF-8"?>
<Message>
  <Header>
    <CollectionDetails>
      <Collection>CIN</Collection>
      <Year>2026</Year>
      <ReferenceDate>2026-03-31</ReferenceDate>
    </CollectionDetails>
    <Source>
      <SourceLevel>L</SourceLevel>
      <LEA>931</LEA>
      <SoftwareCode>Test system</SoftwareCode>
      <Release>4.2</Release>
      <SerialNo>007</SerialNo>
      <DateTime>2026-04-20T10:11:12</DateTime>
    </Source>
  </Header>
  <Children>
    <Child>
      <ChildIdentifiers>
        <LAchildID>TEST001</LAchildID>
        <UPN>H801200001001</UPN>
        <FormerUPN>A931200102003</FormerUPN>
        <PersonBirthDate>2014-06-01</PersonBirthDate>
        <Sex>F</Sex>
        <PersonDeathDate>2026-03-20</PersonDeathDate>
      </ChildIdentifiers>
      <ChildCharacteristics>
        <Ethnicity>WBRI</Ethnicity>
        <Disabilities>
          <Disability>AUT</Disability>
          <Disability>LD</Disability>
        </Disabilities>
      </ChildCharacteristics>
      <CINdetails>
        <CINreferralDate>2025-05-06</CINreferralDate>
        <ReferralSource>2A</ReferralSource>
        <PrimaryNeedCode>N1</PrimaryNeedCode>
        <CINclosureDate>2026-03-20</CINclosureDate>
        <ReasonForClosure>RC2</ReasonForClosure>
        <ReferralNFA>false</ReferralNFA>
        <Assessments>
          <AssessmentActualStartDate>2025-05-07</AssessmentActualStartDate>
          <AssessmentInternalReviewDate>2025-05-30</AssessmentInternalReviewDate>
          <AssessmentAuthorisationDate>2025-06-20</AssessmentAuthorisationDate>
          <FactorsIdentifiedAtAssessment>
            <AssessmentFactors>3B</AssessmentFactors>
            <AssessmentFactors>16A</AssessmentFactors>
          </FactorsIdentifiedAtAssessment>
        </Assessments>
        <CINPlanDates>
          <CINPlanStartDate>2026-01-10</CINPlanStartDate>
          <CINPlanEndDate>2026-03-20</CINPlanEndDate>
        </CINPlanDates>
        <Section47>
          <S47ActualStartDate>2025-05-08</S47ActualStartDate>
          <InitialCPCtarget>2025-05-30</InitialCPCtarget>
          <DateOfInitialCPC>2025-05-29</DateOfInitialCPC>
          <ICPCnotRequired>false</ICPCnotRequired>
        </Section47>
        <ChildProtectionPlans>
          <CPPstartDate>2025-05-29</CPPstartDate>
          <CPPendDate>2026-01-09</CPPendDate>
          <InitialCategoryOfAbuse>NEG</InitialCategoryOfAbuse>
          <LatestCategoryOfAbuse>EMO</LatestCategoryOfAbuse>
          <NumberOfPreviousCPP>0</NumberOfPreviousCPP>
          <Reviews>
            <CPPreviewDate>2025-08-21</CPPreviewDate>
            <CPPreviewDate/>
          </Reviews>
        </ChildProtectionPlans>
        <PreProceedingsandFGDM>
          <PPStartDate>2025-07-01</PPStartDate>
          <LBPSentDate>2025-07-03</LBPSentDate>
          <FGDMMeetingOffer>1</FGDMMeetingOffer>
          <FGDMMeetingFac>0</FGDMMeetingFac>
          <InitialPPMeetingDate>2025-07-15</InitialPPMeetingDate>
          <ReviewMeetingsCount>2</ReviewMeetingsCount>
          <StepDecisionDate>2025-10-01</StepDecisionDate>
          <PPOutcome>A</PPOutcome>
          <CourtAppDate>2025-11-01</CourtAppDate>
          <LetterInitCPDate>2025-06-30</LetterInitCPDate>
        </PreProceedingsandFGDM>
      </CINdetails>
    </Child>
    <Child>
      <ChildIdentifiers>
        <LAchildID>TEST002</LAchildID>
        <UPNunknown>UN6</UPNunknown>
        <ExpectedPersonBirthDate>2026-06-15</ExpectedPersonBirthDate>
        <Sex>U</Sex>
      </ChildIdentifiers>
      <ChildCharacteristics>
        <Ethnicity>NOBT</Ethnicity>
        <Disabilities>
          <Disability>NONE</Disability>
        </Disabilities>
      </ChildCharacteristics>
      <CINdetails>
        <CINreferralDate>2025-10-01</CINreferralDate>
        <ReferralSource>3B</ReferralSource>
        <CINclosureDate>2025-10-01</CINclosureDate>
        <ReasonForClosure>RC7</ReasonForClosure>
        <ReferralNFA>1</ReferralNFA>
      </CINdetails>
    </Child>
    <Child>
      <ChildIdentifiers>
        <LAchildID>TEST003</LAchildID>
        <UPN>A931200102003</UPN>
        <PersonBirthDate>2010-01-31</PersonBirthDate>
        <Sex>M</Sex>
      </ChildIdentifiers>
      <ChildCharacteristics>
        <Ethnicity>BAFR</Ethnicity>
      </ChildCharacteristics>
      <CINdetails>
        <CINreferralDate>2024-11-01</CINreferralDate>
        <ReferralSource>6</ReferralSource>
        <PrimaryNeedCode>N4</PrimaryNeedCode>
        <CINclosureDate>2025-06-30</CINclosureDate>
        <ReasonForClosure>RC7</ReasonForClosure>
        <DateOfInitialCPC>2024-11-20</DateOfInitialCPC>
        <ReferralNFA>0</ReferralNFA>
        <ChildProtectionPlans>
          <CPPstartDate>2024-11-20</CPPstartDate>
          <CPPendDate>2025-06-30</CPPendDate>
          <InitialCategoryOfAbuse>PHY</InitialCategoryOfAbuse>
          <LatestCategoryOfAbuse>PHY</LatestCategoryOfAbuse>
          <NumberOfPreviousCPP>2</NumberOfPreviousCPP>
        </ChildProtectionPlans>
      </CINdetails>
      <CINdetails>
        <CINreferralDate>2026-02-02</CINreferralDate>
        <ReferralSource>1A</ReferralSource>
        <PrimaryNeedCode>N5</PrimaryNeedCode>
        <ReferralNFA>TRUE</ReferralNFA>
        <Assessments>
          <AssessmentActualStartDate>2026-02-03</AssessmentActualStartDate>
          <AssessmentFactors>21</AssessmentFactors>
        </Assessments>
      </CINdetails>
    </Child>
  </Children>
</Message>
"""

SAMPLE_LINES = SAMPLE.splitlines()


def line_of(text: str, occurrence: int = 1, after: str | None = None) -> int:
    """The line (1-based) of the ``occurrence``-th line containing ``text`` (after the line holding
    ``after``, if given): the expected line numbers are found in the sample's own text."""
    start = 0
    if after is not None:
        start = next(i for i, line in enumerate(SAMPLE_LINES) if after in line) + 1
    seen = 0
    for i in range(start, len(SAMPLE_LINES)):
        if text in SAMPLE_LINES[i]:
            seen += 1
            if seen == occurrence:
                return i + 1
    raise AssertionError(f"{text} not found")


def lines_for(tags, after: str, occurrence: int = 1) -> dict[str, int]:
    return {tag: line_of(f"<{tag}>" if tag != "CPPreviewDate" else "<CPPreviewDate", occurrence, after) for tag in tags}


def parse(text: str | bytes, **kwargs):
    data = text.encode() if isinstance(text, str) else text
    with open_census(io.BytesIO(data), **kwargs) as stream:
        header = stream.header
        findings = stream.take_findings()
        children = []
        for child in stream:
            children.append(child)
            findings.extend(stream.take_findings())
        findings.extend(stream.take_findings())
    return header, children, findings


def census(children: str, *, year: int = 2026, header: str | None = None) -> str:
    """A census file around ``children`` (the XML of the Child elements)."""
    if header is None:
        header = (
            f"<Header><CollectionDetails><Collection>CIN</Collection><Year>{year}</Year>"
            f"<ReferenceDate>{year}-03-31</ReferenceDate></CollectionDetails>"
            "<Source><LEA>931</LEA></Source></Header>"
        )
    return f'<?xml version="1.0"?>\n<Message>\n{header}\n<Children>\n{children}\n</Children>\n</Message>\n'


def a_child(identifiers: str = "<Sex>M</Sex>", characteristics: str = "", episode: str = "", la_child_id="K1") -> str:
    return (
        "<Child>\n"
        f"<ChildIdentifiers>\n<LAchildID>{la_child_id}</LAchildID>\n{identifiers}\n</ChildIdentifiers>\n"
        f"<ChildCharacteristics>\n<Ethnicity>WBRI</Ethnicity>\n{characteristics}\n</ChildCharacteristics>\n"
        "<CINdetails>\n<CINreferralDate>2025-06-01</CINreferralDate>\n<ReferralSource>6</ReferralSource>\n"
        f"<ReferralNFA>false</ReferralNFA>\n{episode}\n</CINdetails>\n"
        "</Child>"
    )


# --- the hand-written file ----------------------------------------------------------------------
def test_it_reads_a_hand_written_file_into_exactly_the_expected_records():
    header, children, findings = parse(SAMPLE)
    assert findings == []
    assert header == CensusHeader(
        collection="CIN",
        year=2026,
        reference_date=D(2026, 3, 31),
        source_level="L",
        lea="931",
        software_code="Test system",
        release="4.2",
        serial_no="007",
        datetime="2026-04-20T10:11:12",
        line=line_of("<Header>"),
        lines=lines_for(
            [
                "CollectionDetails",
                "Collection",
                "Year",
                "ReferenceDate",
                "Source",
                "SourceLevel",
                "LEA",
                "SoftwareCode",
                "Release",
                "SerialNo",
                "DateTime",
            ],
            after="<Header>",
        ),
    )
    first, second, third = children
    assert first == ChildRecord(
        la_child_id="TEST001",
        upn="H801200001001",
        former_upn="A931200102003",
        birth_date=D(2014, 6, 1),
        sex="F",
        death_date=D(2026, 3, 20),
        ethnicity="WBRI",
        disabilities=["AUT", "LD"],
        episodes=[
            EpisodeRecord(
                referral_date=D(2025, 5, 6),
                referral_source="2A",
                primary_need="N1",
                closure_date=D(2026, 3, 20),
                reason_for_closure="RC2",
                referral_nfa=False,
                assessments=[
                    AssessmentRecord(
                        start_date=D(2025, 5, 7),
                        internal_review_date=D(2025, 5, 30),
                        authorisation_date=D(2025, 6, 20),
                        factors=["3B", "16A"],
                        line=line_of("<Assessments>"),
                        lines=lines_for(
                            [
                                "AssessmentActualStartDate",
                                "AssessmentInternalReviewDate",
                                "AssessmentAuthorisationDate",
                                "FactorsIdentifiedAtAssessment",
                                "AssessmentFactors",
                            ],
                            after="<Assessments>",
                        ),
                    )
                ],
                cin_plans=[
                    CINPlanRecord(
                        start_date=D(2026, 1, 10),
                        end_date=D(2026, 3, 20),
                        line=line_of("<CINPlanDates>"),
                        lines=lines_for(["CINPlanStartDate", "CINPlanEndDate"], after="<CINPlanDates>"),
                    )
                ],
                section47s=[
                    Section47Record(
                        start_date=D(2025, 5, 8),
                        icpc_target=D(2025, 5, 30),
                        icpc_date=D(2025, 5, 29),
                        icpc_not_required=False,
                        line=line_of("<Section47>"),
                        lines=lines_for(
                            ["S47ActualStartDate", "InitialCPCtarget", "DateOfInitialCPC", "ICPCnotRequired"],
                            after="<Section47>",
                        ),
                    )
                ],
                cp_plans=[
                    CPPlanRecord(
                        start_date=D(2025, 5, 29),
                        end_date=D(2026, 1, 9),
                        initial_category="NEG",
                        latest_category="EMO",
                        number_of_previous_cpp=0,
                        reviews=[D(2025, 8, 21), None],
                        review_lines=[line_of("<CPPreviewDate>"), line_of("<CPPreviewDate/>")],
                        line=line_of("<ChildProtectionPlans>"),
                        lines=lines_for(
                            [
                                "CPPstartDate",
                                "CPPendDate",
                                "InitialCategoryOfAbuse",
                                "LatestCategoryOfAbuse",
                                "NumberOfPreviousCPP",
                                "Reviews",
                                "CPPreviewDate",
                            ],
                            after="<ChildProtectionPlans>",
                        ),
                    )
                ],
                pre_proceedings=[
                    PreProceedingsRecord(
                        values={
                            "PPStartDate": D(2025, 7, 1),
                            "LBPSentDate": D(2025, 7, 3),
                            "FGDMMeetingOffer": True,
                            "FGDMMeetingFac": False,
                            "InitialPPMeetingDate": D(2025, 7, 15),
                            "ReviewMeetingsCount": 2,
                            "StepDecisionDate": D(2025, 10, 1),
                            "PPOutcome": "A",
                            "CourtAppDate": D(2025, 11, 1),
                            "LetterInitCPDate": D(2025, 6, 30),
                        },
                        line=line_of("<PreProceedingsandFGDM>"),
                        lines=lines_for(
                            [
                                "PPStartDate",
                                "LBPSentDate",
                                "FGDMMeetingOffer",
                                "FGDMMeetingFac",
                                "InitialPPMeetingDate",
                                "ReviewMeetingsCount",
                                "StepDecisionDate",
                                "PPOutcome",
                                "CourtAppDate",
                                "LetterInitCPDate",
                            ],
                            after="<PreProceedingsandFGDM>",
                        ),
                    )
                ],
                line=line_of("<CINdetails>"),
                lines=lines_for(
                    [
                        "CINreferralDate",
                        "ReferralSource",
                        "PrimaryNeedCode",
                        "CINclosureDate",
                        "ReasonForClosure",
                        "ReferralNFA",
                    ],
                    after="<CINdetails>",
                ),
            )
        ],
        line=line_of("<Child>"),
        lines=lines_for(
            [
                "ChildIdentifiers",
                "LAchildID",
                "UPN",
                "FormerUPN",
                "PersonBirthDate",
                "Sex",
                "PersonDeathDate",
                "ChildCharacteristics",
                "Ethnicity",
                "Disabilities",
                "Disability",
            ],
            after="<Child>",
        ),
    )
    assert second.la_child_id == "TEST002"
    assert (second.birth_date, second.expected_birth_date, second.sex, second.upn, second.upn_unknown) == (
        None,
        D(2026, 6, 15),
        "U",
        "",
        "UN6",
    )
    assert second.disabilities == ["NONE"]
    (nfa,) = second.episodes
    assert (nfa.referral_nfa, nfa.primary_need, nfa.closure_date, nfa.assessments) == (True, "", D(2025, 10, 1), [])
    assert second.line == line_of("<Child>", 2)

    assert third.disabilities == [] and "Disabilities" not in third.lines
    earlier, later = third.episodes
    assert earlier.initial_cpc_date == D(2024, 11, 20) and earlier.referral_nfa is False
    assert earlier.cp_plans[0].number_of_previous_cpp == 2 and earlier.cp_plans[0].reviews == []
    assert later.referral_nfa is True
    # AssessmentFactors written straight inside Assessments (no FactorsIdentifiedAtAssessment group)
    assert later.assessments[0].factors == ["21"]
    assert later.assessments[0].lines["AssessmentFactors"] == line_of("<AssessmentFactors>21")
    assert later.line == line_of("<CINdetails>", 2, after="TEST003")


def test_the_header_is_read_when_the_stream_opens_and_children_only_when_iterated():
    with open_census(io.BytesIO(SAMPLE.encode())) as stream:
        assert stream.header.lea == "931"
        assert stream.children_read == 0
        assert stream.layout_year == 2026
        ids = [child.la_child_id for child in stream]
        assert ids == ["TEST001", "TEST002", "TEST003"]
        assert stream.children_read == 3
        assert stream.bytes_read == len(SAMPLE.encode())
        with pytest.raises(RuntimeError):
            iter(stream)


def test_it_reads_a_path_as_well_as_a_file_object(tmp_path):
    path = tmp_path / "census.xml"
    path.write_text(SAMPLE, encoding="utf-8")
    with open_census(path) as stream:
        assert [c.la_child_id for c in stream] == ["TEST001", "TEST002", "TEST003"]
    with open_census(str(path)) as stream:
        assert stream.header.year == 2026


def test_take_findings_drains_what_it_returns():
    text = census(a_child(identifiers="<Sex>M</Sex><Nickname>x</Nickname>"))
    with open_census(io.BytesIO(text.encode())) as stream:
        list(stream)
        assert [f.code for f in stream.take_findings()] == ["XML01"]
        assert stream.take_findings() == []


def test_it_reads_a_utf16_file_with_a_byte_order_mark():
    _, children, findings = parse(SAMPLE.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16"))
    assert [c.la_child_id for c in children] == ["TEST001", "TEST002", "TEST003"]
    assert findings == []


# --- older layouts ------------------------------------------------------------------------------
@pytest.mark.parametrize(("gender", "sex"), [("1", "M"), ("2", "F"), ("0", "U"), ("9", "U"), ("7", "")])
def test_files_before_2024_25_give_gender_current_mapped_to_sex(gender, sex):
    text = census(a_child(identifiers=f"<GenderCurrent>{gender}</GenderCurrent>"), year=2024)
    header, (child,), findings = parse(text)
    assert header.year == 2024
    assert (child.gender_current, child.sex) == (gender, sex)
    assert child.lines["GenderCurrent"] == child.lines["Sex"] == line_of_text(text, "<GenderCurrent>")
    assert findings == []


def line_of_text(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_sex_in_an_older_file_and_gender_current_in_a_newer_one_are_unexpected_with_a_hint():
    _, (old,), old_findings = parse(census(a_child(identifiers="<Sex>M</Sex>"), year=2024))
    assert [f.code for f in old_findings] == ["XML01"]
    assert "earlier censuses use GenderCurrent" in old_findings[0].message
    assert old.sex == ""  # read as missing: rule 4180 reports it

    _, (_new,), new_findings = parse(census(a_child(identifiers="<GenderCurrent>1</GenderCurrent>")))
    assert [f.code for f in new_findings] == ["XML01"]
    assert "replaced by Sex" in new_findings[0].message and "2025-26 census" in new_findings[0].message


def test_pre_proceedings_belong_to_2025_26_onward_only():
    group = "<PreProceedingsandFGDM><PPStartDate>2024-06-01</PPStartDate></PreProceedingsandFGDM>"
    _, (child,), findings = parse(census(a_child(episode=group), year=2025))
    assert [f.code for f in findings] == ["XML01"]
    assert child.episodes[0].pre_proceedings == []
    _, (child,), findings = parse(census(a_child(episode=group), year=2026))
    assert findings == [] and child.episodes[0].pre_proceedings[0].values == {"PPStartDate": D(2024, 6, 1)}


def test_seen_social_worker_is_read_in_2016_17_files_and_unexpected_later():
    plan = (
        "<ChildProtectionPlans><CPPstartDate>2016-06-01</CPPstartDate><InitialCategoryOfAbuse>NEG"
        "</InitialCategoryOfAbuse><LatestCategoryOfAbuse>NEG</LatestCategoryOfAbuse><NumberOfPreviousCPP>0"
        "</NumberOfPreviousCPP><SeenSocialWorker>1</SeenSocialWorker></ChildProtectionPlans>"
    )
    old = a_child(identifiers="<GenderCurrent>1</GenderCurrent>", episode=plan)
    assert parse(census(old, year=2017))[2] == []
    assert [f.code for f in parse(census(old, year=2018))[2]] == ["XML01"]


def test_a_file_without_a_year_uses_the_reference_date_and_one_from_the_future_the_latest_layout():
    header = (
        "<Header><CollectionDetails><Collection>CIN</Collection><ReferenceDate>2024-03-31</ReferenceDate>"
        "</CollectionDetails><Source><LEA>931</LEA></Source></Header>"
    )
    text = census(a_child(identifiers="<GenderCurrent>2</GenderCurrent>"), header=header)
    with open_census(io.BytesIO(text.encode())) as stream:
        assert stream.header.year is None
        assert stream.layout_year == 2024
        assert [f.code for f in stream.take_findings()] == ["XML02"]  # Year is required
        assert next(iter(stream)).sex == "F"
    with open_census(io.BytesIO(census(a_child(), year=2031).encode())) as stream:
        assert stream.layout_year == schema.LATEST_YEAR


# --- value types --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "value"),
    [("true", True), ("false", False), ("1", True), ("0", False), ("TRUE", True), ("False", False), (" 1 ", True)],
)
def test_booleans_are_true_false_or_1_0(text, value):
    _, (child,), findings = parse(census(a_child().replace("<ReferralNFA>false", f"<ReferralNFA>{text}")))
    assert child.episodes[0].referral_nfa is value
    assert findings == []


def test_number_of_previous_plans_accepts_zero_although_the_schema_types_it_positive():
    plan = (
        "<ChildProtectionPlans><CPPstartDate>2025-06-01</CPPstartDate><InitialCategoryOfAbuse>NEG"
        "</InitialCategoryOfAbuse><LatestCategoryOfAbuse>NEG</LatestCategoryOfAbuse>"
        "<NumberOfPreviousCPP>{}</NumberOfPreviousCPP></ChildProtectionPlans>"
    )
    _, (child,), findings = parse(census(a_child(episode=plan.format("0"))))
    assert child.episodes[0].cp_plans[0].number_of_previous_cpp == 0 and findings == []
    _, (child,), findings = parse(census(a_child(episode=plan.format("-1"))))
    assert child.episodes[0].cp_plans[0].number_of_previous_cpp is None
    assert [(f.code, f.field) for f in findings] == [("XML05", "NumberOfPreviousCPP")]
    assert "0 or more" in findings[0].message


def test_empty_elements_are_absent_values_not_findings():
    episode = "<CINclosureDate/><ReasonForClosure>  </ReasonForClosure>"
    _, (child,), findings = parse(census(a_child(episode=episode)))
    assert (child.episodes[0].closure_date, child.episodes[0].reason_for_closure) == (None, "")
    assert findings == []


def test_a_missing_value_that_a_dfe_rule_reports_is_left_to_the_rule():
    # LAchildID (8500), Sex (4180), Ethnicity (4220), CINreferralDate (8600)...: no XML02 of ours
    text = census(
        "<Child><ChildIdentifiers><LAchildID></LAchildID></ChildIdentifiers><ChildCharacteristics/>"
        "<CINdetails><ReferralSource>6</ReferralSource></CINdetails></Child>"
    )
    _, (child,), findings = parse(text)
    assert (child.la_child_id, child.sex, child.ethnicity, child.episodes[0].referral_date) == ("", "", "", None)
    assert findings == []


# --- every structural check ---------------------------------------------------------------------
S47 = "<Section47><S47ActualStartDate>2025-06-02</S47ActualStartDate>{}</Section47>"


def with_ids(extra: str) -> str:
    return a_child(identifiers="<Sex>M</Sex>\n" + extra)


@pytest.mark.parametrize(
    ("child", "code", "field", "needle"),
    [
        (with_ids("<AllocatedTeam>Team 3</AllocatedTeam>"), "XML01", "AllocatedTeam", "<AllocatedTeam>"),
        (a_child(episode=S47.format("")), "XML02", "ICPCnotRequired", "<Section47>"),
        (a_child(episode=S47.format("<ICPCnotRequired/>")), "XML02", "ICPCnotRequired", "<Section47>"),
        (with_ids("<PersonBirthDate>31/12/2015</PersonBirthDate>"), "XML03", "PersonBirthDate", "<PersonBirthDate>"),
        (with_ids("<PersonBirthDate>2015-02-30</PersonBirthDate>"), "XML03", "PersonBirthDate", "<PersonBirthDate>"),
        (with_ids("<PersonBirthDate>20150201</PersonBirthDate>"), "XML03", "PersonBirthDate", "<PersonBirthDate>"),
        (a_child(episode=S47.format("\n<ICPCnotRequired>no</ICPCnotRequired>")), "XML04", "ICPCnotRequired", "<ICPC"),
        (with_ids("<UPN>A9312001020031</UPN>"), "XML06", "UPN", "<UPN>"),
        (a_child(characteristics="<Ethnicity>WBRI</Ethnicity>"), "XML07", "Ethnicity", "<Ethnicity>"),
        (with_ids("stray words"), "XML08", "ChildIdentifiers", "stray"),
    ],
)
def test_each_structural_check_names_the_child_the_field_and_the_line(child, code, field, needle):
    text = census(child)
    _, (_record,), findings = parse(text)
    assert [(f.code, f.field, f.la_child_id, f.severity) for f in findings] == [(code, field, "K1", "error")]
    # the line of the element concerned (the last one with the needle: XML07 is about the repeat)
    assert findings[0].line == max(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)
    title, fix = schema.STRUCTURE_CHECKS[code]
    assert findings[0].fix == fix and title


def test_an_unreadable_year_is_a_whole_number_finding_in_the_header():
    text = census(a_child(), header="<Header><CollectionDetails><Year>twenty</Year></CollectionDetails></Header>")
    with open_census(io.BytesIO(text.encode())) as stream:
        findings = stream.take_findings()
    assert [(f.code, f.field, f.la_child_id) for f in findings] == [
        ("XML05", "Year", ""),
        ("XML02", "Collection", ""),
        ("XML02", "Source", ""),
    ]


def test_an_unreadable_value_reaches_the_rules_as_missing():
    identifiers = "<Sex>M</Sex><PersonBirthDate>soon</PersonBirthDate><UPN>" + "9" * 20 + "</UPN>"
    _, (child,), findings = parse(census(a_child(identifiers=identifiers)))
    assert (child.birth_date, child.upn) == (None, "")
    assert sorted(f.code for f in findings) == ["XML03", "XML06"]
    assert "20 characters long; it can hold at most 13" in next(f.message for f in findings if f.code == "XML06")


def test_structure_outside_the_children_is_checked_too():
    text = (
        "<Message><Header><CollectionDetails><Collection>CIN</Collection><Year>2026</Year>"
        "<ReferenceDate>2026-03-31</ReferenceDate></CollectionDetails><Source><LEA>931</LEA></Source></Header>"
        "<Header/><Children><Note>hello</Note>" + a_child() + "<Note>bye</Note></Children><Extra/></Message>"
    )
    _, children, findings = parse(text)
    assert len(children) == 1
    assert [(f.code, f.field) for f in findings] == [
        ("XML07", "Header"),
        ("XML01", "Note"),
        ("XML01", "Note"),
        ("XML01", "Extra"),
    ]


def test_a_file_with_no_children_element_says_so():
    text = (
        "<Message><Header><CollectionDetails><Collection>CIN</Collection><Year>2026</Year>"
        "<ReferenceDate>2026-03-31</ReferenceDate></CollectionDetails><Source><LEA>931</LEA></Source></Header>"
        "</Message>"
    )
    _, children, findings = parse(text)
    assert children == [] and [(f.code, f.field) for f in findings] == [("XML02", "Children")]


def test_every_structural_code_is_documented_and_the_schema_is_well_formed():
    assert sorted(schema.STRUCTURE_CHECKS) == [f"XML0{i}" for i in range(1, 9)]
    for code, (title, fix) in schema.STRUCTURE_CHECKS.items():
        assert title and fix.endswith("."), code
    for year in (2016, 2017, 2024, 2025, 2026):
        paths = [path for path, _spec in schema.walk(schema.child_layout(year))]
        assert len(paths) == len(set(paths))
        for _path, spec in schema.walk(schema.child_layout(year)):
            if isinstance(spec, schema.Leaf):
                assert spec.kind in schema.KINDS


# --- progress and memory ------------------------------------------------------------------------
def test_progress_is_reported_every_n_children_and_at_the_end(tmp_path):
    path = tmp_path / "census.xml"
    generate_census(path, children=25, seed=1)
    calls = []
    with open_census(path, on_progress=lambda b, n: calls.append((b, n)), progress_every=10) as stream:
        assert sum(1 for _ in stream) == 25
    assert [n for _b, n in calls] == [10, 20, 25]
    assert calls[-1][0] == path.stat().st_size
    assert calls[0][0] <= calls[1][0] <= calls[2][0]


def _peak_parse_memory(path) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        with open_census(path) as stream:
            for _child in stream:
                stream.take_findings()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_stays_small_and_does_not_grow_with_the_file(tmp_path):
    small, large = tmp_path / "small.xml", tmp_path / "large.xml"
    generate_census(small, children=5_000, seed=3)
    generate_census(large, children=20_000, seed=3)
    peak_small, peak_large = _peak_parse_memory(small), _peak_parse_memory(large)
    assert peak_large < 50 * 1024 * 1024
    # Four times the children, about the same memory (a record list would grow fourfold).
    assert peak_large < peak_small * 1.5 + 1024 * 1024


_RSS_SCRIPT = """
import resource, sys
from safeguard.extracts.census.parser import open_census
with open_census(sys.argv[1]) as stream:
    for _child in stream:
        stream.take_findings()
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _peak_resident_kb(path) -> int:
    """Peak resident memory of a fresh process that parses ``path``: unlike tracemalloc, it counts what
    libxml2 allocates (the parsed elements themselves)."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[3])  # the project root
    out = subprocess.run(
        [sys.executable, "-c", _RSS_SCRIPT, str(path)], capture_output=True, text=True, check=True, env=env
    )
    return int(out.stdout.split()[-1])


def test_resident_memory_does_not_grow_with_the_file_either(tmp_path):
    small, large = tmp_path / "small.xml", tmp_path / "large.xml"
    generate_census(small, children=2_000, seed=4)
    generate_census(large, children=20_000, seed=4)
    assert _peak_resident_kb(large) < _peak_resident_kb(small) + 15 * 1024


@settings(max_examples=25, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30))
def test_any_text_in_any_value_gives_a_record_or_a_finding_never_a_crash(value):
    from xml.sax.saxutils import escape

    text = census(a_child(identifiers=f"<Sex>M</Sex><PersonBirthDate>{escape(value)}</PersonBirthDate>"))
    try:
        _, (child,), findings = parse(text)
    except CensusFileError:
        return  # characters XML itself does not allow (control characters): refused with a message
    assert child.birth_date is None or isinstance(child.birth_date, dt.date)
    assert all(f.code == "XML03" for f in findings)
