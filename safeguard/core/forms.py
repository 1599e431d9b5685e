"""Form helpers shared by every module: GOV.UK layout and the version field for optimistic locking."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Layout, Submit
from django import forms


class GovukFormMixin:
    """Adds a crispy-forms-gds helper: error summary at the top, one submit button."""

    submit_label = "Save"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(*[name for name in self.fields if name != "version"])
        self.helper.add_input(Submit("submit", self.submit_label))


class VersionedModelForm(GovukFormMixin, forms.ModelForm):
    """A model form that carries the version the user started editing from."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance and self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version

    def service_data(self) -> dict:
        """The cleaned values to hand to a service (no version, no instance)."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.cleaned_data}
