"""The data set dashboard and the quarterly report. Mounted at /workspace/data-set/."""

from django.urls import path  # noqa: F401

app_name = "dataset"

urlpatterns: list = []
