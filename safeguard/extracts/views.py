"""Thin views of statutory extracts: the list, the upload, the extract's page (its progress while the
import runs, then the findings report), the findings downloads and a child's record.

Everyone with a role in the partnership sees the list and each extract's counts by rule. Anything
naming a child (findings with LAchildIDs, downloads, child records) needs
``extracts.view_child_data`` and is written to the access log.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.views.generic import View

from safeguard.audit.services import access_log_record
from safeguard.core.access import visible_partnership_ids
from safeguard.core.views_generic import ScopedDetailView, ScopedListView, ScopedObjectMixin, ServiceFormView

from . import exports, forms, selectors, services
from .models import CensusChild, Extract

IMPORT = "extracts.import_extract"
CHILD_DATA = "extracts.view_child_data"
FINDINGS_PER_PAGE = 50
#: Seconds between two updates of a running import's progress panel (htmx polling).
REFRESH_SECONDS = 2


class ExtractList(ScopedListView):
    model = Extract
    template_name = "extracts/extract_list.html"
    filterset_class = forms.ExtractFilter
    sort_fields = {
        "created": "created_at",
        "year": "collection_year",
        "la": "local_authority_code",
        "children": "children_count",
        "errors": "error_count",
    }
    default_sort = "-created"

    def selector(self, user):
        return selectors.extract_list(user=user)

    def get(self, request, *args, **kwargs):
        # An import whose worker died mid-way is marked failed before the list is shown.
        services.extracts_fail_stalled(partnership_ids=visible_partnership_ids(request.user))
        return super().get(request, *args, **kwargs)

    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "user": self.request.user}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_import"] = selectors.partnerships_importing(user=self.request.user).exists()
        ctx["show_partnership"] = len({e.partnership_id for e in ctx["object_list"]}) > 1
        ctx["running"] = selectors.RUNNING
        return ctx


class ExtractUpload(ServiceFormView):
    permission_required = IMPORT
    harness_user = "analyst"  # the permission harness signs in as an analyst to open it
    form_class = forms.UploadForm
    template_name = "extracts/upload.html"
    success_message = "File uploaded: it is being checked now"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not selectors.partnerships_importing(user=request.user).exists():
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_invalid(self, form):
        form.remind_to_choose_files_again()
        return super().form_invalid(form)

    def perform(self, form):
        data = form.cleaned_data
        return services.extract_upload(
            partnership=data["partnership"],
            uploaded_file=data["file"],
            locality_lookup=data.get("locality_lookup"),
            by=self.request.user,
        )


class ExtractDetail(ScopedDetailView):
    """While the import runs: its progress (with JavaScript the panel updates itself). Then: the report."""

    model = Extract
    template_name = "extracts/extract_detail.html"

    def selector(self, user, pk):
        return selectors.extract_get(user=user, pk=pk)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        extract = self.object
        ctx["running"] = extract.status in selectors.RUNNING
        ctx["refresh"] = True
        ctx["refresh_seconds"] = REFRESH_SECONDS
        ctx["progress"] = _progress(extract)
        if ctx["running"]:
            return ctx
        ctx["rule_counts"] = counts = selectors.rule_counts(extract=extract)
        ctx["capped"] = any(r.capped for r in counts)
        ctx["per_rule"] = services.FINDINGS_STORED_PER_RULE
        ctx["child_data"] = selectors.can_view_child_data(self.request.user, extract)
        if ctx["child_data"]:
            ctx.update(self._findings_page(extract, [r.code for r in counts]))
        return ctx

    def _findings_page(self, extract, codes):
        form = forms.FindingFilterForm(self.request.GET or None, codes=codes)
        filters = form.filters()
        page = Paginator(selectors.findings(extract=extract, **filters), FINDINGS_PER_PAGE).get_page(
            self.request.GET.get("page")
        )
        children = selectors.children_by_id(extract=extract, la_child_ids=[f.la_child_id for f in page])
        params = self.request.GET.copy()
        params.pop("page", None)
        texts = selectors.rule_texts(extract.kind)
        return {
            "filter_form": form,
            "filters": filters,
            "page_obj": page,
            "findings": [(f, children.get(f.la_child_id), texts.get(f.code, ("", ""))[0]) for f in page],
            "querystring_without_page": f"{params.urlencode()}&" if params else "",
            "download_query": f"?{params.urlencode()}" if params else "",
        }


def _progress(extract: Extract) -> dict:
    size = extract.size_bytes or 0
    checked = extract.children_count > 0 and extract.bytes_read >= size
    percent = 100 if checked else (min(99, int(extract.bytes_read * 100 / size)) if size else 0)
    return {"percent": percent, "loading": checked and extract.status == "importing"}


class ExtractProgress(ScopedObjectMixin, View):
    """The progress panel alone, for the page's htmx polling; the page itself works without it."""

    model = Extract

    def selector(self, user, pk):
        return selectors.extract_get(user=user, pk=pk)

    def get(self, request, *args, **kwargs):
        extract = self.get_object()
        running = extract.status in selectors.RUNNING
        response = render(
            request,
            "extracts/_progress.html",
            {
                "object": extract,
                "progress": _progress(extract),
                "running": running,
                "refresh": True,
                "refresh_seconds": REFRESH_SECONDS,
            },
        )
        if not running and request.headers.get("HX-Request"):
            response["HX-Redirect"] = reverse("extracts:extract_detail", args=[extract.pk])
        return response


class _FindingsDownload(ScopedObjectMixin, View):
    model = Extract
    permission_required = CHILD_DATA
    harness_user = "analyst"

    def selector(self, user, pk):
        return selectors.extract_get(user=user, pk=pk)

    def export(self, extract, filters):
        raise ImproperlyConfigured(f"{type(self).__name__} must say how it exports the findings.")

    def get(self, request, *args, **kwargs):
        extract = self.get_object()
        codes = list((extract.finding_counts or {}).keys())
        filters = forms.FindingFilterForm(request.GET or None, codes=codes).filters()
        response = self.export(extract, filters)
        access_log_record(user=request.user, obj=extract, action="download")
        return response


class FindingsCsv(_FindingsDownload):
    def export(self, extract, filters):
        return exports.findings_csv(extract, **filters)


class FindingsXlsx(_FindingsDownload):
    def export(self, extract, filters):
        return exports.findings_xlsx(extract, **filters)


class ChildDetail(ScopedDetailView):
    """A child's record as loaded from the extract (analysts only; every view is in the access log)."""

    model = CensusChild
    permission_required = CHILD_DATA
    harness_user = "analyst"
    template_name = "extracts/child_detail.html"
    context_object_name = "child"

    def selector(self, user, pk):
        return selectors.child_get(user=user, pk=pk)
