"""``manage.py import_cin_census``: progress on stderr, a JSON summary as the last line of stdout,
exit code 0 when loaded and 1 otherwise."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from safeguard.extracts.choices import ExtractStatus
from safeguard.extracts.models import CensusChild, Extract
from safeguard.extracts.testing import census_file, only_these_rules, valid_child
from safeguard.partnerships.models import Locality
from safeguard.workdays.models import CalendarDay
from safeguard.workdays.services import calendar_refresh


@pytest.fixture(autouse=True)
def setup(settings, tmp_path, db):
    settings.SAFEGUARD_EXTRACT_ROOT = tmp_path / "extracts"
    if not CalendarDay.objects.exists():
        calendar_refresh()


@pytest.fixture
def partnership(cast):
    cast.partnership.local_authority_code = "931"
    cast.partnership.save(update_fields=["local_authority_code"])
    return cast.partnership


def run(*args) -> tuple[int, dict, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command("import_cin_census", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        code = exc.code
    lines = out.getvalue().strip().splitlines()
    return code, json.loads(lines[-1]), out.getvalue(), err.getvalue()


def test_a_valid_file_loads_and_the_last_line_is_the_summary(partnership, tmp_path):
    path = census_file(tmp_path / "census.xml", [valid_child(f"K{i}", with_plan=True) for i in range(3)])
    with only_these_rules(("TESTQ9", "query", lambda c: c.la_child_id == "K1")):
        code, summary, _, err = run(str(path), "--partnership", partnership.slug)
    extract = Extract.objects.get()
    assert code == 0
    assert summary == {
        "extract_id": extract.pk,
        "status": "loaded",
        "children": 3,
        "errors": 0,
        "queries": 1,
        "findings_by_rule": {"TESTQ9": 1},
        "timings": extract.timings,
    }
    assert set(summary["timings"]) == {"parse", "validate", "load", "total"}
    assert "Checked 3 children (100%)" in err and "Saved 3 children (100%)" in err
    assert extract.uploaded_by is None and extract.original_filename == "census.xml"


def test_a_file_with_errors_exits_1_and_loads_nothing(partnership, tmp_path):
    path = census_file(tmp_path / "census.xml", [valid_child("K1"), valid_child("K2")])
    with only_these_rules(("TESTE9", "error", lambda c: c.la_child_id == "K2")):
        code, summary, _, _ = run(str(path), "--partnership", partnership.slug)
    assert code == 1
    assert (summary["status"], summary["errors"], summary["findings_by_rule"]) == ("rejected", 1, {"TESTE9": 1})
    assert not CensusChild.objects.exists()


def test_a_broken_file_exits_1_with_its_message_on_stderr(partnership, tmp_path):
    path = tmp_path / "census.xml"
    path.write_bytes(b"<Message><Header>")
    with only_these_rules():
        code, summary, _, err = run(str(path), "--partnership", partnership.slug)
    assert code == 1 and summary["status"] == ExtractStatus.FAILED
    assert Extract.objects.get().failure_message in err


def test_localities_and_the_analyst_are_recorded(partnership, cast, tmp_path):
    south = Locality.objects.create(partnership=partnership, name="South", code="south")
    path = census_file(tmp_path / "census.xml", [valid_child("K1"), valid_child("K2")])
    lookup = tmp_path / "localities.csv"
    lookup.write_text("LAchildID,locality\nK2,south\n")
    with only_these_rules():
        code, _, _, _ = run(
            str(path), "--partnership", partnership.slug, "--localities", str(lookup), "--user", cast.analyst.email
        )
    assert code == 0
    assert dict(CensusChild.objects.values_list("la_child_id", "locality_id")) == {"K1": None, "K2": south.pk}
    assert Extract.objects.get().uploaded_by == cast.analyst


def test_mistakes_in_the_arguments_are_explained(partnership, cast, tmp_path):
    path = census_file(tmp_path / "census.xml", [valid_child("K1")])
    with pytest.raises(CommandError, match="no partnership with the slug 'nowhere'"):
        call_command("import_cin_census", str(path), "--partnership", "nowhere")
    with pytest.raises(CommandError, match="is not a file"):
        call_command("import_cin_census", str(tmp_path / "missing.xml"), "--partnership", partnership.slug)
    with pytest.raises(CommandError, match="Only the partnership's analysts"):
        call_command("import_cin_census", str(path), "--partnership", partnership.slug, "--user", cast.manager.email)
    with pytest.raises(CommandError, match="no active user"):
        call_command("import_cin_census", str(path), "--partnership", partnership.slug, "--user", "who@example.test")
    bad = tmp_path / "bad.csv"
    bad.write_text("LAchildID,locality\nK1,nowhere\n")
    with pytest.raises(CommandError, match="The locality lookup was not used"):
        call_command("import_cin_census", str(path), "--partnership", partnership.slug, "--localities", str(bad))
    assert not Extract.objects.exists()
