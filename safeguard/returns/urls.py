"""Workspace pages (returns): the data set's definition, periods, the agencies' returns and the
completeness grid. Mounted at /workspace/returns/."""

from django.urls import path  # noqa: F401

app_name = "returns"

urlpatterns: list = []
