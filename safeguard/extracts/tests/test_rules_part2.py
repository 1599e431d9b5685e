"""CIN census validation rules, part 2: assessments, CIN plans, section 47 enquiries and child
protection plans (``census/rules/{assessments,cin_plans,section47,cp_plans}.py``).

Plain functions over synthetic records: no database. The case table (``rule_cases_part2.CASES``)
holds, for every rule code, valid examples and failing ones; the tests run the whole part-2 rule
set over each, so a passing example is clean for every rule and a failing one reports its code
(plus only the codes the case says cannot be avoided).
"""

from __future__ import annotations

import datetime as dt
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from safeguard.extracts.census.rules import assessments, cin_plans, cp_plans, section47
from safeguard.extracts.census.rules.assessments import (
    NO_HITS,
    Spans,
    earliest_start_not_overdue,
    starts_inside_another,
)
from safeguard.extracts.census.validation import ERROR, QUERY, CensusContext, CensusValidator, all_rules, rules_for
from safeguard.extracts.tests.rule_cases_part2 import (
    CALENDAR,
    CASES,
    ICPC,
    S47_START,
    Case,
    assessment,
    child,
    cin_plan,
    cp_plan,
    episode,
    plausible_children,
    protected,
    rich,
    s47,
)

D = dt.date
PART2_MODULES = {m.__name__ for m in (assessments, cin_plans, section47, cp_plans)}

#: Every element a part-2 rule may name (the DfE CIN census schema).
ELEMENTS = {
    "CINreferralDate",
    "CINclosureDate",
    "ReasonForClosure",
    "DateOfInitialCPC",
    "ReferralNFA",
    "PersonDeathDate",
    "AssessmentActualStartDate",
    "AssessmentAuthorisationDate",
    "AssessmentFactors",
    "CINPlanStartDate",
    "CINPlanEndDate",
    "S47ActualStartDate",
    "InitialCPCtarget",
    "ICPCnotRequired",
    "CPPstartDate",
    "CPPendDate",
    "InitialCategoryOfAbuse",
    "LatestCategoryOfAbuse",
    "NumberOfPreviousCPP",
    "CPPreviewDate",
}


def part2_rules(year: int | None = None):
    chosen = all_rules() if year is None else rules_for(year)
    return [r for r in chosen if r.func.__module__ in PART2_MODULES]


def context(case: Case) -> CensusContext:
    ctx = CensusContext(case.year, CALENDAR)
    if case.period_end is not None:
        ctx.period_end = case.period_end
    return ctx


def findings(record, ctx: CensusContext, rules=None):
    validator = CensusValidator(ctx, rules=part2_rules(ctx.year) if rules is None else rules)
    return validator.check_child(record)


def _examples(kind: str) -> list:
    return [
        pytest.param(code, case, record, id=f"{code}-case{i}-{kind}{j}")
        for code, cases in sorted(CASES.items())
        for i, case in enumerate(cases)
        for j, record in enumerate(getattr(case, kind))
    ]


# --- the case table ------------------------------------------------------------------------------


def test_the_case_table_covers_every_code_registered_by_the_part2_modules():
    registered = {r.code for r in part2_rules()}
    assert registered == set(CASES)
    assert len(registered) == 58


@pytest.mark.parametrize("code", sorted(CASES))
def test_every_code_has_at_least_one_passing_and_one_failing_example(code):
    assert any(case.passing for case in CASES[code]), code
    assert any(case.failing for case in CASES[code]), code


@pytest.mark.parametrize(("code", "case", "record"), _examples("passing"))
def test_passing_example_is_clean_for_every_part2_rule(code, case, record):
    found = findings(record, context(case))
    assert [(f.code, f.message) for f in found] == [], case.note


@pytest.mark.parametrize(("code", "case", "record"), _examples("failing"))
def test_failing_example_reports_exactly_its_code(code, case, record):
    ctx = context(case)
    codes = {f.code for f in findings(record, ctx)}
    assert code in codes, case.note
    assert codes - {code} <= case.also, (codes, case.note)

    (only,) = [r for r in part2_rules(ctx.year) if r.code == code]
    for finding in findings(record, ctx, rules=[only]):
        assert finding.code == code
        assert finding.severity == only.severity
        assert finding.field in only.fields, "a hit names one of the fields the rule declares"
        assert finding.line and finding.line > 0
        assert finding.message.endswith(".") and finding.fix == only.fix
        assert finding.la_child_id == record.la_child_id


# --- the registry entries ------------------------------------------------------------------------


@pytest.mark.parametrize("registered", part2_rules(), ids=lambda r: r.code)
def test_each_rule_is_registered_as_the_dfe_states_it(registered):
    assert registered.severity == (QUERY if registered.code.endswith("Q") else ERROR)
    assert registered.scope == "child"
    assert registered.title.strip() and registered.fix.strip()
    assert registered.fields and set(registered.fields) <= ELEMENTS
    assert registered.func.__name__.islower() and len(registered.func.__name__) > 12


def test_every_part2_module_cites_its_source():
    for module in (assessments, cin_plans, section47, cp_plans):
        assert "Source: DfE" in module.__doc__


def test_each_function_name_says_what_it_checks_and_is_used_once():
    names = [r.func.__name__ for r in part2_rules()]
    assert len(names) == len(set(names))


def test_obsolete_factor_queries_apply_from_the_2024_25_collection():
    for code in ("8945Q", "8950Q"):
        assert code in {r.code for r in rules_for(2025)}
        assert code in {r.code for r in rules_for(2026)}
        assert code not in {r.code for r in rules_for(2024)}
    old_file = child(episode("2023-04-17", assessments=(assessment("2023-04-17", "2023-05-22", ["18A", "19A"]),)))
    assert findings(old_file, CensusContext(2024, CALENDAR)) == []


def test_a_clean_child_gets_the_shared_empty_result_from_every_rule():
    record, ctx = rich(), CensusContext(2025, CALENDAR)
    for registered in part2_rules(2025):
        assert registered.func(record, ctx) is NO_HITS, registered.code


# --- what a finding says -------------------------------------------------------------------------


def test_a_finding_names_the_field_and_the_line_and_quotes_the_dates():
    plan = cp_plan("2025-01-06", "2025-01-06")
    record = child(
        episode(
            assessments=(assessment("2024-12-02", "2024-12-09"),),
            s47s=(s47("2024-12-16", "2025-01-06"),),
            cp_plans=(plan,),
        )
    )
    (finding,) = findings(record, CensusContext(2025, CALENDAR))
    assert finding.code == "8840"
    assert finding.field == "CPPendDate"
    assert finding.line == plan.lines["CPPendDate"] != plan.line
    assert finding.message == "The plan starting 2025-01-06 also ends on 2025-01-06."
    assert finding.la_child_id == record.la_child_id


def test_a_finding_on_an_absent_element_points_at_the_record_line():
    first, second = assessment("2025-02-03"), assessment("2025-02-10")
    assert "AssessmentAuthorisationDate" not in second.lines
    record = child(episode(assessments=(first, second)))
    (finding,) = [f for f in findings(record, CensusContext(2025, CALENDAR)) if f.code == "8896"]
    assert finding.field == "AssessmentAuthorisationDate"
    assert finding.line == second.line
    assert "2 assessments with no authorisation date (starting 2025-02-03, 2025-02-10)" in finding.message


def test_a_review_finding_points_at_the_review_line():
    plan = cp_plan(ICPC, reviews=("2024-09-30", None))
    (finding,) = findings(protected(plan), CensusContext(2025, CALENDAR))
    assert (finding.code, finding.field, finding.line) == ("8842Q", "CPPreviewDate", plan.review_lines[1])


def test_working_day_messages_give_the_deadline_that_passed():
    record = child(episode("2025-01-20", assessments=(assessment("2025-01-24"),)))
    (finding,) = findings(record, CensusContext(2025, CALENDAR))
    assert finding.message == (
        "The assessment started on 2025-01-24 has no authorisation date, and the census year ended on 2025-03-31, "
        "after its 45th working day (2025-03-28)."
    )
    ctx = CensusContext(2025, CALENDAR)
    ctx.period_end = D(2025, 1, 15)
    record = child(
        episode("2024-12-16", assessments=(assessment("2024-12-16", "2024-12-17"),), s47s=(s47("2024-12-19"),))
    )
    (finding,) = findings(record, ctx)
    assert finding.message.endswith("after its 15th working day (2025-01-14).")


def test_messages_quote_the_offending_codes():
    record = child(episode(assessments=(assessment("2024-04-16", "2024-05-20", ["21", "3B", "3B"]),)))
    messages = {f.code: f.message for f in findings(record, CensusContext(2025, CALENDAR))}
    assert "'21' (no factors identified) together with '3B', '3B'" in messages["8869"]
    assert "records '3B' more than once" in messages["8898"]
    plans = protected(cp_plan(ICPC, "2024-10-07"), cp_plan("2024-10-08"))
    (finding,) = [f for f in findings(plans, CensusContext(2025, CALENDAR)) if f.code == "2883"]
    assert finding.message == (
        "The episode referred on 2024-04-15 has 2 child protection plans starting in the census year (2024-07-01, "
        "2024-10-08) but only 1 initial conference (2024-07-01) in it."
    )
    assert finding.line == plans.episodes[0].cp_plans[1].lines["CPPstartDate"], "the plan without a conference"
    plan = cp_plan(ICPC, initial="NEGLECT")
    (finding,) = findings(protected(plan), CensusContext(2025, CALENDAR))
    assert finding.message == (
        "The child protection plan starting 2024-07-01 has initial category of abuse 'NEGLECT', which is not one of "
        "the codes NEG, PHY, SAB, EMO, MUL."
    )


# --- working days --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period_end", "days", "earliest"),
    [
        (D(2025, 1, 15), 15, D(2024, 12, 20)),  # Christmas, Boxing Day and New Year's Day skipped
        (D(2025, 5, 6), 15, D(2025, 4, 10)),  # Good Friday, Easter Monday, early May bank holiday
        (D(2025, 3, 31), 15, D(2025, 3, 10)),  # a Monday
        (D(2025, 3, 31), 45, D(2025, 1, 27)),
        (D(2024, 3, 31), 45, D(2024, 1, 26)),  # Easter Sunday; the leap day counts
        (D(2024, 3, 31), 15, D(2024, 3, 8)),
        (D(2026, 3, 31), 45, D(2026, 1, 27)),
    ],
)
def test_earliest_start_not_overdue_on_real_calendar_dates(period_end, days, earliest):
    assert earliest_start_not_overdue(CALENDAR, period_end, days) == earliest
    assert CALENDAR.within(earliest, period_end, days)
    assert not CALENDAR.within(earliest - dt.timedelta(days=1), period_end, days)


@settings(max_examples=200, deadline=None)
@given(
    start=st.dates(D(2016, 1, 1), D(2030, 12, 31)),
    period_end=st.dates(D(2017, 1, 1), D(2030, 12, 31)),
    days=st.sampled_from((1, 15, 45)),
)
def test_a_start_before_the_threshold_is_exactly_one_past_its_working_days(start, period_end, days):
    threshold = earliest_start_not_overdue(CALENDAR, period_end, days)
    assert (start < threshold) == (not CALENDAR.within(start, period_end, days))


# --- the O(n log n) overlap helpers against the pairwise definition ------------------------------

_days = st.integers(0, 40).map(lambda n: D(2024, 6, 1) + dt.timedelta(days=n))
_spans = st.lists(st.tuples(st.one_of(st.none(), _days), _days), max_size=9)


@settings(max_examples=300, deadline=None)
@given(_spans)
def test_starts_inside_another_matches_the_pairwise_condition(spans):
    items = list(enumerate(spans))
    found = starts_inside_another(items, lambda item: item[1][0], lambda item: item[1][1])
    expected = {
        a
        for a, (a_start, _) in items
        if a_start is not None
        and any(b != a and b_start is not None and b_start <= a_start < b_until for b, (b_start, b_until) in items)
    }
    assert {item[0] for item, _ in found} == expected
    for (a, (a_start, _)), (b, (b_start, b_until)) in found:
        assert a != b and b_start <= a_start < b_until, "the witness really holds the start"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_days, _days), max_size=8), _days)
def test_spans_find_a_span_holding_a_day_exactly_when_one_exists(spans, probe):
    holder = Spans((start, until, (start, until)) for start, until in spans)
    found = holder.holding(probe)
    if any(start <= probe < until for start, until in spans):
        assert found is not None and found[0] <= probe < found[1]
    else:
        assert found is None


def test_overlap_rules_are_not_quadratic():
    """200 overlapping CIN plans, child protection plans, enquiries and assessments in one episode:
    a pairwise check would make ~40,000 comparisons per rule and allocate a hit per pair."""
    first = D(2024, 4, 1)
    many = 200
    days = [first + dt.timedelta(days=i) for i in range(many)]
    record = child(
        episode(
            "2024-04-01",
            assessments=tuple(assessment(d, d + dt.timedelta(days=2)) for d in days),
            s47s=tuple(s47(d, d + dt.timedelta(days=2)) for d in days),
            cin_plans=(),
            cp_plans=tuple(cp_plan(d, d + dt.timedelta(days=2), reviews=()) for d in days),
        )
    )
    ctx = CensusContext(2025, CALENDAR)
    started = time.perf_counter()
    for code in ("8863Q", "8890", "8940"):
        (only,) = [r for r in part2_rules(2025) if r.code == code]
        hits = only.func(record, ctx)
        assert len(hits) == many - 1, code  # every one but the first starts inside its predecessor
    assert time.perf_counter() - started < 1.0


# --- rules across parts of a child ----------------------------------------------------------------


def test_cin_plans_are_compared_across_episodes_of_the_child():
    record = child(
        episode("2024-04-15", closure="2024-09-02", reason="RC7", cin_plans=()),
        episode("2024-06-03", assessments=(assessment("2024-06-03", "2024-06-10"),), s47s=(s47(S47_START, ICPC),)),
    )
    record.episodes[0].cp_plans.append(cp_plan("2024-05-01", "2024-08-01"))
    record.episodes[1].cin_plans.append(cin_plan("2024-07-01"))
    messages = {f.code: f.message for f in findings(record, CensusContext(2025, CALENDAR))}
    assert messages["4016"] == (
        "The CIN plan starting 2024-07-01 starts while the child protection plan starting 2024-05-01 (ending "
        "2024-08-01) is open."
    )


def test_an_s47_flagged_icpc_not_required_does_not_hold_later_enquiries_open():
    def enquiries(second_start):
        return child(
            episode(
                "2025-03-03",
                assessments=(assessment("2025-03-03", "2025-03-04"),),
                s47s=(s47("2025-03-10", not_required=True), s47(second_start)),
            )
        )

    assert findings(enquiries("2025-03-11"), CensusContext(2025, CALENDAR)) == []
    # On the same day, the finished one starts while the other (awaiting its conference) is ongoing.
    same_day = enquiries("2025-03-10")
    (finding,) = findings(same_day, CensusContext(2025, CALENDAR))
    assert finding.code == "8890"
    assert finding.line == same_day.episodes[0].section47s[0].lines["S47ActualStartDate"]


def test_a_missing_icpc_not_required_flag_counts_as_awaiting_a_conference():
    record = child(
        episode(
            "2025-03-03",
            closure="2025-03-20",
            reason="RC7",
            assessments=(assessment("2025-03-03", "2025-03-04"),),
            s47s=(s47("2025-03-17", not_required=None),),
        )
    )
    assert {f.code for f in findings(record, CensusContext(2025, CALENDAR))} == {"8868"}


# --- plausible data: no false positives, and the cost per child -----------------------------------


def test_plausible_valid_children_raise_nothing_and_run_fast():
    children = plausible_children(3000, seed=7)
    assert sum(1 for c in children for e in c.episodes for _ in e.cp_plans) > 100, "the sample has plans"
    validator = CensusValidator(CensusContext(2025, CALENDAR), rules=part2_rules(2025))
    started = time.perf_counter()
    found = [f for c in children for f in validator.check_child(c)]
    elapsed = time.perf_counter() - started
    assert [(f.code, f.message) for f in found[:5]] == []
    # Generous (about 10x the measured cost on a shared two-core machine): catches a quadratic
    # rule or a per-child allocation storm, not noise.
    assert elapsed / len(children) < 0.001
