"""Workspace pages (indicators): definitions and values, localities, populations, benchmarks."""

from django.urls import path

from . import views

app_name = "indicators"

urlpatterns = [
    path("", views.IndicatorIndex.as_view(), name="index"),
    path("compute/", views.IndicatorCompute.as_view(), name="compute"),
    path("localities/", views.LocalityList.as_view(), name="locality_list"),
    path("localities/new/", views.LocalityCreate.as_view(), name="locality_create"),
    path("localities/<int:pk>/edit/", views.LocalityEdit.as_view(), name="locality_edit"),
    path("localities/<int:pk>/status/", views.LocalityStatus.as_view(), name="locality_status"),
    path("populations/", views.PopulationList.as_view(), name="population_list"),
    path("populations/upload/", views.PopulationUpload.as_view(), name="population_upload"),
    path("benchmarks/", views.BenchmarkList.as_view(), name="benchmark_list"),
    path("benchmarks/upload/", views.BenchmarkUpload.as_view(), name="benchmark_upload"),
    path("area/<int:pk>/", views.AreaSettingsEdit.as_view(), name="area_settings"),
]
