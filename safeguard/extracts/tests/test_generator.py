"""The synthetic census generator: deterministic, readable by the parser, plausible, and its
deliberate errors are exactly what the parser and the DfE rules then find."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
import io
import json
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from safeguard.extracts.census import generator as gen
from safeguard.extracts.census.parser import open_census
from safeguard.extracts.census.validation import ERROR, CensusContext, CensusValidator
from safeguard.workdays.calendar import Calendar

CALENDAR = Calendar(dt.date(2000, 1, 1), dt.date(2040, 12, 31))
FILE_LEVEL = {"8510", "1520"}  # found across children, after the stream


def parsed(path):
    """(header, children, structural findings) of a file."""
    with open_census(path) as stream:
        header = stream.header
        findings = stream.take_findings()
        children = []
        for child in stream:
            children.append(child)
            findings.extend(stream.take_findings())
    return header, children, findings


def without_lines(record):
    """A record as plain data, without the line numbers only a parsed record has."""
    if dataclasses.is_dataclass(record):
        return {
            f.name: without_lines(getattr(record, f.name))
            for f in dataclasses.fields(record)
            if f.name not in ("line", "lines", "review_lines")
        }
    if isinstance(record, list):
        return [without_lines(item) for item in record]
    return record


@pytest.fixture(scope="module")
def census_5000(tmp_path_factory):
    path = tmp_path_factory.mktemp("census") / "census.xml"
    summary = gen.generate_census(path, children=5_000, seed=20, localities=["north", "central", "south"])
    header, children, findings = parsed(path)
    return path, summary, header, children, findings


# --- the check letter ---------------------------------------------------------------------------
def test_the_upn_check_letter_is_the_dfe_one():
    # The DfE's worked example: H801200001001 (weights 2-13, sum 53, 53 mod 23 = 7, the 8th letter H).
    assert gen.upn_check_letter("801200001001") == "H"
    upn = gen.make_upn("931", 12345)
    assert len(upn) == 13 and upn[1:4] == "931" and upn[4:].isdigit()
    assert gen.upn_check_letter(upn[1:]) == upn[0]
    assert len({gen.make_upn("931", n) for n in range(20_000)}) == 20_000


def test_the_generators_working_days_are_the_calendars():
    days = gen._WorkingDays(dt.date(2024, 1, 1), dt.date(2026, 12, 31))
    calendar = Calendar(dt.date(2024, 1, 1), dt.date(2026, 12, 31))
    start = dt.date(2024, 12, 20)
    for n in range(0, 40):
        assert days.add(start, n) == calendar.add(start, n)
    for end in (dt.date(2024, 12, 25), dt.date(2025, 1, 6), dt.date(2025, 4, 21)):
        assert days.between(start, end) == calendar.between(start, end)


# --- determinism ---------------------------------------------------------------------------------
def test_the_same_seed_gives_the_same_file_and_another_seed_another(tmp_path):
    paths = [tmp_path / f"{name}.xml" for name in ("a", "b", "c")]
    summaries = [
        gen.generate_census(paths[0], children=300, seed=5, error_rate=0.1),
        gen.generate_census(paths[1], children=300, seed=5, error_rate=0.1),
        gen.generate_census(paths[2], children=300, seed=6, error_rate=0.1),
    ]
    digests = [hashlib.sha256(p.read_bytes()).hexdigest() for p in paths]
    assert digests[0] == digests[1] != digests[2]
    assert summaries[0] == summaries[1] != summaries[2]


def test_errors_do_not_change_the_children_they_are_not_given_to():
    clean = list(gen.iter_children(gen.GeneratorOptions(400, seed=9)))
    noisy = list(gen.iter_children(gen.GeneratorOptions(400, seed=9, error_rate=0.2)))
    untouched = [(a, b) for (a, _, _), (b, _, code) in zip(clean, noisy, strict=True) if code is None]
    assert 250 < len(untouched) < 400
    assert all(without_lines(a) == without_lines(b) for a, b in untouched)


def test_it_writes_to_a_file_object_too():
    buffer = io.BytesIO()
    localities = io.StringIO()
    summary = gen.generate_census(buffer, children=20, seed=1, localities=["a", "b"], localities_output=localities)
    _, children, findings = parsed(io.BytesIO(buffer.getvalue()))
    assert len(children) == summary["children"] == 20 and findings == []
    assert len(localities.getvalue().splitlines()) == 21
    with pytest.raises(ValueError, match="localities_output"):
        gen.generate_census(io.BytesIO(), children=1, localities=["a"])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"children": -1}, "cannot be negative"),
        ({"children": 1, "error_rate": 1.5}, "between 0 and 1"),
        ({"children": 1, "la": "93"}, "three digits"),
        ({"children": 1, "year": 26}, "year it ends"),
    ],
)
def test_bad_arguments_are_refused_with_a_message(kwargs, message):
    with pytest.raises(ValueError, match=message):
        gen.generate_census(io.BytesIO(), **kwargs)


# --- the round trip ------------------------------------------------------------------------------
def test_the_parser_reads_back_exactly_what_was_generated(census_5000):
    _path, summary, header, children, findings = census_5000
    assert findings == []
    assert (header.year, header.lea, header.reference_date) == (2026, "931", dt.date(2026, 3, 31))
    assert len(children) == summary["children"] == 5_000
    expected = [child for child, _tweaks, _code in gen.iter_children(gen.GeneratorOptions(5_000, seed=20))]
    assert [without_lines(c) for c in children] == [without_lines(c) for c in expected]


def test_the_summary_counts_what_the_file_holds(census_5000):
    _path, summary, _header, children, _findings = census_5000
    episodes = [e for c in children for e in c.episodes]
    s47s = [s for e in episodes for s in e.section47s]
    plans = [p for e in episodes for p in e.cp_plans]
    assert summary["episodes"] == len(episodes)
    assert summary["assessments"] == sum(len(e.assessments) for e in episodes)
    assert summary["cin_plans"] == sum(len(e.cin_plans) for e in episodes)
    assert summary["section47s"] == len(s47s)
    assert summary["icpcs"] == sum(s.icpc_date is not None for s in s47s)
    assert summary["cp_plans"] == len(plans)
    assert summary["cp_reviews"] == sum(len(p.reviews) for p in plans)
    assert summary["unborn"] == sum(c.expected_birth_date is not None for c in children)
    assert summary["injected_errors"] == {} and summary["injected_total"] == 0


def test_an_error_free_file_breaks_no_dfe_error_rule_and_raises_few_queries(census_5000):
    path, _summary, header, _children, _findings = census_5000
    validator = CensusValidator(CensusContext(year=2026, calendar=CALENDAR))
    findings = list(validator.check_header(header))
    with open_census(path) as stream:
        for child in stream:
            findings.extend(validator.check_child(child))
    findings.extend(validator.finish())
    errors = Counter(f.code for f in findings if f.severity == ERROR)
    assert errors == Counter()
    assert sum(1 for f in findings if f.severity != ERROR) < 5_000 * 0.01


@pytest.mark.parametrize("year", [2024, 2025, 2017])
def test_older_years_use_the_older_layout_and_are_clean_too(tmp_path, year):
    path = tmp_path / "old.xml"
    gen.generate_census(path, children=400, seed=4, year=year)
    text = path.read_text()
    assert ("<GenderCurrent>" in text) is (year < 2025)
    assert ("<Sex>" in text) is (year >= 2025)
    assert "<PreProceedingsandFGDM>" not in text
    assert ("<SeenSocialWorker>" in text) is (year <= 2017)
    header, children, findings = parsed(path)
    assert header.year == year and findings == []
    assert {c.sex for c in children} <= {"M", "F", "U"}
    validator = CensusValidator(CensusContext(year=year, calendar=CALENDAR))
    errors = [f.code for c in children for f in validator.check_child(c) if f.severity == ERROR]
    assert errors == []


# --- plausible figures ---------------------------------------------------------------------------
def test_the_mix_is_close_to_the_national_figures(census_5000):
    _path, summary, _header, children, _findings = census_5000
    period_start, period_end = dt.date(2025, 4, 1), dt.date(2026, 3, 31)
    s47s = [s for c in children for e in c.episodes for s in e.section47s]
    icpcs = [s for s in s47s if s.icpc_date is not None]
    within_15 = sum(CALENDAR.within(s.start_date, s.icpc_date, 15) for s in icpcs)
    assert 0.70 <= within_15 / len(icpcs) <= 0.90

    referred = [(c, e) for c in children for e in c.episodes if period_start <= e.referral_date <= period_end]
    assessed = [(e, a) for _c, e in referred for a in e.assessments if a.authorisation_date is not None]
    within_45 = sum(CALENDAR.within(e.referral_date, a.authorisation_date, 45) for e, a in assessed)
    assert 0.80 <= within_45 / len(assessed) <= 0.92
    durations = sorted(CALENDAR.between(e.referral_date, a.authorisation_date) for e, a in assessed)
    assert 28 <= durations[len(durations) // 2] <= 38  # median about 33 working days

    assert 0.04 <= sum(bool(e.referral_nfa) for _c, e in referred) / len(referred) <= 0.09
    assert 0.28 <= len(s47s) / len(referred) <= 0.42
    assert 0.25 <= len(icpcs) / len(s47s) <= 0.37

    previous = {}
    rereferrals = 0
    for child, episode in referred:
        earlier = [e.referral_date for e in child.episodes if e.referral_date < episode.referral_date]
        rereferrals += bool(earlier) and (episode.referral_date - max(earlier)).days <= 365
        previous[child.la_child_id] = episode
    assert 0.10 <= rereferrals / len(referred) <= 0.30

    plans = [p for c in children for e in c.episodes for p in e.cp_plans]
    categories = Counter(p.initial_category for p in plans).most_common()
    assert [code for code, _n in categories[:2]] == ["NEG", "EMO"]
    assert 0.18 <= sum(bool(p.number_of_previous_cpp) for p in plans) / len(plans) <= 0.32
    started_in_year = [p for p in plans if p.start_date >= period_start]
    assert 0.75 <= len(started_in_year) / len(icpcs) <= 0.95

    ages = [(period_end - c.birth_date).days / 365.25 for c in children if c.birth_date]
    assert min(ages) >= 0 and max(ages) < 21
    assert 0.01 <= summary["unborn"] / len(children) <= 0.04
    sexes = Counter(c.sex for c in children if c.birth_date)
    assert sexes["U"] / len(ages) < 0.02


def test_identifiers_are_valid_and_unique(census_5000):
    _path, _summary, _header, children, _findings = census_5000
    ids = [c.la_child_id for c in children]
    assert len(set(ids)) == len(ids) and all(i.isalnum() and len(i) <= 20 for i in ids)
    upns = [c.upn for c in children if c.upn]
    assert len(set(upns)) == len(upns) > 3_000
    assert all(gen.upn_check_letter(u[1:]) == u[0] and u[1:4] == "931" for u in upns)


def test_localities_are_written_beside_the_file_with_uneven_weights(census_5000):
    path, summary, _header, children, _findings = census_5000
    with open(f"{path}.localities.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["LAchildID", "locality"]
    placed = dict(rows[1:])
    assert set(placed) == {c.la_child_id for c in children}
    counts = Counter(placed.values())
    assert set(counts) == {"north", "central", "south"}
    assert counts["north"] > counts["central"] > counts["south"]
    assert summary["localities"] == ["north", "central", "south"]


# --- deliberate errors ---------------------------------------------------------------------------
def test_there_are_at_least_25_kinds_of_error_across_the_census():
    codes = [injector.code for injector in gen.INJECTORS]
    assert len(set(codes)) == len(codes)
    dfe = [code for code in codes if not code.startswith("XML")]
    assert len(dfe) >= 25
    for prefix in ("15", "85", "86", "88", "89"):
        assert any(code.startswith(prefix) for code in dfe)


@pytest.fixture(scope="module")
def noisy_census(tmp_path_factory):
    path = tmp_path_factory.mktemp("noisy") / "census.xml"
    summary = gen.generate_census(path, children=4_000, seed=31, error_rate=0.5)
    return path, summary


def test_the_injected_structural_errors_are_exactly_what_the_parser_finds(noisy_census):
    path, summary = noisy_census
    _header, _children, findings = parsed(path)
    found = Counter(f.code for f in findings)
    injected = {code: n for code, n in summary["injected_errors"].items() if code.startswith("XML")}
    assert dict(found) == injected
    assert sum(summary["injected_errors"].values()) == summary["injected_total"]
    assert 0.45 * 4_000 < summary["injected_total"] <= 0.55 * 4_000


def test_each_injected_dfe_error_is_found_by_its_rule(noisy_census):
    path, summary = noisy_census
    validator = CensusValidator(CensusContext(year=2026, calendar=CALENDAR))
    expected = list(gen.iter_children(gen.GeneratorOptions(4_000, seed=31, error_rate=0.5)))
    missed: Counter[str] = Counter()
    with open_census(path) as stream:
        list(validator.check_header(stream.header))
        for (_record, _tweaks, code), child in zip(expected, stream, strict=True):
            codes = {f.code for f in validator.check_child(child)} | {f.code for f in stream.take_findings()}
            if code is not None and code not in FILE_LEVEL and code not in codes:
                missed[code] += 1
    file_level = Counter(f.code for f in validator.finish())
    assert missed == Counter()
    for code in FILE_LEVEL:
        assert file_level[code] >= summary["injected_errors"].get(code, 0) > 0
    assert len(summary["injected_errors"]) >= 35


@settings(max_examples=12, deadline=None)
@given(st.integers(min_value=0, max_value=10_000), st.floats(min_value=0, max_value=1), st.sampled_from([2024, 2026]))
def test_any_seed_and_error_rate_gives_a_file_the_parser_reads(seed, rate, year):
    buffer = io.BytesIO()
    summary = gen.generate_census(buffer, children=40, seed=seed, error_rate=rate, year=year)
    _header, children, findings = parsed(io.BytesIO(buffer.getvalue()))
    assert len(children) == 40
    found = Counter(f.code for f in findings)
    assert dict(found) == {c: n for c, n in summary["injected_errors"].items() if c.startswith("XML")}


# --- the command ---------------------------------------------------------------------------------
def test_the_command_writes_the_file_and_prints_the_summary_as_json_last(tmp_path):
    output = tmp_path / "census.xml"
    out = io.StringIO()
    call_command(
        "generate_cin_census",
        "--children=50",
        "--seed=3",
        "--error-rate=0.1",
        f"--output={output}",
        "--year=2026",
        "--la=931",
        "--localities=north, central,south",
        stdout=out,
    )
    summary = json.loads(out.getvalue().strip().splitlines()[-1])
    assert summary["children"] == 50 and summary["seed"] == 3 and summary["localities"] == ["north", "central", "south"]
    assert output.exists() and (tmp_path / "census.xml.localities.csv").exists()
    assert summary == gen.generate_census(
        io.BytesIO(),
        children=50,
        seed=3,
        error_rate=0.1,
        localities=["north", "central", "south"],
        localities_output=io.StringIO(),
    )


def test_the_command_refuses_bad_arguments_with_a_message(tmp_path):
    with pytest.raises(CommandError, match="between 0 and 1"):
        call_command("generate_cin_census", "--children=5", "--error-rate=2", f"--output={tmp_path / 'x.xml'}")
    with pytest.raises(CommandError, match="Could not write"):
        call_command("generate_cin_census", "--children=5", f"--output={tmp_path / 'missing' / 'x.xml'}")
