"""The business unit's chasing page: returns still to come in, the e-mails sent about each, those
that need a decision, chasing a return by hand, and each agency's escalation contact.

Everything here needs ``returns.manage_dataset`` in the partnership (403 without it; 404 for
another partnership's return or agency).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import FormView, TemplateView

from safeguard.core.access import partnerships_with_capability
from safeguard.core.roles import Capability
from safeguard.core.views_generic import ScopedObjectMixin, WorkspaceMixin
from safeguard.partnerships.models import Agency, Partnership

from . import chasing
from .forms_dashboard import ChaseForm, EscalationContactForm
from .models import AgencyReturn, EscalationContact


def partnerships_managing(user):
    ids = partnerships_with_capability(user, Capability.MANAGE_RETURNS)
    qs = Partnership.objects.visible_to(user).filter(is_active=True).order_by("name")
    return list(qs if ids is None else qs.filter(pk__in=ids))


def chasing_url(partnership_id: int) -> str:
    return f"{reverse('dataset:chasing')}?{urlencode({'partnership': partnership_id})}"


class ChasingPage(WorkspaceMixin, TemplateView):
    """Returns not yet submitted, what has been sent about each, and what happens next."""

    permission_required = "returns.manage_dataset"
    template_name = "returns/dashboard/chasing.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        choices = partnerships_managing(self.request.user)
        if not choices:
            raise PermissionDenied
        wanted = self.request.GET.get("partnership", "")
        if wanted:
            partnership = next((p for p in choices if str(p.pk) == wanted), None)
            if partnership is None:
                raise Http404("No such partnership")
        else:
            partnership = choices[0]
        today = timezone.localdate()
        ctx.update(
            overview=chasing.chasing_overview(partnership=partnership, today=today),
            partnerships=choices,
            today=today,
        )
        return ctx


class ChaseByHand(ScopedObjectMixin, FormView):
    """Chase one return now: shows who will get the e-mail and what is missing, then sends it."""

    model = AgencyReturn
    permission_required = "returns.manage_dataset"
    form_class = ChaseForm
    template_name = "returns/dashboard/chase_form.html"

    def selector(self, user, pk):
        return AgencyReturn.objects.visible_to(user).select_related("agency", "period", "partnership").get(pk=pk)

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.object = self.get_object()
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        agency_return = self.object
        today = timezone.localdate()
        leads = chasing.data_lead_addresses({(agency_return.partnership_id, agency_return.agency_id)}, on=today)
        missing, total = chasing.missing_figures(agency_return)
        ctx.update(
            agency_return=agency_return,
            data_leads=len(leads.get((agency_return.partnership_id, agency_return.agency_id), [])),
            missing=missing,
            total=total,
            emails=list(agency_return.emails.select_related("sent_by").order_by("created_at")),
            back_url=chasing_url(agency_return.partnership_id),
            submitted=agency_return.status == "submitted",
        )
        return ctx

    def form_valid(self, form):
        try:
            chasing.return_chase_by_hand(agency_return=self.object, by=self.request.user)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
            return self.form_invalid(form)
        messages.success(self.request, f"Chase e-mail about the {self.object} return is on its way")
        return HttpResponseRedirect(chasing_url(self.object.partnership_id))


class EscalationContactEdit(ScopedObjectMixin, FormView):
    """Choose (or remove) the person an agency's second chase is copied to."""

    model = Agency
    permission_required = "returns.manage_dataset"
    form_class = EscalationContactForm
    template_name = "returns/dashboard/escalation_contact_form.html"

    def selector(self, user, pk):
        return Agency.objects.visible_to(user).select_related("partnership").get(pk=pk)

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.object = self.get_object()
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "agency": self.object}

    def get_initial(self):
        current = EscalationContact.objects.filter(agency=self.object).first()
        return {"person": current.person_id} if current else {}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(agency=self.object, back_url=chasing_url(self.object.partnership_id))
        return ctx

    def form_valid(self, form):
        person = form.cleaned_data["person"]
        try:
            chasing.escalation_contact_set(agency=self.object, person=person, by=self.request.user)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("person", message)
            return self.form_invalid(form)
        if person is None:
            messages.success(self.request, f"{self.object.name} has no escalation contact now")
        else:
            messages.success(self.request, f"{person.full_name} is the escalation contact for {self.object.name}")
        return HttpResponseRedirect(chasing_url(self.object.partnership_id))
