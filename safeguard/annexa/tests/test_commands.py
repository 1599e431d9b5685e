"""``manage.py generate_annex_a`` and ``manage.py import_annex_a``: the JSON summary on the last line."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from safeguard.annexa.models import AnnexAContact
from safeguard.extracts.models import Extract


def _run(*args) -> tuple[list[str], dict]:
    out = StringIO()
    try:
        call_command(*args, stdout=out)
    finally:
        lines = out.getvalue().strip().splitlines()
    return lines, json.loads(lines[-1])


def test_generate_then_import_prints_a_json_summary(cast, tmp_path):
    path = tmp_path / "annex-a.xlsx"
    lines, made = _run(
        "generate_annex_a", "--rows", "120", "--seed", "4", "--reference-date", "2025-03-31", "--output", str(path)
    )
    assert made["rows"] == {"1": 43, "2": 9, "3": 21, "4": 20, "5": 9, "6": 12, "7": 6} and made["errors_made"] == {}
    assert lines[0] == f"Wrote 120 rows to {path}"

    lines, summary = _run(
        "import_annex_a", str(path), "--partnership", cast.partnership.slug, "--reference-date", "2025-03-31"
    )
    extract = Extract.objects.get()
    assert summary["extract"] == extract.pk and summary["status"] == "loaded"
    assert summary["rows"] == made["rows"]
    assert summary["findings"] == {} and summary["errors"] == 0
    assert summary["not_imported"] == ["List 8 - Children in care"]
    assert any(line.startswith("Sheet 'Cover' (not a list)") for line in lines)
    assert AnnexAContact.objects.filter(extract=extract).count() == 43


def test_a_rejected_workbook_prints_its_findings_and_fails(cast, tmp_path):
    path = tmp_path / "bad.xlsx"
    _lines, made = _run(
        "generate_annex_a",
        "--rows",
        "300",
        "--seed",
        "9",
        "--error-rate",
        "0.1",
        "--reference-date",
        "2025-03-31",
        "--output",
        str(path),
    )
    out = StringIO()
    with pytest.raises(CommandError, match="not loaded"):
        call_command(
            "import_annex_a",
            str(path),
            "--partnership",
            cast.partnership.slug,
            "--reference-date",
            "2025-03-31",
            stdout=out,
        )
    summary = json.loads(out.getvalue().strip().splitlines()[-1])
    assert summary["status"] == "rejected" and summary["errors"] > 0
    assert set(made["errors_made"]) <= set(summary["findings"])


def test_the_import_command_explains_bad_arguments(cast, tmp_path):
    with pytest.raises(CommandError, match="is not a file"):
        call_command(
            "import_annex_a", str(tmp_path / "missing.xlsx"), "--partnership", "x", "--reference-date", "2025-03-31"
        )
    (tmp_path / "a.xlsx").write_bytes(b"x")
    with pytest.raises(CommandError, match="No partnership has the slug 'nowhere'"):
        call_command(
            "import_annex_a", str(tmp_path / "a.xlsx"), "--partnership", "nowhere", "--reference-date", "2025-03-31"
        )
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("import_annex_a", str(tmp_path / "a.xlsx"), "--partnership", "x", "--reference-date", "31/03/2025")
    with pytest.raises(CommandError, match="between 0 and 1"):
        call_command("generate_annex_a", "--error-rate", "2", "--output", str(tmp_path / "b.xlsx"))
    with pytest.raises(CommandError, match=r"must end in \.xlsx"):
        call_command("generate_annex_a", "--output", str(tmp_path / "b.csv"))
