"""API for the documents library: the same selectors and rules as the workspace pages.

Read-only: list (filters, ``limit``/``offset``), one document with its versions, and the download
of any version (streamed with the same headers as the workspace, and written to the access log).
Another partnership's document is a 404, as on the web.
"""

import datetime as dt

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from safeguard.api.errors import READ_ERRORS
from safeguard.audit.services import access_log_record
from safeguard.partnerships.api import Pagination, _filter_id, _path_id

from . import selectors
from .choices import Category, DocumentStatus, ReviewState, Visibility
from .downloads import file_response
from .models import REVIEW_DUE_DAYS

router = Router(tags=["Documents"])

CATEGORY_FILTER = Query(None, description="Only documents in this category.")
VISIBILITY_FILTER = Query(None, description="Only public, or only workspace-only, documents.")
STATUS_FILTER = Query(None, description="Only current, or only archived, documents.")
REVIEW_FILTER = Query(
    None, description=f"Current documents whose review is overdue, due within {REVIEW_DUE_DAYS} days, or later."
)
SEARCH_FILTER = Query(None, max_length=200, description="Words in the title.")


class VersionOut(Schema):
    id: int
    number: int
    change_note: str
    original_filename: str
    content_type: str = Field(description="Detected from the file's content when it was uploaded.")
    size: int = Field(description="Bytes.")
    sha256: str
    uploaded_at: dt.datetime
    download_url: str

    @staticmethod
    def resolve_uploaded_at(obj) -> dt.datetime:
        return obj.created_at

    @staticmethod
    def resolve_download_url(obj) -> str:
        return reverse("api:download_version", args=[obj.pk])


class DocumentOut(Schema):
    id: int
    partnership_id: int
    title: str
    slug: str
    summary: str
    category: Category
    visibility: Visibility
    status: DocumentStatus
    owner_id: int
    owner_name: str
    review_date: dt.date
    current_version: VersionOut | None
    public_url: str | None = Field(description="The practitioner-site page, for a public current document.")
    version: int = Field(description="The record's edit version (optimistic locking), not a file version.")

    @staticmethod
    def resolve_owner_name(obj) -> str:
        return obj.owner.full_name

    @staticmethod
    def resolve_public_url(obj) -> str | None:
        if obj.is_public and not obj.is_archived and obj.current_version_id:
            return obj.get_public_url()
        return None


class DocumentDetailOut(DocumentOut):
    versions: list[VersionOut] = Field(description="Every version, newest first.")

    @staticmethod
    def resolve_versions(obj) -> list:
        return list(obj.versions.order_by("-number"))


@router.get("/", response=list[DocumentOut], summary="List documents")
@paginate(Pagination)
def list_documents(
    request,
    partnership: int | None = _filter_id("Only this partnership's documents."),
    category: Category | None = CATEGORY_FILTER,
    visibility: Visibility | None = VISIBILITY_FILTER,
    status: DocumentStatus | None = STATUS_FILTER,
    review: ReviewState | None = REVIEW_FILTER,
    q: str | None = SEARCH_FILTER,
):
    """Documents of the partnerships where you hold a role, ordered by title."""
    qs = selectors.document_list(user=request.user)
    if partnership is not None:
        qs = qs.filter(partnership_id=partnership)
    if category is not None:
        qs = qs.filter(category=category)
    if visibility is not None:
        qs = qs.filter(visibility=visibility)
    if status is not None:
        qs = qs.filter(status=status)
    if review is not None:
        today = timezone.localdate()
        if review == ReviewState.OVERDUE:
            qs = qs.review_overdue(today)
        elif review == ReviewState.DUE:
            qs = qs.review_due(today)
        else:
            qs = qs.current().filter(review_date__gt=today + dt.timedelta(days=REVIEW_DUE_DAYS))
    if q:
        qs = qs.filter(title__icontains=q.replace("\x00", "").strip())
    return qs.order_by("title", "pk")


@router.get(
    "/{int:document_id}", response={200: DocumentDetailOut, **READ_ERRORS}, summary="Get a document and its versions"
)
def get_document(request, document_id: int = _path_id("The document's id.")):
    try:
        return selectors.document_get(user=request.user, pk=document_id)
    except ObjectDoesNotExist:
        raise Http404 from None


@router.get(
    "/versions/{int:version_id}/download",
    response={200: None, **READ_ERRORS},
    summary="Download a version's file",
    openapi_extra={
        "responses": {200: {"description": "The file, as an attachment.", "content": {"application/octet-stream": {}}}}
    },
)
def download_version(request, version_id: int = _path_id("The version's id (from a document's versions).")):
    """The file of one version, current or older. Every download is written to the access log."""
    try:
        version = selectors.version_get(user=request.user, pk=version_id)
    except ObjectDoesNotExist:
        raise Http404 from None
    response = file_response(version, latest=version.pk == version.document.current_version_id, private=True)
    access_log_record(user=request.user, obj=version, action="download")
    return response


ROUTERS = [("/documents/", router)]
