"""Thin views for the partnerships module: parse input, call one selector or service, render."""

from django.contrib import messages
from django.db.models.functions import Lower
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from safeguard.core.access import split_ended
from safeguard.core.views_generic import ScopedDetailView, ScopedEditView, ScopedListView, ServiceFormView

from . import forms, selectors, services
from .filters import AgencyFilter, GroupFilter, PersonFilter
from .models import Agency, Contact, Group, Membership, Partnership, Person, RoleAssignment

MANAGE = "partnerships.manage_record"


class _FilterUserMixin:
    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["user"] = self.request.user
        return kwargs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_create"] = selectors.partnerships_manageable(user=self.request.user).exists()
        return ctx


class _CreateMixin:
    """Create views: the user must manage at least one partnership."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not selectors.partnerships_manageable(user=request.user).exists():
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def create_data(self, form):
        data = form.service_data()
        data.pop("partnership", None)
        return form.cleaned_data["partnership"], data


class _EditRecord(ScopedEditView):
    """Edit one record through its ``<entity>_update`` service, with optimistic locking.

    Subclasses name the service and the keyword it takes the record under; forms that limit
    related choices receive the user (``form_takes_user``).
    """

    permission_required = MANAGE
    template_name = "partnerships/form.html"
    update_service = None
    record_kwarg = ""
    form_takes_user = True

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.form_takes_user:
            kwargs["user"] = self.request.user
        return kwargs

    def perform(self, form):
        return type(self).update_service(
            **{self.record_kwarg: self.object},
            by=self.request.user,
            expected_version=form.cleaned_data["version"] or 0,
            **form.service_data(),
        )


# --- Partnerships -----------------------------------------------------------------------------
class PartnershipList(ScopedListView):
    model = Partnership
    template_name = "partnerships/partnership_list.html"
    filterset_fields = []
    sort_fields = {"name": Lower("name")}
    default_sort = "name"

    def selector(self, user):
        return selectors.partnership_list(user=user)


class PartnershipDetail(ScopedDetailView):
    model = Partnership
    template_name = "partnerships/partnership_detail.html"

    def selector(self, user, pk):
        return selectors.partnership_get(user=user, pk=pk)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_manage"] = self.request.user.has_perm(MANAGE, self.object)
        ctx["contacts"] = selectors.public_contacts(partnership=self.object)
        ctx["can_manage_roles"] = self.request.user.has_perm(ROLES, self.object)
        return ctx


class PartnershipEdit(_EditRecord):
    model = Partnership
    form_class = forms.PartnershipForm
    success_message = "Partnership details saved"
    update_service = services.partnership_update
    record_kwarg = "partnership"
    form_takes_user = False

    def selector(self, user, pk):
        return selectors.partnership_get(user=user, pk=pk)


# --- Agencies ---------------------------------------------------------------------------------
class AgencyList(_FilterUserMixin, ScopedListView):
    model = Agency
    template_name = "partnerships/agency_list.html"
    filterset_class = AgencyFilter
    sort_fields = {"name": Lower("name"), "sector": "sector", "partnership": Lower("partnership__name")}
    default_sort = "name"

    def selector(self, user):
        return selectors.agency_list(user=user)


class AgencyDetail(ScopedDetailView):
    model = Agency
    template_name = "partnerships/agency_detail.html"

    def selector(self, user, pk):
        return selectors.agency_get(user=user, pk=pk)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_manage"] = self.request.user.has_perm(MANAGE, self.object)
        ctx["people"] = self.object.people.filter(is_active=True).order_by("family_name")
        ctx["parts"] = self.object.children.order_by("name")
        return ctx


class AgencyCreate(_CreateMixin, ServiceFormView):
    permission_required = MANAGE
    form_class = forms.AgencyForm
    template_name = "partnerships/form.html"
    success_message = "Agency added"
    extra_context = {"title": "Add an agency"}

    def perform(self, form):
        partnership, data = self.create_data(form)
        return services.agency_create(partnership=partnership, by=self.request.user, **data)


class AgencyEdit(_EditRecord):
    model = Agency
    form_class = forms.AgencyForm
    success_message = "Agency saved"
    update_service = services.agency_update
    record_kwarg = "agency"

    def selector(self, user, pk):
        return selectors.agency_get(user=user, pk=pk)


# --- Boards and sub-groups --------------------------------------------------------------------
class GroupList(_FilterUserMixin, ScopedListView):
    model = Group
    template_name = "partnerships/group_list.html"
    filterset_class = GroupFilter
    sort_fields = {"name": Lower("name"), "kind": "kind", "frequency": "meeting_frequency"}
    default_sort = "kind"

    def selector(self, user):
        return selectors.group_list(user=user)


class GroupDetail(ScopedDetailView):
    model = Group
    template_name = "partnerships/group_detail.html"

    def selector(self, user, pk):
        return selectors.group_get(user=user, pk=pk)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        today = timezone.localdate()
        memberships = selectors.group_memberships(group=self.object)
        ctx["current_memberships"], ctx["past_memberships"] = split_ended(memberships, today)
        ctx["can_manage"] = self.request.user.has_perm(MANAGE, self.object)
        ctx["reporting_groups"] = self.object.reporting_groups.order_by("name")
        return ctx


class GroupCreate(_CreateMixin, ServiceFormView):
    permission_required = MANAGE
    form_class = forms.GroupForm
    template_name = "partnerships/form.html"
    success_message = "Group added"
    extra_context = {"title": "Add a board or sub-group"}

    def perform(self, form):
        partnership, data = self.create_data(form)
        return services.group_create(partnership=partnership, by=self.request.user, **data)


class GroupEdit(_EditRecord):
    model = Group
    form_class = forms.GroupForm
    success_message = "Group saved"
    update_service = services.group_update
    record_kwarg = "group"

    def selector(self, user, pk):
        return selectors.group_get(user=user, pk=pk)


class MembershipAdd(ScopedEditView):
    """Add a member to the group named by ``pk``."""

    model = Group
    permission_required = MANAGE
    form_class = forms.MembershipForm
    template_name = "partnerships/form.html"
    success_message = "Member added"

    def selector(self, user, pk):
        return selectors.group_get(user=user, pk=pk)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = Membership(group=self.object)
        kwargs["group"] = self.object
        return kwargs

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "title": f"Add a member to {self.object}"}

    def perform(self, form):
        data = form.service_data()
        data.pop("version", None)
        membership = services.membership_add(group=self.object, by=self.request.user, **data)
        return membership.group


class MembershipEdit(ScopedEditView):
    model = Membership
    permission_required = MANAGE
    form_class = forms.MembershipForm
    template_name = "partnerships/form.html"
    success_message = "Membership saved"

    def selector(self, user, pk):
        return selectors.membership_get(user=user, pk=pk)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "group": self.object.group}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "title": f"Change {self.object.person}'s membership"}

    def perform(self, form):
        data = form.service_data()
        data.pop("person", None)
        services.membership_update(
            membership=self.object, by=self.request.user, expected_version=form.cleaned_data["version"] or 0, **data
        )
        return self.object.group


# --- People -----------------------------------------------------------------------------------
class PersonList(_FilterUserMixin, ScopedListView):
    model = Person
    template_name = "partnerships/person_list.html"
    filterset_class = PersonFilter
    sort_fields = {"name": Lower("family_name"), "agency": Lower("agency__name"), "job": Lower("job_title")}
    default_sort = "name"

    def selector(self, user):
        return selectors.person_list(user=user)


class PersonDetail(ScopedDetailView):
    model = Person
    template_name = "partnerships/person_detail.html"

    def selector(self, user, pk):
        return selectors.person_get(user=user, pk=pk)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["memberships"] = selectors.person_memberships(person=self.object)
        ctx["can_manage"] = self.request.user.has_perm(MANAGE, self.object)
        ctx["today"] = timezone.localdate()
        return ctx


class PersonCreate(_CreateMixin, ServiceFormView):
    permission_required = MANAGE
    form_class = forms.PersonForm
    template_name = "partnerships/form.html"
    success_message = "Person added"
    extra_context = {"title": "Add a person"}

    def perform(self, form):
        partnership, data = self.create_data(form)
        return services.person_create(partnership=partnership, by=self.request.user, **data)


class PersonEdit(_EditRecord):
    model = Person
    form_class = forms.PersonForm
    success_message = "Person saved"
    update_service = services.person_update
    record_kwarg = "person"

    def selector(self, user, pk):
        return selectors.person_get(user=user, pk=pk)


# --- Contacts ---------------------------------------------------------------------------------
class ContactCreate(_CreateMixin, ServiceFormView):
    permission_required = MANAGE
    form_class = forms.ContactForm
    template_name = "partnerships/form.html"
    success_message = "Contact added"
    extra_context = {"title": "Add a business unit contact"}

    def perform(self, form):
        partnership, data = self.create_data(form)
        contact = services.contact_create(partnership=partnership, by=self.request.user, **data)
        return contact.partnership


class ContactEdit(_EditRecord):
    model = Contact
    form_class = forms.ContactForm
    success_message = "Contact saved"
    update_service = services.contact_update
    record_kwarg = "contact"

    def selector(self, user, pk):
        return selectors.contact_get(user=user, pk=pk)

    def perform(self, form):
        return super().perform(form).partnership


class ContactDelete(ScopedEditView):
    model = Contact
    permission_required = MANAGE
    form_class = forms.ConfirmForm
    template_name = "partnerships/contact_delete.html"

    def selector(self, user, pk):
        return selectors.contact_get(user=user, pk=pk)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.pop("instance", None)
        return kwargs

    def perform(self, form):
        partnership = self.object.partnership
        services.contact_delete(contact=self.object, by=self.request.user)
        messages.success(self.request, f"Contact '{self.object.title}' deleted")
        return partnership

    def form_valid(self, form):
        saved = self.perform(form)
        return redirect(saved.get_absolute_url())


# --- Roles ------------------------------------------------------------------------------------
ROLES = "partnerships.manage_roles"


class RoleList(ScopedDetailView):
    model = Partnership
    permission_required = ROLES
    template_name = "partnerships/role_list.html"

    def selector(self, user, pk):
        return selectors.partnership_get(user=user, pk=pk)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        today = timezone.localdate()
        ctx["current"], ctx["ended"] = split_ended(selectors.partnership_roles(partnership=self.object), today)
        return ctx


class RoleGrant(ScopedEditView):
    model = Partnership
    permission_required = ROLES
    form_class = forms.RoleGrantForm
    template_name = "partnerships/form.html"
    success_message = "Role given"

    def selector(self, user, pk):
        return selectors.partnership_get(user=user, pk=pk)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "partnership": self.object}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "title": f"Give someone a role in {self.object}"}

    def perform(self, form):
        services.role_grant(partnership=self.object, by=self.request.user, **form.cleaned_data)
        return self.object

    def get_success_url(self):
        return reverse("partnerships:role_list", args=[self.object.pk])


class RoleEnd(ScopedEditView):
    model = RoleAssignment
    permission_required = ROLES
    form_class = forms.RoleEndForm
    template_name = "partnerships/form.html"
    success_message = "Role ended"

    def selector(self, user, pk):
        return selectors.role_assignment_get(user=user, pk=pk)

    def get_context_data(self, **kwargs):
        a = self.object
        return {**super().get_context_data(**kwargs), "title": f"End {a.user}'s role: {a.get_role_display()}"}

    def perform(self, form):
        return services.role_end(
            assignment=self.object,
            by=self.request.user,
            end_date=form.cleaned_data["end_date"],
            expected_version=form.cleaned_data["version"] or 0,
        )

    def get_success_url(self):
        return reverse("partnerships:role_list", args=[self.object.partnership_id])
