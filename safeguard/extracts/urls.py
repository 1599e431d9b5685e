"""Workspace pages (extracts)."""

from django.urls import path  # noqa: F401

app_name = "extracts"

urlpatterns: list = []
