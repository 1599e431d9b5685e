"""Generic workspace views. Every module's list, detail and edit pages build on these.

- Objects are fetched only through the module's selector, which starts from ``visible_to(user)``:
  another partnership's record is a 404, never a 403 (its existence is not disclosed).
- Edits ask ``rules`` for the view's ``permission_required`` on the object: 403 without it.
- Saves go through a service; ``ValidationError`` and ``ConcurrentEditError`` come back to the form
  as messages, with everything the user typed kept.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured, ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db.models import F
from django.http import Http404, HttpResponseRedirect
from django.views.generic import DetailView, FormView
from django_filters.views import FilterView

from safeguard.audit.services import access_log_record

from .concurrency import ConcurrentEditError


class WorkspaceMixin(LoginRequiredMixin):
    """Marks a view as a workspace view (the permission test harness finds it by this)."""

    #: the model whose objects the URL's ``pk`` names; used by the permission test harness
    model = None
    #: ``rules`` permission the user needs to see (or submit) this page; None: any workspace role
    permission_required: str | None = None


class ScopedListView(WorkspaceMixin, FilterView):
    paginate_by = 25
    #: ``?sort=`` values allowed, mapped to ``order_by`` expressions
    sort_fields: dict[str, str] = {}
    default_sort: str = ""

    def selector(self, user):
        raise ImproperlyConfigured(f"{type(self).__name__} must define this method.")

    def get_queryset(self):
        qs = self.selector(self.request.user)
        sort = self.request.GET.get("sort", self.default_sort)
        key = sort.lstrip("-")
        if key in self.sort_fields:
            field = self.sort_fields[key]
            expression = F(field) if isinstance(field, str) else field
            qs = qs.order_by(expression.desc() if sort.startswith("-") else expression.asc(), "pk")
        return qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        params = self.request.GET.copy()
        params.pop("page", None)
        ctx["querystring_without_page"] = f"{params.urlencode()}&" if params else ""
        params.pop("sort", None)
        ctx["querystring_without_sort"] = f"{params.urlencode()}&" if params else ""
        ctx["current_sort"] = self.request.GET.get("sort", self.default_sort)
        return ctx


class ScopedObjectMixin(WorkspaceMixin):
    def selector(self, user, pk):
        raise ImproperlyConfigured(f"{type(self).__name__} must define this method.")

    def get_object(self, queryset=None):
        if hasattr(self, "_object"):
            return self._object
        try:
            obj = self.selector(self.request.user, self.kwargs["pk"])
        except ObjectDoesNotExist:
            raise Http404("No such record") from None
        if self.permission_required and not self.request.user.has_perm(self.permission_required, obj):
            raise PermissionDenied
        self._object = obj
        return obj


class ScopedDetailView(ScopedObjectMixin, DetailView):
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        access_log_record(user=request.user, obj=self.object, action="view")
        return response


class ServiceFormView(WorkspaceMixin, FormView):
    """Create or edit through a service. Subclasses implement ``perform(form)``."""

    success_message = "Saved"

    def perform(self, form):
        raise ImproperlyConfigured(f"{type(self).__name__} must define this method.")

    def form_valid(self, form):
        try:
            self.saved = self.perform(form)
        except ValidationError as exc:
            _add_validation_errors(form, exc)
            return self.form_invalid(form)
        except ConcurrentEditError as exc:
            form.add_error(None, str(exc))
            return self.form_invalid(form)
        messages.success(self.request, self.success_message)
        return HttpResponseRedirect(self.get_success_url())

    def get_success_url(self):
        return self.saved.get_absolute_url()


class ScopedEditView(ScopedObjectMixin, ServiceFormView):
    """Edit an existing object: fetched through the selector, permission checked on it."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.object = self.get_object()
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.object
        return kwargs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["object"] = self.object
        return ctx


def _add_validation_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            target = field if field in form.fields else None
            for message in errors:
                form.add_error(target, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)
