import django_filters

from safeguard.partnerships.models import Partnership

from .models import ClosureDay


class ClosureFilter(django_filters.FilterSet):
    partnership = django_filters.ModelChoiceFilter(queryset=Partnership.objects.none(), empty_label="All partnerships")
    year = django_filters.NumberFilter(field_name="date", lookup_expr="year", label="Year")

    class Meta:
        model = ClosureDay
        fields = ["partnership", "year"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["partnership"].queryset = Partnership.objects.visible_to(user).order_by("name")
