"""``manage.py generate_annex_a --rows N --seed S --error-rate R --output FILE``

Writes a synthetic Ofsted Annex A workbook (no real children: see ``safeguard.annexa.generator``).
The last line printed is a JSON summary: rows per list and the deliberate errors made, by code.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from safeguard.annexa.generator import generate_annex_a


class Command(BaseCommand):
    help = "Write a synthetic Annex A workbook (lists 1-7, plus a small list 8 and a cover sheet)."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=1000, help="Rows over lists 1-7 (default 1000).")
        parser.add_argument("--seed", type=int, default=0, help="Same seed, same workbook.")
        parser.add_argument("--error-rate", type=float, default=0.0, help="Share of rows given one error (0 to 1).")
        parser.add_argument("--reference-date", default="", help="YYYY-MM-DD the lists run to (default: today).")
        parser.add_argument("--output", required=True, help="Where to write the .xlsx file.")

    def handle(self, *args, rows, seed, error_rate, reference_date, output, **options):
        if rows < 0:
            raise CommandError("--rows must be 0 or more.")
        if not 0 <= error_rate <= 1:
            raise CommandError("--error-rate must be between 0 and 1, for example 0.02 for 2% of rows.")
        try:
            day = dt.date.fromisoformat(reference_date) if reference_date else timezone.localdate()
        except ValueError:
            raise CommandError("--reference-date must be written as YYYY-MM-DD, for example 2025-03-31.") from None
        path = Path(output)
        if path.suffix.lower() != ".xlsx":
            raise CommandError("--output must end in .xlsx.")
        result = generate_annex_a(output=path, rows=rows, seed=seed, error_rate=error_rate, reference_date=day)
        self.stdout.write(f"Wrote {sum(result.rows.values()):,} rows to {path}")
        self.stdout.write(json.dumps({"output": str(path), **result.as_json()}, sort_keys=True))
