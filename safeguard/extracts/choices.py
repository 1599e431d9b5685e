"""Choices for statutory extracts."""

from django.db import models


class ExtractKind(models.TextChoices):
    CIN_CENSUS = "cin_census", "Children in need census (XML)"
    ANNEX_A = "annex_a", "Ofsted Annex A (workbook)"


class ExtractStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be imported"
    IMPORTING = "importing", "Importing"
    LOADED = "loaded", "Loaded"
    REJECTED = "rejected", "Rejected: the file has errors"
    FAILED = "failed", "Failed: the file could not be read"
    SUPERSEDED = "superseded", "Replaced by a later import"


class Severity(models.TextChoices):
    ERROR = "error", "Error"
    QUERY = "query", "Query"
