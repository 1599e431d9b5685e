"""Indicators at national scale: build CIN census extracts the size of England's year and time
``services.indicators_compute`` on them, for one census year alone and with the previous year's file
loaded too (re-referrals within 12 months and second plans look into it).

Command line (the database is migrated first)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/safeguard_bench .venv/bin/python scripts/bench_indicators.py
    DATABASE_URL=sqlite:///var/bench_indicators.sqlite3 .venv/bin/python scripts/bench_indicators.py --scale 0.1

    --with-previous-year  also build the previous year's file and time the later year with it
    --scale S             S times the national volumes (default 1)
    --runs N              timed runs of each figure, the fastest reported (default BENCH_RUNS or 2)
    --reuse               keep the bench extracts already in the database when they are of that
                          scale (the one-year figure is then taken with the previous year's file
                          set aside: not current, so the computation does not read it)
    --no-analyze          no ANALYZE after building, as after a real import (``build_national_extract``)
    --json                print the result of ``run`` as JSON instead of the table

For ``scripts/bench.py`` (``make bench``): ``indicator_timings(database_url, scale=1.0, runs=2)`` runs
the whole benchmark in a fresh process (Django set up for that database, which is migrated first)
and returns the dict of ``run``::

    {"database": "postgresql", "scale": 1.0, "runs": 2, "reused": False,
     "rows": {"extracts_cinepisode": 650000, ...},            # one year's file
     "one_year": REPORT, "with_previous_year": REPORT}         # the latter None without it

    REPORT = {"total": s, "cpu": s, "runs": [s, s], "values": n,
              "indicators": {code: s, ...},                   # the fastest run's, slowest first
              "load_average": x, "database": "postgresql"}

``total`` is the fastest run's wall-clock seconds; ``cpu`` that run's CPU seconds: the database
backend's on PostgreSQL (parallel query off for the measurement, so no work happens in other
processes), this process's on SQLite. The machine may be shared: report ``load_average`` (the
1-minute load when the run ended) with every figure. Inside a process already set up for the
database, ``run(scale=..., runs=..., previous_year=True, reuse=False, analyze=True)`` does the same.

The pieces, for other scripts (after ``django.setup()``):

    partnership = bench_partnership()
    extract = build_national_extract(partnership)     # ~650,000 referrals, bulk inserts
    created = create_indexes()                        # the indexes listed in INDEXES
    report = time_compute(partnership)                # REPORT above

Volumes follow the DfE national statistics for 2024-25 (/work/shared/design/statutory.md): about
650,000 referrals on 560,000 children (22% re-referrals, 6.5% no further action), an assessment for
most referrals, 200,000 section 47 enquiries, 75,000 initial conferences, 50,000 plans starting.
The previous year's file holds the same LAchildIDs (every child is in both years, the case that
costs the look-ups into it most). All data is synthetic and random (a fixed seed): LAchildIDs
``B0000001``..., no other identifiers.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: (name, table, columns, which query needs it): indexes on the extracts tables (owned by the
#: extracts app) that the indicator SQL would want beyond those its models declare, created here with
#: raw SQL for the measurement only. Measured: none is needed. Each statement reads one extract's
#: rows of its table through the ``extract_id`` index and joins them to ``extracts_censuschild`` by
#: hash; the look-back into earlier files joins by hash on LAchildID, reading an earlier file's
#: referrals since the look-back date through ``episode_by_referral`` (extract, referral_date) when
#: that leaves few of them (a file two years back), through the ``extract_id`` index otherwise.
INDEXES: list[tuple[str, str, tuple[str, ...], str]] = []
#: One year's volumes (``build_national_extract``), multiplied by ``scale``.
NATIONAL = {"children": 560_000, "referrals": 650_000, "s47s": 200_000, "icpcs": 80_500, "plans": 50_000}
YEAR = 2025
SLUG = "bench-indicators"
_JSON_MARK = "BENCH-INDICATORS-JSON "  # the line of the fresh process's output that carries the result

D = dt.date


def _setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguard.settings.test")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT}/var/bench_indicators.sqlite3")
    import django

    django.setup()


def bench_partnership(slug: str = SLUG):
    """A partnership with four localities and two closure days, emptied of earlier bench data."""
    from django.db import connection

    from safeguard.extracts.models import Extract
    from safeguard.indicators.models import IndicatorValue
    from safeguard.partnerships.models import Locality, Partnership
    from safeguard.workdays.models import ClosureDay

    partnership, _ = Partnership.objects.get_or_create(
        slug=slug, defaults={"name": "Bench Indicators Partnership", "local_authority_code": "999"}
    )
    IndicatorValue.objects.filter(partnership=partnership).delete()
    extract_ids = list(Extract.objects.filter(partnership=partnership).values_list("pk", flat=True))
    if extract_ids:
        with connection.cursor() as cursor:  # faster than the ORM's cascade over millions of rows
            marks = ", ".join(["%s"] * len(extract_ids))
            for table in (
                "extracts_cpreview",
                "extracts_childprotectionplan",
                "extracts_section47",
                "extracts_cinplan",
                "extracts_censusassessment",
                "extracts_cinepisode",
                "extracts_finding",
                "extracts_censuschild",
            ):
                cursor.execute(f"DELETE FROM {table} WHERE extract_id IN ({marks})", extract_ids)
        Extract.objects.filter(pk__in=extract_ids).delete()
    for name in ["North", "South", "East", "West"]:
        Locality.objects.get_or_create(partnership=partnership, code=name.lower(), defaults={"name": name})
    for day in (D(2024, 12, 27), D(2025, 1, 2)):
        ClosureDay.objects.get_or_create(partnership=partnership, date=day, defaults={"reason": "Offices closed"})
    return partnership


def _next_id(cursor, table: str) -> int:
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
    return cursor.fetchone()[0]


def _bulk(table: str, columns: list[str], rows: list[tuple]) -> None:
    """Insert rows fast: COPY on PostgreSQL, executemany on SQLite."""
    from django.db import connection

    if not rows:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor
            with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


def _reset_sequences() -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in (
            "extracts_censuschild",
            "extracts_cinepisode",
            "extracts_censusassessment",
            "extracts_section47",
            "extracts_childprotectionplan",
            "extracts_cpreview",
        ):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )


def build_national_extract(
    partnership,
    *,
    year: int = 2025,
    la_code: str = "999",
    children: int = 560_000,
    referrals: int = 650_000,
    s47s: int = 200_000,
    icpcs: int = 80_500,  # enquiries given a conference; those falling after 31 March are dropped: ~75,000
    plans: int = 50_000,
    seed: int = 2025,
    analyze: bool = True,
):
    """One current CIN census extract of national size, written with bulk inserts. Returns it.

    With ``analyze`` (the default) the database's statistics are refreshed afterwards (``ANALYZE``),
    so the figures do not depend on when autovacuum gets to the new rows. The import of the extracts
    app does not do that: ``analyze=False`` measures the computation as it runs right after an
    import."""
    from django.db import connection, transaction

    from safeguard.extracts.choices import ExtractKind, ExtractStatus
    from safeguard.extracts.models import Extract
    from safeguard.partnerships.models import Locality

    rng = random.Random(seed)
    start, end = D(year - 1, 4, 1), D(year, 3, 31)
    days_in_year = (end - start).days
    localities = list(Locality.objects.filter(partnership=partnership).values_list("pk", flat=True))
    categories = ["NEG"] * 50 + ["EMO"] * 35 + ["PHY"] * 7 + ["SAB"] * 4 + ["MUL"] * 4

    def day(offset: int) -> dt.date:
        return start + dt.timedelta(days=offset)

    with transaction.atomic():
        extract = Extract.objects.create(
            partnership=partnership,
            kind=ExtractKind.CIN_CENSUS,
            local_authority_code=la_code,
            collection_year=year,
            period_start=start,
            period_end=end,
            reference_date=end,
            original_filename="bench.xml",
            status=ExtractStatus.LOADED,
            is_current=False,
        )
        with connection.cursor() as cursor:
            child0 = _next_id(cursor, "extracts_censuschild")
            episode0 = _next_id(cursor, "extracts_cinepisode")
            assessment0 = _next_id(cursor, "extracts_censusassessment")
            s470 = _next_id(cursor, "extracts_section47")
            plan0 = _next_id(cursor, "extracts_childprotectionplan")
            review0 = _next_id(cursor, "extracts_cpreview")

        child_rows = []
        for n in range(children):
            locality = rng.choice(localities) if localities and rng.random() > 0.05 else None
            child_rows.append(
                (
                    child0 + n,
                    extract.pk,
                    f"B{n:07d}",
                    "",
                    "",
                    "",
                    "F" if n % 2 else "M",
                    D(2012, 1, 1),
                    None,
                    None,
                    "WBRI",
                    "NONE",
                    locality,
                    None,
                )
            )
        _bulk(
            "extracts_censuschild",
            [
                "id",
                "extract_id",
                "la_child_id",
                "upn",
                "former_upn",
                "upn_unknown",
                "sex",
                "birth_date",
                "expected_birth_date",
                "death_date",
                "ethnicity",
                "disabilities",
                "locality_id",
                "line",
            ],
            child_rows,
        )
        del child_rows

        # Episodes: every child one; the rest are second referrals of random children, most within 12 months.
        episodes = []  # (id, child_id, referral_date, nfa)
        for n in range(referrals):
            child = child0 + (n if n < children else rng.randrange(children))
            if n < children and rng.random() < 0.08:
                referral = day(-rng.randrange(1, 700))  # an earlier year's episode, open on 1 April
            else:
                referral = day(rng.randrange(days_in_year + 1))
            episodes.append((episode0 + n, child, referral, rng.random() < 0.065))
        _bulk(
            "extracts_cinepisode",
            [
                "id",
                "extract_id",
                "child_id",
                "referral_date",
                "referral_source",
                "primary_need",
                "closure_date",
                "reason_for_closure",
                "initial_cpc_date",
                "referral_nfa",
            ],
            [(i, extract.pk, c, r, "6", "N1", None, "", None, nfa) for i, c, r, nfa in episodes],
        )

        assessments = []
        for i, child, referral, nfa in episodes:
            if nfa:
                continue
            begun = referral + dt.timedelta(days=rng.randrange(0, 4))
            done = begun + dt.timedelta(days=rng.randrange(5, 80)) if rng.random() < 0.93 else None
            if done is not None and done > end:
                done = None
            assessments.append((assessment0 + len(assessments), extract.pk, child, i, begun, done, "21"))
        _bulk(
            "extracts_censusassessment",
            ["id", "extract_id", "child_id", "episode_id", "start_date", "authorisation_date", "factors"],
            assessments,
        )
        del assessments

        candidates = [e for e in episodes if not e[3]]
        chosen = rng.sample(candidates, s47s)
        s47_rows, icpc_rows = [], []
        for n, (i, child, referral, _) in enumerate(chosen):
            begun = max(referral, start) + dt.timedelta(days=rng.randrange(0, 20))
            if begun > end:
                begun = end
            icpc = begun + dt.timedelta(days=rng.randrange(8, 30)) if n < icpcs else None
            if icpc is not None and icpc > end:
                icpc = None
            s47_rows.append((s470 + n, extract.pk, child, i, begun, None, icpc, None if icpc else n % 3 == 0))
            if icpc is not None:
                icpc_rows.append((child, i, icpc))
        _bulk(
            "extracts_section47",
            [
                "id",
                "extract_id",
                "child_id",
                "episode_id",
                "start_date",
                "icpc_target",
                "icpc_date",
                "icpc_not_required",
            ],
            s47_rows,
        )
        del s47_rows

        plan_rows, review_rows = [], []
        for n, (child, episode, icpc) in enumerate(icpc_rows[:plans]):
            category = rng.choice(categories)
            ended = icpc + dt.timedelta(days=rng.randrange(60, 500)) if rng.random() < 0.45 else None
            if ended is not None and ended > end:
                ended = None
            plan_id = plan0 + n
            plan_rows.append(
                (
                    plan_id,
                    extract.pk,
                    child,
                    episode,
                    icpc,
                    ended,
                    category,
                    category if rng.random() < 0.8 else rng.choice(categories),
                    rng.choice([0, 0, 0, 1, 2]),
                )
            )
            review = icpc + dt.timedelta(days=rng.randrange(60, 100))
            while review <= (ended or end):
                review_rows.append((review0 + len(review_rows), extract.pk, plan_id, review))
                review += dt.timedelta(days=rng.randrange(120, 200))
        _bulk(
            "extracts_childprotectionplan",
            [
                "id",
                "extract_id",
                "child_id",
                "episode_id",
                "start_date",
                "end_date",
                "initial_category",
                "latest_category",
                "previous_plans",
            ],
            plan_rows,
        )
        _bulk("extracts_cpreview", ["id", "extract_id", "plan_id", "review_date"], review_rows)
        _reset_sequences()
        extract.children_count = children
        extract.is_current = True
        extract.save(update_fields=["children_count", "is_current"])
    if analyze:
        _analyze()
    return extract


def _analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def create_indexes() -> list[str]:
    """Create ``INDEXES`` (idempotent) and return the statements run."""
    from django.db import connection

    statements = []
    with connection.cursor() as cursor:
        for name, table, columns, _why in INDEXES:
            statement = f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({', '.join(columns)})"
            cursor.execute(statement)
            statements.append(statement)
    _analyze()
    return statements


def drop_indexes() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for name, *_ in INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")


def row_counts(extract) -> dict[str, int]:
    from django.db import connection

    counts = {}
    with connection.cursor() as cursor:
        for table in (
            "extracts_censuschild",
            "extracts_cinepisode",
            "extracts_censusassessment",
            "extracts_section47",
            "extracts_childprotectionplan",
            "extracts_cpreview",
        ):
            cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE extract_id = %s", [extract.pk])
            counts[table] = cursor.fetchone()[0]
        cursor.execute(
            "SELECT COUNT(*) FROM extracts_section47 WHERE extract_id = %s AND icpc_date IS NOT NULL", [extract.pk]
        )
        counts["icpcs"] = cursor.fetchone()[0]
    return counts


def _backend_cpu_seconds() -> float | None:
    """CPU seconds used so far by this connection's PostgreSQL backend (server on this machine)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def time_compute(partnership, *, runs: int = 1, years=None) -> dict:
    """Time ``indicators_compute`` for the partnership: the fastest of ``runs`` (with every run's
    wall-clock seconds in ``runs``), with the per-indicator seconds of that run. Wall time depends on
    what else the machine runs, so CPU time is reported too: the database backend's on PostgreSQL
    (parallel query off for the measurement, so no work happens in other processes), this process's
    on SQLite."""
    from django.db import connection

    from safeguard.indicators.services import indicators_compute

    postgres = connection.vendor == "postgresql"
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("SET max_parallel_workers_per_gather = 0")
    best, totals = None, []
    for _ in range(runs):
        cpu_before = _backend_cpu_seconds() if postgres else time.process_time()
        began = time.perf_counter()
        result = indicators_compute(partnership=partnership, years=years)
        total = time.perf_counter() - began
        cpu_after = _backend_cpu_seconds() if postgres else time.process_time()
        cpu = None if cpu_before is None or cpu_after is None else cpu_after - cpu_before
        totals.append(round(total, 3))
        if best is None or total < best["total"]:
            best = {
                "total": total,
                "cpu": cpu,
                "values": len(result.values),
                "indicators": dict(sorted(result.timings.items(), key=lambda kv: -kv[1])),
            }
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("RESET max_parallel_workers_per_gather")
    best["runs"] = totals
    best["database"] = connection.vendor
    best["load_average"] = os.getloadavg()[0]
    return best


def _volumes(scale: float) -> dict[str, int]:
    return {name: max(1, round(count * scale)) for name, count in NATIONAL.items()}


def _reusable(partnership, scale: float) -> tuple | None:
    """The bench's current extracts of ``YEAR`` and the year before, when both are there and of
    this scale."""
    from safeguard.extracts.models import Extract

    extracts = {
        e.collection_year: e
        for e in Extract.objects.filter(partnership=partnership, collection_year__in=[YEAR, YEAR - 1], is_current=True)
    }
    children = _volumes(scale)["children"]
    if len(extracts) == 2 and all(e.children_count == children for e in extracts.values()):
        return extracts[YEAR], extracts[YEAR - 1]
    return None


def _set_current(extract, current: bool) -> None:
    from safeguard.extracts.models import Extract

    Extract.objects.filter(pk=extract.pk).update(is_current=current)


def run(
    *, scale: float = 1.0, runs: int = 2, previous_year: bool = True, reuse: bool = False, analyze: bool = True
) -> dict:
    """The benchmark on the database Django is set up for (see the module's docstring for the dict
    returned). ``reuse`` keeps extracts of this scale already built by an earlier run."""
    from safeguard.partnerships.models import Partnership

    volumes = _volumes(scale)
    partnership = Partnership.objects.filter(slug=SLUG).first()
    reused = _reusable(partnership, scale) if reuse and partnership is not None else None
    result = {"scale": scale, "runs": runs, "reused": reused is not None, "with_previous_year": None}
    if reused is not None:
        extract, previous = reused
        _set_current(previous, False)  # one year alone: the computation reads current files only
        try:
            result["one_year"] = time_compute(partnership, runs=runs, years=[YEAR])
        finally:
            _set_current(previous, True)
    else:
        partnership = bench_partnership()
        extract = build_national_extract(partnership, year=YEAR, analyze=analyze, **volumes)
        result["one_year"] = time_compute(partnership, runs=runs, years=[YEAR])
    result["rows"] = row_counts(extract)
    if previous_year:
        if reused is None:
            build_national_extract(partnership, year=YEAR - 1, seed=YEAR - 1, analyze=analyze, **volumes)
        result["with_previous_year"] = time_compute(partnership, runs=runs, years=[YEAR])
    result["database"] = result["one_year"]["database"]
    return result


def indicator_timings(database_url: str, *, scale: float = 1.0, runs: int = 2, reuse: bool = False) -> dict:
    """``run`` (with the previous year) in a fresh process set up for ``database_url``
    (``sqlite:///FILE`` or ``postgres://...``), migrated first. Returns ``run``'s dict."""
    env = dict(os.environ, DATABASE_URL=database_url, DJANGO_SETTINGS_MODULE="safeguard.settings.test")
    command = [sys.executable, str(Path(__file__).resolve()), "--with-previous-year", "--json"]
    command += ["--scale", str(scale), "--runs", str(runs)] + (["--reuse"] if reuse else [])
    out = subprocess.run(command, capture_output=True, text=True, check=True, env=env, cwd=ROOT)
    line = next(line for line in out.stdout.splitlines() if line.startswith(_JSON_MARK))
    return json.loads(line.removeprefix(_JSON_MARK))


def main(argv: list[str]) -> None:
    _setup_django()
    from django.core.management import call_command

    def option(name: str, default: str) -> str:
        return argv[argv.index(name) + 1] if name in argv else default

    call_command("migrate", verbosity=0)
    began = time.perf_counter()
    result = run(
        scale=float(option("--scale", "1")),
        runs=int(option("--runs", os.environ.get("BENCH_RUNS", "2"))),
        previous_year="--with-previous-year" in argv,
        reuse="--reuse" in argv,
        analyze="--no-analyze" not in argv,
    )
    if "--json" in argv:
        print(_JSON_MARK + json.dumps(result))
        return
    print(f"{result['rows']} ({'reused' if result['reused'] else 'built'}; {time.perf_counter() - began:.0f} s in all)")
    _print(result["one_year"], "one census year")
    if result["with_previous_year"] is not None:
        _print(result["with_previous_year"], "the later year, looking back into the previous year's file")


def _print(report: dict, label: str) -> None:
    print(
        f"{report['database']}, {label}: indicators_compute {report['total']:.2f} s wall (runs: "
        f"{', '.join(f'{t:.2f}' for t in report['runs'])}), {report['cpu'] or 0:.2f} s CPU "
        f"({report['values']} values, load average {report['load_average']:.2f})"
    )
    for code, seconds in report["indicators"].items():
        if seconds >= 0.01:
            print(f"  {code:32} {seconds:6.2f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
