"""Background jobs of the indicators module."""

import datetime as dt

from django_tasks import task

from safeguard.core.scheduler import scheduled


@task()
def compute_indicators(partnership_id: int, years: list[int] | None = None) -> int:
    """Recompute one partnership's figures (queued after an import, a population upload or from the
    page). Returns the number of values stored."""
    from safeguard.partnerships.models import Partnership

    from .services import indicators_compute

    partnership = Partnership.objects.filter(pk=partnership_id).first()
    if partnership is None:
        return 0
    return len(indicators_compute(partnership=partnership, years=years).values)


@scheduled(every=dt.timedelta(days=1))
@task()
def recompute_all_indicators() -> int:
    """Daily: recompute every partnership that has current census extracts, so a local closure day
    added or removed (which changes working-day timeliness) is reflected by the next morning."""
    from safeguard.extracts.choices import ExtractKind
    from safeguard.extracts.models import Extract
    from safeguard.partnerships.models import Partnership

    from .services import indicators_compute

    ids = (
        Extract.objects.filter(kind=ExtractKind.CIN_CENSUS, is_current=True)
        .values_list("partnership_id", flat=True)
        .distinct()
    )
    total = 0
    for partnership in Partnership.objects.filter(pk__in=list(ids)):
        total += len(indicators_compute(partnership=partnership).values)
    return total
