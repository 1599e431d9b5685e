"""``manage.py import_annex_a FILE --partnership SLUG --reference-date YYYY-MM-DD``

Imports an Ofsted Annex A workbook as the system user. Prints what it found, then, as the last line,
a JSON summary: extract id, status, rows per list, findings by code, seconds taken. The exit status
is 0 when the workbook was loaded, 1 when it was rejected (errors) or could not be read (the JSON line
is printed first either way).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from safeguard.annexa import services
from safeguard.annexa.models import AnnexASheet, SheetStatus
from safeguard.extracts.choices import ExtractStatus
from safeguard.partnerships.models import Partnership


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date: write it as YYYY-MM-DD, for example 2025-03-31."
        ) from None


class Command(BaseCommand):
    help = "Import an Ofsted Annex A workbook (.xlsx) for a partnership; the last line printed is a JSON summary."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the .xlsx workbook.")
        parser.add_argument("--partnership", required=True, help="The partnership's slug, for example northdale.")
        parser.add_argument("--reference-date", required=True, type=_date, help="The date the lists run to.")
        parser.add_argument(
            "--la-code", default="", help="Three-digit local authority code (default: the partnership's)."
        )

    def handle(self, *args, file, partnership, reference_date, la_code, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        found = Partnership.objects.filter(slug=partnership).first()
        if found is None:
            raise CommandError(f"No partnership has the slug {partnership!r}.")
        extract = services.annex_a_import(
            partnership=found, path=path, by=None, reference_date=reference_date, local_authority_code=la_code
        )
        sheets = list(AnnexASheet.objects.filter(extract=extract).order_by("position"))
        for sheet in sheets:
            what = f"list {sheet.list_number}" if sheet.list_number else "not a list"
            rows = f", {sheet.rows} rows" if sheet.status == SheetStatus.IMPORTED else ""
            self.stdout.write(f"Sheet {sheet.name!r} ({what}): {sheet.get_status_display().lower()}{rows}")
        if extract.failure_message:
            self.stdout.write(extract.failure_message)
        summary = {
            "extract": extract.pk,
            "status": extract.status,
            "rows": {str(s.list_number): s.rows for s in sheets if s.status == SheetStatus.IMPORTED},
            "not_imported": [s.name for s in sheets if s.status == SheetStatus.NOT_IMPORTED],
            "children": extract.children_count,
            "errors": extract.error_count,
            "queries": extract.query_count,
            "findings": extract.finding_counts,
            "seconds": extract.timings.get("total"),
        }
        self.stdout.write(json.dumps(summary, sort_keys=True))
        if extract.status != ExtractStatus.LOADED:
            raise CommandError(f"The workbook was not loaded ({extract.get_status_display().lower()}).", returncode=1)
