"""Thin views: the upload page (analysts) and how a workbook was read (every staff role)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect

from safeguard.core.views_generic import ScopedDetailView, ServiceFormView
from safeguard.extracts.choices import ExtractStatus

from . import forms, rules, selectors, services
from .models import AnnexAExtract, SheetStatus

IMPORT = "annexa.import_extract"


class AnnexAUpload(ServiceFormView):
    """Upload a workbook and queue its import; the answer is the extract's findings report, which
    shows the import running and then its result."""

    permission_required = IMPORT
    harness_user = "analyst"  # only analysts import; the permission harness signs in as one
    form_class = forms.AnnexAUploadForm
    template_name = "annexa/upload.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not selectors.partnerships_importing(user=request.user).exists():
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["recent"] = selectors.annex_a_recent_imports(user=self.request.user)
        ctx["recent_many_partnerships"] = len({e.partnership_id for e in ctx["recent"]}) > 1
        return ctx

    def form_invalid(self, form):
        form.remind_to_choose_file_again()
        return super().form_invalid(form)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            extract = services.annex_a_upload(
                partnership=data["partnership"],
                upload=data["file"],
                by=self.request.user,
                reference_date=data["reference_date"],
                local_authority_code=data["local_authority_code"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)  # a dict of errors goes beside its fields
            return self.form_invalid(form)
        messages.success(
            self.request, "Workbook uploaded: it is being checked now. This page shows the result when it is ready."
        )
        return HttpResponseRedirect(selectors.report_url(extract))


class AnnexASummary(ScopedDetailView):
    """How a workbook was read: which sheet gave each list, which heading was matched to which field,
    what was missing or ignored, and the checks that found something. No child-level data."""

    model = AnnexAExtract
    template_name = "annexa/summary.html"
    context_object_name = "extract"

    def selector(self, user, pk):
        return selectors.annex_a_extract_get(user=user, pk=pk)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        sheets = selectors.annex_a_sheets(extract=self.object)
        ctx["sheets"] = sheets
        ctx["list_sheets"] = [s for s in sheets if s.status in (SheetStatus.IMPORTED, SheetStatus.NO_HEADINGS)]
        ctx["other_sheets"] = [s for s in sheets if s not in ctx["list_sheets"]]
        ctx["lists"] = selectors.annex_a_lists(sheets=sheets)
        ctx["rules_found"] = selectors.annex_a_rules_found(extract=self.object)
        ctx["has_report"] = selectors.has_findings_report()
        ctx["can_import"] = self.request.user.has_perm(IMPORT, self.object)
        ctx["running"] = self.object.status in (ExtractStatus.PENDING, ExtractStatus.IMPORTING)
        ctx["window_start"] = (
            rules.AnnexAContext(self.object.reference_date).window_start if self.object.reference_date else None
        )
        return ctx

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        if self.request.headers.get("HX-Request") and not context["running"]:
            response["HX-Refresh"] = "true"  # the import ended while the page polled: show the whole result
        return response
