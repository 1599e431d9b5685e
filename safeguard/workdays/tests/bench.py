"""Timings of the working-day calendar on the configured database (a benchmark, not a test).

    DATABASE_URL=... python manage.py shell -c "from safeguard.workdays.tests.bench import run; run()"

Measures filling the table (2000-2040), a refresh that finds nothing to do, and counts over
``pairs`` random (start, end) pairs held in a scratch table: the raw SQL join of
docs/working-days.md and the ORM helpers of ``sql.py``, bank holidays only and with a
partnership's closures. Everything it writes is rolled back or dropped, except the refilled table,
which ends as it began. Kept under tests/ (outside the coverage figures); ``scripts/bench.py`` can
call ``run()`` to add the figures to docs/benchmarks.md.
"""

from __future__ import annotations

import datetime as dt
import random
import time

from django.db import connection, models, transaction
from django.db.models import Sum

from safeguard.workdays import sql
from safeguard.workdays.models import CalendarDay
from safeguard.workdays.services import calendar_refresh

_MODEL = None


def _pair_model():
    """A scratch model (app label outside INSTALLED_APPS, so migrations never see it)."""
    global _MODEL  # built once per process: Django registers every model class it creates
    if _MODEL is None:
        meta = type("Meta", (), {"app_label": "workdays_bench", "db_table": "workdays_bench_pair", "managed": False})
        _MODEL = type(
            "BenchPair",
            (models.Model,),
            {
                "__module__": __name__,
                "Meta": meta,
                "partnership_id": models.IntegerField(),
                "start": models.DateField(),
                "end": models.DateField(),
            },
        )
    return _MODEL


class _Rollback(Exception):
    pass


def _timed(results: dict, name: str, call):
    started = time.perf_counter()
    value = call()
    results[name] = round(time.perf_counter() - started, 3)
    return value


def run(*, pairs: int = 100_000, seed: int = 20241220, out=print) -> dict:
    from safeguard.partnerships.models import Partnership
    from safeguard.workdays.models import ClosureDay

    results: dict = {"database": connection.vendor, "pairs": pairs}
    with transaction.atomic():
        CalendarDay.objects.all().delete()
        _timed(results, "fill_2000_2040_s", calendar_refresh)
    _timed(results, "refresh_unchanged_s", calendar_refresh)

    pair_model = _pair_model()
    rng = random.Random(seed)  # synthetic benchmark dates
    with connection.schema_editor() as editor:
        editor.create_model(pair_model)
    try:
        with transaction.atomic():
            partnership = Partnership.objects.create(name=f"Bench partnership {seed}", slug=f"bench-{seed}")
            for week in range(40):  # a closure every few weeks, on Tuesdays that are working days
                day = dt.date(2024, 1, 2) + dt.timedelta(weeks=week * 3)
                if CalendarDay.objects.filter(date=day, is_working=True).exists():
                    ClosureDay.objects.create(partnership=partnership, date=day, reason="Bench closure")
            base = dt.date(2005, 1, 1).toordinal()
            rows = []
            for i in range(pairs):
                start = dt.date.fromordinal(base + rng.randrange(30 * 365))
                end = start + dt.timedelta(days=rng.randrange(0, 90))
                rows.append(pair_model(id=i + 1, partnership_id=partnership.pk, start=start, end=end))
            _timed(results, "insert_pairs_s", lambda: pair_model.objects.bulk_create(rows, batch_size=5000))
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE workdays_bench_pair")

            def raw():
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT SUM(ce.working_index - cs.working_index) FROM workdays_bench_pair e "
                        "JOIN workdays_calendarday cs ON cs.date = e.start "
                        'JOIN workdays_calendarday ce ON ce.date = e."end"'
                    )
                    return cursor.fetchone()[0]

            qs = pair_model.objects.all()
            local_count = sql.working_days_between("start", "end", partnership="partnership_id")
            national = _timed(results, "raw_sql_sum_s", raw)
            orm = _timed(
                results,
                "orm_sum_national_s",
                lambda: qs.aggregate(t=Sum(sql.working_days_between("start", "end")))["t"],
            )
            assert national == orm, (national, orm)
            _timed(
                results,
                "orm_sum_with_closures_s",
                lambda: qs.aggregate(t=Sum(local_count))["t"],
            )
            in_time = sql.within_working_days("start", "end", 15, partnership="partnership_id")
            results["within_15_with_closures"] = _timed(
                results,
                "orm_within_15_with_closures_s",
                lambda: qs.annotate(in_time=in_time).filter(in_time=True).count(),
            )
            _timed(
                results,
                "orm_due_date_national_s",
                lambda: qs.annotate(due=sql.nth_working_day("start", 15)).filter(due__lt=models.F("end")).count(),
            )
            raise _Rollback
    except _Rollback:
        pass
    finally:
        with connection.schema_editor() as editor:
            editor.delete_model(pair_model)
    out(results)
    return results
