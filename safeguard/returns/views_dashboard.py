"""The data set dashboard, the board's quarterly report (PDF and xlsx) and the commentary form.

Who sees what
-------------
- The dashboard and the report: everyone with ``returns.view_dataset`` (``indicators.view``) in the
  partnership; a user of another partnership gets a 404.
- Figures of indicators that protect small numbers are suppressed for everyone except the analyst
  role (``extracts.view_child_data``), who sees exact figures and the extracts behind computed ones;
  the report is always suppressed, whoever downloads it.
- The commentary form: the business unit (``returns.manage_dataset``).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import FormView, TemplateView, View

from safeguard.audit.models import AccessAction
from safeguard.audit.services import access_log_record
from safeguard.core.concurrency import ConcurrentEditError
from safeguard.core.views_generic import ScopedObjectMixin, WorkspaceMixin

from . import dashboard
from .choices import ThemeKind
from .commentary import commentary_period_kind, commentary_save
from .forms_dashboard import CommentaryForm, DashboardFilterForm
from .models import Commentary, DataSetIndicator, ReportingPeriod


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


def read_filters(params) -> tuple[int | None, dashboard.Filters]:
    """The partnership asked for and the filters, from the query string (404 on nonsense)."""
    for name in ("partnership", "period", "theme", "agency", "locality"):
        if params.get(name) and _int(params[name]) is None:
            raise Http404(f"No such {name}")
    priority = params.get("priority", "")
    return _int(params.get("partnership")), dashboard.Filters(
        period=_int(params.get("period")),
        theme=_int(params.get("theme")),
        priority=priority if priority in ThemeKind.values else "",
        agency=_int(params.get("agency")),
        locality=_int(params.get("locality")),
    )


class _DashboardMixin(WorkspaceMixin):
    def dashboard(self, *, for_export: bool) -> tuple[dashboard.Dashboard, list]:
        partnership_pk, filters = read_filters(self.request.GET)
        user = self.request.user
        partnership, partnerships = dashboard.partnership_for(user=user, pk=partnership_pk)
        board = dashboard.build_dashboard(
            user=user,
            partnership=partnership,
            filters=filters,
            suppress=True if for_export else None,
        )
        return board, partnerships

    @staticmethod
    def query(board: dashboard.Dashboard) -> str:
        """The query string that shows the same figures (for the downloads and the forms)."""
        values = {"partnership": board.partnership.pk, **board.filters}
        return urlencode({key: value for key, value in values.items() if value})


class DashboardPage(_DashboardMixin, TemplateView):
    """The data set as the board reads it."""

    template_name = "returns/dashboard/dashboard.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        board, partnerships = self.dashboard(for_export=False)
        user = self.request.user
        ctx.update(
            board=board,
            form=DashboardFilterForm(partnerships=partnerships, dashboard=board),
            query=self.query(board),
            can_manage=user.has_perm("returns.manage_dataset", board.partnership),
        )
        return ctx


class ReportPdf(_DashboardMixin, View):
    """The quarterly performance report as an A4 PDF: always suppressed."""

    def get(self, request, *args, **kwargs):
        from .report import report_pdf_response

        board, _ = self.dashboard(for_export=True)
        access_log_record(user=request.user, obj=board.partnership, action=AccessAction.EXPORT)
        return report_pdf_response(board)


class ReportSpreadsheet(_DashboardMixin, View):
    """The quarterly performance report as an xlsx workbook: always suppressed."""

    def get(self, request, *args, **kwargs):
        from .report import report_xlsx_response

        board, _ = self.dashboard(for_export=True)
        access_log_record(user=request.user, obj=board.partnership, action=AccessAction.EXPORT)
        return report_xlsx_response(board)


class CommentaryEdit(ScopedObjectMixin, FormView):
    """The owning sub-group's commentary on one indicator for one period (``?period=``; by default
    the period the dashboard shows it for)."""

    model = DataSetIndicator
    permission_required = "returns.manage_dataset"
    form_class = CommentaryForm
    template_name = "returns/dashboard/commentary_form.html"

    def selector(self, user, pk):
        return (
            DataSetIndicator.objects.visible_to(user)
            .select_related("partnership", "theme", "owner_group", "agency")
            .get(pk=pk)
        )

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.object = self.get_object()
            self.period = self._period()
        return super().dispatch(request, *args, **kwargs)

    def _period(self) -> ReportingPeriod | None:
        kind = commentary_period_kind(self.object)
        periods = ReportingPeriod.objects.filter(partnership_id=self.object.partnership_id, kind=kind)
        wanted = self.request.GET.get("period") or self.request.POST.get("period")
        if wanted:
            period = periods.filter(pk=_int(wanted)).first() if _int(wanted) else None
            if period is None:
                raise Http404("No such period")
            return period
        today = timezone.localdate()
        return periods.filter(end__lt=today).order_by("-end").first() or periods.order_by("-end").first()

    def existing(self) -> Commentary | None:
        if self.period is None:
            return None
        return Commentary.objects.filter(indicator=self.object, period=self.period).first()

    def get_initial(self):
        found = self.existing()
        return {"text": found.text, "version": found.version} if found else {}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(indicator=self.object, period=self.period, dashboard_url=self.dashboard_url())
        return ctx

    def dashboard_url(self) -> str:
        query = {"partnership": self.object.partnership_id}
        if self.period is not None and self.period.kind == "quarter":
            query["period"] = self.period.pk
        return f"{reverse('dataset:dashboard')}?{urlencode(query)}#indicator-{self.object.pk}"

    def post(self, request, *args, **kwargs):
        if self.period is None:
            raise Http404("No period to comment on")
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            commentary_save(
                indicator=self.object,
                period=self.period,
                text=form.cleaned_data["text"],
                by=self.request.user,
                expected_version=form.cleaned_data.get("version"),
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("text" if "commentary" in message else None, message)
            return self.form_invalid(form)
        except ConcurrentEditError as exc:
            form.add_error(None, str(exc))
            return self.form_invalid(form)
        messages.success(self.request, f"Commentary for {self.period.label} saved")
        return HttpResponseRedirect(self.dashboard_url())
