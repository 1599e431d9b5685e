import datetime as dt

import django_filters
from django.utils import timezone

from .choices import Category, DocumentStatus, ReviewState
from .models import REVIEW_DUE_DAYS, Document


class DocumentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search titles")
    category = django_filters.ChoiceFilter(choices=Category.choices, empty_label="All categories")
    visibility = django_filters.ChoiceFilter(
        label="Who can see it",
        choices=[("public", "Public"), ("workspace", "Workspace only")],
        empty_label="Public and workspace only",
    )
    status = django_filters.ChoiceFilter(choices=DocumentStatus.choices, empty_label="Current and archived")
    review = django_filters.ChoiceFilter(
        label="Review", choices=ReviewState.choices, empty_label="Any review date", method="by_review"
    )

    class Meta:
        model = Document
        fields = ["q", "category", "visibility", "status", "review"]

    def __init__(self, *args, user=None, today: dt.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.today = today or timezone.localdate()

    def search(self, queryset, name, value):
        return queryset.filter(title__icontains=value.strip())

    def by_review(self, queryset, name, value):
        if value == ReviewState.OVERDUE:
            return queryset.review_overdue(self.today)
        if value == ReviewState.DUE:
            return queryset.review_due(self.today)
        return queryset.current().filter(review_date__gt=self.today + dt.timedelta(days=REVIEW_DUE_DAYS))
