"""Choices for indicators, population estimates and benchmarks."""

from django.db import models


class Unit(models.TextChoices):
    PERCENT = "percent", "Percentage"
    COUNT = "count", "Count"
    RATE_PER_10000 = "rate_per_10000", "Rate per 10,000 children aged 0 to 17"
    DAYS = "days", "Working days"


class Polarity(models.TextChoices):
    HIGHER_BETTER = "higher_better", "Higher is better"
    LOWER_BETTER = "lower_better", "Lower is better"
    NEUTRAL = "neutral", "Neither higher nor lower is better"


class Section(models.TextChoices):
    """Groups of indicators on the pages, in the order a child meets them."""

    REFERRALS = "Referrals", "Referrals"
    ASSESSMENTS = "Assessments", "Assessments"
    SECTION_47 = "Section 47 enquiries and conferences", "Section 47 enquiries and conferences"
    CP_PLANS = "Child protection plans", "Child protection plans"


class AreaKind(models.TextChoices):
    ENGLAND = "england", "England"
    STATISTICAL_NEIGHBOURS = "statistical_neighbours", "Statistical neighbours (average)"
    REGION = "region", "Region"
    LA = "la", "Local authority"


class Part(models.TextChoices):
    """Which children a drill-through lists: those counted in the numerator or the denominator."""

    NUMERATOR = "numerator", "Numerator"
    DENOMINATOR = "denominator", "Denominator"
