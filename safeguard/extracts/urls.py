"""Workspace pages (extracts)."""

from django.urls import path

from . import views

app_name = "extracts"

urlpatterns = [
    path("", views.ExtractList.as_view(), name="extract_list"),
    path("upload/", views.ExtractUpload.as_view(), name="extract_upload"),
    path("<int:pk>/", views.ExtractDetail.as_view(), name="extract_detail"),
    path("<int:pk>/progress/", views.ExtractProgress.as_view(), name="extract_progress"),
    path("<int:pk>/findings.csv", views.FindingsCsv.as_view(), name="findings_csv"),
    path("<int:pk>/findings.xlsx", views.FindingsXlsx.as_view(), name="findings_xlsx"),
    path("children/<int:pk>/", views.ChildDetail.as_view(), name="child_detail"),
]
