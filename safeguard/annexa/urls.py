"""Workspace pages (annexa)."""

from django.urls import path  # noqa: F401

app_name = "annexa"

urlpatterns: list = []
