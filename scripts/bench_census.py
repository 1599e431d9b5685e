"""CIN census benchmark: the streaming parser against a bare ``lxml.etree.iterparse`` pass, and the
whole import (``extracts.services``) on SQLite and PostgreSQL.

Functions for ``scripts/bench.py`` (each takes a path and returns one number, except
``import_seconds``, which returns a dict), and a command line::

    .venv/bin/python scripts/bench_census.py [--children 50000] [--seed 1] [--keep FILE | --file FILE]
        [--database URL ...]

- ``generate(path, children, seed)``: writes a synthetic census (``census.generator``), returns its summary.
- ``bare_iterparse_seconds(path)``: the floor: ``iterparse`` with start/end events, clearing each element.
- ``parse_seconds(path)``: the full parse into ``ChildRecord``s with the structural checks (no DfE rules).
- ``parse_peak_memory_mb(path)``: peak Python memory during that parse (``tracemalloc``).
- ``parse_peak_rss_mb(path)``: peak resident memory of a fresh process that only parses the file, which
  also counts libxml2's own allocations (``tracemalloc`` does not see them).
- ``import_seconds(path, database_url)``: the whole import of the file (upload, check pass with every
  DfE rule, load in one transaction) into a scratch partnership on the database at ``database_url``
  (``sqlite:///FILE`` or ``postgres://...``), run in a fresh process (so Django is set up for that
  database and the peak resident memory is the import's own). Returns a dict: ``wall_s`` and
  ``cpu_s`` (``time.process_time`` of that process: PostgreSQL's own work is not in it), and
  ``server_cpu_s`` (the CPU of the PostgreSQL server process serving the import, read from ``/proc``
  when the server runs on this machine; ``None`` otherwise and on SQLite), ``peak_rss_mb``, the
  import's own ``timings`` (parse, validate, load, total), ``status``, ``children`` and the load
  average when it started and ended. The database is migrated first (in another process, not timed);
  the scratch partnership (slug ``census-import-benchmark``, inactive) is made once and kept, the
  extract and its rows are deleted afterwards (not timed). The indicators' recomputation, which a
  loaded extract queues for the task worker, is not run: the test settings would run it at once,
  inside the import.

Only ``import_seconds`` needs a database. The other timings are CPU seconds of this process
(``time.process_time``), the best of ``RUNS`` runs: on a shared machine, other processes change
wall-clock times far more (with the load at 4 on 2 cores the wall-clock ratio moved between 2 and 5
from one run to the next, the CPU ratio stayed near 2). ``main`` prints the wall-clock time of one
full parse as well, and with ``--database`` the whole import on each database given
(``BENCH_CENSUS_IMPORT_RUNS`` times each, default 2; the run with the least wall-clock time is
reported with the figures of every run), and its ratios to the bare pass (CPU and wall clock).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from lxml import etree  # noqa: E402

from safeguard.extracts.census.generator import generate_census  # noqa: E402
from safeguard.extracts.census.parser import open_census  # noqa: E402

RUNS = int(os.environ.get("BENCH_CENSUS_RUNS", "3"))
IMPORT_RUNS = int(os.environ.get("BENCH_CENSUS_IMPORT_RUNS", "2"))
_WORKER = "--import-worker"  # the hidden argument the fresh process of ``import_seconds`` is run with


def generate(path, children: int, seed: int) -> dict:
    """Write a synthetic census of ``children`` children; returns the generator's summary (plus the
    wall-clock ``seconds`` and ``cpu_seconds`` taken, and the file's ``bytes``)."""
    started, cpu = time.perf_counter(), time.process_time()
    summary = generate_census(path, children=children, seed=seed)
    summary["seconds"] = time.perf_counter() - started
    summary["cpu_seconds"] = time.process_time() - cpu
    summary["bytes"] = Path(path).stat().st_size
    return summary


def _best(run) -> float:
    times = []
    for _ in range(RUNS):
        gc.collect()
        started = time.process_time()
        run()
        times.append(time.process_time() - started)
    return min(times)


def _bare(path) -> int:
    events = 0
    for event, element in etree.iterparse(str(path), events=("start", "end")):
        if event == "end":
            element.clear()
        events += 1
    return events


def _parse(path) -> int:
    children = 0
    with open_census(path) as stream:
        for _child in stream:
            stream.take_findings()
            children += 1
    return children


def bare_iterparse_seconds(path) -> float:
    """CPU seconds for a bare ``iterparse`` pass (start/end events, each element cleared at its end)."""
    return _best(lambda: _bare(path))


def parse_seconds(path) -> float:
    """CPU seconds for the full parse into records with the structural checks (no DfE rules)."""
    return _best(lambda: _parse(path))


def parse_peak_memory_mb(path) -> float:
    """Peak Python memory (MB) while parsing the whole file, as ``tracemalloc`` measures it."""
    gc.collect()
    tracemalloc.start()
    try:
        _parse(path)
        return tracemalloc.get_traced_memory()[1] / (1024 * 1024)
    finally:
        tracemalloc.stop()


def parse_peak_rss_mb(path) -> float:
    """Peak resident memory (MB) of a new Python process that imports the parser and parses ``path``."""
    code = (
        "import resource, sys\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "from safeguard.extracts.census.parser import open_census\n"
        "with open_census(sys.argv[1]) as stream:\n"
        "    for _child in stream:\n"
        "        stream.take_findings()\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True, env=env)
    return int(out.stdout.strip().splitlines()[-1]) / 1024  # ru_maxrss is in KB on Linux


def _django_env(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env["DATABASE_URL"] = database_url
    env["DJANGO_SETTINGS_MODULE"] = "safeguard.settings.test"
    return env


def import_seconds(path, database_url: str) -> dict:
    """The whole import of ``path`` into a scratch partnership on ``database_url``, in a fresh process:
    ``{"wall_s", "cpu_s", "server_cpu_s", "peak_rss_mb", "timings", "status", "children", "load_average",
    "load_average_after"}`` (see the module's docstring)."""
    env = _django_env(database_url)
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--verbosity", "0"], check=True, env=env, cwd=ROOT
    )
    out = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), _WORKER, str(path)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _import_worker(path: str) -> None:
    """The body of ``import_seconds``'s process: Django is set up from the environment it was given."""
    import resource

    import django

    django.setup()
    from django.core.files import File

    from safeguard.extracts import services
    from safeguard.extracts.signals import extract_loaded
    from safeguard.partnerships.models import Partnership

    # The task worker recomputes the indicators after a load; the test settings would do it here.
    extract_loaded.disconnect(dispatch_uid="indicators.extract_loaded")
    with open_census(path) as stream:
        lea = stream.header.lea
    partnership, _ = Partnership.objects.update_or_create(
        slug="census-import-benchmark",
        defaults={"name": "Census import benchmark", "local_authority_code": lea, "is_active": False},
    )
    with open(path, "rb") as source:
        extract = services.extract_create(partnership=partnership, file=File(source, name="census.xml"), by=None)
    gc.collect()
    load = os.getloadavg()[0]
    server = _ServerCpu()
    started, cpu = time.perf_counter(), time.process_time()
    extract = services.extract_import(extract=extract)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    server_cpu = server.seconds()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux
    result = {
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "server_cpu_s": round(server_cpu, 2) if server_cpu is not None else None,
        "peak_rss_mb": round(peak, 1),
        "timings": extract.timings,
        "status": extract.status,
        "children": extract.children_count,
        "load_average": round(load, 2),
        "load_average_after": round(os.getloadavg()[0], 2),
    }
    _discard(extract)
    print(json.dumps(result))


class _ServerCpu:
    """CPU seconds of this connection's PostgreSQL server process, when the server runs on this
    machine and its ``/proc`` entry can be read (``None`` otherwise, and always on SQLite, whose work
    is this process's own)."""

    def __init__(self):
        from django.db import connection

        self.stat = None
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                self.stat = Path(f"/proc/{cursor.fetchone()[0]}/stat")
        self.start = self._read()

    def _read(self) -> float | None:
        try:
            fields = self.stat.read_text().rsplit(")", 1)[1].split() if self.stat else None
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK") if fields else None

    def seconds(self) -> float | None:
        end = self._read()
        return end - self.start if end is not None and self.start is not None else None


def _discard(extract) -> None:
    """Delete the scratch extract's rows table by table (the ORM's cascade would fetch every row
    first: half a minute for 50,000 children on PostgreSQL), then the extract."""
    from django.db import connection, transaction

    from safeguard.extracts import models

    tables = (
        models.CpReview,
        models.ChildProtectionPlan,
        models.Section47,
        models.CinPlan,
        models.CensusAssessment,
        models.CinEpisode,
        models.CensusChild,
        models.Finding,
    )
    with transaction.atomic(), connection.cursor() as cursor:
        for model in tables:
            cursor.execute(
                f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)} WHERE extract_id = %s", [extract.pk]
            )
        extract.delete()


def _best_import(path, database_url: str) -> dict:
    runs = [import_seconds(path, database_url) for _ in range(max(1, IMPORT_RUNS))]
    best = min(runs, key=lambda r: r["wall_s"])
    return {
        **best,
        "wall_s_runs": [r["wall_s"] for r in runs],
        "cpu_s_runs": [r["cpu_s"] for r in runs],
        "load_average_runs": [r["load_average"] for r in runs],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", help="Write the census here (and keep it) instead of a temporary file.")
    parser.add_argument("--file", help="Benchmark this census file instead of generating one.")
    parser.add_argument(
        "--database",
        action="append",
        default=[],
        metavar="URL",
        help="Also time the whole import on this database (sqlite:///FILE or postgres://...); repeatable.",
    )
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="safeguard-bench-census-")
    path = Path(args.file or args.keep or Path(folder) / "census.xml")
    load = os.getloadavg()[0]
    if args.file:
        summary = {"children": None, "bytes": path.stat().st_size, "seconds": 0.0, "cpu_seconds": 0.0}
    else:
        summary = generate(path, args.children, args.seed)
    bare = bare_iterparse_seconds(path)
    full = parse_seconds(path)
    started = time.perf_counter()
    _parse(path)
    wall = time.perf_counter() - started
    peak = parse_peak_memory_mb(path)
    rss = parse_peak_rss_mb(path)
    imports = {url.split(":", 1)[0]: _best_import(path, url) for url in args.database}
    if summary["children"] is None:
        summary["children"] = next((r["children"] for r in imports.values()), None) or _parse(path)
    result = {
        "children": summary["children"],
        "file_mb": round(summary["bytes"] / (1024 * 1024), 1),
        "generate_s": round(summary["seconds"], 2),
        "generate_cpu_s": round(summary["cpu_seconds"], 2),
        "bare_iterparse_s": round(bare, 2),
        "parse_s": round(full, 2),
        "parse_wall_s": round(wall, 2),
        "ratio": round(full / bare, 2),
        "children_per_s": round(summary["children"] / full),
        "parse_peak_python_mb": round(peak, 1),
        "parse_peak_rss_mb": round(rss, 1),
        "load_average_at_start": round(load, 1),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
    }
    for name, run in imports.items():
        result[f"import_{name}"] = run
        result[f"ratio_import_cpu_{name}"] = round(run["cpu_s"] / bare, 2)
        result[f"ratio_import_wall_{name}"] = round(run["wall_s"] / bare, 2)
    print(
        f"{summary['children']} children, {result['file_mb']} MB, generated in {result['generate_s']} s "
        f"({result['generate_cpu_s']} s CPU)"
    )
    print(f"CPU: bare iterparse {bare:.2f} s, full parse {full:.2f} s: {full / bare:.2f} times the bare pass")
    print(f"wall clock of one full parse: {wall:.2f} s ({summary['children'] / wall:.0f} children a second)")
    print(f"peak memory while parsing: {peak:.1f} MB (Python), {rss:.1f} MB resident (whole process)")
    for name, run in imports.items():
        server = f" + {run['server_cpu_s']:.2f} s CPU in the database server" if run["server_cpu_s"] is not None else ""
        print(
            f"import on {name}: {run['wall_s']:.2f} s wall clock ({run['wall_s'] / bare:.1f} times the bare pass; "
            f"runs {run['wall_s_runs']}), {run['cpu_s']:.2f} s CPU ({run['cpu_s'] / bare:.1f} times){server}, "
            f"peak {run['peak_rss_mb']:.0f} MB resident, load average {run['load_average']} at the start; "
            f"the import's own timings {run['timings']}"
        )
    print(json.dumps(result))
    if not (args.keep or args.file):
        path.unlink()
    os.rmdir(folder)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == _WORKER:
        _import_worker(sys.argv[2])
    else:
        main()
