"""`make bench`: page timings on demo-sized data, written to docs/benchmarks.md.

A benchmark, not a test: it loads the demo data into a fresh SQLite database (and PostgreSQL when
BENCH_DATABASE_URL is set), grows the agencies and people lists to a realistic large partnership,
then times each page N times through Django's test client (the full middleware stack) and reports
p50/p95 and the number of SQL queries per page.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
tmp = tempfile.mkdtemp(prefix="safeguard-bench-")
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
os.environ["DJANGO_SETTINGS_MODULE"] = "safeguard.settings.test"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "50"))


def main() -> None:
    setup_test_environment()
    call_command("migrate", verbosity=0)
    call_command("load_demo_data", quiet_logins=True, verbosity=0)
    from safeguard.accounts.models import User
    from safeguard.core.testing import AgencyFactory, PersonFactory
    from safeguard.partnerships.models import Agency, Group, Partnership, Person

    partnership = Partnership.objects.get(slug="northdale")
    for i in range(300):
        AgencyFactory(partnership=partnership, name=f"Bench School {i:03d}", sector="education")
    agencies = list(Agency.objects.filter(partnership=partnership))
    for i in range(2000):
        PersonFactory(partnership=partnership, agency=agencies[i % len(agencies)])
    manager = User.objects.get(email="manager@northdale.example")
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(manager, generate_totp_secret())
    board = Group.objects.filter(partnership=partnership, kind="board").first()
    agency = Agency.objects.filter(partnership=partnership).first()
    public, workspace = Client(), Client()
    workspace.force_login(manager)
    pages = [
        ("public", "/", public),
        ("public", "/northdale/", public),
        ("public", "/northdale/contact/", public),
        ("workspace", "/workspace/", workspace),
        ("workspace", "/workspace/partnerships/agencies/", workspace),
        ("workspace", "/workspace/partnerships/agencies/?sector=education&sort=-name&page=5", workspace),
        ("workspace", "/workspace/partnerships/people/", workspace),
        ("workspace", "/workspace/partnerships/groups/", workspace),
        ("workspace", board.get_absolute_url(), workspace),
        ("workspace", agency.get_absolute_url(), workspace),
        ("workspace", "/workspace/audit/", workspace),
    ]
    rows = []
    for area, url, client in pages:
        for _ in range(3):
            assert client.get(url).status_code == 200, url
        timings = []
        for _ in range(RUNS):
            start = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        timings.sort()
        p95 = timings[int(len(timings) * 0.95) - 1]
        rows.append((area, url, statistics.median(timings), p95, len(ctx.captured_queries)))
        p50, queries = statistics.median(timings), len(ctx.captured_queries)
        print(f"{url:75} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  {queries} queries")
    write_report(rows, people=Person.objects.filter(partnership=partnership).count(), agencies=len(agencies))


def write_report(rows, *, people: int, agencies: int) -> None:
    """Write this database's section of docs/benchmarks.md, keeping the other database's section."""
    vendor = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[connection.vendor]
    path = ROOT / "docs" / "benchmarks.md"
    header = [
        "# Benchmarks",
        "",
        "Written by `make bench` (scripts/bench.py). Each page is requested through Django's test client",
        f"(full middleware stack, no network) {RUNS} times after 3 warm-up requests; the SQL query count is",
        "for one request and does not grow with the number of rows (tests assert it).",
        "",
        f"- Machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()}, "
        f"Python {platform.python_version()}",
        f"- Data: demo data plus a large partnership: {agencies} agencies, {people} people",
        "",
    ]
    section = [
        f"## {vendor}",
        "",
        "| area | page | p50 (ms) | p95 (ms) | SQL queries |",
        "|---|---|---:|---:|---:|",
        *[f"| {a} | `{u}` | {p50:.1f} | {p95:.1f} | {q} |" for a, u, p50, p95, q in rows],
        "",
    ]
    sections = {}
    if path.exists():
        current = None
        for line in path.read_text().splitlines():
            if line.startswith("## "):
                current = line[3:].strip()
                sections[current] = []
            if current:
                sections[current].append(line)
    sections[vendor] = section
    body = [line for name in sorted(sections) for line in sections[name]]
    path.write_text("\n".join(header + body).rstrip() + "\n")


if __name__ == "__main__":
    main()
