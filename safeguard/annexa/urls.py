"""Workspace pages (annexa): mounted at /workspace/annex-a/."""

from django.urls import path

from . import views

app_name = "annexa"

urlpatterns = [
    path("", views.AnnexAUpload.as_view(), name="upload"),
    path("<int:pk>/", views.AnnexASummary.as_view(), name="extract_summary"),
]
