import datetime as dt

from crispy_forms_gds.layout import Layout
from django import forms
from django.utils import timezone

from safeguard.core.forms import GovukFormMixin, VersionedModelForm

from . import files, selectors
from .choices import Category
from .models import Document


def _file_help() -> str:
    return (
        "PDF, Word (.docx), Excel (.xlsx), OpenDocument text (.odt), PNG or JPEG, "
        f"up to {files.human_size(files.max_bytes())}. The file's content is checked, not just its name."
    )


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        detail = ", ".join(part for part in (obj.job_title, obj.agency.name if obj.agency else "") if part)
        return f"{obj.full_name} ({detail})" if detail else obj.full_name


class _FileFieldsMixin:
    """The upload field (checked by content here and again by the service) and the change note."""

    def _add_file_fields(self, *, note_initial: str = ""):
        self.fields["file"] = forms.FileField(
            label="File",
            help_text=_file_help(),
            widget=forms.FileInput(attrs={"data-testid": "file-input"}),
            error_messages={
                "required": "Choose the file to upload.",
                "empty": "The file is empty (0 bytes). Check it opens on your computer, then choose it again.",
                "invalid": "The file did not arrive. Choose it again.",
            },
        )
        self.fields["change_note"] = forms.CharField(
            label="What changed",
            max_length=500,
            initial=note_initial,
            help_text="Readers see this in the version history, for example 'Updated the contact numbers'.",
            error_messages={"required": "Say what changed in this version."},
        )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is not None:
            files.check_upload(upload)
        return upload

    def remind_to_choose_file_again(self):
        """Browsers never keep a chosen file after a page with errors: say so beside the field."""
        if self.is_bound and self.errors and "file" in self.fields and "file" not in self.errors:
            text = f"Choose the file again: browsers forget it after an error. {_file_help()}"
            self.fields["file"].help_text = text
            self["file"].help_text = text  # the bound field copied the old text when the form was cleaned


class DocumentForm(VersionedModelForm):
    """Edit the details of a document (not its file, not its address)."""

    class Meta:
        model = Document
        fields = ["title", "summary", "category", "owner", "review_date", "visibility"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "review_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "visibility": forms.RadioSelect,
        }
        field_classes = {"owner": OwnerChoiceField}
        error_messages = {
            "title": {"required": "Enter the document's title."},
            "category": {"required": "Choose a category."},
            "owner": {"required": "Choose who owns the document."},
            "review_date": {
                "required": "Enter the review date, for example 2027-03-31.",
                "invalid": "Enter a real date, for example 2027-03-31.",
            },
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["owner"].queryset = self._owner_queryset()
        self.fields["owner"].empty_label = "Choose an owner"
        self.fields["visibility"].label = "Who can see it"
        self.fields["category"].choices = [("", "Choose a category"), *Category.choices]

    def _owner_queryset(self):
        qs = selectors.owner_choices(partnership_ids=[self.instance.partnership_id])
        if self.instance.owner_id:
            qs = qs | selectors.Person.objects.filter(pk=self.instance.owner_id)
        return qs.distinct()


class DocumentCreateForm(_FileFieldsMixin, DocumentForm):
    submit_label = "Add document"

    def __init__(self, *args, user, **kwargs):
        self.manageable = list(selectors.partnerships_managing_documents(user=user))
        super().__init__(*args, user=user, **kwargs)
        self.fields["partnership"] = forms.ModelChoiceField(
            queryset=selectors.partnerships_managing_documents(user=user),
            initial=self.manageable[0] if len(self.manageable) == 1 else None,
            empty_label=None if len(self.manageable) == 1 else "Choose a partnership",
            label="Partnership",
            error_messages={"required": "Choose the partnership whose library it goes in."},
        )
        if len(self.manageable) == 1:
            self.fields["partnership"].widget = forms.HiddenInput()
        self._add_file_fields(note_initial="First version")
        if not self.is_bound:
            self.initial.setdefault("review_date", timezone.localdate() + dt.timedelta(days=365))
        order = ["partnership", "title", "summary", "category", "file", "change_note", "owner", "review_date"]
        self.order_fields([*order, "visibility"])
        self.helper.layout = Layout(*order, "visibility")

    def _owner_queryset(self):
        return selectors.owner_choices(partnership_ids=[p.pk for p in self.manageable])

    def clean(self):
        cleaned = super().clean()
        partnership, owner = cleaned.get("partnership"), cleaned.get("owner")
        if partnership and owner and owner.partnership_id != partnership.pk:
            self.add_error("owner", "Choose an owner from the partnership the document belongs to.")
        return cleaned

    def _post_clean(self):
        """The instance has no partnership yet: model validation happens in the service."""


class VersionUploadForm(_FileFieldsMixin, GovukFormMixin, forms.Form):
    submit_label = "Upload new version"

    review_date = forms.DateField(
        label="Next review date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="If this version is the result of a review, set when it must next be reviewed.",
        error_messages={"invalid": "Enter a real date, for example 2027-03-31."},
    )

    def __init__(self, *args, instance=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._add_file_fields()
        self.order_fields(["file", "change_note", "review_date"])
        self.helper.layout = Layout("file", "change_note", "review_date")
        if instance is not None and not self.is_bound:
            self.initial["review_date"] = instance.review_date


class StatusForm(VersionedModelForm):
    """Archive or restore: a confirmation that carries the version the user saw."""

    class Meta:
        model = Document
        fields = []
