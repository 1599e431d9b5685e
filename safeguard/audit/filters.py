import django_filters
from auditlog.models import LogEntry
from django import forms
from django.contrib.contenttypes.models import ContentType

from .models import AccessAction, AccessLog

_date = forms.DateInput(attrs={"type": "date"})


class _AuditFilter(django_filters.FilterSet):
    person = django_filters.CharFilter(method="by_person", label="Person (name or e-mail)")
    object_type = django_filters.ModelChoiceFilter(
        field_name="content_type",
        queryset=ContentType.objects.filter(app_label__in=["partnerships", "accounts", "audit"]).order_by("model"),
        label="Type of record",
        empty_label="All types",
    )
    object_id = django_filters.CharFilter(field_name="object_pk", label="Record number")
    date_from = django_filters.DateFilter(field_name="timestamp", lookup_expr="date__gte", label="From", widget=_date)
    date_to = django_filters.DateFilter(field_name="timestamp", lookup_expr="date__lte", label="To", widget=_date)

    person_field = "actor"

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)

    def by_person(self, queryset, name, value):
        from django.db.models import Q

        f = self.person_field
        return queryset.filter(
            Q(**{f"{f}__email__icontains": value})
            | Q(**{f"{f}__first_name__icontains": value})
            | Q(**{f"{f}__last_name__icontains": value})
        )


class ChangeLogFilter(_AuditFilter):
    action = django_filters.ChoiceFilter(choices=LogEntry.Action.choices, empty_label="All actions")

    class Meta:
        model = LogEntry
        fields = ["person", "object_type", "object_id", "action", "date_from", "date_to"]


class AccessLogFilter(_AuditFilter):
    action = django_filters.ChoiceFilter(choices=AccessAction.choices, empty_label="All actions")
    person_field = "user"

    class Meta:
        model = AccessLog
        fields = ["person", "object_type", "object_id", "action", "date_from", "date_to"]
