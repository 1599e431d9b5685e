"""Thin views for the documents library: the workspace pages (sign-in, partnership scope) and the
public practitioner pages (no sign-in, public current documents only)."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db.models.functions import Lower
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.generic import View

from safeguard.audit.services import access_log_record
from safeguard.core.views_generic import (
    ScopedDetailView,
    ScopedEditView,
    ScopedListView,
    ScopedObjectMixin,
    ServiceFormView,
)
from safeguard.public.views import _partnership

from . import forms, selectors, services
from .downloads import file_response
from .filters import DocumentFilter
from .models import Document, DocumentVersion

MANAGE = "documents.manage_document"


class _FileFormMixin:
    """Upload forms: after an error, say beside the file field that the file must be chosen again."""

    def form_invalid(self, form):
        form.remind_to_choose_file_again()
        return super().form_invalid(form)


# --- Library ----------------------------------------------------------------------------------
class DocumentList(ScopedListView):
    model = Document
    template_name = "documents/document_list.html"
    filterset_class = DocumentFilter
    sort_fields = {
        "title": Lower("title"),
        "category": "category",
        "review": "review_date",
        "updated": "current_version__created_at",
        "partnership": Lower("partnership__name"),
    }
    default_sort = "title"

    def selector(self, user):
        return selectors.document_list(user=user)

    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "user": self.request.user}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_create"] = selectors.partnerships_managing_documents(user=self.request.user).exists()
        ctx["today"] = timezone.localdate()
        ctx["show_partnership"] = len({d.partnership_id for d in ctx["object_list"]}) > 1
        return ctx


class DocumentDetail(ScopedDetailView):
    model = Document
    template_name = "documents/document_detail.html"

    def selector(self, user, pk):
        return selectors.document_get(user=user, pk=pk)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["versions"] = selectors.document_versions(document=self.object)
        ctx["reminders"] = selectors.document_reminders(document=self.object)
        ctx["can_manage"] = self.request.user.has_perm(MANAGE, self.object)
        ctx["today"] = timezone.localdate()
        ctx["review_state"] = self.object.review_state(ctx["today"])
        return ctx


# --- Changes ----------------------------------------------------------------------------------
class DocumentCreate(_FileFormMixin, ServiceFormView):
    permission_required = MANAGE
    form_class = forms.DocumentCreateForm
    template_name = "documents/form.html"
    success_message = "Document added"
    extra_context = {"title": "Add a document"}

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not selectors.partnerships_managing_documents(user=request.user).exists():
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def perform(self, form):
        data = form.cleaned_data
        return services.document_create(
            partnership=data["partnership"],
            by=self.request.user,
            title=data["title"],
            summary=data["summary"],
            category=data["category"],
            owner=data["owner"],
            review_date=data["review_date"],
            visibility=data["visibility"],
            file=data["file"],
            change_note=data["change_note"],
        )


class DocumentEdit(ScopedEditView):
    model = Document
    permission_required = MANAGE
    form_class = forms.DocumentForm
    template_name = "documents/form.html"
    success_message = "Document details saved"

    def selector(self, user, pk):
        return selectors.document_get(user=user, pk=pk)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "title": f"Change the details of {self.object}"}

    def perform(self, form):
        return services.document_update(
            document=self.object,
            by=self.request.user,
            expected_version=form.cleaned_data["version"] or 0,
            **form.service_data(),
        )


class VersionUpload(_FileFormMixin, ScopedEditView):
    model = Document
    permission_required = MANAGE
    form_class = forms.VersionUploadForm
    template_name = "documents/form.html"
    success_message = "New version uploaded: it is now the one people get"

    def selector(self, user, pk):
        return selectors.document_get(user=user, pk=pk)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "title": f"Upload a new version of {self.object}"}

    def perform(self, form):
        data = form.cleaned_data
        services.document_version_upload(
            document=self.object,
            by=self.request.user,
            file=data["file"],
            change_note=data["change_note"],
            review_date=data.get("review_date"),
        )
        return self.object


class DocumentStatusChange(ScopedEditView):
    """Archive a current document, or restore an archived one."""

    model = Document
    permission_required = MANAGE
    form_class = forms.StatusForm
    template_name = "documents/status.html"

    def selector(self, user, pk):
        return selectors.document_get(user=user, pk=pk)

    def perform(self, form):
        expected = form.cleaned_data["version"] or 0
        if self.object.is_archived:
            self.success_message = "Document restored"
            return services.document_restore(document=self.object, by=self.request.user, expected_version=expected)
        self.success_message = "Document archived"
        return services.document_archive(document=self.object, by=self.request.user, expected_version=expected)


# --- Downloads --------------------------------------------------------------------------------
class _Download(ScopedObjectMixin, View):
    """Stream a file to a signed-in user of the owning partnership, and write the access log."""

    def version_to_serve(self, obj) -> tuple[DocumentVersion, bool]:
        raise ImproperlyConfigured(f"{type(self).__name__} must say which version it serves.")

    def get(self, request, *args, **kwargs):
        version, latest = self.version_to_serve(self.get_object())
        response = file_response(version, latest=latest, private=True)
        access_log_record(user=request.user, obj=version, action="download")
        return response


class DocumentDownload(_Download):
    """The current version of a document."""

    model = Document

    def selector(self, user, pk):
        return selectors.document_get(user=user, pk=pk)

    def version_to_serve(self, obj):
        if obj.current_version is None:
            raise Http404("This document has no file yet")
        return obj.current_version, True


class VersionDownload(_Download):
    """Any version, current or older (staff only: the public site serves only the current one)."""

    model = DocumentVersion

    def selector(self, user, pk):
        return selectors.version_get(user=user, pk=pk)

    def version_to_serve(self, obj):
        return obj, obj.pk == obj.document.current_version_id


# --- Public practitioner site -----------------------------------------------------------------
def public_library(request, slug):
    partnership = _partnership(request, slug)
    return render(
        request,
        "documents/public_library.html",
        {"partnership": partnership, "groups": selectors.public_library(partnership=partnership)},
    )


def _public_document(request, slug, document_slug):
    partnership = _partnership(request, slug)
    try:
        return partnership, selectors.public_document_get(partnership=partnership, slug=document_slug)
    except Document.DoesNotExist:
        raise Http404("No such document") from None


def public_detail(request, slug, document_slug):
    partnership, document = _public_document(request, slug, document_slug)
    context = {"partnership": partnership, "document": document}
    if document.is_archived:
        return render(request, "documents/public_withdrawn.html", context, status=410)
    return render(request, "documents/public_detail.html", context)


def public_download(request, slug, document_slug):
    _, document = _public_document(request, slug, document_slug)
    if document.is_archived:
        raise Http404("This document has been withdrawn")
    return file_response(document.current_version, latest=True, private=False)
