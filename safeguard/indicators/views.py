"""Thin views: indicator definitions and values, localities, population estimates, benchmarks and
the partnership's area settings. Reads go through ``selectors``, writes through ``services``.

Every page needs sign-in. Reading figures needs ``indicators.view`` in the partnership (another
partnership's figures are a 404); changing reference data needs ``extracts.import`` or
``partnerships.manage`` (``indicators.manage_reference_data``).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.views.generic import TemplateView

from safeguard.core.access import has_capability
from safeguard.core.roles import Capability
from safeguard.core.views_generic import ScopedEditView, ScopedListView, ServiceFormView, WorkspaceMixin
from safeguard.partnerships.models import Locality, Partnership

from . import forms, registry, selectors, services, tasks
from .choices import AreaKind, Unit
from .models import Benchmark, PopulationEstimate, period_label

MANAGE = "indicators.manage_reference_data"
REPORT_KEY = "indicators_import_report"


def display(value: float | None, unit: str) -> str:
    """A figure as the pages show it: one decimal place for percentages and rates (as the DfE
    publishes them), whole numbers for counts and days."""
    if value is None:
        return "-"
    if unit == Unit.PERCENT:
        return f"{value:.1f}%"
    if unit == Unit.RATE_PER_10000:
        return f"{value:.1f}"
    return f"{value:,.0f}"


def _int_param(request, name: str) -> int | None:
    raw = request.GET.get(name, "")
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


class _ManagersOnly:
    """Pages with no object: the user must manage reference data of at least one partnership."""

    permission_required = MANAGE

    def dispatch(self, request, *args, **kwargs):
        if (
            request.user.is_authenticated
            and not selectors.partnerships_managing_reference_data(user=request.user).exists()
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class _ImportReport:
    """After an import, its report (which columns were used, row by row) is shown once on the list."""

    def keep_report(self, title: str, lines: list[str]) -> None:
        self.request.session[REPORT_KEY] = {"title": title, "lines": lines[:200]}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["import_report"] = self.request.session.pop(REPORT_KEY, None)
        return ctx


# --- Indicators -------------------------------------------------------------------------------------
class IndicatorIndex(WorkspaceMixin, TemplateView):
    """Every indicator's definition, and the partnership's latest values beside the benchmarks."""

    template_name = "indicators/index.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        partnership = selectors.partnership_for_indicators(user=user, pk=_int_param(self.request, "partnership"))
        # Exact, unsuppressed figures are for the analyst role; everyone else reads them, suppressed,
        # on the child protection process review (decision 0008, point 6).
        exact = has_capability(user, partnership.pk, Capability.VIEW_CHILD_DATA)
        years = selectors.value_years(user=user, partnership=partnership)
        year = _int_param(self.request, "year")
        year = year if year in years else (years[0] if years else None)
        values = selectors.indicator_values(user=user, partnership=partnership, years=[year]) if year and exact else []
        benchmarks = selectors.benchmarks_for(user=user, partnership=partnership, years=[year]) if year else {}
        localities = sorted({v.locality for v in values if v.locality_id}, key=lambda loc: loc.name)
        ctx.update(
            partnership=partnership,
            partnerships=selectors.partnerships_viewing_indicators(user=user),
            years=[(y, period_label(y)) for y in years],
            year=year,
            period=period_label(year) if year else "",
            localities=localities,
            table=self._table(values, benchmarks, localities, year),
            sections=registry.sections(),
            units=dict(Unit.choices),
            computed_at=max((v.computed_at for v in values), default=None),
            can_manage=selectors.can_manage_reference_data(user, partnership),
            exact=exact,
        )
        return ctx

    @staticmethod
    def _table(values, benchmarks, localities, year) -> list[dict]:
        """Rows by section: one per indicator and breakdown value, cells for the whole partnership
        then each locality, then England, the region and the statistical neighbours."""
        by_key = {(v.code, v.locality_id, v.breakdown): v for v in values}
        rows = []
        for label, indicators in registry.sections():
            section_rows = []
            for indicator in indicators:
                breakdowns = sorted({v.breakdown for v in values if v.code == indicator.code}) or [""]
                if indicator.breakdown:
                    order = {code: i for i, code in enumerate(registry.sql.CATEGORIES)}
                    breakdowns.sort(key=lambda b: order.get(b, len(order)))
                for breakdown in breakdowns:
                    areas = [None, *[loc.pk for loc in localities]]
                    cells = []
                    for area in areas:
                        value = by_key.get((indicator.code, area, breakdown))
                        cells.append(
                            {
                                "text": display(value.value if value else None, indicator.unit),
                                "numerator": value.numerator if value else None,
                                "denominator": value.denominator if value else None,
                            }
                        )
                    marks = []
                    for kind in (AreaKind.ENGLAND, AreaKind.REGION, AreaKind.STATISTICAL_NEIGHBOURS):
                        benchmark = benchmarks.get((indicator.code, year, kind)) if not breakdown else None
                        text = display(benchmark.value, indicator.unit) if benchmark else "-"
                        if benchmark and benchmark.value is None and benchmark.marker:
                            text = benchmark.marker
                        marks.append(text)
                    section_rows.append(
                        {"indicator": indicator, "breakdown": breakdown, "cells": cells, "benchmarks": marks}
                    )
            rows.append({"label": label, "rows": section_rows})
        return rows


class IndicatorCompute(_ManagersOnly, ServiceFormView):
    """Queue a recomputation now (for example after adding a local closure day)."""

    form_class = forms.ComputeForm
    template_name = "indicators/compute.html"
    success_message = "The figures are being recomputed. Refresh the page in a minute to see them."

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def perform(self, form):
        partnership = form.cleaned_data["partnership"]
        if not selectors.can_manage_reference_data(self.request.user, partnership):
            raise PermissionDenied
        tasks.compute_indicators.enqueue(partnership_id=partnership.pk, years=None)
        return partnership

    def get_success_url(self):
        return f"{reverse('indicators:index')}?partnership={self.saved.pk}"


# --- Localities ---------------------------------------------------------------------------------------
class LocalityList(ScopedListView):
    model = Locality
    template_name = "indicators/locality_list.html"
    filterset_class = forms.LocalityFilter
    sort_fields = {"name": "name", "code": "code", "partnership": "partnership__name"}
    default_sort = "name"
    paginate_by = 50

    def selector(self, user):
        return selectors.locality_list(user=user)

    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "user": self.request.user}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        managing = selectors.partnerships_managing_reference_data(user=self.request.user)
        ctx["manageable_ids"] = set(managing.values_list("pk", flat=True))
        ctx["can_create"] = bool(ctx["manageable_ids"])
        return ctx


class LocalityCreate(_ManagersOnly, ServiceFormView):
    form_class = forms.LocalityForm
    template_name = "indicators/form.html"
    success_message = "Locality added"
    extra_context = {"title": "Add a locality", "cancel_url": "indicators:locality_list"}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def perform(self, form):
        data = form.cleaned_data
        return services.locality_create(
            partnership=data["partnership"],
            by=self.request.user,
            **{name: data.get(name, "") for name in services.LOCALITY_FIELDS},
        )

    def get_success_url(self):
        return reverse("indicators:locality_list")


class LocalityEdit(ScopedEditView):
    model = Locality
    permission_required = MANAGE
    form_class = forms.LocalityForm
    template_name = "indicators/form.html"
    success_message = "Locality saved"

    def selector(self, user, pk):
        return selectors.locality_get(user=user, pk=pk)

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "title": f"Change locality {self.object.name}",
            "cancel_url": "indicators:locality_list",
        }

    def perform(self, form):
        return services.locality_update(
            locality=self.object,
            by=self.request.user,
            expected_version=form.cleaned_data["version"] or 0,
            **{name: form.cleaned_data.get(name, "") for name in services.LOCALITY_FIELDS},
        )

    def get_success_url(self):
        return reverse("indicators:locality_list")


class LocalityStatus(ScopedEditView):
    """Retire a locality in use, or bring a retired one back."""

    model = Locality
    permission_required = MANAGE
    form_class = forms.ConfirmForm
    template_name = "indicators/locality_status.html"

    def selector(self, user, pk):
        return selectors.locality_get(user=user, pk=pk)

    def get_form_kwargs(self):
        label = "Yes, retire it" if self.object.is_active else "Yes, bring it back"
        return {**super().get_form_kwargs(), "submit_label": label}

    def perform(self, form):
        active = not self.object.is_active
        self.success_message = f"Locality {self.object.name} {'brought back' if active else 'retired'}"
        return services.locality_set_active(
            locality=self.object,
            by=self.request.user,
            expected_version=form.cleaned_data["version"] or 0,
            active=active,
        )

    def get_success_url(self):
        return reverse("indicators:locality_list")


# --- Population estimates ---------------------------------------------------------------------------------
class PopulationList(_ImportReport, ScopedListView):
    model = PopulationEstimate
    template_name = "indicators/population_list.html"
    filterset_class = forms.PopulationFilter
    sort_fields = {"year": "year", "area": "locality__name", "partnership": "partnership__name"}
    default_sort = "-year"
    paginate_by = 50

    def selector(self, user):
        return selectors.population_list(user=user)

    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "user": self.request.user}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_create"] = selectors.partnerships_managing_reference_data(user=self.request.user).exists()
        return ctx


class _Upload(_ManagersOnly, _ImportReport, ServiceFormView):
    template_name = "indicators/upload.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_invalid(self, form):
        form.remind_to_choose_file_again()
        return super().form_invalid(form)

    def form_valid(self, form):
        response = super().form_valid(form)
        if isinstance(response, HttpResponseRedirect):
            self.keep_report(self.success_message, self.saved.messages)
        return response

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.pop("import_report", None)  # shown on the list page after a successful import
        return ctx


class PopulationUpload(_Upload):
    form_class = forms.PopulationUploadForm
    success_message = "Population estimates imported"
    extra_context = {"title": "Import population estimates", "kind": "population"}

    def perform(self, form):
        data = form.cleaned_data
        upload = data["file"]
        return services.population_import(
            partnership=data["partnership"],
            by=self.request.user,
            content=upload.read(),
            filename=upload.name,
            year=data.get("year"),
        )

    def get_success_url(self):
        return reverse("indicators:population_list")


# --- Benchmarks -----------------------------------------------------------------------------------------
class BenchmarkList(_ImportReport, ScopedListView):
    model = Benchmark
    template_name = "indicators/benchmark_list.html"
    filterset_class = forms.BenchmarkFilter
    sort_fields = {"year": "collection_year", "code": "code", "area": "area_kind"}
    default_sort = "-year"
    paginate_by = 100

    def selector(self, user):
        return selectors.benchmark_list(user=user)

    def get_queryset(self):
        return super().get_queryset().order_by(*self._order())

    def _order(self):
        sort = self.request.GET.get("sort", self.default_sort)
        field = self.sort_fields.get(sort.lstrip("-"), "collection_year")
        return [f"-{field}" if sort.startswith("-") else field, "code", "area_kind", "pk"]

    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "user": self.request.user}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        managing = selectors.partnerships_managing_reference_data(user=self.request.user)
        ctx["can_create"] = managing.exists()
        ctx["managing"] = managing
        ctx["titles"] = {i.code: i.title for i in registry.all_indicators()}
        ctx["units"] = {i.code: i.unit for i in registry.all_indicators()}
        for benchmark in ctx["object_list"]:
            unit = ctx["units"].get(benchmark.code, Unit.COUNT)
            benchmark.display = display(benchmark.value, unit) if benchmark.value is not None else benchmark.marker
            benchmark.title = ctx["titles"].get(benchmark.code, benchmark.code)
            benchmark.period = period_label(benchmark.collection_year)
        return ctx


class BenchmarkUpload(_Upload):
    form_class = forms.BenchmarkUploadForm
    success_message = "Benchmarks imported"
    extra_context = {"title": "Import benchmarks from a DfE table", "kind": "benchmarks"}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["columns"] = [(i.benchmark_column, i) for i in registry.all_indicators() if i.benchmark_column]
        return ctx

    def perform(self, form):
        data = form.cleaned_data
        upload = data["file"]
        return services.benchmarks_import(
            partnership=data["partnership"], by=self.request.user, content=upload.read(), filename=upload.name
        )

    def get_success_url(self):
        return reverse("indicators:benchmark_list")


class AreaSettingsEdit(ScopedEditView):
    """The partnership's ONS and region codes and its statistical neighbours."""

    model = Partnership
    permission_required = MANAGE
    form_class = forms.IndicatorSettingsForm
    template_name = "indicators/form.html"
    success_message = "Area settings saved. Import the benchmark tables again to use them."

    def selector(self, user, pk):
        return selectors.partnership_get(user=user, pk=pk)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = selectors.settings_for(partnership=self.object)
        return kwargs

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "title": f"Area codes and statistical neighbours of {self.object.name}",
            "cancel_url": "indicators:benchmark_list",
            "intro": "Benchmarks compare the partnership with England, its region and the average of its statistical "
            "neighbours (the plain mean of their published figures; a neighbour with a suppressed figure is left out). "
            "The ONS code also matches the partnership's own row in population files.",
        }

    def perform(self, form):
        data = form.cleaned_data
        return services.indicator_settings_save(
            partnership=self.object,
            by=self.request.user,
            ons_code=data["ons_code"],
            region_code=data["region_code"],
            neighbour_codes=data["neighbour_codes"],
            expected_version=data["version"] or 0,
        )

    def get_success_url(self):
        return reverse("indicators:benchmark_list")
