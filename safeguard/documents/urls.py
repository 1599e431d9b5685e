from django.urls import path

from . import views

app_name = "documents"
urlpatterns = [
    path("", views.DocumentList.as_view(), name="document_list"),
    path("new/", views.DocumentCreate.as_view(), name="document_create"),
    path("<int:pk>/", views.DocumentDetail.as_view(), name="document_detail"),
    path("<int:pk>/edit/", views.DocumentEdit.as_view(), name="document_edit"),
    path("<int:pk>/upload/", views.VersionUpload.as_view(), name="version_upload"),
    path("<int:pk>/status/", views.DocumentStatusChange.as_view(), name="document_status"),
    path("<int:pk>/download/", views.DocumentDownload.as_view(), name="document_download"),
    path("versions/<int:pk>/download/", views.VersionDownload.as_view(), name="version_download"),
]
