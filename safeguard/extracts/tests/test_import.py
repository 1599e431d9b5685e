"""Importing a CIN census file: all or nothing, the previous extract kept until a file loads,
queries do not block, replacements supersede atomically, findings capped, progress written.

The import runs only throwaway rules registered by each test (``only_these_rules``), so these
tests do not depend on which DfE rules exist; the structure checks of the parser always run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import stat

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from safeguard.extracts import services
from safeguard.extracts.choices import ExtractStatus
from safeguard.extracts.models import (
    CensusAssessment,
    CensusChild,
    ChildProtectionPlan,
    CinEpisode,
    CpReview,
    Extract,
    Finding,
    Section47,
)
from safeguard.extracts.signals import extract_loaded
from safeguard.extracts.testing import CensusChildFactory, ExtractFactory, census_xml, only_these_rules, valid_child
from safeguard.partnerships.models import Locality
from safeguard.workdays.models import CalendarDay
from safeguard.workdays.services import calendar_refresh

ERROR, QUERY = "error", "query"


@pytest.fixture(autouse=True)
def extract_root(settings, tmp_path):
    settings.SAFEGUARD_EXTRACT_ROOT = tmp_path / "extracts"
    return settings.SAFEGUARD_EXTRACT_ROOT


@pytest.fixture(autouse=True)
def calendar_table(db):
    """The migration fills the working-day table; a transactional test elsewhere may have flushed it."""
    if not CalendarDay.objects.exists():
        calendar_refresh()


@pytest.fixture
def partnership(cast):
    cast.partnership.local_authority_code = "931"
    cast.partnership.save(update_fields=["local_authority_code"])
    return cast.partnership


def upload(content: bytes, name: str = "cin-census.xml"):
    return SimpleUploadedFile(name, content, content_type="text/xml")


def children(n: int, prefix: str = "C", **kwargs):
    return [valid_child(f"{prefix}{i:04d}", with_plan=i % 2 == 0, **kwargs) for i in range(n)]


def run(partnership, content: bytes, *, lookup: bytes | None = None, by=None, on_progress=None) -> Extract:
    extract = services.extract_create(
        partnership=partnership,
        file=upload(content),
        locality_lookup=upload(lookup, "localities.csv") if lookup is not None else None,
        by=by,
    )
    return services.extract_import(extract=extract, on_progress=on_progress)


def files_in(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def rows_of(extract) -> dict[str, int]:
    return {
        "children": CensusChild.objects.filter(extract=extract).count(),
        "episodes": CinEpisode.objects.filter(extract=extract).count(),
        "assessments": CensusAssessment.objects.filter(extract=extract).count(),
        "section47s": Section47.objects.filter(extract=extract).count(),
        "plans": ChildProtectionPlan.objects.filter(extract=extract).count(),
        "reviews": CpReview.objects.filter(extract=extract).count(),
    }


def test_a_valid_file_loads_every_row_and_becomes_current(partnership, cast, extract_root):
    with only_these_rules():
        extract = run(partnership, census_xml(children(3)), by=cast.analyst)
    assert extract.status == ExtractStatus.LOADED and extract.is_current
    assert (extract.local_authority_code, extract.collection_year) == ("931", 2025)
    assert (extract.period_start, extract.period_end) == (dt.date(2024, 4, 1), dt.date(2025, 3, 31))
    assert extract.reference_date == dt.date(2025, 3, 31)
    assert extract.source["software_code"] == "Test system"
    assert (extract.children_count, extract.error_count, extract.query_count) == (3, 0, 0)
    assert rows_of(extract) == {
        "children": 3,
        "episodes": 3,
        "assessments": 3,
        "section47s": 2,
        "plans": 2,
        "reviews": 2,
    }
    child = CensusChild.objects.get(extract=extract, la_child_id="C0000")
    assert (child.sex, child.birth_date, child.ethnicity, child.disabilities) == (
        "F",
        dt.date(2016, 5, 1),
        "WBRI",
        "NONE",
    )
    assert child.line and child.line > 1
    episode = child.episodes.get()
    assert (episode.referral_date, episode.referral_source, episode.referral_nfa) == (dt.date(2024, 6, 3), "3A", False)
    plan = ChildProtectionPlan.objects.get(child=child)
    assert (plan.episode_id, plan.initial_category, plan.previous_plans) == (episode.pk, "NEG", 0)
    assert list(plan.reviews.values_list("review_date", flat=True)) == [dt.date(2024, 9, 12)]
    assert set(extract.timings) == {"parse", "validate", "load", "total"}
    assert extract.stored_name == "" and not files_in(extract_root)  # the upload is not kept


def test_the_loaded_signal_is_sent_once_the_load_commits(partnership, django_capture_on_commit_callbacks):
    received = []

    def listener(sender, extract, superseded, **kwargs):
        received.append((extract.pk, superseded))

    extract_loaded.connect(listener, weak=False, dispatch_uid="test-import-commit")
    try:
        with only_these_rules(), django_capture_on_commit_callbacks(execute=False) as callbacks:
            extract = run(partnership, census_xml(children(2)))
        assert received == []  # nothing before the commit
        for callback in callbacks:
            callback()
    finally:
        extract_loaded.disconnect(dispatch_uid="test-import-commit")
    assert received == [(extract.pk, None)]


def test_the_tables_are_analysed_after_the_commit_and_before_the_figures_are_computed(
    partnership, monkeypatch, django_capture_on_commit_callbacks
):
    """Without fresh statistics the planner believes a new extract is empty and the indicators'
    queries run for minutes instead of seconds (measured at national scale)."""
    order = []
    real = services.extracts_refresh_statistics

    def analyse():
        order.append("analyse")
        real()  # runs ANALYZE on this database

    monkeypatch.setattr(services, "extracts_refresh_statistics", analyse)
    extract_loaded.connect(lambda **kwargs: order.append("loaded"), weak=False, dispatch_uid="test-analyse")
    try:
        with only_these_rules(), django_capture_on_commit_callbacks(execute=False) as callbacks:
            run(partnership, census_xml(children(2)))
        assert order == []
        for callback in callbacks:
            callback()
    finally:
        extract_loaded.disconnect(dispatch_uid="test-analyse")
    assert order == ["analyse", "loaded"]


def test_an_error_blocks_the_load_and_leaves_the_previous_extract_current(partnership):
    with only_these_rules(("TESTE1", ERROR, lambda c: c.la_child_id == "B0001")):
        first = run(partnership, census_xml(children(3, "A")))
        second = run(partnership, census_xml(children(3, "B")))
    first.refresh_from_db()
    assert first.status == ExtractStatus.LOADED and first.is_current
    assert second.status == ExtractStatus.REJECTED and not second.is_current
    assert (second.error_count, second.query_count, second.finding_counts) == (1, 0, {"TESTE1": 1})
    assert second.children_count == 3
    assert rows_of(second)["children"] == 0
    assert rows_of(first)["children"] == 3
    finding = Finding.objects.get(extract=second)
    assert (finding.code, finding.severity, finding.la_child_id, finding.field) == (
        "TESTE1",
        ERROR,
        "B0001",
        "LAchildID",
    )
    assert finding.line and finding.message == "Test rule TESTE1 fired." and finding.fix == "Fix TESTE1."


def test_a_query_does_not_block_the_load(partnership):
    with only_these_rules(("TESTQ1", QUERY, lambda c: c.la_child_id in {"C0000", "C0002"})):
        extract = run(partnership, census_xml(children(3)))
    assert extract.status == ExtractStatus.LOADED and extract.is_current
    assert (extract.error_count, extract.query_count) == (0, 2)
    assert list(Finding.objects.filter(extract=extract).values_list("la_child_id", flat=True)) == ["C0000", "C0002"]
    assert rows_of(extract)["children"] == 3


def test_a_replacement_supersedes_the_previous_extract_and_keeps_its_rows(
    partnership, django_capture_on_commit_callbacks
):
    received = []
    extract_loaded.connect(lambda sender, **kw: received.append(kw["superseded"]), weak=False, dispatch_uid="t-sup")
    try:
        with only_these_rules(), django_capture_on_commit_callbacks(execute=True):
            first = run(partnership, census_xml(children(2, "A")))
            second = run(partnership, census_xml(children(4, "B")))
    finally:
        extract_loaded.disconnect(dispatch_uid="t-sup")
    first.refresh_from_db()
    assert (first.status, first.is_current) == (ExtractStatus.SUPERSEDED, False)
    assert (second.status, second.is_current) == (ExtractStatus.LOADED, True)
    assert [getattr(e, "pk", None) for e in received] == [None, first.pk]
    assert rows_of(first)["children"] == 2 and rows_of(second)["children"] == 4
    assert Extract.objects.filter(partnership=partnership, is_current=True).count() == 1


def test_other_years_and_authorities_are_not_superseded(partnership):
    Locality.objects.create(partnership=partnership, name="Eastdale", code="east", local_authority_code="932")
    with only_these_rules():
        year_2025 = run(partnership, census_xml(children(1), year=2025))
        year_2024 = run(partnership, census_xml(children(1), year=2024))
        other_la = run(partnership, census_xml(children(1), year=2025, lea="932"))
    assert Extract.objects.filter(pk__in=[year_2025.pk, year_2024.pk, other_la.pk], is_current=True).count() == 3


def test_a_load_that_fails_part_way_leaves_nothing_behind(partnership, monkeypatch):
    with only_these_rules():
        first = run(partnership, census_xml(children(2, "A")))
        calls = []
        real_write = services._TableWriter.write

        def write_then_break(self, index, rows):
            calls.append(index)
            if len(calls) == 3:
                raise RuntimeError("disk full")
            return real_write(self, index, rows)

        monkeypatch.setattr(services._TableWriter, "write", write_then_break)
        second = run(partnership, census_xml(children(3, "B")))
    first.refresh_from_db()
    assert first.status == ExtractStatus.LOADED and first.is_current
    assert second.status == ExtractStatus.FAILED and second.failure_message == services.UNEXPECTED_MESSAGE
    assert "disk full" not in second.failure_message
    assert rows_of(second) == dict.fromkeys(rows_of(second), 0)


def test_a_file_that_cannot_be_read_fails_with_the_parsers_message(partnership):
    content = census_xml(children(3))
    with only_these_rules():
        extract = run(partnership, content[: len(content) // 2])
    assert extract.status == ExtractStatus.FAILED and not extract.is_current
    assert extract.failure_message
    assert rows_of(extract)["children"] == 0


def test_a_pdf_or_an_empty_file_is_refused_at_upload(partnership, extract_root):
    with pytest.raises(ValidationError) as refused:
        services.extract_create(partnership=partnership, file=upload(b"%PDF-1.7 ..."), by=None)
    assert "PDF" in refused.value.message_dict["file"][0]
    with pytest.raises(ValidationError) as empty:
        services.extract_create(partnership=partnership, file=upload(b""), by=None)
    assert "empty" in empty.value.message_dict["file"][0]
    assert not Extract.objects.exists()
    assert not files_in(extract_root)


def test_a_file_larger_than_the_limit_is_refused(partnership, settings, extract_root):
    settings.SAFEGUARD_EXTRACT_MAX_BYTES = 2048
    with pytest.raises(ValidationError) as refused:
        services.extract_create(partnership=partnership, file=upload(census_xml(children(5))), by=None)
    assert "larger than" in refused.value.message_dict["file"][0]
    assert not files_in(extract_root)


def test_an_upload_is_stored_privately_under_a_random_name(partnership, cast, extract_root):
    content = census_xml(children(2))
    extract = services.extract_create(partnership=partnership, file=upload(content, "north.xml"), by=cast.analyst)
    stored = extract_root / extract.stored_name
    assert "north" not in extract.stored_name
    assert stored.read_bytes() == content
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert extract.sha256 == hashlib.sha256(content).hexdigest()
    assert (extract.size_bytes, extract.original_filename, extract.status) == (len(content), "north.xml", "pending")
    assert extract.uploaded_by == cast.analyst


def test_only_analysts_import(partnership, cast):
    for who in (cast.manager, cast.read_only, cast.other_analyst):
        with pytest.raises(PermissionDenied):
            services.extract_create(partnership=partnership, file=upload(census_xml(children(1))), by=who)


def test_an_upload_queues_its_import_once_it_commits(partnership, cast, django_capture_on_commit_callbacks):
    with only_these_rules(), django_capture_on_commit_callbacks(execute=True):
        extract = services.extract_upload(
            partnership=partnership, uploaded_file=upload(census_xml(children(2))), by=cast.analyst
        )
    extract.refresh_from_db()
    assert extract.status == ExtractStatus.LOADED  # the test settings run tasks at once


def test_importing_twice_does_nothing_the_second_time(partnership):
    with only_these_rules():
        extract = run(partnership, census_xml(children(2)))
        again = services.extract_import(extract=extract)
    assert again.status == ExtractStatus.LOADED
    assert rows_of(extract)["children"] == 2


def test_a_file_for_another_authority_is_refused_naming_the_expected_codes(partnership):
    Locality.objects.create(partnership=partnership, name="Eastdale", code="east", local_authority_code="932")
    with only_these_rules():
        extract = run(partnership, census_xml(children(2), lea="999"))
    assert extract.status == ExtractStatus.FAILED
    assert "local authority 999" in extract.failure_message
    assert "931 or 932" in extract.failure_message
    assert rows_of(extract)["children"] == 0


def test_a_partnership_without_an_authority_code_is_told_to_set_one(cast):
    with only_these_rules():
        extract = run(cast.partnership, census_xml(children(1)))
    assert extract.status == ExtractStatus.FAILED
    assert "has no local authority code" in extract.failure_message


def test_an_impossible_census_year_is_refused(partnership):
    with only_these_rules():
        extract = run(partnership, census_xml(children(1), year=1990))
    assert extract.status == ExtractStatus.FAILED
    assert "1990" in extract.failure_message


def test_children_go_to_their_authoritys_locality(partnership):
    east = Locality.objects.create(partnership=partnership, name="Eastdale", code="east", local_authority_code="932")
    with only_these_rules():
        extract = run(partnership, census_xml(children(2), lea="932"))
        unplaced = run(partnership, census_xml(children(2), lea="931"))
    assert set(CensusChild.objects.filter(extract=extract).values_list("locality_id", flat=True)) == {east.pk}
    assert set(CensusChild.objects.filter(extract=unplaced).values_list("locality_id", flat=True)) == {None}


def test_a_locality_lookup_places_children_and_the_rest_go_by_authority(partnership):
    north = Locality.objects.create(partnership=partnership, name="North", code="north", local_authority_code="931")
    south = Locality.objects.create(partnership=partnership, name="South", code="south")
    lookup = b"\xef\xbb\xbfLAchildID,Locality\r\nC0000,SOUTH\r\nC0001,south\r\nNOT-IN-FILE,North\r\n"
    with only_these_rules():
        extract = run(partnership, census_xml(children(3)), lookup=lookup)
    assert extract.locality_lookup_name == "localities.csv"
    placed = dict(CensusChild.objects.filter(extract=extract).values_list("la_child_id", "locality_id"))
    assert placed == {"C0000": south.pk, "C0001": south.pk, "C0002": north.pk}


def test_a_bad_locality_lookup_is_refused_row_by_row_and_nothing_is_stored(partnership, extract_root):
    Locality.objects.create(partnership=partnership, name="North", code="north")
    lookup = b"LAchildID,locality\nC0000,north\nC0001,Nroth\n,north\nC0003,north,extra\n"
    with pytest.raises(ValidationError) as refused:
        services.extract_create(
            partnership=partnership, file=upload(census_xml(children(3))), locality_lookup=upload(lookup), by=None
        )
    messages = refused.value.message_dict["locality_lookup"]
    assert messages[0].startswith("The locality lookup was not used")
    assert any("Row 3" in m and "'Nroth'" in m and "north (North)" in m for m in messages)
    assert any("Row 4 has no LAchildID" in m for m in messages)
    assert any("Row 5 has 3 values" in m for m in messages)
    assert not Extract.objects.exists() and not files_in(extract_root)


def test_a_lookup_with_the_wrong_headings_says_what_it_found(partnership):
    with pytest.raises(ValidationError) as refused:
        services.extract_create(
            partnership=partnership,
            file=upload(census_xml(children(1))),
            locality_lookup=upload(b"child,area\nC0000,north\n"),
            by=None,
        )
    assert "its first row has child, area" in refused.value.message_dict["locality_lookup"][0]


def test_findings_are_capped_per_rule_but_counted_exactly(partnership, monkeypatch):
    monkeypatch.setattr(services, "FINDINGS_STORED_PER_RULE", 3)
    with only_these_rules(("TESTQ2", QUERY, lambda c: True), ("TESTE2", ERROR, lambda c: c.la_child_id == "C0001")):
        extract = run(partnership, census_xml(children(7)))
    assert extract.status == ExtractStatus.REJECTED
    assert extract.finding_counts == {"TESTE2": 1, "TESTQ2": 7}
    assert (extract.error_count, extract.query_count) == (1, 7)
    assert Finding.objects.filter(extract=extract, code="TESTQ2").count() == 3
    assert Finding.objects.filter(extract=extract, code="TESTE2").count() == 1


def test_progress_is_written_as_the_file_is_read(partnership, monkeypatch):
    monkeypatch.setattr(services, "PROGRESS_EVERY", 2)
    monkeypatch.setattr(services, "LOAD_BATCH", 2)
    seen = []

    def progress(phase, count, fraction):
        row = Extract.objects.values("status", "children_read", "bytes_read").get()
        seen.append((phase, count, round(fraction, 2), row["status"], row["children_read"], row["bytes_read"] > 0))

    with only_these_rules():
        extract = run(partnership, census_xml(children(5)), on_progress=progress)
    checks = [s for s in seen if s[0] == "check"]
    assert [s[1] for s in checks] == [2, 4, 5]
    assert all(status == "importing" and stored == count and read for _, count, _, status, stored, read in checks)
    assert checks[-1][2] == 1.0
    assert [s[1] for s in seen if s[0] == "load"] == [2, 4, 5]
    assert (extract.children_read, extract.bytes_read) == (5, extract.size_bytes)


def test_an_unreadable_date_is_a_structural_error(partnership):
    content = census_xml(children(2)).replace(b"<PersonBirthDate>2016-05-01<", b"<PersonBirthDate>2016-13-45<", 1)
    with only_these_rules():
        extract = run(partnership, content)
    assert extract.status == ExtractStatus.REJECTED
    finding = Finding.objects.get(extract=extract)
    assert finding.code.startswith("XML") and finding.la_child_id == "C0000" and finding.field == "PersonBirthDate"


def test_a_list_of_codes_too_long_to_store_is_an_error(partnership):
    child = valid_child("LONG1")
    child.disabilities = ["HAND", "HEAR", "VIS", "MOB"] * 6
    with only_these_rules():
        extract = run(partnership, census_xml([child, valid_child("OK1")]))
    assert extract.status == ExtractStatus.REJECTED
    finding = Finding.objects.get(extract=extract)
    assert (finding.code, finding.la_child_id, finding.field) == ("LOAD01", "LONG1", "Disability")


def test_a_census_before_2024_25_with_gender_current_loads(partnership):
    with only_these_rules():
        extract = run(partnership, census_xml(children(2, year=2024), year=2024))
    assert extract.status == ExtractStatus.LOADED
    assert set(CensusChild.objects.filter(extract=extract).values_list("sex", flat=True)) == {"F"}


def test_stalled_imports_are_marked_failed_and_others_left_alone(partnership, extract_root):
    now = timezone.now()
    stalled = ExtractFactory(partnership=partnership, status=ExtractStatus.IMPORTING, stored_name="gone.xml")
    fresh = ExtractFactory(partnership=partnership, status=ExtractStatus.IMPORTING)
    waiting = ExtractFactory(partnership=partnership, status=ExtractStatus.PENDING)
    (extract_root / "gone.xml").parent.mkdir(parents=True, exist_ok=True)
    (extract_root / "gone.xml").write_bytes(b"<Message/>")
    Extract.objects.filter(pk__in=[stalled.pk, waiting.pk]).update(updated_at=now - dt.timedelta(hours=1))
    assert services.extracts_fail_stalled(now=now) == 1
    stalled.refresh_from_db()
    assert (stalled.status, stalled.failure_message) == (ExtractStatus.FAILED, services.STOPPED_MESSAGE)
    assert stalled.stored_name == "" and not (extract_root / "gone.xml").exists()
    assert Extract.objects.get(pk=fresh.pk).status == ExtractStatus.IMPORTING
    assert Extract.objects.get(pk=waiting.pk).status == ExtractStatus.PENDING
    assert services.extracts_fail_stalled(now=now) == 0


def test_ids_are_allocated_after_rows_stored_with_explicit_ids(partnership):
    restored = ExtractFactory(partnership=partnership, collection_year=2023)
    CensusChildFactory(extract=restored, id=900_000)  # as a restore from a backup might leave it
    with only_these_rules():
        extract = run(partnership, census_xml(children(3)))
    assert extract.status == ExtractStatus.LOADED
    assert min(CensusChild.objects.filter(extract=extract).values_list("pk", flat=True)) > 900_000


def test_the_worker_looks_for_stalled_imports_every_few_minutes(partnership):
    from safeguard.core.scheduler import REGISTRY
    from safeguard.extracts import tasks

    assert REGISTRY["safeguard.extracts.tasks.fail_stalled_imports"].every == dt.timedelta(minutes=5)
    stalled = ExtractFactory(partnership=partnership, status=ExtractStatus.IMPORTING)
    Extract.objects.filter(pk=stalled.pk).update(updated_at=timezone.now() - dt.timedelta(hours=1))
    assert tasks.fail_stalled_imports.call() == 1
    assert Extract.objects.get(pk=stalled.pk).status == ExtractStatus.FAILED
