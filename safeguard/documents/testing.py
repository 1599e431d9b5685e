"""Factories for the documents library, and the permission harness's objects.

Documents are made through ``services.document_create`` (as the system, ``by=None``) so a test
document is exactly what the workspace would store: checked file, first version, current version.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from safeguard.core.testing import PersonFactory

from . import generate, services
from .choices import Category, Visibility
from .models import Document, DocumentVersion

PDF_TYPE = "application/pdf"


def upload(content: bytes | None = None, name: str = "policy.pdf", content_type: str = PDF_TYPE):
    """An uploaded file as a form or service receives it (the content type is what a browser claims)."""
    return SimpleUploadedFile(name, generate.minimal_pdf() if content is None else content, content_type=content_type)


def owner_for(partnership, **kwargs):
    kwargs.setdefault("email", "owner@testshire.example")
    return PersonFactory(partnership=partnership, **kwargs)


_counter = iter(range(1, 10**9))


def make_document(
    partnership,
    *,
    title: str | None = None,
    owner=None,
    visibility: str = Visibility.PUBLIC,
    category: str = Category.POLICY,
    review_date: dt.date | None = None,
    file=None,
    change_note: str = "First version",
) -> Document:
    return services.document_create(
        partnership=partnership,
        by=None,
        title=title or f"Test policy {next(_counter)}",
        category=category,
        owner=owner or owner_for(partnership),
        review_date=review_date or timezone.localdate() + dt.timedelta(days=365),
        visibility=visibility,
        file=file or upload(),
        change_note=change_note,
        summary="A document made for a test.",
    )


def add_version(document: Document, *, content: bytes | None = None, note: str = "Second version") -> DocumentVersion:
    return services.document_version_upload(document=document, by=None, file=upload(content), change_note=note)


def harness_objects(cast, partnership) -> dict:
    """One document (with its version) for every ``<int:pk>`` workspace URL of the library."""
    document = make_document(partnership, visibility=Visibility.WORKSPACE)
    return {Document: document, DocumentVersion: document.current_version}
