from django.contrib import admin

from .models import Benchmark, IndicatorSettings, IndicatorValue, PopulationEstimate


@admin.register(IndicatorValue)
class IndicatorValueAdmin(admin.ModelAdmin):
    """Read-only: values are written only by ``services.indicators_compute``."""

    list_display = [
        "code",
        "collection_year",
        "partnership",
        "locality",
        "breakdown",
        "numerator",
        "denominator",
        "value",
    ]
    list_filter = ["collection_year", "partnership", "code"]
    list_select_related = ["partnership", "locality"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PopulationEstimate)
class PopulationEstimateAdmin(admin.ModelAdmin):
    list_display = ["year", "partnership", "locality", "area_code", "population", "source"]
    list_filter = ["year", "partnership"]
    list_select_related = ["partnership", "locality"]


@admin.register(Benchmark)
class BenchmarkAdmin(admin.ModelAdmin):
    list_display = ["code", "collection_year", "area_kind", "area_name", "value", "marker", "partnership"]
    list_filter = ["collection_year", "area_kind", "partnership"]
    list_select_related = ["partnership"]


@admin.register(IndicatorSettings)
class IndicatorSettingsAdmin(admin.ModelAdmin):
    list_display = ["partnership", "ons_code", "region_code", "neighbour_codes"]
    list_select_related = ["partnership"]
