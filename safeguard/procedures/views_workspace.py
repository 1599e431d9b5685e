"""Workspace pages of the procedures manual: chapters and versions with preview and diff, and
amendment releases with their broken-link check and preview. Thin: selectors read, services write."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.views.generic import TemplateView

from safeguard.core.views_generic import (
    ScopedDetailView,
    ScopedEditView,
    ScopedListView,
    ScopedObjectMixin,
    _add_validation_errors,
)

from . import forms, selectors, services
from .choices import ChapterStatus, ReleaseStatus
from .diff import chapter_diff
from .links import release_broken_links
from .markdown import render_markdown, validate_markdown
from .models import Chapter, ChapterVersion, Manual, Release, ReleaseChange

EDIT = "procedures.edit"
REVIEW = "procedures.review"


class _PreviewFormMixin:
    """Forms with a Preview button: show the rendered text under the form and save nothing."""

    preview_field = "body_markdown"

    def post(self, request, *args, **kwargs):
        if "preview" in request.POST:
            form = self.get_form()
            form.is_valid()  # show field errors, if any, with the preview
            text = request.POST.get(self.preview_field, "")
            try:
                validate_markdown(text)
                preview = render_markdown(text)
            except ValidationError as exc:
                _add_validation_errors(form, exc)
                preview = ""
            return self.render_to_response(self.get_context_data(form=form, preview_html=preview))
        return super().post(request, *args, **kwargs)


class _OfManual:
    """Pages about one manual (``pk``) owned by one of the user's partnerships."""

    model = Manual

    def selector(self, user, pk):
        return selectors.workspace_manual_get(user=user, pk=pk)


class _OfChapter:
    model = Chapter

    def selector(self, user, pk):
        return selectors.workspace_chapter_get(user=user, pk=pk)


class _OfRelease:
    model = Release

    def selector(self, user, pk):
        return selectors.workspace_release_get(user=user, pk=pk)


# --- Manuals --------------------------------------------------------------------------------------
class ManualList(ScopedListView):
    model = Manual
    permission_required = None
    template_name = "procedures/workspace/manual_list.html"
    filterset_fields: list = []
    paginate_by = 50

    def selector(self, user):
        return selectors.workspace_manual_list(user=user)


class ManualDetail(_OfManual, ScopedDetailView):
    permission_required = REVIEW
    template_name = "procedures/workspace/manual_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        status = self.request.GET.get("status", "")
        review = self.request.GET.get("review", "")
        status = status if status in ChapterStatus.values else ""
        review = review if review in {"overdue", "due"} else ""
        today = timezone.localdate()
        chapters = list(selectors.workspace_chapters(manual=self.object, status=status, review=review, today=today))
        sections: dict = {}
        for chapter in chapters:
            sections.setdefault(chapter.section, []).append(chapter)
        ctx.update(
            sections=list(sections.items()),
            chapter_count=len(chapters),
            releases=list(selectors.workspace_releases(manual=self.object)),
            work_in_progress=[
                c
                for c in selectors.unreleased_versions(manual=self.object)
                if c.live_version is None or c.latest_number != c.live_version.number
            ],
            status=status,
            review=review,
            statuses=ChapterStatus.choices,
            today=today,
            can_edit=self.request.user.has_perm(EDIT, self.object),
        )
        return ctx


class SectionCreate(_OfManual, ScopedEditView):
    permission_required = EDIT
    form_class = forms.SectionForm
    template_name = "procedures/workspace/form.html"
    success_message = "Section added"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": None}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "title": f"Add a section to {self.object}"}

    def perform(self, form):
        services.section_create(manual=self.object, by=self.request.user, **form.cleaned_data)
        return self.object


class ChapterCreate(_OfManual, _PreviewFormMixin, ScopedEditView):
    permission_required = EDIT
    form_class = forms.ChapterCreateForm
    template_name = "procedures/workspace/version_form.html"
    success_message = "Draft chapter saved. Add it to a release to publish it."

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.pop("instance")
        return {**kwargs, "manual": self.object}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "title": f"New chapter in {self.object}", "manual": self.object}

    def perform(self, form):
        return services.chapter_create(by=self.request.user, **form.cleaned_data)


# --- Chapters and versions ------------------------------------------------------------------------
class ChapterDetail(_OfChapter, ScopedDetailView):
    permission_required = REVIEW
    template_name = "procedures/workspace/chapter_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        versions = list(selectors.chapter_versions(chapter=self.object))
        numbers = [v.number for v in versions]
        compare = None
        if len(numbers) > 1:
            initial = {"a": numbers[1], "b": numbers[0]}
            compare = forms.CompareForm(initial=initial, numbers=sorted(numbers))
        ctx.update(
            versions=versions,
            compare_form=compare,
            changes=list(
                self.object.release_changes.select_related("release", "version").order_by("-release__go_live_on")
            ),
            can_edit=self.request.user.has_perm(EDIT, self.object),
        )
        return ctx


class ChapterEdit(_OfChapter, ScopedEditView):
    permission_required = EDIT
    form_class = forms.ChapterForm
    template_name = "procedures/workspace/form.html"
    success_message = "Chapter details saved"

    def perform(self, form):
        data = form.cleaned_data
        return services.chapter_update(
            chapter=self.object,
            by=self.request.user,
            expected_version=data["version"] or 0,
            title=data["title"],
            section=data["section"],
            owner=data["owner"],
            review_date=data["review_date"],
            position=data["position"],
            related_chapters=data["related_chapters"],
        )


class VersionCreate(_OfChapter, _PreviewFormMixin, ScopedEditView):
    """A new draft version, starting from the newest version's text."""

    permission_required = EDIT
    form_class = forms.VersionForm
    template_name = "procedures/workspace/version_form.html"
    success_message = "Draft version saved. Add the chapter to a release to publish it."

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = None
        if self.request.method == "GET":
            newest = self.object.versions.order_by("-number").first()
            kwargs["initial"] = {"body_markdown": newest.body_markdown if newest else ""}
        return kwargs

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "title": f"New version of {self.object}",
            "manual": self.object.manual,
            "chapter": self.object,
        }

    def perform(self, form):
        services.chapter_version_create(chapter=self.object, by=self.request.user, **form.cleaned_data)
        return self.object


class VersionDetail(ScopedDetailView):
    model = ChapterVersion
    permission_required = REVIEW
    template_name = "procedures/workspace/version_detail.html"

    def selector(self, user, pk):
        return selectors.workspace_version_get(user=user, pk=pk)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["chapter"] = self.object.chapter
        ctx["manual"] = self.object.chapter.manual
        return ctx


class ChapterCompare(_OfChapter, ScopedObjectMixin, TemplateView):
    """Differences between any two versions of a chapter (?a=1&b=3)."""

    permission_required = REVIEW
    template_name = "procedures/workspace/compare.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        chapter = self.get_object()
        versions = {v.number: v for v in chapter.versions.all()}
        numbers = sorted(versions)
        default = {"a": numbers[-2], "b": numbers[-1]} if len(numbers) > 1 else {"a": numbers[0], "b": numbers[0]}
        form = forms.CompareForm(self.request.GET or None, initial=default, numbers=numbers)
        a, b = default["a"], default["b"]
        if form.is_bound and form.is_valid():
            a, b = form.cleaned_data["a"], form.cleaned_data["b"]
        ctx.update(
            object=chapter,
            chapter=chapter,
            form=form,
            old=versions[a],
            new=versions[b],
            diff=chapter_diff(versions[a].body_markdown, versions[b].body_markdown),
        )
        return ctx


# --- Releases -------------------------------------------------------------------------------------
class ReleaseCreate(_OfManual, ScopedEditView):
    permission_required = EDIT
    form_class = forms.ReleaseForm
    template_name = "procedures/workspace/form.html"
    success_message = "Release created. Add the chapter changes, then schedule it."

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": Release(manual=self.object)}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "title": f"New amendment release of {self.object}"}

    def perform(self, form):
        return services.release_create(
            manual=self.object,
            by=self.request.user,
            title=form.cleaned_data["title"],
            go_live_on=form.cleaned_data["go_live_on"],
        )


class ReleaseDetail(_OfRelease, ScopedDetailView):
    permission_required = REVIEW
    template_name = "procedures/workspace/release_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        release = self.object
        ctx.update(
            changes=list(selectors.release_changes(release=release)),
            broken_links=release_broken_links(release) if release.status != ReleaseStatus.PUBLISHED else [],
            can_edit=self.request.user.has_perm(EDIT, release),
        )
        return ctx


class ReleaseEdit(_OfRelease, ScopedEditView):
    permission_required = EDIT
    form_class = forms.ReleaseForm
    template_name = "procedures/workspace/form.html"
    success_message = "Release saved"

    def perform(self, form):
        return services.release_update(
            release=self.object,
            by=self.request.user,
            expected_version=form.cleaned_data["version"] or 0,
            title=form.cleaned_data["title"],
            go_live_on=form.cleaned_data["go_live_on"],
        )


class ReleaseChangeAdd(_OfRelease, ScopedEditView):
    permission_required = EDIT
    form_class = forms.ReleaseChangeForm
    template_name = "procedures/workspace/form.html"
    success_message = "Change added to the release"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.pop("instance")
        return {**kwargs, "release": self.object}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "title": f"Add a chapter change to {self.object}"}

    def perform(self, form):
        services.release_add_change(release=self.object, by=self.request.user, **form.cleaned_data)
        return self.object


class _ActionView(ScopedObjectMixin, TemplateView):
    """A confirmation page (GET) and the action (POST) on one object."""

    template_name = "procedures/workspace/confirm.html"
    question = ""
    explanation = ""
    button = ""
    done_message = ""

    def get_context_data(self, **kwargs):
        obj = self.get_object()
        return {
            **super().get_context_data(**kwargs),
            "object": obj,
            "question": self.question.format(obj=obj),
            "explanation": self.explanation,
            "button": self.button,
            "cancel_url": self.back_url(obj),
        }

    def back_url(self, obj) -> str:
        return obj.get_absolute_url()

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        try:
            self.act(obj)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, self.done_message)
        return HttpResponseRedirect(self.back_url(obj))


class ReleaseSchedule(_OfRelease, _ActionView):
    permission_required = EDIT
    question = "Schedule {obj} to go live?"
    explanation = (
        "It will be published automatically on its go-live date: every chapter change at once. Until then, "
        "editors and reviewers can preview it; practitioners cannot see it."
    )
    button = "Schedule the release"
    done_message = "Release scheduled"

    def act(self, obj):
        services.release_schedule(release=obj, by=self.request.user)


class ReleaseUnschedule(_OfRelease, _ActionView):
    permission_required = EDIT
    question = "Take {obj} back to draft?"
    explanation = "It will not go live until you schedule it again. Nothing in it is lost."
    button = "Take back to draft"
    done_message = "Release taken back to draft"

    def act(self, obj):
        services.release_unschedule(release=obj, by=self.request.user)


class ReleaseChangeRemove(_ActionView):
    model = ReleaseChange
    permission_required = EDIT
    question = "Take '{obj.chapter}' out of this release?"
    explanation = "The chapter and its versions are kept; only this change is taken out of the release."
    button = "Take it out"
    done_message = "Change taken out of the release"

    def selector(self, user, pk):
        return selectors.workspace_change_get(user=user, pk=pk)

    def back_url(self, obj) -> str:
        return obj.release.get_absolute_url()

    def act(self, obj):
        services.release_remove_change(change=obj, by=self.request.user)


class ReleasePreview(_OfRelease, ScopedDetailView):
    """The release as practitioners will see it: the amendments entry and each changed chapter's new
    text, with the differences from what is live now."""

    permission_required = REVIEW
    template_name = "procedures/workspace/release_preview.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        changes = list(selectors.release_changes(release=self.object))
        previews = []
        for change in changes:
            live = change.chapter.live_version
            diff = None
            if change.version is not None and live is not None:
                diff = chapter_diff(live.body_markdown, change.version.body_markdown)
            previews.append({"change": change, "diff": diff})
        ctx.update(
            previews=previews,
            manual=self.object.manual,
            partnership=self.object.manual.partnership,
            broken_links=release_broken_links(self.object) if self.object.status != ReleaseStatus.PUBLISHED else [],
        )
        return ctx


__all__ = [name for name in dir() if name[0].isupper()]
