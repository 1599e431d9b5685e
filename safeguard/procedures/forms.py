"""Forms for editing the procedures manual in the workspace."""

from __future__ import annotations

from crispy_forms_gds.layout import Submit
from django import forms
from django.utils.text import slugify

from safeguard.core.forms import GovukFormMixin, VersionedModelForm
from safeguard.partnerships.models import Person

from .choices import ChangeKind, ChapterStatus
from .models import Chapter, ChapterVersion, Release, Section

DATE = forms.DateInput(attrs={"type": "date"})
MARKDOWN_HELP = (
    "Write in Markdown: ## for a heading, - for a bullet, **bold**. Link to another chapter with "
    "[its title](chapter:chapter-address) and to a library document with [its title](document:document-address). "
    "Show a practice point on a line of its own: [[practice-point: toxic-trio]] or "
    "[[practice-point: cp-plan-after-return-home]]."
)


class _PreviewMixin:
    """Two buttons: Preview (re-shows the form with the rendered text, saving nothing) and Save."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.inputs = [
            Submit("preview", "Preview", css_class="govuk-button--secondary"),
            Submit("submit", self.submit_label),
        ]


class SectionForm(GovukFormMixin, forms.ModelForm):
    submit_label = "Add section"

    class Meta:
        model = Section
        fields = ["title", "position"]
        help_texts = {"position": "Sections are listed in this order (0 first)."}


class ChapterCreateForm(_PreviewMixin, GovukFormMixin, forms.Form):
    submit_label = "Save draft chapter"

    section = forms.ModelChoiceField(queryset=Section.objects.none(), empty_label=None)
    title = forms.CharField(max_length=200)
    slug = forms.SlugField(
        max_length=120,
        required=False,
        label="Address (optional)",
        help_text="The end of the chapter's web address, which never changes. Leave empty to make it from the title.",
    )
    body_markdown = forms.CharField(
        label="Chapter text", widget=forms.Textarea(attrs={"rows": 20}), help_text=MARKDOWN_HELP
    )

    def __init__(self, *args, manual, **kwargs):
        super().__init__(*args, **kwargs)
        self.manual = manual
        self.fields["section"].queryset = manual.sections.all()

    def clean(self):
        data = super().clean()
        if data.get("title") and not data.get("slug"):
            data["slug"] = slugify(data["title"])[:120]
        if data.get("slug") and Chapter.objects.filter(manual=self.manual, slug=data["slug"]).exists():
            self.add_error("slug", "Another chapter of this manual already has this address: choose another.")
        return data


class ChapterForm(VersionedModelForm):
    class Meta:
        model = Chapter
        fields = ["title", "section", "owner", "review_date", "position", "related_chapters"]
        widgets = {"review_date": DATE, "related_chapters": forms.CheckboxSelectMultiple}
        help_texts = {"review_date": "For example, 2027-03-31", "position": "Order within the section (0 first)."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        chapter = self.instance
        self.fields["section"].queryset = chapter.manual.sections.all()
        self.fields["section"].empty_label = None
        self.fields["owner"].queryset = Person.objects.filter(partnership_id=chapter.manual.partnership_id)
        self.fields["related_chapters"].queryset = (
            Chapter.objects.filter(manual=chapter.manual).exclude(pk=chapter.pk).exclude(status=ChapterStatus.REMOVED)
        )


class VersionForm(_PreviewMixin, GovukFormMixin, forms.ModelForm):
    submit_label = "Save draft version"

    class Meta:
        model = ChapterVersion
        fields = ["body_markdown", "change_note"]
        labels = {"body_markdown": "Chapter text"}
        widgets = {"body_markdown": forms.Textarea(attrs={"rows": 24})}
        help_texts = {
            "body_markdown": MARKDOWN_HELP,
            "change_note": "A sentence on what changed, for example 'Section 3 updated for the toxic trio'.",
        }


class CompareForm(forms.Form):
    """Which two versions to compare (GET)."""

    a = forms.TypedChoiceField(
        coerce=int, label="Compare version", widget=forms.Select(attrs={"class": "govuk-select"})
    )
    b = forms.TypedChoiceField(coerce=int, label="with version", widget=forms.Select(attrs={"class": "govuk-select"}))

    def __init__(self, *args, numbers, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(n, f"Version {n}") for n in numbers]
        self.fields["a"].choices = choices
        self.fields["b"].choices = choices


class ReleaseForm(VersionedModelForm):
    class Meta:
        model = Release
        fields = ["title", "go_live_on"]
        labels = {"title": "Name", "go_live_on": "Go-live date"}
        widgets = {"go_live_on": DATE}
        help_texts = {
            "title": "For example 'December 2026'. Practitioners see this name on the amendments page.",
            "go_live_on": "For example, 2026-12-01. The release is published automatically early that morning.",
        }


class ReleaseChangeForm(GovukFormMixin, forms.Form):
    submit_label = "Add to release"

    chapter = forms.ModelChoiceField(queryset=Chapter.objects.none())
    kind = forms.ChoiceField(choices=ChangeKind.choices, widget=forms.RadioSelect, label="Change")
    summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        label="What changed",
        help_text="Shown to practitioners on the amendments page and in the update e-mail.",
    )

    def __init__(self, *args, release, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chapter"].queryset = (
            Chapter.objects.filter(manual=release.manual)
            .exclude(status=ChapterStatus.REMOVED)
            .exclude(release_changes__release=release)
            .order_by("title")
        )
        self.fields["chapter"].help_text = "New and updated chapters go live with their newest version."
