"""Computed indicators, the population estimates their rates use, and published benchmarks.

- ``IndicatorValue``: one computed figure of one indicator (``registry.py``) for one partnership,
  census year, locality (null: the whole partnership) and breakdown value. Written only by
  ``services.indicators_compute``, which replaces a partnership's rows for the years it computes in
  one transaction, so a reader sees either the old set or the new one.
- ``PopulationEstimate``: ONS mid-year estimates of children aged 0 to 17, for rates per 10,000.
- ``Benchmark``: published figures (DfE tables) for England, the partnership's region, its own
  authority and the average of its statistical neighbours.
- ``IndicatorSettings``: the partnership's area codes and statistical neighbours.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from safeguard.core.models import PartnershipScopedQuerySet, TimeStampedModel, VersionedModel

from .choices import AreaKind


class IndicatorValue(models.Model):
    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.CASCADE, related_name="indicator_values"
    )
    code = models.CharField(max_length=60, help_text="The indicator's code in the registry.")
    collection_year = models.PositiveSmallIntegerField(help_text="The year the census year ends: 2025 for 2024-25.")
    locality = models.ForeignKey(
        "partnerships.Locality",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Empty for the whole partnership.",
    )
    breakdown = models.CharField(max_length=40, blank=True, help_text="The breakdown value, empty when none.")
    numerator = models.BigIntegerField(null=True, blank=True)
    denominator = models.BigIntegerField(null=True, blank=True)
    value = models.FloatField(
        null=True, blank=True, help_text="Percent (0-100), rate per 10,000, count or working days; empty if none."
    )
    population_year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Rates only: the mid-year of the population estimate used."
    )
    computed_at = models.DateTimeField()
    extracts = models.JSONField(default=list, blank=True, help_text="Ids of the current extracts used.")

    objects = PartnershipScopedQuerySet.as_manager()

    class Meta:
        ordering = ["collection_year", "code", "locality_id", "breakdown"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "code", "collection_year", "breakdown"],
                condition=Q(locality__isnull=True),
                name="indicators_value_one_per_partnership",
            ),
            models.UniqueConstraint(
                fields=["partnership", "code", "collection_year", "locality", "breakdown"],
                condition=Q(locality__isnull=False),
                name="indicators_value_one_per_locality",
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=0), name="indicators_value_not_negative"
            ),
        ]
        indexes = [
            # The values table and the API: a partnership's values by year and indicator.
            models.Index(fields=["partnership", "collection_year", "code"], name="indicatorvalue_by_year"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.period}"

    @property
    def period(self) -> str:
        return period_label(self.collection_year)


def period_label(year: int) -> str:
    """``2025`` -> ``"2024-25"`` (the census year 1 April 2024 to 31 March 2025)."""
    return f"{year - 1}-{year % 100:02d}"


class PopulationEstimate(TimeStampedModel):
    """Children aged 0 to 17 in an area, from an ONS mid-year estimate (30 June of ``year``)."""

    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.CASCADE, related_name="population_estimates"
    )
    year = models.PositiveSmallIntegerField(help_text="The mid-year of the estimate: 2024 for mid-2024.")
    locality = models.ForeignKey(
        "partnerships.Locality",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="population_estimates",
        help_text="Empty for the whole partnership's area.",
    )
    area_code = models.CharField(max_length=20, help_text="The area code in the file.")
    area_name = models.CharField(max_length=200, blank=True)
    population = models.PositiveIntegerField(help_text="Children aged 0 to 17.")
    source = models.CharField(max_length=300, help_text="The file and the columns the figure came from.")
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = PartnershipScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "locality__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "year"],
                condition=Q(locality__isnull=True),
                name="indicators_population_one_per_partnership",
            ),
            models.UniqueConstraint(
                fields=["partnership", "year", "locality"],
                condition=Q(locality__isnull=False),
                name="indicators_population_one_per_locality",
            ),
        ]
        indexes = [
            # Rates: a partnership's estimates by year (the computation reads them all at once).
            models.Index(fields=["partnership", "year"], name="population_by_year"),
        ]

    def __str__(self) -> str:
        return f"{self.area_name or self.area_code} mid-{self.year}: {self.population}"


class Benchmark(TimeStampedModel):
    """A published figure to compare the partnership's own with."""

    partnership = models.ForeignKey("partnerships.Partnership", on_delete=models.CASCADE, related_name="benchmarks")
    code = models.CharField(max_length=60, help_text="The indicator's code in the registry.")
    collection_year = models.PositiveSmallIntegerField(help_text="The year the census year ends: 2025 for 2024-25.")
    area_kind = models.CharField(max_length=30, choices=AreaKind.choices)
    area_code = models.CharField(max_length=20, blank=True)
    area_name = models.CharField(max_length=200, blank=True)
    value = models.FloatField(null=True, blank=True)
    marker = models.CharField(
        max_length=2, blank=True, help_text="The DfE marker when there is no value: c, z, :, x or u."
    )
    source = models.CharField(max_length=300, blank=True, help_text="The file the figure came from.")

    objects = PartnershipScopedQuerySet.as_manager()

    class Meta:
        ordering = ["collection_year", "code", "area_kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "code", "collection_year", "area_kind", "area_code"],
                name="indicators_benchmark_unique",
            ),
        ]
        indexes = [
            # The review page and the benchmarks list: a partnership's benchmarks by year.
            models.Index(fields=["partnership", "collection_year"], name="benchmark_by_year"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {period_label(self.collection_year)} {self.get_area_kind_display()}"


class IndicatorSettings(VersionedModel):
    """Where the partnership sits in published tables: its area codes and statistical neighbours."""

    partnership = models.OneToOneField(
        "partnerships.Partnership", on_delete=models.CASCADE, related_name="indicator_settings"
    )
    ons_code = models.CharField(
        "ONS area code",
        max_length=9,
        blank=True,
        help_text="The whole area's nine-character code, for example E10000016: it matches population rows.",
    )
    region_code = models.CharField(
        "region code",
        max_length=9,
        blank=True,
        help_text="For example E12000004. Leave empty to take it from the authority's row in a DfE table.",
    )
    neighbour_codes = models.CharField(
        "statistical neighbours",
        max_length=400,
        blank=True,
        help_text="Three-digit codes of the statistical neighbours' local authorities, separated by commas.",
    )

    objects = PartnershipScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "indicator settings"
        verbose_name_plural = "indicator settings"

    def __str__(self) -> str:
        return f"Indicator settings of {self.partnership}"

    @property
    def neighbours(self) -> list[str]:
        return [code for code in self.neighbour_codes.split(",") if code]
