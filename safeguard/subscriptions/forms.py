from crispy_forms_gds.layout import Field, Fluid, Size
from django import forms

from safeguard.core.forms import GovukFormMixin
from safeguard.procedures.models import Manual

from .services import MARK_SENT, RESEND


class ManualsFormMixin:
    """A GOV.UK checkbox list of the manuals a site publishes."""

    manuals_label = "Which procedures do you want updates about?"

    def __init__(self, *args, manuals, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["manuals"]
        field.queryset = Manual.objects.filter(pk__in=[m.pk for m in manuals]).order_by("title")
        field.label = self.manuals_label


class SubscribeForm(ManualsFormMixin, GovukFormMixin, forms.Form):
    submit_label = "Subscribe"

    email = forms.EmailField(
        label="E-mail address",
        max_length=254,
        help_text="We will send you an e-mail with a link to confirm. We use the address only for these updates.",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": "Enter your e-mail address",
            "invalid": "Enter an e-mail address in the correct format, like name@example.org",
        },
    )
    manuals = forms.ModelMultipleChoiceField(
        queryset=Manual.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select the procedures you want to hear about"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout.fields[:] = [
            Field.text("email", label_size=Size.MEDIUM, field_width=Fluid.TWO_THIRDS),
            Field.checkboxes("manuals", legend_size=Size.MEDIUM),
        ]


class ManageForm(ManualsFormMixin, GovukFormMixin, forms.Form):
    submit_label = "Save my choices"
    manuals_label = "Which procedures do you want updates about?"

    manuals = forms.ModelMultipleChoiceField(
        queryset=Manual.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select the procedures you want to hear about, or unsubscribe"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout.fields[:] = [Field.checkboxes("manuals", legend_size=Size.MEDIUM)]


class ConfirmForm(GovukFormMixin, forms.Form):
    submit_label = "Yes, send them again"


class UnsubscribeStaffForm(GovukFormMixin, forms.Form):
    submit_label = "Yes, end this subscription"


class UnconfirmedForm(GovukFormMixin, forms.Form):
    submit_label = "Continue"

    decision = forms.ChoiceField(
        label="What should happen to these e-mails?",
        widget=forms.RadioSelect,
        choices=[
            (MARK_SENT, "Record them as sent: send nothing more (some subscribers may not have received it)"),
            (RESEND, "Send them again: every subscriber gets it, but some may get it twice"),
        ],
        error_messages={"required": "Choose whether to record them as sent or send them again"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout.fields[:] = [Field.radios("decision", legend_size=Size.MEDIUM)]
