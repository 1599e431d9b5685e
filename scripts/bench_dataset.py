"""The data set dashboard and the quarterly report at the size the issue names: 60 indicators, 20
quarters, 8 localities.

    .venv/bin/python scripts/bench_dataset.py --database sqlite:///var/bench_dataset.sqlite3
    .venv/bin/python scripts/bench_dataset.py --database postgres://postgres@127.0.0.1:5432/bench_dataset

(the database is migrated first; its partnership "bench-dataset" is rebuilt on every run).

From another script (after ``django.setup()`` on the database to use), the pieces are:

    partnership = build_dataset()                        # the data, rebuilt
    users = bench_users(partnership)                     # {"board": ..., "analyst": ...}
    time_dashboard(partnership, user=users["board"])     # {"p50_ms", "p95_ms", "queries", "cold_ms", ...}
    time_report_pdf(partnership, user=users["board"])    # {"seconds": [...], "best_s", "pages", ...}

What is built (all synthetic, a fixed seed): 8 localities, 6 agencies, 6 themes; 20 financial-year
quarters (2021-22 Q1 to 2025-26 Q4) and 5 financial years; 50 agency-supplied indicators, each a
quarterly count or percentage supplied for the whole area and every locality (20 x 9 figures each,
some small enough to be suppressed), from 120 submitted returns; 10 computed indicators from the
indicator registry with 5 census years of values for the area and each locality, and England and
statistical-neighbour benchmarks; a commentary on every indicator. The dashboard is timed through
Django's test client (the whole middleware stack) as a board member (suppressed figures) and as an
analyst (exact figures with the extracts named); ``cold_ms`` is the first request after the charts'
cache was emptied (every chart drawn), the percentiles are for the requests after ``warmups``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
D = dt.date
QUARTER_STARTS = [D(2021 + (m < 4), m, 1) for m in (4, 7, 10, 1)]


def setup_django(database_url: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguard.settings.test")
    import django

    django.setup()


def quarters(count: int = 20, first_year: int = 2021) -> list[dt.date]:
    """The first days of ``count`` financial-year quarters from April ``first_year``."""
    starts = []
    year, month = first_year, 4
    for _ in range(count):
        starts.append(D(year, month, 1))
        month += 3
        if month > 12:
            month, year = month - 12, year + 1
    return starts


def build_dataset(
    *,
    slug: str = "bench-dataset",
    indicators: int = 60,
    computed: int = 10,
    quarter_count: int = 20,
    locality_count: int = 8,
    seed: int = 2026,
):
    """The partnership ``slug`` with a data set of ``indicators`` indicators (``computed`` of them
    from the registry), rebuilt from scratch. Returns the partnership."""
    from django.db import transaction

    from safeguard.indicators.choices import AreaKind
    from safeguard.indicators.models import Benchmark, IndicatorValue
    from safeguard.indicators.registry import all_indicators
    from safeguard.partnerships.models import Agency, Group, Locality, Partnership
    from safeguard.returns.choices import PeriodKind, Polarity, ReturnStatus, Source, ThemeKind, Unit
    from safeguard.returns.models import (
        AgencyReturn,
        Commentary,
        DataSetFigure,
        DataSetIndicator,
        ReportingPeriod,
        ReturnEmail,
        Theme,
    )
    from safeguard.returns.testing import quarter_bounds

    rng = random.Random(seed)
    partnership, _ = Partnership.objects.get_or_create(
        slug=slug, defaults={"name": "Bench Data Set Safeguarding Children Partnership", "local_authority_code": "998"}
    )
    with transaction.atomic():
        Commentary.objects.filter(indicator__partnership=partnership).delete()
        DataSetFigure.objects.filter(partnership=partnership).delete()
        ReturnEmail.objects.filter(agency_return__partnership=partnership).delete()
        AgencyReturn.objects.filter(partnership=partnership).delete()
        DataSetIndicator.objects.filter(partnership=partnership).delete()
        Theme.objects.filter(partnership=partnership).delete()
        ReportingPeriod.objects.filter(partnership=partnership).delete()
        IndicatorValue.objects.filter(partnership=partnership).delete()
        Benchmark.objects.filter(partnership=partnership).delete()

        localities = [
            Locality.objects.get_or_create(partnership=partnership, code=f"area-{n}", defaults={"name": f"Area {n}"})[0]
            for n in range(1, locality_count + 1)
        ]
        agencies = [
            Agency.objects.get_or_create(partnership=partnership, name=name, defaults={"sector": sector})[0]
            for name, sector in [
                ("Bench Police", "police"),
                ("Bench Health Trust", "health"),
                ("Bench Children's Services", "local_authority"),
                ("Bench Education", "education"),
                ("Bench Probation", "probation"),
                ("Bench Voluntary Sector", "voluntary"),
            ]
        ]
        group, _ = Group.objects.get_or_create(
            partnership=partnership, name="Bench Performance Sub-group", defaults={"kind": "subgroup"}
        )
        themes = [
            Theme.objects.create(partnership=partnership, name=name, kind=kind, position=n)
            for n, (name, kind) in enumerate(
                [
                    ("Neglect", ThemeKind.PRIORITY),
                    ("Exploitation", ThemeKind.PRIORITY),
                    ("Early help", ThemeKind.PRIORITY),
                    ("Child protection", ThemeKind.THEME),
                    ("Health", ThemeKind.THEME),
                    ("Workforce", ThemeKind.THEME),
                ]
            )
        ]
        starts = quarters(quarter_count)
        periods = []
        for start in starts:
            end, label = quarter_bounds(start)
            periods.append(
                ReportingPeriod.objects.create(
                    partnership=partnership,
                    kind=PeriodKind.QUARTER,
                    start=start,
                    end=end,
                    label=label,
                    due_date=end + dt.timedelta(days=30),
                )
            )
        years = sorted({s.year if s.month >= 4 else s.year - 1 for s in starts})[-5:]
        year_periods = [
            ReportingPeriod.objects.create(
                partnership=partnership,
                kind=PeriodKind.FINANCIAL_YEAR,
                start=D(y, 4, 1),
                end=D(y + 1, 3, 31),
                label=f"{y}-{(y + 1) % 100:02d}",
                due_date=D(y + 1, 5, 31),
            )
            for y in years
        ]
        submitter = _user("bench-data-lead@dataset.bench", "Dana", "Datalead")
        returns = {}
        for agency in agencies:
            for period in periods:
                returns[(agency.pk, period.pk)] = AgencyReturn.objects.create(
                    partnership=partnership,
                    agency=agency,
                    period=period,
                    due_date=period.due_date,
                    status=ReturnStatus.SUBMITTED,
                    submitted_at=_aware(period.due_date - dt.timedelta(days=3)),
                    submitted_by=submitter,
                )

        manual_count = indicators - computed
        rows = []
        made = []
        for n in range(manual_count):
            percent = n % 3 == 2
            agency = agencies[n % len(agencies)]
            made.append(
                DataSetIndicator.objects.create(
                    partnership=partnership,
                    code=f"bench-{n:03d}",
                    title=f"Bench indicator {n:03d}: {'share seen on time' if percent else 'referrals received'}",
                    definition="Synthetic bench indicator: what is counted, from when to when, and what is left out.",
                    theme=themes[n % len(themes)],
                    source=Source.MANUAL,
                    agency=agency,
                    owner_group=group,
                    unit=Unit.PERCENT if percent else Unit.COUNT,
                    numerator_label="Seen on time" if percent else "",
                    denominator_label="Seen" if percent else "",
                    polarity=Polarity.HIGHER_IS_BETTER if percent else Polarity.LOWER_IS_BETTER,
                    target=Decimal(85) if percent else Decimal(300),
                    amber_threshold=Decimal(75) if percent else Decimal(360),
                    by_locality=True,
                    position=n,
                )
            )
        for indicator in made:
            percent = indicator.unit == Unit.PERCENT
            for period in periods:
                source = returns[(indicator.agency_id, period.pk)]
                parts = [rng.choice([rng.randint(1, 5), rng.randint(6, 60)]) for _ in localities]
                whole = sum(parts) + rng.randint(0, 4)
                dens = [p + rng.randint(0, 12) for p in parts] if percent else [None] * len(parts)
                whole_den = sum(dens) + rng.randint(0, 4) if percent else None
                for locality, num, den in [*zip(localities, parts, dens, strict=True), (None, whole, whole_den)]:
                    value = Decimal(num * 100) / Decimal(den) if percent and den else Decimal(num)
                    rows.append(
                        DataSetFigure(
                            partnership=partnership,
                            indicator=indicator,
                            period=period,
                            locality=locality,
                            numerator=num,
                            denominator=den,
                            value=value.quantize(Decimal("0.0001")),
                            source_return=source,
                        )
                    )
        DataSetFigure.objects.bulk_create(rows, batch_size=2000)

        registry = [i for i in all_indicators() if not i.breakdown][:computed]
        units = {"count": Unit.COUNT, "percent": Unit.PERCENT, "rate_per_10000": Unit.RATE_10K, "days": Unit.DAYS}
        polarities = {"higher_better": Polarity.HIGHER_IS_BETTER, "lower_better": Polarity.LOWER_IS_BETTER}
        values, benchmarks, now = [], [], _aware(D(2025, 6, 1))
        for n, entry in enumerate(registry):
            unit = units[entry.unit]
            made.append(
                DataSetIndicator.objects.create(
                    partnership=partnership,
                    code=f"census-{entry.code}".replace("_", "-")[:60],
                    title=entry.title,
                    definition=entry.definition,
                    theme=themes[3],
                    source=Source.COMPUTED,
                    registry_code=entry.code,
                    owner_group=group,
                    unit=unit,
                    numerator_label=entry.numerator[:200] if unit == Unit.PERCENT else "",
                    denominator_label=entry.denominator[:200] if unit == Unit.PERCENT else "",
                    polarity=polarities.get(entry.polarity, Polarity.NEUTRAL),
                    target=Decimal(80) if unit == Unit.PERCENT else None,
                    amber_threshold=Decimal(70) if unit == Unit.PERCENT else None,
                    period_kind=PeriodKind.FINANCIAL_YEAR,
                    position=100 + n,
                )
            )
            for year in years:
                collection_year = year + 1
                parts = [rng.randint(1, 90) for _ in localities]
                dens = [p + rng.randint(0, 40) for p in parts]
                for locality, num, den in [
                    *zip(localities, parts, dens, strict=True),
                    (None, sum(parts), sum(dens)),
                ]:
                    denominator = den if entry.unit in ("percent", "days") else (5000 if "rate" in entry.unit else None)
                    values.append(
                        IndicatorValue(
                            partnership=partnership,
                            code=entry.code,
                            collection_year=collection_year,
                            locality=locality,
                            numerator=num,
                            denominator=denominator,
                            value=entry.value_of(num, denominator) if entry.unit != "days" else float(num % 40 + 5),
                            computed_at=now,
                            extracts=[],
                        )
                    )
                for kind, value in ((AreaKind.ENGLAND, 71.3), (AreaKind.STATISTICAL_NEIGHBOURS, 68.9)):
                    benchmarks.append(
                        Benchmark(
                            partnership=partnership,
                            code=entry.code,
                            collection_year=collection_year,
                            area_kind=kind,
                            value=value + year - 2021,
                            source="bench",
                        )
                    )
        IndicatorValue.objects.bulk_create(values, batch_size=2000)
        Benchmark.objects.bulk_create(benchmarks, batch_size=2000)
        commentaries = []
        for indicator in made:
            period = year_periods[-1] if indicator.source == Source.COMPUTED else periods[-1]
            commentaries.append(
                Commentary(
                    indicator=indicator,
                    period=period,
                    text="The sub-group looked at the rise and agreed a deep dive with the agencies concerned.",
                    group=group,
                )
            )
        Commentary.objects.bulk_create(commentaries)
    return partnership


def _aware(day: dt.date) -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))


def _user(email: str, first: str, last: str):
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from safeguard.accounts.models import User

    user, _ = User.objects.get_or_create(email=email, defaults={"first_name": first, "last_name": last})
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, generate_totp_secret())
    return user


def bench_users(partnership) -> dict:
    """A board member (suppressed figures) and an analyst (exact figures), with current roles."""
    from safeguard.core.roles import Role
    from safeguard.partnerships.models import RoleAssignment

    users = {}
    for key, role in (("board", Role.BOARD_MEMBER), ("analyst", Role.ANALYST)):
        user = _user(f"bench-{key}@dataset.bench", "Bench", key.title())
        RoleAssignment.objects.get_or_create(
            user=user, partnership=partnership, role=role, defaults={"start_date": D(2020, 1, 1)}
        )
        users[key] = user
    return users


def _forget_caches() -> None:
    """Start cold: no chart drawn, no chart or review kept from an earlier request."""
    from safeguard.core import charts
    from safeguard.returns import dashboard

    charts._render.cache_clear()
    dashboard._line_chart.cache_clear()
    dashboard._REVIEWS.clear()


def time_dashboard(partnership, *, user, runs: int = 50, warmups: int = 3, query: str = "") -> dict:
    """p50/p95 (ms) of the dashboard through the test client, its SQL query count and size.

    ``cpu_*``: this process's CPU time per request (``time.process_time``), which a busy shared
    machine changes far less than the wall-clock time; on SQLite the database's work is in it, on
    PostgreSQL it is not."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    url = f"/workspace/data-set/?partnership={partnership.pk}{query}"
    _forget_caches()
    start = time.perf_counter()
    response = client.get(url)
    cold = (time.perf_counter() - start) * 1000
    assert response.status_code == 200, response.status_code
    for _ in range(warmups):
        client.get(url)
    timings, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    return {
        "url": url,
        "p50_ms": _percentile(timings, 50),
        "p95_ms": _percentile(timings, 95),
        "cpu_p50_ms": _percentile(cpu, 50),
        "cpu_p95_ms": _percentile(cpu, 95),
        "cold_ms": round(cold, 1),
        "queries": len(ctx.captured_queries),
        "kilobytes": round(len(response.content) / 1024),
        "indicators": response.content.decode().count('data-testid="indicator-'),
    }


def _percentile(values: list[float], percent: int) -> float:
    """p50 and p95 worked out as scripts/bench.py works them out."""
    ordered = sorted(values)
    if percent == 50:
        return round(statistics.median(ordered), 1)
    return round(ordered[max(int(len(ordered) * percent / 100) - 1, 0)], 1)


def time_report_pdf(partnership, *, user, runs: int = 3) -> dict:
    """Seconds to download the quarterly report PDF (the whole request), best and each run."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    url = f"/workspace/data-set/report.pdf?partnership={partnership.pk}"
    seconds = []
    size = 0
    for run in range(runs):
        if run == 0:
            _forget_caches()
        start = time.perf_counter()
        response = client.get(url)
        seconds.append(round(time.perf_counter() - start, 2))
        assert response.status_code == 200, response.status_code
        size = len(response.content)
    return {"seconds": seconds, "best_s": min(seconds), "cold_s": seconds[0], "kilobytes": round(size / 1024)}


def time_report_xlsx(partnership, *, user) -> float:
    from django.test import Client

    client = Client()
    client.force_login(user)
    start = time.perf_counter()
    response = client.get(f"/workspace/data-set/report.xlsx?partnership={partnership.pk}")
    assert response.status_code == 200
    return round(time.perf_counter() - start, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=f"sqlite:///{ROOT}/var/bench_dataset.sqlite3")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--no-pdf", action="store_true")
    args = parser.parse_args()
    setup_django(args.database)
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    call_command("migrate", verbosity=0)
    load = os.getloadavg()[0]
    started = time.perf_counter()
    partnership = build_dataset()
    print(f"{connection.vendor}: built in {time.perf_counter() - started:.1f} s; load average {load:.1f}")
    users = bench_users(partnership)
    for who in ("board", "analyst"):
        print(who, time_dashboard(partnership, user=users[who], runs=args.runs))
    print(
        "board, one locality",
        time_dashboard(
            partnership,
            user=users["board"],
            runs=args.runs,
            query="&locality=" + str(partnership.localities.order_by("pk").first().pk),
        ),
    )
    if not args.no_pdf:
        print("report pdf", time_report_pdf(partnership, user=users["board"]))
        print("report xlsx seconds", time_report_xlsx(partnership, user=users["board"]))
    print(f"load average at the end {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
