"""Forms of the extract pages: the upload, the list's filters and the report's finding filters."""

from __future__ import annotations

import django_filters
from crispy_forms_gds.layout import Layout
from django import forms

from safeguard.core.forms import GovukFormMixin

from . import selectors
from .choices import ExtractKind, ExtractStatus, Severity
from .locality_lookup import MAX_LOOKUP_BYTES
from .models import Extract
from .services import human_size, max_bytes, too_large_message


def _file_help() -> str:
    return (
        "The CIN census XML file your case management system exports for the DfE (COLLECT), for one local "
        f"authority and year, up to {human_size(max_bytes())}. It is checked against the census rules before "
        "anything is loaded."
    )


LOOKUP_HELP = (
    "Optional. A CSV file with two columns headed LAchildID and locality, one row a child; the locality is "
    "a locality's code or name. Children not in it go to the locality of their local authority."
)


class UploadForm(GovukFormMixin, forms.Form):
    submit_label = "Upload and check"

    file = forms.FileField(
        label="CIN census file",
        widget=forms.FileInput(attrs={"accept": ".xml,text/xml,application/xml", "data-testid": "census-file"}),
        error_messages={
            "required": "Choose the CIN census file to upload.",
            "empty": "The file is empty (0 bytes). Export the census again and choose the new file.",
            "invalid": "The file did not arrive. Choose it again.",
        },
    )
    locality_lookup = forms.FileField(
        label="Locality lookup (optional)",
        required=False,
        help_text=LOOKUP_HELP,
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv", "data-testid": "locality-lookup"}),
        error_messages={"empty": "The locality lookup is empty (0 bytes). Choose the right file, or leave it out."},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.importing = list(selectors.partnerships_importing(user=user))
        self.fields["partnership"] = forms.ModelChoiceField(
            queryset=selectors.partnerships_importing(user=user),
            initial=self.importing[0] if len(self.importing) == 1 else None,
            empty_label=None if len(self.importing) == 1 else "Choose a partnership",
            label="Partnership",
            error_messages={"required": "Choose the partnership the census belongs to."},
        )
        if len(self.importing) == 1:
            self.fields["partnership"].widget = forms.HiddenInput()
        self.fields["file"].help_text = _file_help()
        self.order_fields(["partnership", "file", "locality_lookup"])
        self.helper.layout = Layout("partnership", "file", "locality_lookup")

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is not None and upload.size > max_bytes():
            raise forms.ValidationError(too_large_message())
        return upload

    def clean_locality_lookup(self):
        upload = self.cleaned_data.get("locality_lookup")
        if upload is not None and upload.size > MAX_LOOKUP_BYTES:
            raise forms.ValidationError(
                f"The locality lookup is larger than {human_size(MAX_LOOKUP_BYTES)}. It should have two columns, "
                "LAchildID and locality."
            )
        return upload

    def remind_to_choose_files_again(self) -> None:
        """Browsers never keep chosen files after a page with errors: say so beside the fields."""
        if self.is_bound and self.errors:
            for name in ("file", "locality_lookup"):
                if name not in self.errors:
                    text = f"Choose the file again: browsers forget it after an error. {self.fields[name].help_text}"
                    self.fields[name].help_text = text
                    self[name].help_text = text


class ExtractFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=ExtractKind.choices, empty_label="Any kind", label="Kind")
    collection_year = django_filters.ChoiceFilter(label="Census year", empty_label="Any year")
    status = django_filters.ChoiceFilter(choices=ExtractStatus.choices, empty_label="Any status", label="Status")

    class Meta:
        model = Extract
        fields = ["kind", "collection_year", "status"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        years = selectors.collection_years(user=user) if user is not None else []
        self.filters["collection_year"].extra["choices"] = [(y, f"{y - 1} to {y}") for y in years]


class FindingFilterForm(forms.Form):
    """The report's findings table: by rule and by severity (GET, so a filtered view can be shared)."""

    code = forms.ChoiceField(label="Rule", required=False)
    severity = forms.ChoiceField(
        label="Severity", required=False, choices=[("", "Errors and queries"), *Severity.choices]
    )

    def __init__(self, *args, codes: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].choices = [("", "Every rule"), *((c, c) for c in codes)]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}
