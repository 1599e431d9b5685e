"""The upload form: GOV.UK layout, the file checked by its content, messages that say how to fix it."""

from __future__ import annotations

from crispy_forms_gds.layout import Layout
from django import forms
from django.utils import timezone

from safeguard.core.forms import GovukFormMixin
from safeguard.documents.files import human_size

from . import selectors, services


def _file_help() -> str:
    return (
        f"An Excel workbook (.xlsx) of up to {human_size(services.max_bytes())}, one sheet per list, named for "
        "example “List 1” or “L3 Referrals”. Lists 1 to 7 are imported; lists 8 to 11 are noted and skipped."
    )


class AnnexAUploadForm(GovukFormMixin, forms.Form):
    submit_label = "Import workbook"

    file = forms.FileField(
        label="Annex A workbook",
        widget=forms.FileInput(attrs={"data-testid": "file-input", "accept": ".xlsx"}),
        error_messages={
            "required": "Choose the Annex A workbook to import.",
            "empty": "The file is empty (0 bytes). Check it opens in Excel, then choose it again.",
            "invalid": "The file did not arrive. Choose it again.",
        },
    )
    reference_date = forms.DateField(
        label="Date the lists run to",
        widget=forms.DateInput(attrs={"type": "date", "data-testid": "reference-date"}, format="%Y-%m-%d"),
        help_text="Usually the day before the inspection started, for example 2025-03-31. Dates after it are "
        "errors; lists 1 to 5 cover the 12 months before it.",
        error_messages={
            "required": "Enter the date the lists run to, for example 2025-03-31.",
            "invalid": "Enter a real date, for example 2025-03-31.",
        },
    )
    local_authority_code = forms.RegexField(
        label="Local authority code (optional)",
        regex=r"^\d{3}$",
        required=False,
        max_length=3,
        help_text="Three digits, for example 830. Leave blank to use the partnership's own code.",
        error_messages={"invalid": "Enter the three-digit local authority code, for example 830, or leave it blank."},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        choices = selectors.partnerships_importing(user=user)
        only = list(choices[:2])
        self.only = only[0] if len(only) == 1 else None
        self.fields["partnership"] = forms.ModelChoiceField(
            queryset=choices,
            required=self.only is None,
            initial=self.only,
            empty_label=None if self.only else "Choose a partnership",
            label="Partnership",
            error_messages={
                "required": "Choose the partnership the workbook belongs to.",
                "invalid_choice": "Choose one of the partnerships listed.",
            },
        )
        if self.only:
            self.fields["partnership"].widget = forms.HiddenInput()
        self.fields["file"].help_text = _file_help()
        if not self.is_bound:
            self.initial.setdefault("reference_date", timezone.localdate())
        order = ["partnership", "file", "reference_date", "local_authority_code"]
        self.order_fields(order)
        self.helper.layout = Layout(*order)

    def clean_partnership(self):
        return self.cleaned_data.get("partnership") or self.only

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is not None:
            services.annex_a_check_upload(upload)
        return upload

    def clean_reference_date(self):
        day = self.cleaned_data["reference_date"]
        if day > timezone.localdate():
            raise forms.ValidationError("The lists cannot run to a date in the future. Enter today or an earlier date.")
        return day

    def remind_to_choose_file_again(self) -> None:
        """Browsers never keep a chosen file after a page with errors: say so beside the field."""
        if self.is_bound and self.errors and "file" not in self.errors:
            text = f"Choose the file again: browsers forget it after an error. {_file_help()}"
            self.fields["file"].help_text = text
            self["file"].help_text = text
