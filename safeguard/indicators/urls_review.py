"""Workspace pages (cp_review)."""

from django.urls import path  # noqa: F401

app_name = "cp_review"

urlpatterns: list = []
