"""Each Annex A check with a passing and a failing example."""

import datetime as dt

import pytest

from safeguard.annexa.columns import LISTS, ColumnMatch, match_headings
from safeguard.annexa.rules import REGISTRY, AnnexAContext, AnnexAValidator, SheetRecord, all_rules
from safeguard.annexa.services import read_row

D = dt.date
REF = D(2025, 3, 31)

CHILD = {
    "child_id": "SYN000001",
    "gender": "F",
    "ethnicity": "WBRI",
    "birth_date": D(2015, 6, 1),
    "age": 9,
    "disability": "No",
    "allocated_team": "North Safeguarding Team",
}
CLEAN = {
    1: {"contact_date": D(2025, 1, 6), "contact_source": "6"},
    2: {"start_date": D(2025, 1, 6), "completion_date": D(2025, 2, 3), "organisation": "Primary school"},
    3: {"referral_date": D(2025, 1, 6), "referral_source": "2A", "referral_nfa": "N", "referrals_last_12_months": 1},
    4: {"start_date": D(2025, 1, 6), "child_seen": "Y", "authorisation_date": D(2025, 2, 20), "needs_support": "Y"},
    5: {
        "start_date": D(2025, 1, 6),
        "icpc_not_required": "No",
        "icpc_date": D(2025, 1, 24),
        "resulted_in_plan": "Yes",
        "section47s_last_12_months": 1,
        "icpcs_last_12_months": 1,
    },
    6: {
        "start_date": D(2023, 5, 2),
        "primary_need": "N1",
        "last_seen_date": D(2025, 3, 10),
        "closure_date": None,
        "closure_reason": None,
        "case_status": "c) Child in need plan",
    },
    7: {
        "start_date": D(2024, 9, 2),
        "initial_category": "NEG",
        "latest_category": "EMO",
        "last_visit_date": D(2025, 3, 20),
        "seen_alone": "Yes",
        "latest_review_date": D(2024, 12, 2),
        "end_date": None,
        "emergency_protection": "No",
        "previous_plans": 0,
    },
}


def _row(number, line=5, **changes):
    spec = LISTS[number]
    values = {**CHILD, **CLEAN[number], **changes}
    match = match_headings(spec, [f.label for f in spec.fields])
    return read_row(spec, "Sheet", line, tuple(values.get(f.name) for f in spec.fields), match)


def findings(number, *rows_changes, ref=REF):
    """Findings for one or more rows of list ``number`` (each a dict of changed values)."""
    validator = AnnexAValidator(AnnexAContext(ref))
    out = []
    for line, changes in enumerate(rows_changes or [{}], start=2):
        out += validator.check_row(_row(number, line=line, **changes))
    return out + validator.finish(dict.fromkeys(LISTS, 1))


def codes(number, *rows_changes, ref=REF):
    return {f.code for f in findings(number, *rows_changes, ref=ref)}


@pytest.mark.parametrize("number", sorted(LISTS))
def test_a_clean_row_of_every_list_has_no_findings(number):
    assert findings(number) == []


def test_every_rule_cites_its_source_and_says_how_to_fix_it():
    for rule in all_rules():
        assert rule.source.startswith("Source:"), rule.code
        assert rule.fix.endswith("."), rule.code
        assert rule.code.endswith("Q") == (rule.severity == "query"), rule.code


def test_the_findings_report_gets_every_checks_title_and_fix():
    from safeguard.annexa.rules import ANNEX_A_CHECKS

    assert set(ANNEX_A_CHECKS) == set(REGISTRY)
    assert ANNEX_A_CHECKS["AA04"] == ("error", REGISTRY["AA04"].title, REGISTRY["AA04"].fix)
    assert ANNEX_A_CHECKS["AA05Q"][0] == "query"


def test_aa01_a_required_column_missing_is_an_error():
    spec = LISTS[7]
    validator = AnnexAValidator(AnnexAContext(REF))
    good = SheetRecord("List 7", spec, 1, match_headings(spec, [f.label for f in spec.fields]))
    assert validator.check_sheet(good) == []
    missing = SheetRecord("List 7", spec, 1, match_headings(spec, ["Child Unique ID", "Initial Category of Abuse"]))
    [finding] = validator.check_sheet(missing)
    assert (finding.code, finding.severity, finding.field, finding.line) == (
        "AA01",
        "error",
        "Child protection plan start date",
        1,
    )
    assert (
        "Sheet “List 7” (List 7 (child protection)) has no column for “Child protection plan start date”"
        in finding.message
    )
    [no_headings] = validator.check_sheet(SheetRecord("L7", spec, None, ColumnMatch(spec)))
    assert "no row of column headings was recognised" in no_headings.message


def test_aa02_a_date_that_cannot_be_read():
    assert "AA02" not in codes(1, {"contact_date": "06/01/2025"})
    [finding] = findings(1, {"contact_date": "31/02/2025"})
    assert finding.code == "AA02" and finding.field == "Date of contact" and finding.line == 2
    assert finding.la_child_id == "SYN000001"
    assert finding.message.startswith(
        "Sheet “Sheet” (List 1 (contacts)), row 2, column “Date of contact”: “31/02/2025”"
    )


def test_aa03_a_code_not_in_its_list():
    assert codes(7, {"initial_category": "a) Neglect", "gender": "a) Male"}) == set()
    assert codes(7, {"initial_category": "NEGLECTED"}) == {"AA03"}
    assert codes(6, {"primary_need": "N10"}) == {"AA03"}
    assert codes(1, {"gender": "X"}) == {"AA03"}


def test_aa04_dates_in_the_wrong_order():
    assert codes(5, {"icpc_date": D(2025, 1, 6)}) == set()  # same day is allowed for a conference
    assert codes(5, {"icpc_date": D(2025, 1, 3)}) == {"AA04"}
    assert codes(7, {"end_date": D(2024, 9, 2)}) == {"AA04"}  # a plan cannot end the day it starts
    [finding] = findings(7, {"latest_review_date": D(2024, 8, 1)})
    assert "Date of the latest review conference 01/08/2024 is before child protection plan start date 02/09/2024" in (
        finding.message
    )
    assert "8841" in finding.message
    assert codes(2, {"completion_date": D(2025, 1, 1)}) == {"AA04"}
    assert codes(4, {"authorisation_date": D(2025, 1, 1)}) == {"AA04"}
    assert "AA04" in codes(6, {"closure_date": D(2023, 1, 1), "closure_reason": "RC7"})


def test_aa05_a_date_after_the_reference_date():
    assert codes(1, {"contact_date": REF}) == set()
    assert codes(1, {"contact_date": REF + dt.timedelta(days=1)}) == {"AA05"}
    assert codes(1, {"birth_date": REF + dt.timedelta(days=60), "age": None}) == set()  # an unborn child


def test_aa05q_a_date_before_the_inspection_window():
    assert codes(1, {"contact_date": D(2024, 4, 1)}) == set()  # the first day of the window
    assert codes(1, {"contact_date": D(2024, 3, 31)}) == {"AA05Q"}
    assert codes(7, {"start_date": D(2021, 1, 4), "latest_review_date": D(2021, 4, 6)}) == set()  # open plan, long ago
    ended_long_ago = {"start_date": D(2023, 6, 5), "latest_review_date": None, "end_date": D(2024, 1, 8)}
    assert codes(7, ended_long_ago) == {"AA05Q"}


def test_aa06_a_child_twice_on_a_one_row_per_child_list_for_the_same_time():
    again = {"start_date": D(2024, 11, 4), "latest_review_date": None}
    [finding] = findings(7, {}, again)
    assert (finding.code, finding.line, finding.la_child_id) == ("AA06", 3, "SYN000001")
    assert "also on row 2" in finding.message
    ended = {"end_date": D(2024, 10, 1)}
    later = {"start_date": D(2024, 10, 1), "latest_review_date": None}
    assert codes(7, ended, later) == set()  # a new plan on the day the last one ended
    other_child = {"child_id": "SYN000002"}
    assert codes(7, {}, other_child) == set()
    assert codes(3, {}, {}) == set()  # referrals: a child may be referred twice


def test_aa07_a_yes_no_that_is_not_recognised():
    assert codes(7, {"seen_alone": "Unknown"}) == set()
    assert codes(7, {"seen_alone": "Maybe"}) == {"AA07"}


def test_aa08_a_required_value_left_blank():
    assert codes(1, {"contact_source": None, "gender": None}) == set()
    assert codes(1, {"child_id": None}) == {"AA08"}
    assert codes(1, {"contact_date": "  "}) == {"AA08"}


def test_aa09_a_count_that_is_not_a_whole_number():
    assert codes(7, {"previous_plans": "0"}) == set()
    assert codes(7, {"previous_plans": -1}) == {"AA09"}
    assert codes(3, {"referrals_last_12_months": "two"}) == {"AA09"}


def test_aa10q_an_age_that_does_not_match_the_date_of_birth():
    assert codes(1, {"age": 9}) == set()
    assert codes(1, {"birth_date": D(2015, 2, 1), "age": 9}) == set()  # 9 at the contact, 10 at the reference date
    assert codes(1, {"age": 12}) == {"AA10Q"}


def test_aa11_a_child_id_that_cannot_be_used():
    assert codes(1, {"child_id": "X" * 40}) == set()
    assert codes(1, {"child_id": "X" * 41}) == {"AA11"}


def test_aa12_a_closure_date_and_its_reason_go_together():
    assert codes(6, {"closure_date": D(2025, 2, 3), "closure_reason": "RC7", "case_status": "Closed episode"}) == set()
    assert codes(6, {"closure_date": D(2025, 2, 3)}) == {"AA12"}
    assert codes(6, {"closure_reason": "RC7"}) == {"AA12"}


def test_aa13q_section_47_outcomes_that_disagree():
    assert codes(5, {"icpc_not_required": "Yes"}) == {"AA13Q"}
    assert codes(5, {"icpc_date": None, "resulted_in_plan": "Yes", "icpc_not_required": "No"}) == {"AA13Q"}
    assert codes(5, {"icpc_date": None, "resulted_in_plan": None, "icpc_not_required": "Yes"}) == set()


def test_aa14q_a_list_missing_or_empty():
    validator = AnnexAValidator(AnnexAContext(REF))
    assert validator.finish(dict.fromkeys(LISTS, 3)) == []
    found = {number: 3 for number in LISTS if number != 5} | {6: 0}
    messages = [f.message for f in validator.finish(found)]
    assert messages == [
        "The workbook has no sheet for List 5 (section 47 enquiries and icpcs): figures that need it will be blank.",
        "The sheet for List 6 (children in need) has headings but no rows.",
    ]


def test_aa16q_a_text_too_long_is_shortened():
    assert codes(1, {"allocated_team": "T" * 200}) == set()
    assert codes(1, {"allocated_team": "T" * 201}) == {"AA16Q"}


def test_aa99q_says_when_not_every_finding_is_listed():
    validator = AnnexAValidator(AnnexAContext(REF))
    note = validator.note_cap(limit=20_000, total=25_000)
    assert note.code == "AA99Q" and "first 20,000 of 25,000 findings" in note.message
    assert REGISTRY["AA99Q"].severity == "query"


def test_a_rule_registered_twice_or_mislabelled_is_refused():
    from safeguard.annexa.rules import annex_rule

    with pytest.raises(ValueError, match="registered twice"):
        annex_rule("AA02", severity="error", title="x", fix="x.")(lambda row, ctx: [])
    with pytest.raises(ValueError, match="codes ending in Q"):
        annex_rule("AA90", severity="query", title="x", fix="x.")(lambda row, ctx: [])
