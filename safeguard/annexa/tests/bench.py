"""Timing of an Annex A import on the configured database (a benchmark, not a test).

    DATABASE_URL=... python manage.py shell -c "from safeguard.annexa.tests.bench import run; run()"

Generates a synthetic workbook of ``rows`` rows (lists 1-7, shared strings as Excel writes them),
imports it twice (the second import supersedes the first) and prints the import's own timings and a
rejected import's (the same workbook with 1% of rows broken). Wall time depends on what else the
machine is doing, so the process's CPU time is printed too (the database server's is not in it).
Everything it writes is rolled back.
Kept under tests/ (outside the coverage figures).
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import time
from pathlib import Path

from django.db import connection, transaction

from safeguard.annexa import generator, services
from safeguard.partnerships.models import Partnership


class _Rollback(Exception):
    pass


def _line(label: str, extract, seconds: float, cpu: float) -> str:
    timings = ", ".join(f"{k} {v:.2f}" for k, v in extract.timings.items() if k != "total")
    return (
        f"{label}: {seconds:.2f} s wall, {cpu:.2f} s CPU of this process, for {extract.children_read:,} rows "
        f"({extract.status}; "
        f"{extract.error_count:,} errors, {extract.query_count:,} queries) [{timings}]"
    )


def run(rows: int = 20_000, seed: int = 1) -> list[str]:
    reference = dt.date(2025, 3, 31)
    lines = [f"Annex A import, {rows:,} rows, {connection.vendor}, load average {os.getloadavg()[0]:.2f}"]
    with tempfile.TemporaryDirectory() as folder:
        clean, broken = Path(folder) / "clean.xlsx", Path(folder) / "broken.xlsx"
        started = time.perf_counter()
        generator.generate_annex_a(output=clean, rows=rows, seed=seed, reference_date=reference)
        lines.append(f"generate: {time.perf_counter() - started:.2f} s, {clean.stat().st_size / 1e6:.1f} MB")
        generator.generate_annex_a(output=broken, rows=rows, seed=seed, error_rate=0.01, reference_date=reference)
        try:
            with transaction.atomic():
                partnership = Partnership.objects.create(name="Annex A benchmark", slug="annexa-bench")
                for label, path in (("first import", clean), ("second import", clean), ("rejected", broken)):
                    started, cpu = time.perf_counter(), time.process_time()
                    extract = services.annex_a_import(
                        partnership=partnership, path=path, by=None, reference_date=reference
                    )
                    lines.append(_line(label, extract, time.perf_counter() - started, time.process_time() - cpu))
                raise _Rollback
        except _Rollback:
            pass
    for line in lines:
        print(line)
    return lines
