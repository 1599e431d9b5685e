from django.urls import path

from . import views

app_name = "public_documents"
urlpatterns = [
    path("", views.public_library, name="library"),
    path("<slug:document_slug>/", views.public_detail, name="detail"),
    path("<slug:document_slug>/download/", views.public_download, name="download"),
]
