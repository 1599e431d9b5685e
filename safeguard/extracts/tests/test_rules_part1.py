"""The CIN census rules in part 1: header, identifiers, characteristics, episodes and the file-level
rules. Plain Python, no database.

The examples live in ``rule_cases_part1.CASES`` (one list per DfE code); a meta-test keeps the table
in step with the registry.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from safeguard.extracts.census.records import CensusHeader
from safeguard.extracts.census.rules.episodes import working_day_before
from safeguard.extracts.census.rules.file_level import MAX_SHARE_WITHOUT_SEX, MIN_DISABILITY_CODES_USED
from safeguard.extracts.census.rules.identifiers import (
    UPN_CHECK_ALPHABET,
    UPN_LA_CODES,
    upn_check_letter,
    upn_problem,
)
from safeguard.extracts.census.validation import (
    ERROR,
    QUERY,
    CensusContext,
    CensusValidator,
    Hit,
    Rule,
    all_rules,
    rules_for,
)
from safeguard.workdays.calendar import Calendar

from .rule_cases_part1 import (
    CASES,
    YEAR,
    Example,
    a_file,
    child,
    episode,
    header,
    make_upn,
    nfa_episode,
    plausible_children,
)

D = dt.date
CAL = Calendar(D(2015, 1, 1), D(2035, 12, 31))
PART_1 = frozenset(
    f"safeguard.extracts.census.rules.{name}"
    for name in ("header", "identifiers", "characteristics", "episodes", "file_level")
)


def part1_rules(year: int, scope: str | None = None) -> list[Rule]:
    return [r for r in rules_for(year) if r.func.__module__ in PART_1 and (scope is None or r.scope == scope)]


def part1_registrations() -> list[Rule]:
    return [r for r in all_rules() if r.func.__module__ in PART_1]


def hits_of(rule: Rule, subject, ctx: CensusContext) -> list[Hit]:
    if rule.scope == "header":
        return list(rule.func(subject, ctx))
    if rule.scope == "file":
        state = rule.func()
        for one in subject:
            state.see(one, ctx)
        return [hit for _la_child_id, hit in state.finish(ctx)]
    return list(rule.func(subject, ctx))


def run(example: Example) -> dict[str, list[Hit]]:
    """Every part-1 rule of the example's scope, for its year: the codes that fire, with their hits."""
    subject = example.build()
    if isinstance(subject, CensusHeader):
        scope = "header"
    elif isinstance(subject, list):
        scope = "file"
    else:
        scope = "child"
    ctx = CensusContext(example.year, CAL)
    found = {}
    for r in part1_rules(example.year, scope):
        hits = hits_of(r, subject, ctx)
        if hits:
            found[r.code] = hits
    return found


EXAMPLES = [(code, example) for code, examples in CASES.items() for example in examples]
PASSING = [pytest.param(code, ex, id=f"{code}: {ex.label}") for code, ex in EXAMPLES if ex.passes]
FAILING = [pytest.param(code, ex, id=f"{code}: {ex.label}") for code, ex in EXAMPLES if not ex.passes]


# --- The case table -------------------------------------------------------------------------------
def test_the_case_table_covers_every_part_1_rule():
    assert set(CASES) == {r.code for r in part1_registrations()}


def test_every_version_of_every_rule_has_a_passing_and_a_failing_example():
    for r in part1_registrations():
        examples = [ex for ex in CASES[r.code] if r.applies_to(ex.year) and r in part1_rules(ex.year)]
        assert any(ex.passes for ex in examples), f"{r.code} ({r.func.__name__}) has no passing example"
        assert any(not ex.passes for ex in examples), f"{r.code} ({r.func.__name__}) has no failing example"


def test_part_1_registers_the_51_codes_it_owns():
    codes = {r.code for r in part1_registrations()}
    assert len(codes) == 51
    assert {"100", "1520", "2886Q", "8510", "8569Q", "8820", "8866"} <= codes


def test_every_part_1_rule_says_what_it_checks_how_to_fix_it_and_where_the_rule_comes_from():
    for r in part1_registrations():
        assert r.title and r.fix and r.fields, r.code
        assert r.severity == (QUERY if r.code.endswith("Q") else ERROR), r.code
        assert f"DfE {r.code}" in (r.func.__doc__ or ""), f"{r.code}: the docstring cites the DfE rule"
        assert r.fix.endswith("."), r.code


def test_rules_that_changed_in_2024_25_have_one_version_each_side():
    for code in ("4180", "8750", "2886Q"):
        assert _rule(code, 2024).last_year == 2024
        assert _rule(code, 2025).first_year == 2025
    assert "1570" not in {r.code for r in part1_rules(2024)}
    assert "1580" in {r.code for r in part1_rules(2026)}


@pytest.mark.parametrize(("code", "example"), PASSING)
def test_a_passing_example_trips_no_rule(code, example):
    found = run(example)
    unexpected = set(found) - set(example.also)
    assert not unexpected, {c: [h.message for h in found[c]] for c in unexpected}
    assert code not in found


@pytest.mark.parametrize(("code", "example"), FAILING)
def test_a_failing_example_trips_exactly_its_rule(code, example):
    found = run(example)
    assert set(found) == {code, *example.also}, {c: [h.message for h in hits] for c, hits in found.items()}
    hits = found[code]
    assert len(hits) == example.hits, [h.message for h in hits]
    first = hits[0]
    assert first.field == example.field
    assert first.line == example.line
    assert example.quote in first.message
    assert first.message.endswith("."), first.message


# --- Lines and the validator ----------------------------------------------------------------------
def test_a_hit_falls_back_to_the_records_own_line_when_the_element_is_absent():
    bare = child(sex="", line=120, lines={})
    [hit] = hits_of(_rule("4180", YEAR), bare, CensusContext(YEAR, CAL))
    assert (hit.field, hit.line) == ("Sex", 120)


def test_the_validator_turns_hits_into_findings_with_code_fix_field_line_and_child():
    ctx = CensusContext(YEAR, CAL)
    validator = CensusValidator(ctx, rules=part1_rules(YEAR))
    assert list(validator.check_header(header(D(2026, 3, 31)))) == []
    children = a_file()
    children[4].episodes[0].referral_source = "99"
    findings = [finding for one in children for finding in validator.check_child(one)]
    findings += list(validator.finish())
    [finding] = findings
    assert finding.code == "8866"
    assert finding.severity == ERROR
    assert finding.fix == _rule("8866", YEAR).fix
    assert (finding.field, finding.line, finding.la_child_id) == ("ReferralSource", 20 + 40 * 4 + 17, "NDC1000004")
    assert "'99'" in finding.message
    assert validator.counts == Counter({"8866": 1})


def test_file_level_findings_about_the_whole_return_have_no_child_and_no_line():
    ctx = CensusContext(YEAR, CAL)
    validator = CensusValidator(ctx, rules=part1_rules(YEAR, "file"))
    for one in a_file(disabilities=(["NONE"],)):
        validator.check_child(one)
    [finding] = list(validator.finish())
    assert (finding.code, finding.la_child_id, finding.line) == ("2887Q", "", None)


def test_plausible_returns_raise_no_finding():
    for year in (2024, 2025, 2026):
        ctx = CensusContext(year, CAL)
        validator = CensusValidator(ctx, rules=part1_rules(year))
        findings = list(validator.check_header(header(D(year, 3, 31), year)))
        for one in plausible_children(600, year):
            findings += validator.check_child(one)
        findings += list(validator.finish())
        assert findings == [], [(f.code, f.la_child_id, f.message) for f in findings[:5]]


def test_the_thresholds_are_the_dfe_ones():
    assert MAX_SHARE_WITHOUT_SEX == 0.02
    assert MIN_DISABILITY_CODES_USED == 8


# --- The UPN check letter -------------------------------------------------------------------------
def test_the_check_letter_follows_the_dfe_algorithm_by_hand():
    # Characters 2-13 of "?201234567890": 2*2 + 0*3 + 1*4 + 2*5 + 3*6 + 4*7 + 5*8 + 6*9 + 7*10 + 8*11 + 9*12 + 0*13
    # = 4 + 0 + 4 + 10 + 18 + 28 + 40 + 54 + 70 + 88 + 108 + 0 = 424; 424 mod 23 = 10 -> L.
    assert upn_check_letter("?201234567890") == "L"
    # A letter at 13 counts as its place in the alphabet: Z is 22, so 424 + 22 * 13 = 710; 710 mod 23 = 20 -> X.
    assert upn_check_letter("?20123456789Z") == "X"
    assert upn_check_letter("?2012345678I0") is None  # a letter before character 13
    assert upn_check_letter("?20123456789I") is None  # I is not in the alphabet
    assert len(UPN_CHECK_ALPHABET) == 23 and not set("IOS") & set(UPN_CHECK_ALPHABET)


def test_the_la_codes_include_current_and_former_authorities_and_nothing_else():
    assert {"201", "873", "931", "940", "941", "942", "943", "909", "928", "001", "660"} <= UPN_LA_CODES
    assert not {"000", "200", "214", "834", "899", "944", "999"} & UPN_LA_CODES
    assert all(len(code) == 3 and code.isdigit() for code in UPN_LA_CODES)


UPN_PARTS = st.tuples(
    st.sampled_from(sorted(UPN_LA_CODES)),
    st.text("0123456789", min_size=8, max_size=8),
    st.sampled_from("0123456789" + UPN_CHECK_ALPHABET),
)
UPN_RULES = ("1510", "1530", "1540", "1550")


@given(UPN_PARTS)
def test_a_generated_valid_upn_passes_every_upn_rule(parts):
    upn = make_upn(*parts)
    ctx = CensusContext(YEAR, CAL)
    subject = child(upn=upn)
    for code in UPN_RULES:
        assert hits_of(_rule(code, YEAR), subject, ctx) == [], code
    assert upn_problem(upn) == ""
    assert hits_of(_rule("1560Q", YEAR), child(former_upn=upn), ctx) == []


@given(UPN_PARTS, st.integers(1, 11), st.integers(1, 9))
def test_changing_any_one_digit_breaks_the_check_letter(parts, position, shift):
    upn = make_upn(*parts)
    digit = str((int(upn[position]) + shift) % 10)
    mistyped = upn[:position] + digit + upn[position + 1 :]
    [hit] = hits_of(_rule("1510", YEAR), child(upn=mistyped), CensusContext(YEAR, CAL))
    assert mistyped in hit.message


@given(UPN_PARTS, st.integers(1, 10))
def test_swapping_two_different_neighbouring_digits_breaks_the_check_letter(parts, position):
    upn = make_upn(*parts)
    if upn[position] == upn[position + 1]:
        return
    swapped = upn[:position] + upn[position + 1] + upn[position] + upn[position + 2 :]
    assert len(hits_of(_rule("1510", YEAR), child(upn=swapped), CensusContext(YEAR, CAL))) == 1


# --- Working days (8569Q) -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("day", "before"),
    [
        (D(2024, 4, 1), D(2024, 3, 28)),  # Easter Monday 2024: skip Good Friday and the weekend
        (D(2025, 4, 1), D(2025, 3, 31)),  # a Tuesday: the day before
        (D(2025, 4, 22), D(2025, 4, 17)),  # after Easter 2025 (Good Friday 18, Easter Monday 21 April)
        (D(2025, 12, 29), D(2025, 12, 24)),  # Christmas, Boxing Day and a weekend
        (D(2024, 3, 1), D(2024, 2, 29)),  # leap day, a Thursday
        (D(2025, 6, 2), D(2025, 5, 30)),  # Monday: back to Friday
    ],
)
def test_the_working_day_before(day, before):
    assert working_day_before(CAL, day) == before


def test_8569q_skips_a_partnership_closure_day():
    closed_on_31_march = Calendar(D(2015, 1, 1), D(2035, 12, 31), closures=[D(2025, 3, 31)])
    nfa_on_friday = child(episodes=[nfa_episode(D(2025, 3, 28), closure=D(2025, 4, 1))])
    rule = _rule("8569Q", YEAR)
    assert hits_of(rule, nfa_on_friday, CensusContext(YEAR, closed_on_31_march)) == []
    assert len(hits_of(rule, nfa_on_friday, CensusContext(YEAR, CAL))) == 1


# --- Overlapping episodes (8820) ------------------------------------------------------------------
SPELLS = st.lists(st.tuples(st.integers(0, 30), st.integers(0, 60)), min_size=2, max_size=5)


def _back_to_back(spells: list[tuple[int, int]]) -> list:
    """Episodes one after another: each starts ``gap`` days after the last closed and lasts
    ``length`` days; the last stays open."""
    day = D(2025, 4, 1)
    episodes = []
    for index, (gap, length) in enumerate(spells):
        start = day + dt.timedelta(days=gap)
        last = index == len(spells) - 1
        closed = None if last else start + dt.timedelta(days=length)
        episodes.append(
            episode(start, closure=closed, reason="" if last else "RC7", assessments=[], line=35 + 100 * index)
        )
        day = closed or start
    return episodes


@given(SPELLS)
def test_episodes_one_after_another_never_overlap(spells):
    hits = hits_of(_rule("8820", YEAR), child(episodes=_back_to_back(spells)), CensusContext(YEAR, CAL))
    assert hits == []


@given(SPELLS)
def test_an_episode_starting_inside_another_is_reported_once(spells):
    assume(spells[0][1] >= 2)  # the first episode lasts long enough to start another inside it
    episodes = _back_to_back(spells)
    first = episodes[0]
    day = first.referral_date + dt.timedelta(days=1)
    inside = episode(day, closure=day, reason="RC7", assessments=[], line=900)
    hits = hits_of(_rule("8820", YEAR), child(episodes=[*episodes, inside]), CensusContext(YEAR, CAL))
    assert [hit.line for hit in hits] == [901]


def test_two_episodes_referred_on_the_same_day_overlap_once():
    twins = [episode(D(2025, 5, 6), closure=D(2025, 6, 9), reason="RC8"), episode(D(2025, 5, 6), line=135)]
    hits = hits_of(_rule("8820", YEAR), child(episodes=twins), CensusContext(YEAR, CAL))
    assert len(hits) == 1


# --- Odds and ends --------------------------------------------------------------------------------
def test_the_messages_of_the_episode_rules_name_the_episode_by_its_referral_date():
    dead = child(death_date=D(2025, 9, 1), episodes=[episode(D(2025, 9, 2))])
    [hit] = hits_of(_rule("8555Q", YEAR), dead, CensusContext(YEAR, CAL))
    assert hit.message == "The referral on 2025-09-02 is after the child's date of death, 2025-09-01."


def test_unknown_gender_in_an_old_file_is_judged_on_gender_current_not_the_mapped_sex():
    old = child(2024, gender_current="9", sex="U")
    assert hits_of(_rule("4180", 2024), old, CensusContext(2024, CAL)) == []
    new_file_with_old_element = child(2025, gender_current="9", sex="U")
    assert len(hits_of(_rule("4180", 2025), new_file_with_old_element, CensusContext(2025, CAL))) == 1


def test_a_rule_with_nothing_to_report_returns_the_shared_empty_tuple():
    ctx = CensusContext(YEAR, CAL)
    clean = child()
    for r in part1_rules(YEAR, "child"):
        assert r.func(clean, ctx) == (), r.code


def _rule(code: str, year: int) -> Rule:
    [found] = [r for r in part1_rules(year) if r.code == code]
    return found
