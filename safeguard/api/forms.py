from django import forms
from django.conf import settings

from safeguard.core.forms import GovukFormMixin

from .models import TokenScope


class TokenCreateForm(GovukFormMixin, forms.Form):
    submit_label = "Create token"

    name = forms.CharField(
        max_length=100,
        help_text="What the token is for, so you recognise it later. For example 'Power BI refresh'.",
        error_messages={"required": "Enter a name for the token, for example 'Power BI refresh'."},
    )
    scope = forms.ChoiceField(
        choices=TokenScope.choices,
        initial=TokenScope.READ,
        widget=forms.RadioSelect,
        label="What can the token do?",
        help_text="Choose 'Read only' unless a program needs to change records.",
        error_messages={"required": "Choose whether the token can only read, or can also change records."},
    )
    days = forms.IntegerField(
        label="How many days should it last?",
        initial=90,
        min_value=1,
        max_value=settings.API_TOKEN_MAX_DAYS,
        help_text=f"From 1 to {settings.API_TOKEN_MAX_DAYS} days. You can revoke it at any time.",
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        wrong = f"Enter a whole number of days from 1 to {settings.API_TOKEN_MAX_DAYS}."
        self.fields["days"].error_messages.update(
            {"required": wrong, "invalid": wrong, "min_value": wrong, "max_value": wrong}
        )


class TokenRevokeForm(GovukFormMixin, forms.Form):
    submit_label = "Yes, revoke it"
