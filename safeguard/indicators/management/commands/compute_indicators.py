"""Recompute a partnership's indicators and print them.

    manage.py compute_indicators --partnership northdale [--year 2025] [--format table|json]

``--format json`` prints one JSON array (the last thing written to standard output): one object
per value with code, period, collection_year, locality, breakdown, numerator, denominator, value.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from safeguard.indicators.models import period_label
from safeguard.indicators.services import indicators_compute
from safeguard.partnerships.models import Partnership


class Command(BaseCommand):
    help = "Recompute a partnership's indicators from its current CIN census extracts and print them."

    def add_arguments(self, parser):
        parser.add_argument("--partnership", required=True, help="The partnership's slug, for example northdale.")
        parser.add_argument("--year", type=int, action="append", help="Census year ending (2025 for 2024-25).")
        parser.add_argument("--format", choices=["table", "json"], default="table")

    def handle(self, *args, partnership: str, year, format: str, **options):
        found = Partnership.objects.filter(slug=partnership).first()
        if found is None:
            raise CommandError(f"There is no partnership with the slug '{partnership}'. Check the slug in its address.")
        result = indicators_compute(partnership=found, years=year)
        rows = [
            {
                "code": v.code,
                "period": period_label(v.collection_year),
                "collection_year": v.collection_year,
                "locality": None if v.locality_id is None else v.locality.name,
                "breakdown": v.breakdown,
                "numerator": v.numerator,
                "denominator": v.denominator,
                "value": None if v.value is None else round(v.value, 4),
            }
            for v in sorted(
                result.values,
                key=lambda v: (
                    v.collection_year,
                    v.code,
                    v.locality_id is not None,
                    str(v.locality or ""),
                    v.breakdown,
                ),
            )
        ]
        self.stderr.write(
            f"{len(rows)} values for {', '.join(map(period_label, result.years)) or 'no census year'} "
            f"in {result.seconds:.2f} s"
        )
        if format == "json":
            self.stdout.write(json.dumps(rows))
            return
        header = ("code", "period", "locality", "breakdown", "numerator", "denominator", "value")
        table = [header] + [
            (
                r["code"],
                r["period"],
                r["locality"] or "(whole partnership)",
                r["breakdown"],
                "" if r["numerator"] is None else str(r["numerator"]),
                "" if r["denominator"] is None else str(r["denominator"]),
                "" if r["value"] is None else f"{r['value']:.1f}",
            )
            for r in rows
        ]
        widths = [max(len(str(row[i])) for row in table) for i in range(len(header))]
        for row in table:
            self.stdout.write(
                "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
            )
