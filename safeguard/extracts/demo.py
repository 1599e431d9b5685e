"""Synthetic demo CIN census extracts, imported the way an analyst's upload is.

Each file is written by the census generator (``census.generator.generate_census``: every child
invented, LAchildIDs ``SYN`` and seven digits, no names) with its locality lookup, into a temporary
folder, then stored and imported by the real import service (``services.extract_create`` and
``services.extract_import``) as the partnership's demo analyst. The import runs here, synchronously,
rather than on the task worker, so the findings, timings and figures are there when the server
starts. The temporary folder is removed afterwards, and the import removes its own private copy.

What the demo holds
-------------------
- **Northdale** (authority 991), five census years 2021-22 to 2025-26, growing from 2,300 to 2,900
  children, placed in its four localities by a lookup. The seeds were chosen so that conferences
  within 15 working days of the section 47 start rise year on year (about 78% to 87%; the generator
  has no setting for timeliness, so this is as far as seeds move it). Two uploads tell the analyst's
  story: the first 2025-26 file, with deliberate errors in 2% of the children, was **rejected** (its
  findings report lists the DfE rules that failed) and the corrected export, the same children
  without the errors, was loaded; the 2024-25 file was **loaded with queries only**: the case
  management system still wrote the withdrawn assessment factor 18A where 18B belongs (query 8945Q).
- **Eastmoor and Westbrook**: 2024-25 and 2025-26 for each authority (992 and 993); each child is
  placed in its authority's locality by the authority code.

The localities are ``indicators.demo``'s: load them first. Each import refreshes the tables'
planner statistics itself (``services.extracts_refresh_statistics``), so computing the figures is quick.

Idempotent: a file already uploaded (same partnership and file name, whatever became of it) is not
uploaded again. ``scale`` shrinks every file, for tests.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.core.files import File

from safeguard.accounts.models import User
from safeguard.indicators.demo import NORTHDALE
from safeguard.partnerships.models import Locality, Partnership

from . import services
from .census.generator import generate_census
from .choices import ExtractKind, ExtractStatus
from .models import Extract

#: Northdale's locality codes, in the order the generator weights them (most children first).
NORTHDALE_LOCALITIES = tuple(locality.code for locality in NORTHDALE.localities)
#: Smallest file made at any scale (a test's), so every file still has conferences and plans.
MIN_CHILDREN = 40
#: A file made with errors has about this many at least, at any scale, so it is always rejected.
MIN_ERRORS = 8
#: The obsolete factor the 2024-25 Northdale export still used (18B in the generated file).
_FACTOR_18B = b"<AssessmentFactors>18B</AssessmentFactors>"
_FACTOR_18A = b"<AssessmentFactors>18A</AssessmentFactors>"


@dataclass(frozen=True)
class DemoCensus:
    slug: str
    la: str
    year: int  # the year the census year ends
    children: int
    seed: int
    filename: str
    localities: tuple[str, ...] = ()  # locality codes for a lookup, most children first
    error_rate: float = 0.0
    obsolete_factor: bool = False  # write 18B as the withdrawn 18A: query 8945Q on each


# In upload order: the extract list shows the newest upload first.
CENSUSES = (
    DemoCensus("northdale", "991", 2022, 2300, 202219, "CIN_Census_991_2021-22.xml", NORTHDALE_LOCALITIES),
    DemoCensus("northdale", "991", 2023, 2450, 202327, "CIN_Census_991_2022-23.xml", NORTHDALE_LOCALITIES),
    DemoCensus("northdale", "991", 2024, 2600, 202413, "CIN_Census_991_2023-24.xml", NORTHDALE_LOCALITIES),
    DemoCensus(
        "northdale", "991", 2025, 2750, 202507, "CIN_Census_991_2024-25.xml", NORTHDALE_LOCALITIES, obsolete_factor=True
    ),
    DemoCensus(
        "northdale", "991", 2026, 2900, 202612, "CIN_Census_991_2025-26.xml", NORTHDALE_LOCALITIES, error_rate=0.02
    ),
    DemoCensus("northdale", "991", 2026, 2900, 202612, "CIN_Census_991_2025-26_corrected.xml", NORTHDALE_LOCALITIES),
    DemoCensus("eastmoor-westbrook", "992", 2025, 1300, 992025, "Eastmoor_CIN_2024-25.xml"),
    DemoCensus("eastmoor-westbrook", "993", 2025, 1700, 993025, "Westbrook_CIN_2024-25.xml"),
    DemoCensus("eastmoor-westbrook", "992", 2026, 1400, 992026, "Eastmoor_CIN_2025-26.xml"),
    DemoCensus("eastmoor-westbrook", "993", 2026, 1800, 993026, "Westbrook_CIN_2025-26.xml"),
)


@dataclass
class Loaded:
    """What ``load_demo_extracts`` added for one partnership."""

    slug: str
    loaded: int = 0
    rejected: int = 0
    other: int = 0  # failed (the generator and the importer disagree: should never happen)
    children: int = 0

    def describe(self) -> str:
        """``6 for northdale (5 loaded with 13,000 children, 1 rejected)``."""
        parts = [f"{self.loaded} loaded with {self.children:,} children"]
        if self.rejected:
            parts.append(f"{self.rejected} rejected")
        if self.other:
            parts.append(f"{self.other} failed")
        return f"{self.loaded + self.rejected + self.other} for {self.slug} ({', '.join(parts)})"


def load_demo_extracts(*, scale: float = 1.0) -> list[Loaded]:
    """Upload and import each demo census not uploaded yet; returns what was added, by partnership.
    Run ``indicators.demo.load_demo_reference_data`` first: the lookups name its localities."""
    partnerships = {p.slug: p for p in Partnership.objects.filter(slug__in={c.slug for c in CENSUSES})}
    added: dict[str, Loaded] = {}
    with tempfile.TemporaryDirectory(prefix="safeguard-demo-census-") as folder:
        for census in CENSUSES:
            partnership = partnerships.get(census.slug)
            if partnership is None or _uploaded(partnership, census):
                continue
            extract = _upload(partnership, census, Path(folder), scale)
            extract = services.extract_import(extract=extract)
            tally = added.setdefault(census.slug, Loaded(census.slug))
            if extract.status == ExtractStatus.LOADED:
                tally.loaded += 1
                tally.children += extract.children_count
            elif extract.status == ExtractStatus.REJECTED:
                tally.rejected += 1
            else:
                tally.other += 1
    return list(added.values())


def _uploaded(partnership: Partnership, census: DemoCensus) -> bool:
    return Extract.objects.filter(
        partnership=partnership, kind=ExtractKind.CIN_CENSUS, original_filename=census.filename
    ).exists()


def _upload(partnership: Partnership, census: DemoCensus, folder: Path, scale: float) -> Extract:
    """Write the file (and its lookup) and store it as a pending extract uploaded by the analyst."""
    path = folder / census.filename
    lookup = _usable_localities(partnership, census.localities)
    children = max(MIN_CHILDREN, round(census.children * scale))
    generate_census(
        path,
        children=children,
        seed=census.seed,
        error_rate=min(1.0, max(census.error_rate, MIN_ERRORS / children)) if census.error_rate else 0.0,
        year=census.year,
        la=census.la,
        localities=lookup,
    )
    if census.obsolete_factor:
        path.write_bytes(path.read_bytes().replace(_FACTOR_18B, _FACTOR_18A))
    analyst = User.objects.filter(email=f"analyst@{partnership.slug}.example", is_active=True).first()
    lookup_path = Path(f"{path}.localities.csv")
    with path.open("rb") as file:
        if not lookup:
            return services.extract_create(partnership=partnership, file=File(file, name=path.name), by=analyst)
        with lookup_path.open("rb") as localities:
            return services.extract_create(
                partnership=partnership,
                file=File(file, name=path.name),
                locality_lookup=File(localities, name=f"{path.stem}_localities.csv"),
                by=analyst,
            )


def _usable_localities(partnership: Partnership, codes: tuple[str, ...]) -> tuple[str, ...]:
    """The lookup's localities, or none when one of them is missing or retired (the children are then
    placed by authority, or nowhere)."""
    if not codes:
        return ()
    active = set(
        Locality.objects.filter(partnership=partnership, code__in=codes, is_active=True).values_list("code", flat=True)
    )
    return codes if active == set(codes) else ()
