"""``manage.py refresh_calendar [--from-year 2000] [--to-year 2060]``: fill or extend the
working-day table from the installed ``holidays`` package (idempotent)."""

import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from safeguard.workdays import calendar
from safeguard.workdays.services import calendar_refresh


class Command(BaseCommand):
    help = "Fill or extend the England and Wales working-day calendar (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument("--from-year", type=int, default=calendar.FIRST_YEAR)
        parser.add_argument("--to-year", type=int, default=calendar.DEFAULT_LAST_YEAR)

    def handle(self, *args, from_year, to_year, **options):
        started = time.perf_counter()
        try:
            result = calendar_refresh(first_year=from_year, last_year=to_year)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(f"{result} ({time.perf_counter() - started:.2f}s)")
