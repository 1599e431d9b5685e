"""Fill the working-day calendar for 2000 to 2040 from the installed ``holidays`` package.

Later years and later versions of ``holidays``: ``manage.py refresh_calendar`` and the daily job
``safeguard.workdays.tasks.refresh_calendar`` (the same idempotent fill). About 15,000 rows,
inserted with bulk_create (well under a second on SQLite and PostgreSQL; docs/working-days.md).
"""

import datetime as dt

from django.db import migrations


def fill(apps, schema_editor):
    from safeguard.workdays import calendar

    CalendarDay = apps.get_model("workdays", "CalendarDay")
    if CalendarDay.objects.using(schema_editor.connection.alias).exists():
        return
    rows = calendar.national_days(dt.date(calendar.FIRST_YEAR, 1, 1), dt.date(calendar.DEFAULT_LAST_YEAR, 12, 31))
    CalendarDay.objects.using(schema_editor.connection.alias).bulk_create(
        (
            CalendarDay(date=r.date, is_working=r.is_working, working_index=r.working_index, holiday_name=r.holiday_name)
            for r in rows
        ),
        batch_size=2000,
    )


class Migration(migrations.Migration):
    dependencies = [("workdays", "0001_initial")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=False)]
