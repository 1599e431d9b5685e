"""Token pages under /workspace/tokens/: list your tokens, create one, revoke one.

Tokens are personal: every page works on the signed-in user's own tokens only (another user's
token id is a 404). The secret is shown once, on the page that answers the create form, and is
never stored or put in a URL, session or message.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from safeguard.core.views_generic import ScopedEditView, ScopedListView, ServiceFormView

from . import forms, selectors, services
from .models import ApiToken

MANAGE_TOKENS = "api.manage_tokens"


class _TokenPermissionMixin:
    """Ask for ``api.manage_tokens`` before anything else, so a role without API use gets 403
    (not 404) on every token page. Anonymous visitors fall through to the sign-in redirect."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_perm(self.permission_required):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class TokenList(_TokenPermissionMixin, ScopedListView):
    model = ApiToken
    permission_required = MANAGE_TOKENS
    template_name = "api/token_list.html"
    filterset_fields = []

    def selector(self, user):
        return selectors.api_token_list(user=user)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "now": timezone.now()}


class TokenCreate(_TokenPermissionMixin, ServiceFormView):
    model = ApiToken
    permission_required = MANAGE_TOKENS
    form_class = forms.TokenCreateForm
    template_name = "api/token_form.html"

    def perform(self, form):
        return services.api_token_create(
            user=self.request.user,
            name=form.cleaned_data["name"],
            scope=form.cleaned_data["scope"],
            days=form.cleaned_data["days"],
        )

    def form_valid(self, form):
        try:
            token, secret = self.perform(form)
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
            for field, field_errors in errors.items():
                for message in field_errors:
                    form.add_error(field if field in form.fields else None, message)
            return self.form_invalid(form)
        response = render(self.request, "api/token_created.html", {"token": token, "secret": secret})
        response["Cache-Control"] = "no-store"
        return response


class TokenRevoke(_TokenPermissionMixin, ScopedEditView):
    model = ApiToken
    permission_required = MANAGE_TOKENS
    form_class = forms.TokenRevokeForm
    template_name = "api/token_revoke.html"
    success_message = "Token revoked: programs using it can no longer reach the API"

    def selector(self, user, pk):
        return selectors.api_token_get(user=user, pk=pk)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.pop("instance", None)
        return kwargs

    def perform(self, form):
        return services.api_token_revoke(token=self.object, by=self.request.user)

    def get_success_url(self):
        return reverse("tokens:token_list")
