from django import forms
from django.utils import timezone

from safeguard.core.forms import GovukFormMixin, VersionedModelForm
from safeguard.core.roles import Role

from . import selectors
from .models import Agency, Contact, Group, Membership, Partnership, Person, RoleAssignment


class PartnershipForm(VersionedModelForm):
    class Meta:
        model = Partnership
        fields = ["name", "short_name", "slug", "description", "local_authority_code", "email", "phone", "address"]


class _PartnershipChoiceMixin:
    """Create forms ask which partnership when the user manages more than one."""

    def __init__(self, *args, user, partnership=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if self.instance.pk:
            partnership = self.instance.partnership
        if not self.instance.pk:
            manageable = selectors.partnerships_manageable(user=user)
            self.fields["partnership"] = forms.ModelChoiceField(
                queryset=manageable, initial=partnership, empty_label=None, label="Partnership"
            )
            self.order_fields(["partnership"])
            self.helper.layout.fields.insert(0, "partnership")
        self.limit_choices(partnership)

    def limit_choices(self, partnership) -> None:
        """Related choices: records the user can see (the service checks they share a partnership)."""


class AgencyForm(_PartnershipChoiceMixin, VersionedModelForm):
    class Meta:
        model = Agency
        fields = ["name", "sector", "parent", "is_statutory_partner", "is_active"]

    def limit_choices(self, partnership):
        qs = selectors.agency_list(user=self.user)
        if self.instance.pk:
            qs = qs.filter(partnership_id=self.instance.partnership_id).exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = qs


class GroupForm(_PartnershipChoiceMixin, VersionedModelForm):
    class Meta:
        model = Group
        fields = ["kind", "name", "reports_to", "terms_of_reference", "meeting_frequency", "quorum", "is_active"]
        widgets = {"kind": forms.RadioSelect}

    def limit_choices(self, partnership):
        qs = selectors.group_list(user=self.user)
        if self.instance.pk:
            qs = qs.filter(partnership_id=self.instance.partnership_id).exclude(pk=self.instance.pk)
        self.fields["reports_to"].queryset = qs


class PersonForm(_PartnershipChoiceMixin, VersionedModelForm):
    class Meta:
        model = Person
        fields = ["given_name", "family_name", "job_title", "agency", "email", "phone", "is_active"]

    def limit_choices(self, partnership):
        qs = selectors.agency_list(user=self.user)
        if self.instance.pk:
            qs = qs.filter(partnership_id=self.instance.partnership_id)
        self.fields["agency"].queryset = qs


class ContactForm(_PartnershipChoiceMixin, VersionedModelForm):
    class Meta:
        model = Contact
        fields = ["title", "name", "email", "phone", "description", "position"]


class MembershipForm(VersionedModelForm):
    class Meta:
        model = Membership
        fields = ["person", "role", "representing", "start_date", "end_date", "notes"]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}),
            "end_date": forms.DateInput(attrs={"type": "date"}),
        }
        help_texts = {"start_date": "For example, 2026-04-01", "end_date": "Leave empty while they are a member."}

    def __init__(self, *args, group, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = selectors.Person.objects.filter(
            partnership__in=[group.partnership_id, *group.shared_with.values_list("pk", flat=True)], is_active=True
        ).select_related("agency")
        self.fields["representing"].queryset = selectors.Agency.objects.filter(partnership_id=group.partnership_id)
        if self.instance.pk:
            self.fields["person"].disabled = True


class ConfirmForm(GovukFormMixin, forms.Form):
    submit_label = "Yes, delete it"


class RoleGrantForm(GovukFormMixin, forms.Form):
    submit_label = "Give role"

    email = forms.EmailField(label="E-mail address", help_text="Their work e-mail address.")
    first_name = forms.CharField(required=False, max_length=150, help_text="Only needed if they have no account yet.")
    last_name = forms.CharField(required=False, max_length=150, help_text="Only needed if they have no account yet.")
    role = forms.ChoiceField(choices=Role.choices, widget=forms.RadioSelect)
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(), required=False, help_text="Required for an agency data lead."
    )
    start_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), help_text="For example, 2026-12-01")

    def __init__(self, *args, partnership, **kwargs):
        kwargs.pop("instance", None)
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.filter(partnership=partnership, is_active=True).order_by("name")
        self.fields["start_date"].initial = timezone.localdate()


class RoleEndForm(VersionedModelForm):
    submit_label = "End role"

    class Meta:
        model = RoleAssignment
        fields = ["end_date"]
        widgets = {"end_date": forms.DateInput(attrs={"type": "date"})}
        help_texts = {"end_date": "The last day they hold the role."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["end_date"].required = True
        if not self.is_bound:
            self.initial["end_date"] = timezone.localdate()
