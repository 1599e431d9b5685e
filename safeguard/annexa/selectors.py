"""Reads for Annex A imports. Every read starts from ``visible_to(user)`` and is narrowed to the
partnerships where the user holds the capability the page needs."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from safeguard.core.access import partnerships_with_capability
from safeguard.core.roles import Capability
from safeguard.partnerships.models import Partnership

from . import columns, rules
from .models import AnnexAExtract, AnnexASheet, SheetStatus


def _with_capability(qs, user, capability: str, path: str = "partnership"):
    ids = partnerships_with_capability(user, capability)
    return qs if ids is None else qs.filter(**{f"{path}__in": ids})


def partnerships_importing(*, user):
    """Active partnerships whose Annex A workbooks the user may import (the analyst role)."""
    qs = Partnership.objects.visible_to(user).filter(is_active=True).order_by("name")
    return _with_capability(qs, user, Capability.IMPORT_EXTRACTS, path="pk")


def annex_a_extracts(*, user):
    """Annex A imports the user may see how were read: every staff role of the partnership."""
    qs = AnnexAExtract.objects.visible_to(user).select_related("partnership", "uploaded_by")
    return _with_capability(qs, user, Capability.VIEW_INDICATORS)


def annex_a_extract_get(*, user, pk) -> AnnexAExtract:
    return annex_a_extracts(user=user).get(pk=pk)


def annex_a_recent_imports(*, user, limit: int = 10) -> list[AnnexAExtract]:
    """The latest imports into partnerships where the user may import (for the upload page)."""
    qs = _with_capability(annex_a_extracts(user=user), user, Capability.IMPORT_EXTRACTS)
    return list(qs.order_by("-created_at", "-pk")[:limit])


def annex_a_sheets(*, extract) -> list[AnnexASheet]:
    return list(AnnexASheet.objects.filter(extract=extract).order_by("position"))


def annex_a_lists(*, sheets: list[AnnexASheet]) -> list[dict]:
    """Lists 1-7 in order, each with the sheet it was read from (or None) and its rows."""
    taken = {s.list_number: s for s in sheets if s.status == SheetStatus.IMPORTED}
    return [
        {"number": number, "title": spec.title, "sheet": taken.get(number)} for number, spec in columns.LISTS.items()
    ]


def annex_a_rules_found(*, extract) -> list[dict]:
    """The checks that found something in this import, with how many times, errors first."""
    found = []
    for code, count in (extract.finding_counts or {}).items():
        rule = rules.REGISTRY.get(code)
        if rule is not None:
            found.append({"rule": rule, "count": count})
    return sorted(found, key=lambda item: (item["rule"].severity != "error", item["rule"].code))


def report_url(extract) -> str:
    """The extract's findings report (``extracts:extract_detail``), or this app's summary page where
    the generic extract pages are not installed."""
    try:
        return reverse("extracts:extract_detail", args=[extract.pk])
    except NoReverseMatch:
        return reverse("annexa:extract_summary", args=[extract.pk])


def has_findings_report() -> bool:
    try:
        reverse("extracts:extract_detail", args=[1])
    except NoReverseMatch:
        return False
    return True
