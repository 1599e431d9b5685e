import django_filters

from .choices import GroupKind, Sector
from .models import Agency, Group, Person


class _Filter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search by name")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user


class AgencyFilter(_Filter):
    sector = django_filters.ChoiceFilter(choices=Sector.choices, empty_label="All sectors")
    is_active = django_filters.ChoiceFilter(
        label="Status",
        choices=[("true", "Active"), ("false", "Inactive")],
        empty_label="Any status",
        method="by_status",
    )

    class Meta:
        model = Agency
        fields = ["q", "sector", "is_active"]

    def search(self, queryset, name, value):
        return queryset.filter(name__icontains=value)

    def by_status(self, queryset, name, value):
        return queryset.filter(is_active=value == "true")


class GroupFilter(_Filter):
    kind = django_filters.ChoiceFilter(choices=GroupKind.choices, empty_label="Boards and sub-groups")

    class Meta:
        model = Group
        fields = ["q", "kind"]

    def search(self, queryset, name, value):
        return queryset.filter(name__icontains=value)


class PersonFilter(_Filter):
    agency = django_filters.ModelChoiceFilter(queryset=Agency.objects.none(), empty_label="All agencies")

    class Meta:
        model = Person
        fields = ["q", "agency"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["agency"].queryset = Agency.objects.visible_to(self.user).order_by("name")

    def search(self, queryset, name, value):
        from django.db.models import Q

        return queryset.filter(
            Q(given_name__icontains=value) | Q(family_name__icontains=value) | Q(job_title__icontains=value)
        )
