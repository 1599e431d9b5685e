"""Thin views of the returns portal: the data set's definition, periods, the agencies' returns (form,
spreadsheet, history, reopening) and the completeness grid. Reads go through ``selectors`` (another
partnership's record, or another agency's return, is a 404); writes through ``services``.

- Everyone with ``returns.view_dataset`` reads the definitions (``indicator_list``,
  ``indicator_detail``).
- The business unit (``returns.manage_dataset``) changes the definition, the settings and the
  periods, sees every return and the grid, and reopens returns.
- A data lead sees and fills in the returns of their own agency (``returns.view_return`` /
  ``returns.edit_return``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models.functions import Lower
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView, View

from safeguard.audit.services import access_log_record
from safeguard.core.concurrency import ConcurrentEditError
from safeguard.core.views_generic import (
    ScopedDetailView,
    ScopedEditView,
    ScopedListView,
    ScopedObjectMixin,
    ServiceFormView,
    WorkspaceMixin,
)
from safeguard.indicators import registry
from safeguard.partnerships.models import Partnership

from . import forms, selectors, services, spreadsheet, validation
from .choices import ReturnStatus, Source
from .models import AgencyReturn, DataSetIndicator, ReportingPeriod, ReturnValue, Theme
from .validation import Previous, Slot

VIEW_DATASET = "returns.view_dataset"
MANAGE = "returns.manage_dataset"
VIEW_RETURN = "returns.view_return"
EDIT_RETURN = "returns.edit_return"
REOPEN = "returns.reopen_return"


def _today():
    return timezone.localdate()


def _label_states(returns):
    """Give each return (annotated with ``state``) the label and tag colour the pages show."""
    returns = list(returns)
    for agency_return in returns:
        agency_return.state_label = selectors.ReturnState(agency_return.state).label
        agency_return.state_tag = selectors.STATE_TAGS[agency_return.state]
    return returns


class _NeedsPermission:
    """Pages without an object: the user needs ``needs`` (a ``rules`` permission) somewhere."""

    needs = MANAGE

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_perm(self.needs):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class _UserFilterMixin:
    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "user": self.request.user}


class _CreateMixin(_NeedsPermission):
    """Create forms: the partnership comes from the form; the user must manage the data set."""

    permission_required = MANAGE

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def create_data(self, form) -> tuple[Partnership, dict]:
        data = form.service_data()
        data.pop("partnership", None)
        return form.cleaned_data["partnership"], data


# --- The data set's definition ------------------------------------------------------------------
class IndicatorList(_NeedsPermission, _UserFilterMixin, ScopedListView):
    """The data set: every indicator, by theme, with who supplies it."""

    needs = VIEW_DATASET
    model = DataSetIndicator
    template_name = "returns/indicator_list.html"
    filterset_class = forms.IndicatorFilter
    paginate_by = 100
    sort_fields = {"title": Lower("title"), "code": "code", "theme": "theme__position", "agency": "agency__name"}

    def selector(self, user):
        return selectors.indicator_list(user=user).order_by(
            "partnership__name", "theme__position", "theme__name", "position", "title", "pk"
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        managing = list(selectors.partnerships_managing_dataset(user=self.request.user))
        ctx["managing"] = managing
        ctx["manageable_ids"] = {p.pk for p in managing}
        ctx["show_partnership"] = len({i.partnership_id for i in ctx["object_list"]}) > 1
        return ctx


class IndicatorDetail(ScopedDetailView):
    """An indicator's definition: what it counts, where it comes from, its target and RAG rule.
    Linked from the dashboard (keep the URL name ``returns:indicator_detail``)."""

    model = DataSetIndicator
    template_name = "returns/indicator_detail.html"

    def selector(self, user, pk):
        return selectors.indicator_get(user=user, pk=pk)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        indicator = self.object
        ctx["can_manage"] = self.request.user.has_perm(MANAGE, indicator)
        ctx["registry_entry"] = None
        if indicator.source == Source.COMPUTED:
            try:
                ctx["registry_entry"] = registry.get(indicator.registry_code)
            except KeyError:
                ctx["registry_entry"] = None
        ctx["figures"] = selectors.indicator_returns(indicator=indicator) if ctx["can_manage"] else []
        return ctx


class IndicatorCreate(_CreateMixin, ServiceFormView):
    form_class = forms.IndicatorForm
    template_name = "returns/form.html"
    success_message = "Indicator added to the data set"
    extra_context = {"title": "Add an indicator to the data set", "cancel_url": "returns:indicator_list"}

    def perform(self, form):
        partnership, data = self.create_data(form)
        return services.indicator_create(partnership=partnership, by=self.request.user, **data)


class IndicatorEdit(ScopedEditView):
    model = DataSetIndicator
    permission_required = MANAGE
    form_class = forms.IndicatorForm
    template_name = "returns/form.html"
    success_message = "Indicator saved"

    def selector(self, user, pk):
        return selectors.indicator_get(user=user, pk=pk)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "title": f"Change {self.object.title}"}

    def perform(self, form):
        return services.indicator_update(
            indicator=self.object,
            by=self.request.user,
            expected_version=form.cleaned_data["version"] or 0,
            **form.service_data(),
        )


class ThemeList(_NeedsPermission, ScopedListView):
    needs = MANAGE
    permission_required = MANAGE
    model = Theme
    template_name = "returns/theme_list.html"
    paginate_by = 100

    def selector(self, user):
        ids = selectors.partnerships_managing_dataset(user=user).values("pk")
        return selectors.theme_list(user=user).filter(partnership_id__in=ids).order_by("partnership__name", "position")

    filterset_class = forms.ThemeFilter

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["show_partnership"] = len({t.partnership_id for t in ctx["object_list"]}) > 1
        return ctx


class ThemeCreate(_CreateMixin, ServiceFormView):
    form_class = forms.ThemeForm
    template_name = "returns/form.html"
    success_message = "Theme added"
    extra_context = {"title": "Add a theme or priority", "cancel_url": "returns:theme_list"}

    def perform(self, form):
        partnership, data = self.create_data(form)
        return services.theme_create(partnership=partnership, by=self.request.user, **data)

    def get_success_url(self):
        return reverse("returns:theme_list")


class ThemeEdit(ScopedEditView):
    model = Theme
    permission_required = MANAGE
    form_class = forms.ThemeForm
    template_name = "returns/form.html"
    success_message = "Theme saved"
    extra_context = {"cancel_url": "returns:theme_list"}

    def selector(self, user, pk):
        return selectors.theme_get(user=user, pk=pk)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "title": f"Change {self.object.name}"}

    def perform(self, form):
        return services.theme_update(
            theme=self.object,
            by=self.request.user,
            expected_version=form.cleaned_data["version"] or 0,
            **form.service_data(),
        )

    def get_success_url(self):
        return reverse("returns:theme_list")


class SettingsEdit(ScopedEditView):
    """A partnership's due dates, reminders and chases, and whether a summary is published."""

    model = Partnership
    permission_required = MANAGE
    form_class = forms.DataSetSettingsForm
    template_name = "returns/form.html"
    success_message = "Settings saved. Periods opened from now on use them."
    extra_context = {"cancel_url": "returns:period_list"}

    def selector(self, user, pk):
        return selectors.partnership_get(user=user, pk=pk)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": selectors.settings_for(partnership=self.object)}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "title": f"Data set settings of {self.object.name}"}

    def perform(self, form):
        services.dataset_settings_update(
            partnership=self.object,
            by=self.request.user,
            expected_version=form.cleaned_data["version"] or 0,
            **form.service_data(),
        )
        return self.object

    def get_success_url(self):
        return reverse("returns:period_list")


# --- Periods ------------------------------------------------------------------------------------
class PeriodList(_NeedsPermission, ScopedListView):
    permission_required = MANAGE
    model = ReportingPeriod
    template_name = "returns/period_list.html"
    paginate_by = 40

    def selector(self, user):
        return selectors.period_list(user=user, today=_today()).order_by("-start", "kind", "pk")

    filterset_class = forms.PeriodFilter

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["partnerships"] = selectors.partnerships_managing_dataset(user=self.request.user)
        ctx["show_partnership"] = len(ctx["partnerships"]) > 1
        return ctx


class PeriodOpen(_CreateMixin, ServiceFormView):
    form_class = forms.PeriodOpenForm
    template_name = "returns/form.html"
    extra_context = {
        "title": "Open a reporting period",
        "intro": "Each agency that supplies an indicator for this kind of period gets a return to fill in, due on "
        "the date the partnership's settings give. Opening a period again adds returns for agencies added since.",
        "cancel_url": "returns:period_list",
    }

    def perform(self, form):
        data = form.cleaned_data
        period = services.period_open(
            partnership=data["partnership"], kind=data["kind"], start=data["start"], by=self.request.user
        )
        count = period.returns.count()
        self.success_message = (
            f"{period.label} is open, due {period.due_date:%d %B %Y}: "
            f"{count} agenc{'ies have' if count != 1 else 'y has'} a return for it"
        )
        return period

    def get_success_url(self):
        return reverse("returns:period_detail", args=[self.saved.pk])


class PeriodDetail(ScopedDetailView):
    model = ReportingPeriod
    permission_required = MANAGE
    template_name = "returns/period_detail.html"

    def selector(self, user, pk):
        return selectors.period_get(user=user, pk=pk)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["returns"] = _label_states(selectors.period_returns(period=self.object, today=_today()))
        ctx["can_manage"] = True
        return ctx


# --- Returns ------------------------------------------------------------------------------------
class ReturnList(_NeedsPermission, _UserFilterMixin, ScopedListView):
    """A data lead's returns (their agency's only); every return for the business unit."""

    needs = VIEW_RETURN
    permission_required = VIEW_RETURN
    model = AgencyReturn
    template_name = "returns/return_list.html"
    filterset_class = forms.ReturnFilter
    sort_fields = {"due": "due_date", "agency": Lower("agency__name"), "period": "period__start", "status": "status"}
    default_sort = "-due"

    def selector(self, user):
        return selectors.returns_with_state(selectors.return_list(user=user), today=_today())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx["object_list"] = _label_states(ctx["object_list"])
        ctx["can_manage"] = user.has_perm(MANAGE)
        ctx["show_partnership"] = len({r.partnership_id for r in ctx["object_list"]}) > 1
        ctx["managing"] = selectors.partnerships_managing_dataset(user=user) if ctx["can_manage"] else []
        return ctx


class _ReturnMixin(ScopedObjectMixin):
    model = AgencyReturn
    permission_required = VIEW_RETURN

    def selector(self, user, pk):
        return selectors.return_get(user=user, pk=pk)


class ReturnDetail(_ReturnMixin, TemplateView):
    """The return: a form while it can be filled in (save as a draft, or submit), the figures as
    submitted otherwise, with the last submitted figure beside each row."""

    template_name = "returns/return_detail.html"

    def get(self, request, *args, **kwargs):
        agency_return = self.get_object()
        access_log_record(user=request.user, obj=agency_return, action="view")
        return self.render_to_response(self._context(agency_return))

    def post(self, request, *args, **kwargs):
        agency_return = self.get_object()
        if agency_return.status == ReturnStatus.SUBMITTED:
            messages.error(request, "This return has been submitted, so it cannot be changed here.")
            return HttpResponseRedirect(agency_return.get_absolute_url())
        if not request.user.has_perm(EDIT_RETURN, agency_return):
            raise PermissionDenied
        ctx = self._context(agency_return, data=request.POST)
        form = ctx["form"]
        if form.is_valid():
            submitting = request.POST.get("action") == "submit"
            try:
                self._save(agency_return, form, submitting=submitting)
            except services.ReturnInvalid as exc:
                form.add_problems(exc.problems)
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            except ConcurrentEditError as exc:
                form.add_error(None, str(exc))
            else:
                return HttpResponseRedirect(agency_return.get_absolute_url())
        return self.render_to_response(ctx)

    def _save(self, agency_return, form, *, submitting: bool) -> None:
        version = form.cleaned_data["version"] or 0
        if submitting:
            services.return_submit(
                agency_return=agency_return, by=self.request.user, expected_version=version, entries=form.entries()
            )
            messages.success(self.request, "Return submitted. Thank you: the business unit can see it now.")
        else:
            services.return_save(
                agency_return=agency_return, by=self.request.user, expected_version=version, entries=form.entries()
            )
            messages.success(self.request, "Draft saved. Submit the return when every figure is in.")

    def _context(self, agency_return, data=None) -> dict:
        user = self.request.user
        slots = selectors.return_slots(agency_return=agency_return)
        stored = selectors.return_values(agency_return=agency_return)
        previous = selectors.previous_figures(agency_return=agency_return, slots=slots)
        today = _today()
        can_edit = user.has_perm(EDIT_RETURN, agency_return)
        state = selectors.state_of(agency_return, today)
        ctx = {
            "object": agency_return,
            "state": state,
            "state_label": selectors.ReturnState(state).label,
            "state_tag": selectors.STATE_TAGS[state],
            "can_edit": can_edit,
            "can_reopen": agency_return.status == ReturnStatus.SUBMITTED and user.has_perm(REOPEN, agency_return),
            "can_manage": user.has_perm(MANAGE, agency_return),
            "slot_count": len(slots),
        }
        if can_edit:
            ctx["form"] = forms.ReturnForm(
                data, slots=slots, stored=stored, previous=previous, version=agency_return.version
            )
            ctx["groups"] = _by_theme(ctx["form"].rows)
        else:
            ctx["groups"] = _by_theme([_ShownRow(slot, stored.get(slot.key), previous.get(slot.key)) for slot in slots])
        return ctx


@dataclass
class _ShownRow:
    """A row of a return that is shown, not edited."""

    slot: Slot
    stored: ReturnValue | None
    previous: Previous | None

    @property
    def figure_text(self) -> str:
        if self.stored is None:
            return ""
        unit = self.slot.indicator.unit
        return validation.figure_text(unit, self.stored.value, self.stored.denominator, self.stored.not_available)

    @property
    def previous_text(self) -> str:
        return validation.decimal_text(self.previous.value, self.slot.indicator.unit) if self.previous else ""


def _by_theme(rows) -> list[dict]:
    groups: list[dict] = []
    for row in rows:
        theme = row.slot.indicator.theme
        if not groups or groups[-1]["theme"] != theme:
            groups.append({"theme": theme, "rows": []})
        groups[-1]["rows"].append(row)
    return groups


class ReturnHistory(_ReturnMixin, ScopedDetailView):
    """Who submitted what when, what changed between submissions, and reopenings."""

    template_name = "returns/return_history.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["submissions"] = selectors.submission_list(agency_return=self.object)
        return ctx


class ReturnTemplate(_ReturnMixin, View):
    """The return's pre-filled spreadsheet template (downloads are written to the access log)."""

    def get(self, request, *args, **kwargs):
        agency_return = self.get_object()
        content = spreadsheet.template_bytes(agency_return=agency_return)
        response = HttpResponse(content, content_type=spreadsheet.CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{spreadsheet.template_filename(agency_return)}"'
        response["Cache-Control"] = "private, no-store"
        access_log_record(user=request.user, obj=agency_return, action="download")
        return response


class ReturnUpload(_ReturnMixin, ScopedEditView):
    """Upload the filled-in template: every error with its cell, or the figures saved in one step."""

    permission_required = EDIT_RETURN
    form_class = forms.UploadForm
    template_name = "returns/upload.html"

    def perform(self, form):
        submit = form.cleaned_data["submit"]
        spreadsheet.return_upload(
            agency_return=self.object,
            by=self.request.user,
            content=form.cleaned_data["file"].read(),
            expected_version=form.cleaned_data["version"] or 0,
            submit=submit,
        )
        self.success_message = (
            "Spreadsheet uploaded and the return submitted. Thank you."
            if submit
            else "Spreadsheet uploaded: the figures are saved as a draft. Check them, then submit the return."
        )
        return self.object


class ReturnReopen(_ReturnMixin, ScopedEditView):
    permission_required = REOPEN
    form_class = forms.ReopenForm
    template_name = "returns/reopen.html"
    success_message = "Return reopened: the agency's data leads can correct and submit it again"

    def perform(self, form):
        return services.return_reopen(
            agency_return=self.object,
            by=self.request.user,
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"] or 0,
        )


# --- The completeness grid ----------------------------------------------------------------------
class CompletenessGrid(_NeedsPermission, WorkspaceMixin, TemplateView):
    """Agencies x periods: the state of every return at a glance."""

    permission_required = MANAGE
    template_name = "returns/grid.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        form = forms.GridForm(self.request.GET or None, user=self.request.user)
        values = form.values()
        ctx["form"] = form
        ctx["grid"] = None
        if values["partnership"] is not None:
            ctx["grid"] = selectors.completeness_grid(today=_today(), **values)
        ctx["show_partnership"] = form.fields["partnership"].queryset.count() > 1
        return ctx
