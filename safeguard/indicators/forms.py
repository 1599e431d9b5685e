"""Forms of the indicators pages: GOV.UK layout, choices limited to what the user may change.

The list filters are here too (django-filter ``FilterSet``s), limited to the partnerships the user
can see.
"""

from __future__ import annotations

import django_filters
from django import forms

from safeguard.core.forms import GovukFormMixin, VersionedModelForm
from safeguard.partnerships.models import Locality, Partnership

from . import selectors
from .choices import AreaKind
from .models import Benchmark, IndicatorSettings, PopulationEstimate
from .population import MAX_BYTES

CSV_HELP = f"A CSV file (comma separated), at most {MAX_BYTES // (1024 * 1024)} MB."


class _PartnershipChoice:
    """Adds a 'Partnership' field with the partnerships where the user may change reference data."""

    def add_partnership_field(self, user) -> None:
        self.fields["partnership"] = forms.ModelChoiceField(
            queryset=selectors.partnerships_managing_reference_data(user=user),
            empty_label=None,
            label="Partnership",
        )
        self.order_fields(["partnership", *[n for n in self.fields if n != "partnership"]])
        self.helper.layout.fields.insert(0, "partnership")


class LocalityForm(_PartnershipChoice, VersionedModelForm):
    submit_label = "Save locality"

    class Meta:
        model = Locality
        fields = ["name", "code", "local_authority_code", "ons_code"]
        help_texts = {
            "code": "Short, lower case, for example 'north'. Locality lookups and population files use it.",
            "local_authority_code": "Only when the locality is a whole local authority (for example 830): every child "
            "of that authority's census files is then placed in it.",
            "ons_code": "For example E08000021. Population estimates are matched on it.",
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].required = True
        if self.instance.pk is None:
            self.add_partnership_field(user)

    def _post_clean(self):
        """Validation is the service's job (uniqueness within the partnership, code formats)."""


class ConfirmForm(VersionedModelForm):
    """Retire or restore: only the version travels."""

    class Meta:
        model = Locality
        fields: list[str] = []

    def __init__(self, *args, submit_label: str = "Confirm", **kwargs):
        self.submit_label = submit_label
        super().__init__(*args, **kwargs)

    def _post_clean(self):
        """Nothing to validate: the service changes one field."""


class _UploadForm(_PartnershipChoice, GovukFormMixin, forms.Form):
    file = forms.FileField(label="CSV file", help_text=CSV_HELP)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_partnership_field(user)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB: remove the rows or columns you do not need."
            )
        return upload

    def remind_to_choose_file_again(self) -> None:
        if self.is_bound and "file" not in self.errors:
            self.add_error("file", "Choose the file again: for your security, browsers do not keep it after an error.")


class PopulationUploadForm(_UploadForm):
    submit_label = "Import estimates"

    year = forms.IntegerField(
        label="Mid-year of the estimates (if the file has no year column)",
        required=False,
        min_value=1990,
        max_value=2100,
        help_text="For example 2024 for the mid-2024 estimates. A 'year' column in the file is used first.",
    )


class BenchmarkUploadForm(_UploadForm):
    submit_label = "Import benchmarks"


class IndicatorSettingsForm(VersionedModelForm):
    submit_label = "Save area settings"

    class Meta:
        model = IndicatorSettings
        fields = ["ons_code", "region_code", "neighbour_codes"]
        widgets = {"neighbour_codes": forms.Textarea(attrs={"rows": 3})}

    def _post_clean(self):
        """Validation is the service's job."""


class ComputeForm(_PartnershipChoice, GovukFormMixin, forms.Form):
    submit_label = "Recompute the figures"

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_partnership_field(user)


# --- Filters --------------------------------------------------------------------------------------------
class _PartnershipFilter(django_filters.FilterSet):
    partnership = django_filters.ModelChoiceFilter(queryset=Partnership.objects.none(), empty_label="All partnerships")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["partnership"].queryset = Partnership.objects.visible_to(user).order_by("name")


class LocalityFilter(_PartnershipFilter):
    is_active = django_filters.ChoiceFilter(
        label="Status", choices=[("true", "In use"), ("false", "Retired")], method="filter_active", empty_label="Any"
    )

    class Meta:
        model = Locality
        fields = ["partnership"]

    def filter_active(self, queryset, name, value):
        return queryset.filter(is_active=value == "true")


class PopulationFilter(_PartnershipFilter):
    year = django_filters.NumberFilter(label="Mid-year")

    class Meta:
        model = PopulationEstimate
        fields = ["partnership"]


class BenchmarkFilter(_PartnershipFilter):
    collection_year = django_filters.NumberFilter(label="Census year ending (for example 2025)")
    area_kind = django_filters.ChoiceFilter(label="Area", choices=AreaKind.choices, empty_label="Any area")

    class Meta:
        model = Benchmark
        fields = ["partnership"]
