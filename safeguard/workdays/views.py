"""Thin views of the working-day calendar: the calculator and a partnership's closure days."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import TemplateView

from safeguard.core.views_generic import ScopedEditView, ScopedListView, ServiceFormView, WorkspaceMixin
from safeguard.partnerships.selectors import partnerships_manageable

from . import calendar, forms, selectors, services
from .filters import ClosureFilter
from .models import ClosureDay

MANAGE = "workdays.manage_closures"


class Calculator(WorkspaceMixin, TemplateView):
    """Start date + N -> date, and two dates -> working days between. GET forms: the answer is a
    link that can be shared."""

    template_name = "workdays/calculator.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user, params = self.request.user, self.request.GET
        add = forms.AddDaysForm(params if "add-start" in params else None, prefix="add", user=user)
        count = forms.CountDaysForm(params if "count-start" in params else None, prefix="count", user=user)
        ctx.update(add_form=add, count_form=count)
        ctx["first"], ctx["last"] = selectors.calendar_range()
        if add.is_bound and add.is_valid():
            ctx["added"] = self._answer(add, lambda c, d: c.add(d["start"], d["days"]))
        if count.is_bound and count.is_valid():
            ctx["counted"] = self._answer(count, lambda c, d: c.between(d["start"], d["end"]))
        return ctx

    @staticmethod
    def _answer(form, ask):
        data = form.cleaned_data
        try:
            return {"value": ask(selectors.calendar_for(data["partnership"]), data), **data}
        except calendar.OutOfCalendarRange as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
            return None


class _ManagerOnly:
    """Add pages: the user must manage at least one partnership (403 otherwise)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not partnerships_manageable(user=request.user).exists():
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ClosureList(ScopedListView):
    model = ClosureDay
    template_name = "workdays/closure_list.html"
    filterset_class = ClosureFilter
    sort_fields = {"date": "date", "partnership": "partnership__name"}
    default_sort = "-date"
    paginate_by = 50

    def selector(self, user):
        return selectors.closure_list(user=user)

    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "user": self.request.user}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        manageable = set(partnerships_manageable(user=self.request.user).values_list("pk", flat=True))
        ctx["can_create"] = bool(manageable)
        ctx["manageable_ids"] = manageable
        return ctx


class ClosureAdd(_ManagerOnly, ServiceFormView):
    permission_required = MANAGE
    form_class = forms.ClosureForm
    template_name = "workdays/closure_form.html"
    success_message = "Closure day added"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def perform(self, form):
        data = form.cleaned_data
        return services.closure_add(
            partnership=data["partnership"], by=self.request.user, date=data["date"], reason=data["reason"]
        )


class ClosureRemove(ScopedEditView):
    model = ClosureDay
    permission_required = MANAGE
    form_class = forms.ConfirmForm
    template_name = "workdays/closure_remove.html"

    def selector(self, user, pk):
        return selectors.closure_get(user=user, pk=pk)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.pop("instance", None)
        return kwargs

    def form_valid(self, form):
        closure = self.object
        services.closure_remove(closure=closure, by=self.request.user)
        messages.success(self.request, f"Closure day {calendar.format_date(closure.date)} removed")
        return redirect(f"{reverse('workdays:closure_list')}?partnership={closure.partnership_id}")
