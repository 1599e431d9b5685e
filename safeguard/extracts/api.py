"""API for statutory extracts: the same selectors and permissions as the workspace pages.

Read-only (files are uploaded through the workspace or ``manage.py import_cin_census``):

- ``GET /extracts``: the extracts of the partnerships where you hold a role, newest first;
- ``GET /extracts/{id}``: one extract, its header details, timings and counts by rule;
- ``GET /extracts/{id}/findings``: its findings, paginated. Findings are about children: the
  LAchildID and the message (which quotes values from the child's record) are given only to users
  with ``extracts.view_child_data`` (the analyst role), and each such read is written to the access
  log; for others they are null and the rest (rule, severity, field, line, how to fix) is given.

Another partnership's extract is a 404, as on the web.
"""

import datetime as dt

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from safeguard.api.errors import READ_ERRORS
from safeguard.audit.services import access_log_record
from safeguard.partnerships.api import Pagination, _filter_id, _path_id

from . import selectors
from .choices import ExtractKind, ExtractStatus, Severity
from .services import FINDINGS_STORED_PER_RULE

router = Router(tags=["Statutory extracts"])

KIND_FILTER = Query(None, description="Only CIN census files, or only Annex A workbooks.")
YEAR_FILTER = Query(None, ge=2000, le=2100, description="Only this census year (2025 for 2024-25).")
STATUS_FILTER = Query(None, description="Only extracts with this status.")
CURRENT_FILTER = Query(None, description="Only the current extracts (true), or only the others (false).")
CODE_FILTER = Query(None, max_length=12, description="Only this rule, for example 8840 or 8670Q.")
SEVERITY_FILTER = Query(None, description="Only errors, or only queries.")


class RuleCountOut(Schema):
    code: str
    severity: str = Field(description="error or query ('' when none was kept to say which).")
    title: str = Field(description="What the rule checks.")
    fix: str = Field(description="How to put it right.")
    count: int = Field(description="Findings of this rule in the file (exact).")
    stored: int = Field(description=f"Findings kept and listed (at most {FINDINGS_STORED_PER_RULE:,} a rule).")


class ExtractOut(Schema):
    id: int
    partnership_id: int
    kind: ExtractKind
    local_authority_code: str
    collection_year: int | None = Field(description="The year the census year ends: 2025 for 2024-25.")
    reference_date: dt.date | None
    period_start: dt.date | None
    period_end: dt.date | None
    status: ExtractStatus
    is_current: bool = Field(description="The extract the partnership's figures use for its authority and year.")
    original_filename: str
    size_bytes: int
    sha256: str
    uploaded_at: dt.datetime
    uploaded_by_id: int | None
    children: int
    errors: int
    queries: int
    failure_message: str
    started_at: dt.datetime | None
    finished_at: dt.datetime | None

    @staticmethod
    def resolve_uploaded_at(obj) -> dt.datetime:
        return obj.created_at

    @staticmethod
    def resolve_children(obj) -> int:
        return obj.children_count

    @staticmethod
    def resolve_errors(obj) -> int:
        return obj.error_count

    @staticmethod
    def resolve_queries(obj) -> int:
        return obj.query_count


class ExtractDetailOut(ExtractOut):
    source: dict = Field(description="The file's header: software, release, serial number.")
    bytes_read: int
    children_read: int
    timings: dict = Field(description="Seconds spent reading, checking and loading the file.")
    findings_by_rule: list[RuleCountOut]

    @staticmethod
    def resolve_findings_by_rule(obj) -> list:
        return selectors.rule_counts(extract=obj)


class FindingOut(Schema):
    id: int
    code: str
    severity: Severity
    la_child_id: str | None = Field(None, description="Only with extracts.view_child_data; null otherwise.")
    field: str
    line: int | None
    message: str | None = Field(
        None, description="Only with extracts.view_child_data (it quotes the record); null otherwise."
    )
    fix: str


def _extract(request, extract_id: int):
    try:
        return selectors.extract_get(user=request.user, pk=extract_id)
    except ObjectDoesNotExist:
        raise Http404 from None


@router.get("", response=list[ExtractOut], summary="List extracts")
@paginate(Pagination)
def list_extracts(
    request,
    partnership: int | None = _filter_id("Only this partnership's extracts."),
    kind: ExtractKind | None = KIND_FILTER,
    year: int | None = YEAR_FILTER,
    status: ExtractStatus | None = STATUS_FILTER,
    current: bool | None = CURRENT_FILTER,
):
    qs = selectors.extract_list(user=request.user)
    if partnership is not None:
        qs = qs.filter(partnership_id=partnership)
    if kind is not None:
        qs = qs.filter(kind=kind)
    if year is not None:
        qs = qs.filter(collection_year=year)
    if status is not None:
        qs = qs.filter(status=status)
    if current is not None:
        qs = qs.filter(is_current=current)
    return qs.order_by("-created_at", "-pk")


@router.get("/{int:extract_id}", response={200: ExtractDetailOut, **READ_ERRORS}, summary="Get an extract")
def get_extract(request, extract_id: int = _path_id("The extract's id.")):
    return _extract(request, extract_id)


@router.get("/{int:extract_id}/findings", response={200: list[FindingOut], **READ_ERRORS}, summary="List findings")
@paginate(Pagination)
def list_findings(
    request,
    extract_id: int = _path_id("The extract's id."),
    code: str | None = CODE_FILTER,
    severity: Severity | None = SEVERITY_FILTER,
):
    """The extract's findings in file order. LAchildIDs and messages only for the partnership's analysts."""
    extract = _extract(request, extract_id)
    qs = selectors.findings(extract=extract, code=code or None, severity=severity)
    if selectors.can_view_child_data(request.user, extract):
        access_log_record(user=request.user, obj=extract, action="view")
        return qs
    return qs.values("id", "code", "severity", "field", "line", "fix")  # no LAchildID, no message


ROUTERS = [("/extracts", router)]
