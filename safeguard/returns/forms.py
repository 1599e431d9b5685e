"""Forms of the data set and returns pages: GOV.UK layout (crispy-forms-gds), choices limited to
the partnerships and records the user may use. The checks themselves are the services' (and, for
figures, ``validation.py``'s): these forms read what was typed and keep it when it is refused."""

from __future__ import annotations

from dataclasses import dataclass

import django_filters
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout
from django import forms
from django.utils import timezone

from safeguard.core.forms import GovukFormMixin, VersionedModelForm
from safeguard.indicators import registry
from safeguard.partnerships.models import Agency, Group

from . import periods, selectors
from .choices import PeriodKind, Source, ThemeKind
from .models import AgencyReturn, DataSetIndicator, DataSetSettings, ReportingPeriod, Theme
from .validation import Entry, Previous, Problem, Slot, decimal_text


class _PartnershipChoice:
    """Create forms: the partnership, hidden when the user manages only one."""

    def add_partnership_field(self, user) -> None:
        managing = selectors.partnerships_managing_dataset(user=user)
        only = list(managing[:2])
        self.fields["partnership"] = forms.ModelChoiceField(
            queryset=managing,
            initial=only[0] if len(only) == 1 else None,
            empty_label=None if len(only) == 1 else "Choose a partnership",
            label="Partnership",
            error_messages={"required": "Choose the partnership."},
        )
        if len(only) == 1:
            self.fields["partnership"].widget = forms.HiddenInput()
        self.order_fields(["partnership", *[n for n in self.fields if n != "partnership"]])
        self.helper.layout.fields.insert(0, "partnership")


class _ServiceChecked:
    def _post_clean(self):
        """The service checks the record (same partnership, unique names, coherent fields)."""


# --- The data set's definition ------------------------------------------------------------------
class ThemeForm(_PartnershipChoice, _ServiceChecked, VersionedModelForm):
    submit_label = "Save theme"

    class Meta:
        model = Theme
        fields = ["name", "kind", "description", "position", "is_active"]
        widgets = {"kind": forms.RadioSelect, "description": forms.Textarea(attrs={"rows": 3})}
        labels = {"kind": "Is it a board priority or a theme?", "is_active": "In use"}
        error_messages = {"name": {"required": "Enter the name of the theme or priority, for example 'Neglect'."}}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.add_partnership_field(user)


def _registry_choices() -> list[tuple[str, str]]:
    return [("", "Not computed (supplied by an agency)")] + [
        (i.code, f"{i.title} ({i.code})") for i in registry.all_indicators()
    ]


class IndicatorForm(_PartnershipChoice, _ServiceChecked, VersionedModelForm):
    submit_label = "Save indicator"

    registry_code = forms.ChoiceField(
        required=False,
        label="Computed from (computed indicators)",
        help_text="The indicator in the registry, worked out from the statutory extracts. Its unit comes with it.",
    )

    class Meta:
        model = DataSetIndicator
        fields = [
            "title",
            "code",
            "definition",
            "theme",
            "source",
            "registry_code",
            "agency",
            "unit",
            "numerator_label",
            "denominator_label",
            "period_kind",
            "by_locality",
            "polarity",
            "target",
            "amber_threshold",
            "suppress_small_numbers",
            "comment_above_change_percent",
            "owner_group",
            "position",
            "is_active",
        ]
        widgets = {
            "definition": forms.Textarea(attrs={"rows": 4}),
            "source": forms.RadioSelect,
            "polarity": forms.RadioSelect,
            "period_kind": forms.RadioSelect,
        }
        labels = {
            "source": "Where does the figure come from?",
            "agency": "Supplying agency (manual indicators)",
            "unit": "Unit",
            "numerator_label": "Numerator (percentages)",
            "denominator_label": "Denominator (percentages)",
            "period_kind": "Reported for each",
            "by_locality": "Also supplied for each locality",
            "amber_threshold": "Amber threshold",
            "comment_above_change_percent": "Comment needed when the figure moves more than (%)",
            "owner_group": "Sub-group that comments on it",
            "polarity": "Which way is better?",
            "theme": "Theme or priority",
            "is_active": "In use",
        }
        help_texts = {
            "title": "Computed indicators: leave empty to use the registry's title.",
            "definition": "What is counted, from when to when, and what is left out. Computed indicators: leave "
            "empty to use the registry's definition.",
            "target": "Leave empty for no RAG rating. Percentages: the percentage, for example 90.",
        }
        error_messages = {
            "code": {"invalid": "Use only letters, numbers, hyphens and underscores, for example cse-referrals."},
            "target": {"invalid": "Enter the target as a number, for example 90 or 12.5."},
            "amber_threshold": {"invalid": "Enter the amber threshold as a number, for example 80."},
            "comment_above_change_percent": {"invalid": "Enter a whole number of per cent, for example 25."},
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["registry_code"].choices = _registry_choices()
        for name in ("title", "definition", "theme", "code"):
            self.fields[name].required = False  # computed indicators take theirs from the registry
        self.fields["source"].choices = Source.choices
        self.fields["source"].initial = Source.MANUAL
        self.fields["period_kind"].choices = PeriodKind.choices
        ids = [self.instance.partnership_id] if self.instance.pk else None
        if self.instance.pk is None:
            self.add_partnership_field(user)
            ids = list(self.fields["partnership"].queryset.values_list("pk", flat=True))
        self.fields["theme"].queryset = Theme.objects.filter(partnership_id__in=ids).order_by("position", "name")
        self.fields["theme"].empty_label = "Choose a theme or priority"
        self.fields["agency"].queryset = Agency.objects.filter(partnership_id__in=ids).order_by("name")
        self.fields["agency"].empty_label = "Choose the agency"
        self.fields["owner_group"].queryset = Group.objects.filter(partnership_id__in=ids).order_by("name")
        self.fields["owner_group"].empty_label = "None"


class DataSetSettingsForm(_ServiceChecked, VersionedModelForm):
    submit_label = "Save settings"

    class Meta:
        model = DataSetSettings
        fields = [
            "due_days_after_period",
            "reminder_days_before",
            "chase_days_after",
            "escalation_days_after",
            "publish_summary",
        ]
        labels = {
            "due_days_after_period": "Days after the end of the period a return is due",
            "reminder_days_before": "Days before the due date to send a reminder",
            "chase_days_after": "Working days after the due date to chase",
            "escalation_days_after": "Working days after the due date for the second chase (to the escalation contact)",
            "publish_summary": "Publish a summary on the public site",
        }


# --- Periods ------------------------------------------------------------------------------------
class PeriodOpenForm(_PartnershipChoice, GovukFormMixin, forms.Form):
    submit_label = "Open period"

    kind = forms.ChoiceField(
        label="Kind of period",
        choices=PeriodKind.choices,
        widget=forms.RadioSelect,
        initial=PeriodKind.QUARTER,
        error_messages={"required": "Choose quarters, financial years or calendar years."},
    )
    start = forms.DateField(
        label="First day of the period",
        help_text="For example 2025-10-01. Quarters start on 1 April, 1 July, 1 October or 1 January; financial "
        "years on 1 April; calendar years on 1 January.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": "Enter the first day of the period, for example 2025-10-01.",
            "invalid": "Enter a real date, for example 2025-10-01.",
        },
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_partnership_field(user)
        if not self.is_bound:
            latest = periods.recent_periods(PeriodKind.QUARTER, timezone.localdate(), 1)[0]
            self.initial["start"] = latest.start


# --- Returns ------------------------------------------------------------------------------------
@dataclass
class ReturnRow:
    """One row of the return form, with its bound fields, for the template."""

    slot: Slot
    previous: Previous | None
    value: forms.BoundField
    denominator: forms.BoundField | None
    not_available: forms.BoundField
    reason: forms.BoundField
    comment: forms.BoundField

    @property
    def previous_text(self) -> str:
        return decimal_text(self.previous.value, self.slot.indicator.unit) if self.previous else ""

    @property
    def has_errors(self) -> bool:
        fields = (self.value, self.denominator, self.not_available, self.reason, self.comment)
        return any(field.errors for field in fields if field is not None)


def field_prefix(slot: Slot) -> str:
    return f"i{slot.indicator.pk}_{slot.locality.pk if slot.locality is not None else 'all'}"


class ReturnForm(forms.Form):
    """The figures of a return, one group of fields per row. Figures are read as typed (text), so a
    refused figure comes back exactly as the user typed it; ``validation.py`` checks them."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, slots: list[Slot], stored: dict, previous: dict, version: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.initial["version"] = version
        self.slots = slots
        self.previous = previous
        for slot in slots:
            self._add_fields(slot, stored.get(slot.key))

    def _add_fields(self, slot: Slot, stored) -> None:
        name = field_prefix(slot)
        indicator = slot.indicator
        number = {"inputmode": "numeric", "spellcheck": "false", "autocomplete": "off"}
        value_label = indicator.numerator_label if slot.is_percent else "Figure"
        self.fields[f"{name}-value"] = forms.CharField(
            label=value_label or "Numerator", required=False, widget=forms.TextInput(attrs=number)
        )
        if slot.is_percent:
            self.fields[f"{name}-denominator"] = forms.CharField(
                label=indicator.denominator_label or "Denominator", required=False, widget=forms.TextInput(attrs=number)
            )
        self.fields[f"{name}-not_available"] = forms.BooleanField(label="Not available", required=False)
        self.fields[f"{name}-reason"] = forms.CharField(label="Why is it not available?", required=False)
        self.fields[f"{name}-comment"] = forms.CharField(
            label="Comment", required=False, widget=forms.Textarea(attrs={"rows": 2})
        )
        if stored is not None:
            self.initial.update(
                {
                    f"{name}-value": stored.value,
                    f"{name}-denominator": stored.denominator,
                    f"{name}-not_available": stored.not_available,
                    f"{name}-reason": stored.not_available_reason,
                    f"{name}-comment": stored.comment,
                }
            )

    @property
    def rows(self) -> list[ReturnRow]:
        rows = []
        for slot in self.slots:
            name = field_prefix(slot)
            rows.append(
                ReturnRow(
                    slot=slot,
                    previous=self.previous.get(slot.key),
                    value=self[f"{name}-value"],
                    denominator=self[f"{name}-denominator"] if slot.is_percent else None,
                    not_available=self[f"{name}-not_available"],
                    reason=self[f"{name}-reason"],
                    comment=self[f"{name}-comment"],
                )
            )
        return rows

    def entries(self) -> dict[tuple, Entry]:
        data = self.cleaned_data
        entries = {}
        for slot in self.slots:
            name = field_prefix(slot)
            entries[slot.key] = Entry(
                value=data.get(f"{name}-value"),
                denominator=data.get(f"{name}-denominator"),
                not_available=bool(data.get(f"{name}-not_available")),
                reason=data.get(f"{name}-reason", ""),
                comment=data.get(f"{name}-comment", ""),
            )
        return entries

    def add_problems(self, problems: list[Problem]) -> None:
        for problem in problems:
            field = f"{field_prefix(problem.slot)}-{problem.field}"
            message = f"{problem.slot.label}: {problem.message[:1].lower()}{problem.message[1:]}"
            self.add_error(field if field in self.fields else None, message)


class ReopenForm(GovukFormMixin, forms.Form):
    submit_label = "Reopen return"

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(
        label="Why is it being reopened?",
        help_text="The agency's data leads see this, for example 'the North figures were counted twice'.",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Say why the return is being reopened.",
            "max_length": "Shorten the reason to 500 characters or fewer.",
        },
    )

    def __init__(self, *args, instance: AgencyReturn, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["version"] = instance.version
        self.helper.layout = Layout("reason")


class UploadForm(GovukFormMixin, forms.Form):
    submit_label = "Upload"

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    file = forms.FileField(
        label="Filled-in template",
        help_text="The Excel workbook (.xlsx) downloaded from this page, filled in.",
        widget=forms.FileInput(attrs={"data-testid": "upload-file", "accept": ".xlsx"}),
        error_messages={
            "required": "Choose the filled-in template to upload.",
            "empty": "The file is empty (0 bytes). Check it opens on your computer, then choose it again.",
        },
    )
    submit = forms.BooleanField(
        label="Submit the return once the figures are saved",
        required=False,
        help_text="Leave unticked to save them as a draft and check them on the page first.",
    )

    def __init__(self, *args, instance: AgencyReturn, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["version"] = instance.version
        self.helper.layout = Layout(Field("file"), Field.checkbox("submit"))


# --- Lists and the grid -------------------------------------------------------------------------
class ReturnFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(
        label="Status", choices=selectors.ReturnState.choices, empty_label="Any status", method="by_state"
    )
    agency = django_filters.ModelChoiceFilter(queryset=Agency.objects.none(), empty_label="All agencies")
    period__label = django_filters.CharFilter(label="Period", lookup_expr="icontains")

    class Meta:
        model = AgencyReturn
        fields = ["state", "agency", "period__label"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        visible = selectors.return_list(user=user).values("agency_id") if user is not None else []
        self.filters["agency"].queryset = Agency.objects.filter(pk__in=visible).order_by("name")

    def by_state(self, queryset, name, value):
        return queryset.filter(state=value)


class IndicatorFilter(django_filters.FilterSet):
    theme = django_filters.ModelChoiceFilter(queryset=Theme.objects.none(), empty_label="All themes and priorities")
    agency = django_filters.ModelChoiceFilter(queryset=Agency.objects.none(), empty_label="All agencies")
    source = django_filters.ChoiceFilter(choices=Source.choices, empty_label="Computed and manual")

    class Meta:
        model = DataSetIndicator
        fields = ["theme", "agency", "source"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["theme"].queryset = selectors.theme_list(user=user).order_by("position", "name")
        supplying = selectors.indicator_list(user=user).values("agency_id")
        self.filters["agency"].queryset = Agency.objects.filter(pk__in=supplying).order_by("name")


class ThemeFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=ThemeKind.choices, empty_label="Priorities and themes")

    class Meta:
        model = Theme
        fields = ["kind"]


class PeriodFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=PeriodKind.choices, empty_label="Every kind of period")

    class Meta:
        model = ReportingPeriod
        fields = ["kind"]


class GridForm(forms.Form):
    """The completeness grid's filters (a GET form)."""

    partnership = forms.ModelChoiceField(queryset=None, required=False, empty_label=None, label="Partnership")
    kind = forms.ChoiceField(choices=PeriodKind.choices, required=False, label="Periods", initial=PeriodKind.QUARTER)
    count = forms.TypedChoiceField(
        choices=[(n, f"Last {n}") for n in selectors.GRID_PERIOD_CHOICES],
        coerce=int,
        required=False,
        label="How many",
        initial=8,
    )
    state = forms.ChoiceField(
        choices=[("", "Any"), *selectors.ReturnState.choices], required=False, label="Agencies with a return that is"
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partnership"].queryset = selectors.partnerships_managing_dataset(user=user)

    def values(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        partnership = data.get("partnership") or self.fields["partnership"].queryset.first()
        return {
            "partnership": partnership,
            "kind": data.get("kind") or PeriodKind.QUARTER,
            "count": data.get("count") or 8,
            "state": data.get("state") or "",
        }
