"""Reads for the documents library. Workspace reads start from ``visible_to(user)``; public reads
show only public, current documents of the partnership whose site it is."""

from __future__ import annotations

from django.db.models import Prefetch

from safeguard.core.access import partnerships_with_capability
from safeguard.core.roles import Capability
from safeguard.partnerships.models import Partnership, Person

from .choices import Category
from .models import Document, DocumentVersion


def document_list(*, user):
    """The library as the user may see it: one query for the page, whatever its length."""
    return Document.objects.visible_to(user).select_related("partnership", "owner", "current_version")


def document_get(*, user, pk):
    return document_list(user=user).get(pk=pk)


def document_versions(*, document):
    """Every version, newest first."""
    return document.versions.select_related("uploaded_by").order_by("-number")


def document_reminders(*, document):
    return document.reminders.order_by("-sent_at")


def version_get(*, user, pk):
    return DocumentVersion.objects.visible_to(user).select_related("document", "document__partnership").get(pk=pk)


def partnerships_managing_documents(*, user):
    """Partnerships where the user may add documents."""
    ids = partnerships_with_capability(user, Capability.MANAGE_DOCUMENTS)
    qs = Partnership.objects.filter(is_active=True).order_by("name")
    return qs if ids is None else qs.filter(pk__in=ids)


def owner_choices(*, partnership_ids):
    """People who can own a document: active, with an e-mail address for reminders."""
    return (
        Person.objects.filter(partnership__in=partnership_ids, is_active=True)
        .exclude(email="")
        .select_related("agency")
        .order_by("family_name", "given_name")
    )


def public_documents(*, partnership):
    return (
        Document.objects.published().filter(partnership=partnership).select_related("current_version").order_by("title")
    )


def public_library(*, partnership) -> list[tuple[str, list[Document]]]:
    """Public documents grouped by category in the order of ``Category``: [(label, [documents])]."""
    groups: dict[str, list[Document]] = {value: [] for value in Category.values}
    for document in public_documents(partnership=partnership):
        groups[document.category].append(document)
    return [(Category(value).label, items) for value, items in groups.items() if items]


def public_document_get(*, partnership, slug):
    """A public document of this partnership, current or archived (an archived one says so)."""
    return (
        Document.objects.filter(partnership=partnership, slug=slug, visibility="public", current_version__isnull=False)
        .select_related("current_version", "partnership")
        .get()
    )


def api_document_list(*, user):
    return document_list(user=user).prefetch_related(
        Prefetch("versions", queryset=DocumentVersion.objects.order_by("-number"))
    )
