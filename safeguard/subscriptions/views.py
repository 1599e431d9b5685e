"""Pages of the subscriptions module.

Public pages (no login, under ``/<partnership>/updates/``): subscribe, check your e-mail, confirm,
subscribed, manage, unsubscribe. Links in e-mails carry signed ids, never an address; pages reached
by such a link are not cached and are not indexed. The RFC 8058 one-click URL takes a POST from the
mail client without a CSRF token (it has no cookies): the signed link is the proof.

Workspace pages (under ``/workspace/subscriptions/``): counts for every role; addresses, retries and
decisions only for users who manage subscriptions.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from django.views.generic import TemplateView

from safeguard.core.views_generic import ScopedDetailView, ScopedEditView, ScopedListView, WorkspaceMixin
from safeguard.procedures.models import Release
from safeguard.public.views import _partnership

from . import forms, selectors, services, tasks, tokens
from .choices import SubscriberStatus
from .emails import place_name
from .models import Subscriber

MANAGE = "subscriptions.manage"


# --- Public pages ---------------------------------------------------------------------------------
def _data(request):
    return request.POST if request.method == "POST" else None


def _invalid_link(request, partnership, exc: tokens.InvalidToken, *, purpose: str):
    return render(
        request,
        "subscriptions/link_invalid.html",
        {"partnership": partnership, "expired": exc.expired, "purpose": purpose},
        status=400,
    )


@require_http_methods(["GET", "POST"])
def subscribe(request, slug):
    partnership = _partnership(request, slug)
    manuals = list(selectors.manual_choices(partnership=partnership))
    initial = {}
    wanted = request.GET.get("manual")
    if len(manuals) == 1:
        initial["manuals"] = [manuals[0].pk]
    elif wanted:
        initial["manuals"] = [m.pk for m in manuals if m.slug == wanted]
    form = forms.SubscribeForm(_data(request), manuals=manuals, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.subscriber_request(
                partnership=partnership, email=form.cleaned_data["email"], manuals=form.cleaned_data["manuals"]
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            return redirect("subscriptions:check_email", slug=partnership.slug)
    return render(
        request,
        "subscriptions/subscribe.html",
        {"partnership": partnership, "form": form, "manuals": manuals, "place": place_name(partnership)},
    )


def check_email(request, slug):
    partnership = _partnership(request, slug)
    return render(
        request,
        "subscriptions/check_email.html",
        {"partnership": partnership, "days": services.policy.CONFIRMATION_MAX_AGE.days},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request, slug, token):
    """GET shows a button (mail scanners that open links must not confirm); POST confirms."""
    partnership = _partnership(request, slug)
    try:
        if request.method == "POST":
            subscriber = services.subscriber_confirm(partnership=partnership, token=token)
            manage = tokens.manage_token(subscriber_id=subscriber.pk)
            return redirect("subscriptions:subscribed", slug=partnership.slug, token=manage)
        subscriber, manuals = services.subscriber_for_confirmation(partnership=partnership, token=token)
    except tokens.InvalidToken as exc:
        return _invalid_link(request, partnership, exc, purpose="confirm")
    return render(request, "subscriptions/confirm.html", {"partnership": partnership, "manuals": manuals})


def _subscriber_or_invalid(request, partnership, token, purpose):
    try:
        return services.subscriber_for_manage_token(partnership=partnership, token=token), None
    except tokens.InvalidToken as exc:
        return None, _invalid_link(request, partnership, exc, purpose=purpose)


@never_cache
def subscribed(request, slug, token):
    partnership = _partnership(request, slug)
    subscriber, invalid = _subscriber_or_invalid(request, partnership, token, "manage")
    if invalid:
        return invalid
    if subscriber.status != SubscriberStatus.CONFIRMED:
        return redirect("subscriptions:unsubscribed", slug=partnership.slug)
    return render(
        request,
        "subscriptions/subscribed.html",
        {"partnership": partnership, "manuals": subscriber.manuals.order_by("title"), "token": token},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def manage(request, slug, token):
    partnership = _partnership(request, slug)
    subscriber, invalid = _subscriber_or_invalid(request, partnership, token, "manage")
    if invalid:
        return invalid
    if subscriber.status != SubscriberStatus.CONFIRMED:
        return redirect("subscriptions:unsubscribed", slug=partnership.slug)
    manuals = list(selectors.manual_choices(partnership=partnership))
    form = forms.ManageForm(
        _data(request), manuals=manuals, initial={"manuals": [m.pk for m in subscriber.manuals.all()]}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.subscriber_update_manuals(subscriber=subscriber, manuals=form.cleaned_data["manuals"])
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("manuals", message)
        else:
            messages.success(request, "Your choices have been saved")
            return redirect("subscriptions:manage", slug=partnership.slug, token=token)
    return render(
        request,
        "subscriptions/manage.html",
        {"partnership": partnership, "form": form, "token": token, "place": place_name(partnership)},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, slug, token):
    """GET asks "are you sure?" with a button; POST unsubscribes."""
    partnership = _partnership(request, slug)
    subscriber, invalid = _subscriber_or_invalid(request, partnership, token, "unsubscribe")
    if invalid:
        return invalid
    if request.method == "POST" or subscriber.status == SubscriberStatus.UNSUBSCRIBED:
        services.subscriber_unsubscribe(subscriber=subscriber)
        return redirect("subscriptions:unsubscribed", slug=partnership.slug)
    return render(
        request,
        "subscriptions/unsubscribe.html",
        {"partnership": partnership, "token": token, "place": place_name(partnership)},
    )


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def one_click(request, slug, token):
    """RFC 8058: the mail client POSTs ``List-Unsubscribe=One-Click``; no page, no cookie."""
    partnership = _partnership(request, slug)
    if request.method == "GET":  # someone opened the header's link in a browser: ask them
        return redirect("subscriptions:unsubscribe", slug=partnership.slug, token=token)
    try:
        subscriber = services.subscriber_for_manage_token(partnership=partnership, token=token)
    except tokens.InvalidToken:
        return HttpResponse("This unsubscribe link is not valid.", status=400, content_type="text/plain")
    if request.POST.get("List-Unsubscribe") != "One-Click":
        return HttpResponse("Expected List-Unsubscribe=One-Click (RFC 8058).", status=400, content_type="text/plain")
    services.subscriber_unsubscribe(subscriber=subscriber)
    return HttpResponse("You have unsubscribed.", content_type="text/plain")


def unsubscribed(request, slug):
    partnership = _partnership(request, slug)
    return render(request, "subscriptions/unsubscribed.html", {"partnership": partnership})


# --- Workspace --------------------------------------------------------------------------------
def _can_manage_any(user) -> bool:
    return user.has_perm(MANAGE)


class Overview(WorkspaceMixin, TemplateView):
    """Counts for every workspace role; no addresses."""

    template_name = "subscriptions/workspace/overview.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return {
            **super().get_context_data(**kwargs),
            "manuals": selectors.manual_subscriber_counts(user=user),
            "releases": selectors.releases_with_deliveries(user=user),
            "can_manage": _can_manage_any(user),
        }


class ReleaseDeliveries(ScopedDetailView):
    model = Release
    template_name = "subscriptions/workspace/release.html"
    context_object_name = "release"

    def selector(self, user, pk):
        return selectors.release_get(user=user, pk=pk)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_manage"] = self.request.user.has_perm(MANAGE, self.object)
        ctx["problems"] = selectors.release_problem_deliveries(user=self.request.user, release=self.object)
        return ctx


class _ReleaseAction(ScopedEditView):
    model = Release
    permission_required = MANAGE

    def selector(self, user, pk):
        return selectors.release_get(user=user, pk=pk)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.pop("instance", None)
        return kwargs

    def get_success_url(self):
        return reverse("subscriptions_workspace:release", args=[self.object.pk])


class RetryFailed(_ReleaseAction):
    form_class = forms.ConfirmForm
    template_name = "subscriptions/workspace/retry.html"

    def perform(self, form):
        count = services.deliveries_retry_failed(release=self.object, by=self.request.user)
        if count:
            tasks.send_release_emails.enqueue()
        self.success_message = f"{count} e-mail(s) put back in the queue"
        return self.object


class ResolveUnconfirmed(_ReleaseAction):
    form_class = forms.UnconfirmedForm
    template_name = "subscriptions/workspace/unconfirmed.html"

    def perform(self, form):
        decision = form.cleaned_data["decision"]
        count = services.deliveries_resolve_unconfirmed(release=self.object, by=self.request.user, decision=decision)
        if decision == services.RESEND and count:
            tasks.send_release_emails.enqueue()
        done = "queued again" if decision == services.RESEND else "recorded as sent"
        self.success_message = f"{count} e-mail(s) {done}"
        return self.object


class SubscriberList(ScopedListView):
    """Addresses: only for users who manage subscriptions."""

    model = Subscriber
    permission_required = MANAGE
    template_name = "subscriptions/workspace/subscriber_list.html"
    filterset_fields: list = []
    sort_fields = {"email": "email", "created": "created_at", "status": "status"}
    default_sort = "-created"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not _can_manage_any(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def selector(self, user):
        qs = selectors.subscriber_list(user=user)
        status = self.request.GET.get("status")
        if status in SubscriberStatus.values:
            qs = qs.filter(status=status)
        query = self.request.GET.get("q", "").strip().lower()
        if query:
            qs = qs.filter(Q(email__contains=query))
        return qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["statuses"] = SubscriberStatus.choices
        ctx["status"] = self.request.GET.get("status", "")
        ctx["q"] = self.request.GET.get("q", "")
        return ctx


class SubscriberUnsubscribe(ScopedEditView):
    """Staff end a subscription (for example when someone asks by telephone)."""

    model = Subscriber
    permission_required = MANAGE
    form_class = forms.UnsubscribeStaffForm
    template_name = "subscriptions/workspace/subscriber_unsubscribe.html"
    success_message = "Subscription ended and the address erased"

    def selector(self, user, pk):
        return selectors.subscriber_get(user=user, pk=pk)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.pop("instance", None)
        return kwargs

    def perform(self, form):
        services.subscriber_unsubscribe(subscriber=self.object, by=self.request.user)
        return self.object

    def get_success_url(self):
        return reverse("subscriptions_workspace:subscriber_list")
