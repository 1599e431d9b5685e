"""Forms of the data set dashboard and the chasing page: the dashboard's filters (GET), the
sub-group's commentary, an agency's escalation contact, and the "chase now" confirmation."""

from __future__ import annotations

from django import forms

from safeguard.core.forms import GovukFormMixin
from safeguard.partnerships.models import Person

from .choices import ThemeKind


class DashboardFilterForm(forms.Form):
    """The dashboard's filters: the choices are the partnership's own (``Dashboard.choices``)."""

    partnership = forms.TypedChoiceField(label="Partnership", coerce=int, required=False)
    period = forms.TypedChoiceField(label="Quarter", coerce=int, required=False, empty_value=None)
    theme = forms.TypedChoiceField(label="Theme", coerce=int, required=False, empty_value=None)
    priority = forms.ChoiceField(label="Kind", required=False)
    agency = forms.TypedChoiceField(label="Agency", coerce=int, required=False, empty_value=None)
    locality = forms.TypedChoiceField(label="Locality", coerce=int, required=False, empty_value=None)

    def __init__(self, *, partnerships, dashboard):
        super().__init__(None)
        choices = dashboard.choices
        self.fields["partnership"].choices = [(p.pk, p.name) for p in partnerships]
        self.fields["period"].choices = [("", "Latest quarter")] + [(p.pk, p.label) for p in choices["periods"]]
        self.fields["theme"].choices = [("", "All themes")] + [(t.pk, t.name) for t in choices["themes"]]
        self.fields["priority"].choices = [("", "Priorities and themes"), *ThemeKind.choices]
        self.fields["agency"].choices = [("", "All agencies")] + [(a.pk, a.name) for a in choices["agencies"]]
        self.fields["locality"].choices = [("", "Whole partnership")] + [
            (loc.pk, loc.name) for loc in choices["localities"]
        ]
        filters = dashboard.filters
        self.initial = {
            "partnership": dashboard.partnership.pk,
            "period": filters["period"] or "",
            "theme": filters["theme"] or "",
            "priority": filters["priority"],
            "agency": filters["agency"] or "",
            "locality": filters["locality"] or "",
        }
        self.show_partnership = len(partnerships) > 1


class CommentaryForm(GovukFormMixin, forms.Form):
    submit_label = "Save commentary"

    text = forms.CharField(
        label="Commentary",
        widget=forms.Textarea,
        max_length=5000,
        help_text="What the figures show, why they moved, and what the sub-group is doing about it.",
        error_messages={"required": "Enter the sub-group's commentary"},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class EscalationContactForm(GovukFormMixin, forms.Form):
    submit_label = "Save escalation contact"

    person = forms.ModelChoiceField(
        label="Escalation contact",
        queryset=Person.objects.none(),
        required=False,
        empty_label="No escalation contact",
        help_text="The second chase about an overdue return is copied to them. Only people with an e-mail address "
        "are listed: add someone on the People pages first.",
    )

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = (
            Person.objects.filter(partnership_id=agency.partnership_id, is_active=True)
            .exclude(email="")
            .select_related("agency")
            .order_by("family_name", "given_name", "pk")
        )
        self.fields["person"].label_from_instance = lambda p: (
            (f"{p.full_name}, {p.job_title}" if p.job_title else p.full_name)
            + (f" ({p.agency.name})" if p.agency else "")
        )


class ChaseForm(GovukFormMixin, forms.Form):
    submit_label = "Send the chase e-mail"
