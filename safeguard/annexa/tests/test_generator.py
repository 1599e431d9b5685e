"""The synthetic workbook generator: repeatable, plausible, and its deliberate errors are all found."""

import datetime as dt

import openpyxl
import pytest

from safeguard.annexa import services
from safeguard.annexa.columns import LISTS, match_sheet
from safeguard.annexa.generator import generate_annex_a
from safeguard.annexa.rules import AnnexAContext, AnnexAValidator
from safeguard.annexa.testing import REFERENCE_DATE

D = dt.date


class _Discard:
    seconds = 0.0

    def add(self, row):
        pass

    def stop(self):
        pass


def _read(path, reference_date=REFERENCE_DATE):
    validator = AnnexAValidator(AnnexAContext(reference_date))
    result = services._read_workbook(path, validator, _Discard())
    return result, validator.counts


def test_the_same_seed_makes_the_same_workbook(tmp_path):
    generate_annex_a(output=tmp_path / "a.xlsx", rows=100, seed=5, reference_date=REFERENCE_DATE)
    generate_annex_a(output=tmp_path / "b.xlsx", rows=100, seed=5, reference_date=REFERENCE_DATE)
    generate_annex_a(output=tmp_path / "c.xlsx", rows=100, seed=6, reference_date=REFERENCE_DATE)
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    assert (tmp_path / "a.xlsx").read_bytes() != (tmp_path / "c.xlsx").read_bytes()


@pytest.mark.parametrize("seed", range(8))
def test_a_workbook_without_deliberate_errors_has_no_findings_in_any_style(tmp_path, seed):
    made = generate_annex_a(output=tmp_path / "a.xlsx", rows=400, seed=seed, reference_date=D(2024, 2, 29))
    result, counts = _read(tmp_path / "a.xlsx", D(2024, 2, 29))
    assert counts == {}
    assert result.rows == made.rows and sum(made.rows.values()) == 400


@pytest.mark.parametrize("seed", range(4))
def test_every_deliberate_error_is_found(tmp_path, seed):
    made = generate_annex_a(
        output=tmp_path / "a.xlsx", rows=600, seed=seed, error_rate=0.1, reference_date=REFERENCE_DATE
    )
    _result, counts = _read(tmp_path / "a.xlsx")
    assert sum(made.errors.values()) > 30
    for code, n in made.errors.items():
        assert counts[code] >= n, code


def test_the_workbook_opens_as_excel_would_read_it(tmp_path):
    generate_annex_a(output=tmp_path / "a.xlsx", rows=50, seed=2, reference_date=REFERENCE_DATE)
    book = openpyxl.load_workbook(tmp_path / "a.xlsx")  # the full (not read-only) reader is stricter
    names = book.sheetnames
    assert names[0] == "Cover" and match_sheet(names[-1]) == 8
    assert [match_sheet(n) for n in names[1:-1]] == sorted(LISTS)
    worker = [row[-1] for row in book[names[7]].iter_rows(min_row=2, values_only=True)]
    assert all(w.startswith("Worker ") for w in worker)  # labels, never names


def test_bad_arguments_are_refused(tmp_path):
    with pytest.raises(ValueError):
        generate_annex_a(output=tmp_path / "a.xlsx", rows=-1, reference_date=REFERENCE_DATE)
    with pytest.raises(ValueError):
        generate_annex_a(output=tmp_path / "a.xlsx", rows=10, error_rate=1.5, reference_date=REFERENCE_DATE)
