"""A synthetic demo Ofsted Annex A workbook for Northdale, imported the way an analyst's is.

The workbook is written by ``generator.generate_annex_a`` (every child invented: IDs ``SYN`` and six
digits, workers ``Worker 017``, no names) into a temporary folder, and imported at once by
``services.annex_a_import`` as Northdale's demo analyst, so the Annex A page shows how its sheets
and headings were read. Its lists run to the last day of the month before the demo was loaded, as a
workbook prepared for an inspection would. Idempotent: nothing is added if Northdale already has an
Annex A extract.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from safeguard.accounts.models import User
from safeguard.extracts.choices import ExtractKind
from safeguard.extracts.models import Extract
from safeguard.partnerships.models import Partnership

from .generator import generate_annex_a
from .services import annex_a_import

DEMO_PARTNERSHIP = "northdale"
ROWS = 3000  # over lists 1-7: about a thousand contacts, a hundred and fifty children on a plan
SEED = 991


def load_demo_annex_a(*, today: dt.date | None = None, rows: int = ROWS) -> Extract | None:
    """Import Northdale's demo workbook unless it has an Annex A extract; returns the new extract."""
    partnership = Partnership.objects.filter(slug=DEMO_PARTNERSHIP).first()
    if partnership is None or Extract.objects.filter(partnership=partnership, kind=ExtractKind.ANNEX_A).exists():
        return None
    reference_date = (today or dt.date.today()).replace(day=1) - dt.timedelta(days=1)
    analyst = User.objects.filter(email=f"analyst@{partnership.slug}.example", is_active=True).first()
    filename = f"Northdale Annex A to {reference_date:%d %B %Y}.xlsx"
    with tempfile.TemporaryDirectory(prefix="safeguard-demo-annexa-") as folder:
        path = Path(folder) / filename
        generate_annex_a(output=path, rows=rows, seed=SEED, reference_date=reference_date)
        return annex_a_import(
            partnership=partnership, path=path, by=analyst, reference_date=reference_date, original_filename=filename
        )
