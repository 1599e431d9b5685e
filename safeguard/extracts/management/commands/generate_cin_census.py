"""``manage.py generate_cin_census --children N --seed S --error-rate R --output FILE [--year 2026]
[--la 931] [--localities north,central,south]``: write a synthetic CIN census file (every child
invented), for demonstrations, tests and benchmarks. The last line printed is the summary as JSON."""

import json
import time

from django.core.management.base import BaseCommand, CommandError

from safeguard.extracts.census import schema
from safeguard.extracts.census.generator import generate_census


class Command(BaseCommand):
    help = "Write a synthetic CIN census XML file (invented children), optionally with deliberate errors."

    def add_arguments(self, parser):
        parser.add_argument("--children", type=int, required=True, help="How many children (for example 50000).")
        parser.add_argument("--seed", type=int, default=0, help="The same seed gives the same file.")
        parser.add_argument(
            "--error-rate",
            type=float,
            default=0.0,
            help="Fraction of children given one deliberate error (0 to 1, for example 0.02).",
        )
        parser.add_argument("--output", required=True, help="Where to write the XML file.")
        parser.add_argument(
            "--year",
            type=int,
            default=schema.LATEST_YEAR,
            help="The year the census year ends (2026 for 2025-26); older years use the older layout.",
        )
        parser.add_argument("--la", default="931", help="The three-digit local authority (LEA) code.")
        parser.add_argument(
            "--localities",
            default="",
            help="Comma-separated locality names: also writes <output>.localities.csv (LAchildID,locality).",
        )

    def handle(self, *args, children, seed, error_rate, output, year, la, localities, **options):
        names = [name.strip() for name in localities.split(",") if name.strip()]
        started = time.perf_counter()
        try:
            summary = generate_census(
                output, children=children, seed=seed, error_rate=error_rate, year=year, la=la, localities=names
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        except OSError as exc:
            raise CommandError(f"Could not write {output}: {exc.strerror or exc}.") from None
        seconds = time.perf_counter() - started
        written = f"Wrote {summary['children']} children to {output} in {seconds:.2f}s"
        if names:
            written += f", and their localities to {output}.localities.csv"
        self.stdout.write(written + ".")
        self.stdout.write(json.dumps(summary, sort_keys=True))
