"""Reads for statutory extracts. Every read starts from ``visible_to(user)``; child-level reads
(findings with LAchildIDs, child records) also need ``extracts.view_child_data`` and are written to
the access log by the views and the API that show them."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from importlib.util import find_spec

from django.db.models import Count, F, Prefetch

from safeguard.core.access import has_capability, partnerships_with_capability
from safeguard.core.roles import Capability
from safeguard.partnerships.models import Partnership

from .choices import ExtractKind, ExtractStatus
from .models import CensusChild, ChildProtectionPlan, CinEpisode, Extract, Finding

#: Statuses of an import still running: the page refreshes itself while the extract has one.
RUNNING = (ExtractStatus.PENDING, ExtractStatus.IMPORTING)


def extract_list(*, user):
    """Extracts of the partnerships where the user holds a role, newest first (one query a page)."""
    return Extract.objects.visible_to(user).select_related("partnership", "uploaded_by")


def extract_get(*, user, pk):
    return extract_list(user=user).get(pk=pk)


def can_view_child_data(user, extract_or_partnership_id) -> bool:
    partnership_id = getattr(extract_or_partnership_id, "partnership_id", extract_or_partnership_id)
    return has_capability(user, partnership_id, Capability.VIEW_CHILD_DATA)


def partnerships_importing(*, user):
    """Partnerships where the user may import extracts."""
    ids = partnerships_with_capability(user, Capability.IMPORT_EXTRACTS)
    qs = Partnership.objects.filter(is_active=True).order_by("name")
    return qs if ids is None else qs.filter(pk__in=ids)


def collection_years(*, user) -> list[int]:
    """Years that have an extract the user can see, newest first (for the list's filter)."""
    return list(
        extract_list(user=user)
        .exclude(collection_year=None)
        .order_by("-collection_year")
        .values_list("collection_year", flat=True)
        .distinct()
    )


# --- Findings ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class RuleCount:
    """One line of the report's counts by rule."""

    code: str
    severity: str
    title: str
    fix: str
    count: int  # every finding of the rule in the file
    stored: int  # findings kept for the report (capped per rule)

    @property
    def capped(self) -> bool:
        return self.stored < self.count


def _optional(module: str, name: str):
    if find_spec(module) is None:
        return None
    return getattr(import_module(module), name, None)


def rule_texts(kind: str) -> dict[str, tuple[str, str]]:
    """code -> (title, fix) for every check an extract of ``kind`` can report."""
    texts: dict[str, tuple[str, str]] = {}
    if kind == ExtractKind.CIN_CENSUS:
        from .census.validation import all_rules
        from .services import LOAD_CHECKS

        structure = _optional("safeguard.extracts.census.schema", "STRUCTURE_CHECKS") or {}
        texts.update(structure)
        texts.update(LOAD_CHECKS)
        for r in all_rules():  # a code registered for several years: the latest wording
            texts[r.code] = (r.title, r.fix)
    elif kind == ExtractKind.ANNEX_A:
        checks = _optional("safeguard.annexa.rules", "ANNEX_A_CHECKS") or {}
        texts.update({code: (title, fix) for code, (_severity, title, fix) in checks.items()})
    return texts


def rule_counts(*, extract: Extract) -> list[RuleCount]:
    """Counts by rule, errors first: exact counts from the import, severities from the stored findings."""
    stored = {
        row["code"]: row
        for row in Finding.objects.filter(extract=extract).values("code", "severity").annotate(n=Count("id"))
    }
    texts = rule_texts(extract.kind)
    counts = dict(extract.finding_counts or {})
    for code, row in stored.items():
        counts.setdefault(code, row["n"])
    rows = []
    for code, count in counts.items():
        row = stored.get(code)
        title, fix = texts.get(code, ("", ""))
        rows.append(
            RuleCount(
                code=code,
                severity=row["severity"] if row else "",
                title=title,
                fix=fix,
                count=int(count),
                stored=row["n"] if row else 0,
            )
        )
    return sorted(rows, key=lambda r: (r.severity != "error", r.code))


def findings(*, extract: Extract, code: str | None = None, severity: str | None = None):
    """Stored findings of an extract in file order (the caller has checked child-data access)."""
    qs = Finding.objects.filter(extract=extract)
    if code:
        qs = qs.filter(code=code)
    if severity:
        qs = qs.filter(severity=severity)
    return qs.order_by("pk")


def children_by_id(*, extract: Extract, la_child_ids) -> dict[str, int]:
    """LAchildID -> child record id, for linking findings to the child page (one query)."""
    return dict(
        CensusChild.objects.filter(extract=extract, la_child_id__in=set(la_child_ids)).values_list("la_child_id", "pk")
    )


# --- Child records ----------------------------------------------------------------------------
def child_list(*, user):
    """Child records of extracts the user can see, with their partnership id for the access log."""
    return (
        CensusChild.objects.visible_to(user)
        .select_related("extract", "extract__partnership", "locality")
        .annotate(partnership_id=F("extract__partnership_id"))
    )


def child_get(*, user, pk):
    """A child's record as loaded, with every episode and what happened in it (7 queries in all)."""
    episodes = CinEpisode.objects.order_by("referral_date", "pk").prefetch_related(
        "assessments",
        "cin_plans",
        "section47s",
        Prefetch("cp_plans", queryset=ChildProtectionPlan.objects.prefetch_related("reviews")),
    )
    return child_list(user=user).prefetch_related(Prefetch("episodes", queryset=episodes)).get(pk=pk)
