"""The data set's public summary, under the partnership's public site (included by safeguard.public)."""

from django.urls import path

from . import public_views

app_name = "public_dataset"
urlpatterns = [
    path("", public_views.summary, name="summary"),
]
