"""CIN census parsing benchmark: the streaming parser against a bare ``lxml.etree.iterparse`` pass.

Functions for ``scripts/bench.py`` (each takes a path and returns one number), and a command line::

    .venv/bin/python scripts/bench_census.py [--children 50000] [--seed 1] [--keep FILE]

- ``generate(path, children, seed)``: writes a synthetic census (``census.generator``), returns its summary.
- ``bare_iterparse_seconds(path)``: the floor: ``iterparse`` with start/end events, clearing each element.
- ``parse_seconds(path)``: the full parse into ``ChildRecord``s with the structural checks (no DfE rules).
- ``parse_peak_memory_mb(path)``: peak Python memory during that parse (``tracemalloc``).
- ``parse_peak_rss_mb(path)``: peak resident memory of a fresh process that only parses the file, which
  also counts libxml2's own allocations (``tracemalloc`` does not see them).

Nothing here needs a database. Timings are CPU seconds of this process (``time.process_time``), the
best of ``RUNS`` runs: on a shared machine, other processes change wall-clock times far more (with the
load at 4 on 2 cores the wall-clock ratio moved between 2 and 5 from one run to the next, the CPU
ratio stayed near 2). ``main`` prints the wall-clock time of one full parse as well.
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", help="Write the census here (and keep it) instead of a temporary file.")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="safeguard-bench-census-")
    path = Path(args.keep) if args.keep else Path(folder) / "census.xml"
    load = os.getloadavg()[0]
    summary = generate(path, args.children, args.seed)
    bare = bare_iterparse_seconds(path)
    full = parse_seconds(path)
    started = time.perf_counter()
    _parse(path)
    wall = time.perf_counter() - started
    peak = parse_peak_memory_mb(path)
    rss = parse_peak_rss_mb(path)
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
    print(
        f"{summary['children']} children, {result['file_mb']} MB, generated in {result['generate_s']} s "
        f"({result['generate_cpu_s']} s CPU)"
    )
    print(f"CPU: bare iterparse {bare:.2f} s, full parse {full:.2f} s: {full / bare:.2f} times the bare pass")
    print(f"wall clock of one full parse: {wall:.2f} s ({summary['children'] / wall:.0f} children a second)")
    print(f"peak memory while parsing: {peak:.1f} MB (Python), {rss:.1f} MB resident (whole process)")
    print(json.dumps(result))
    if not args.keep:
        path.unlink()
        os.rmdir(folder)


if __name__ == "__main__":
    main()
