"""The child-level rows as the load stores them: one chain of foreign keys the database keeps, the
``extract`` and ``child`` shortcuts beside it (indexed, no database constraint) agreeing with the
chain, an extract's deletion leaving no row behind, and values too large for their column refused.

Run on SQLite and on PostgreSQL (the suite runs on both): the constraints are each database's own.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from safeguard.extracts import services
from safeguard.extracts.census.records import CINPlanRecord
from safeguard.extracts.choices import ExtractStatus
from safeguard.extracts.models import (
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
from safeguard.extracts.testing import census_xml, only_these_rules, valid_child
from safeguard.workdays.models import CalendarDay
from safeguard.workdays.services import calendar_refresh

#: Each child-level table: its parent in the chain, and its shortcuts.
CHAIN = {
    CensusChild: ("extract", ()),
    CinEpisode: ("child", ("extract",)),
    CensusAssessment: ("episode", ("extract", "child")),
    CinPlan: ("episode", ("extract", "child")),
    Section47: ("episode", ("extract", "child")),
    ChildProtectionPlan: ("episode", ("extract", "child")),
    CpReview: ("plan", ("extract",)),
}
CHAIN_NAMES = [model.__name__ for model in CHAIN]


@pytest.fixture(autouse=True)
def extract_root(settings, tmp_path):
    settings.SAFEGUARD_EXTRACT_ROOT = tmp_path / "extracts"
    return settings.SAFEGUARD_EXTRACT_ROOT


@pytest.fixture(autouse=True)
def calendar_table(db):
    if not CalendarDay.objects.exists():
        calendar_refresh()


@pytest.fixture
def partnership(cast):
    cast.partnership.local_authority_code = "931"
    cast.partnership.save(update_fields=["local_authority_code"])
    return cast.partnership


def run(partnership, content: bytes) -> Extract:
    upload = SimpleUploadedFile("cin-census.xml", content, content_type="text/xml")
    extract = services.extract_create(partnership=partnership, file=upload, by=None)
    return services.extract_import(extract=extract)


def with_cin_plan(child):
    """``valid_child`` with a CIN plan on its episode too, so every child-level table gets rows."""
    episode = child.episodes[0]
    episode.cin_plans = [CINPlanRecord(start_date=episode.referral_date + dt.timedelta(days=30))]
    return child


def load(partnership, prefix: str, n: int, year: int = 2025) -> Extract:
    kids = [with_cin_plan(valid_child(f"{prefix}{i:03d}", year=year, with_plan=True)) for i in range(n)]
    with only_these_rules():
        extract = run(partnership, census_xml(kids, year=year))
    assert extract.status == ExtractStatus.LOADED, extract.failure_message
    return extract


def counts(extract_id: int) -> dict[str, int]:
    return {model.__name__: model.objects.filter(extract_id=extract_id).count() for model in CHAIN}


def orphans() -> dict[str, int]:
    """Rows whose parent or shortcut points at nothing, in any child-level table."""
    found = {}
    for model, (parent, shortcuts) in CHAIN.items():
        for name in (parent, *shortcuts):
            target = model._meta.get_field(name).related_model
            missing = model.objects.exclude(**{f"{name}_id__in": target.objects.values("pk")}).count()
            if missing:
                found[f"{model.__name__}.{name}"] = missing
    return found


def test_deleting_an_extract_removes_all_its_rows_and_leaves_no_orphans(partnership):
    kept = load(partnership, "K", 2, year=2024)
    deleted = load(partnership, "D", 3)
    Finding.objects.create(extract=deleted, code="8670Q", severity="query", message="A query.")
    kept_counts = counts(kept.pk)
    assert counts(deleted.pk) == dict.fromkeys(CHAIN_NAMES, 3)

    deleted.delete()

    assert counts(deleted.pk) == dict.fromkeys(CHAIN_NAMES, 0)
    assert not Finding.objects.filter(extract_id=deleted.pk).exists()
    assert orphans() == {}
    assert counts(kept.pk) == kept_counts  # the other extract's rows are untouched


def test_deleting_a_child_removes_its_rows_through_shortcuts_and_chain(partnership):
    extract = load(partnership, "C", 2)
    child = CensusChild.objects.get(extract=extract, la_child_id="C000")
    child.delete()
    assert counts(extract.pk) == dict.fromkeys(CHAIN_NAMES, 1)
    assert orphans() == {}


def test_the_shortcuts_the_load_writes_agree_with_the_chain(partnership):
    extract = load(partnership, "S", 3)
    for model, (parent, shortcuts) in CHAIN.items():
        for row in model.objects.filter(extract=extract).select_related(parent):
            up = getattr(row, parent)
            for name in shortcuts:
                assert getattr(row, f"{name}_id") == getattr(up, f"{name}_id"), (model.__name__, name)


def _foreign_keys(model) -> dict[str, str]:
    """Column -> referenced table, for the foreign key constraints the database has on the table."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return {c["columns"][0]: c["foreign_key"][0] for c in constraints.values() if c["foreign_key"]}


def _indexed_columns(model) -> set[str]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return {c["columns"][0] for c in constraints.values() if c["index"] or c["primary_key"]}


def test_the_database_keeps_the_chain_and_indexes_the_shortcuts_without_a_constraint():
    for model, (parent, shortcuts) in CHAIN.items():
        keys = _foreign_keys(model)
        parent_field = model._meta.get_field(parent)
        assert keys.get(parent_field.column) == parent_field.related_model._meta.db_table, model.__name__
        for name in shortcuts:
            field = model._meta.get_field(name)
            assert field.column not in keys, f"{model.__name__}.{name} has a database constraint"
            assert field.column in _indexed_columns(model), f"{model.__name__}.{name} is not indexed"


def test_too_many_assessment_factors_to_store_is_an_error(partnership):
    child = valid_child("LONG1")
    child.episodes[0].assessments[0].factors = ["21"] * 70  # 209 characters with the commas
    with only_these_rules():
        extract = run(partnership, census_xml([child, valid_child("OK1")]))
    assert extract.status == ExtractStatus.REJECTED
    finding = Finding.objects.get(extract=extract)
    assert (finding.code, finding.la_child_id, finding.field) == ("LOAD01", "LONG1", "AssessmentFactors")
    assert counts(extract.pk)["CensusChild"] == 0


def test_a_number_of_previous_plans_too_large_to_store_is_an_error(partnership):
    child = valid_child("MANY1", with_plan=True)
    child.episodes[0].cp_plans[0].number_of_previous_cpp = 40_000
    with only_these_rules():
        extract = run(partnership, census_xml([child, valid_child("OK1")]))
    assert extract.status == ExtractStatus.REJECTED
    finding = Finding.objects.get(extract=extract)
    assert (finding.code, finding.la_child_id, finding.field) == ("LOAD01", "MANY1", "NumberOfPreviousCPP")


def test_spooled_dates_are_iso_text_and_the_cache_stays_bounded(monkeypatch):
    monkeypatch.setattr(services._IsoDates, "LIMIT", 3)
    dates = services._IsoDates()
    days = [dt.date(2024, 4, d) for d in range(1, 8)]
    assert [dates[d] for d in days] == [d.isoformat() for d in days]
    assert len(dates) <= 3
    assert dates[None] is None
    assert [dates[d] for d in days] == [d.isoformat() for d in days]


@pytest.mark.parametrize("rows_per_insert", [1, 2, 500])
def test_every_row_arrives_whatever_the_rows_in_one_insert(partnership, monkeypatch, rows_per_insert):
    monkeypatch.setattr(services, "_SQLITE_ROWS_PER_INSERT", rows_per_insert)
    extract = load(partnership, "R", 5)
    assert counts(extract.pk) == dict.fromkeys(CHAIN_NAMES, 5)
    assert orphans() == {}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's limit on parameters in one statement")
def test_sqlites_limit_on_parameters_caps_the_rows_in_one_insert(partnership):
    connection.ensure_connection()
    raw = connection.connection
    before = raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 30)  # two rows of a child (14 columns) at most
    try:
        extract = load(partnership, "L", 5)
    finally:
        raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, before)
    assert counts(extract.pk) == dict.fromkeys(CHAIN_NAMES, 5)
    assert sorted(CensusChild.objects.filter(extract=extract).values_list("la_child_id", flat=True)) == [
        f"L{i:03d}" for i in range(5)
    ]
