"""Factories for the working-day calendar, and its objects for the workspace permission harness."""

from __future__ import annotations

import datetime as dt

import factory

from .models import ClosureDay


class ClosureDayFactory(factory.django.DjangoModelFactory):
    """A closure on a working day (2 January 2025, a Thursday, unless given)."""

    class Meta:
        model = ClosureDay

    partnership = factory.SubFactory("safeguard.core.testing.PartnershipFactory")
    date = dt.date(2025, 1, 2)
    reason = "Council offices closed"


def harness_objects(cast, partnership) -> dict:
    """One closure day for the ``closures/<int:pk>/remove/`` URL."""
    return {ClosureDay: ClosureDayFactory(partnership=partnership)}
