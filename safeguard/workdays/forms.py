"""Forms of the working-day calendar: GOV.UK layout, messages that say how to fix the problem."""

from __future__ import annotations

from django import forms

from safeguard.core.forms import GovukFormMixin
from safeguard.partnerships import selectors as partnership_selectors
from safeguard.partnerships.models import Partnership

from . import calendar
from .models import ClosureDay

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_HELP = "For example, 2024-12-20"


class ClosureForm(GovukFormMixin, forms.ModelForm):
    submit_label = "Add closure day"

    class Meta:
        model = ClosureDay
        fields = ["date", "reason"]
        widgets = {"date": DATE}
        help_texts = {"date": f"A weekday that is not a bank holiday. {DATE_HELP}"}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        manageable = partnership_selectors.partnerships_manageable(user=user)
        self.fields["partnership"] = forms.ModelChoiceField(queryset=manageable, empty_label=None, label="Partnership")
        self.order_fields(["partnership", "date", "reason"])
        self.helper.layout.fields.insert(0, "partnership")

    def _post_clean(self):
        """Validation is the service's job (it knows the calendar); skip the model's own checks."""


class ConfirmForm(GovukFormMixin, forms.Form):
    submit_label = "Yes, remove it"


class _CalculatorForm(GovukFormMixin, forms.Form):
    """Both calculator forms are GET forms: the answer is a link that can be shared."""

    partnership = forms.ModelChoiceField(
        queryset=Partnership.objects.none(),
        required=False,
        empty_label="Bank holidays only",
        label="Closure days of",
        help_text="Leave as 'Bank holidays only' for the national answer (as the DfE census counts).",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partnership"].queryset = Partnership.objects.visible_to(user).order_by("name")


class AddDaysForm(_CalculatorForm):
    submit_label = "Find the date"

    start = forms.DateField(label="Start date (day 0)", widget=DATE, help_text=DATE_HELP)
    days = forms.IntegerField(
        label="Number of working days",
        min_value=0,
        max_value=calendar.MAX_DAYS,
        help_text="For example, 15 for an initial child protection conference.",
    )
    field_order = ["start", "days", "partnership"]


class CountDaysForm(_CalculatorForm):
    submit_label = "Count working days"

    start = forms.DateField(label="From (day 0)", widget=DATE, help_text=DATE_HELP)
    end = forms.DateField(label="To", widget=DATE, help_text="Counted if it is a working day.")
    field_order = ["start", "end", "partnership"]
