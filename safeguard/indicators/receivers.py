"""Listens to ``extracts.signals.extract_loaded`` (sent after an import commits): queues the
recomputation of the partnership's figures, which the task worker runs.

The extract's own census year is recomputed, and the two years after it: their re-referral and
repeat-plan indicators look back into this year's file. If queuing fails, the import still stands
and the daily recomputation (``tasks.recompute_all_indicators``) catches up.
"""

import logging

from django.dispatch import receiver

from safeguard.extracts.choices import ExtractKind
from safeguard.extracts.signals import extract_loaded

from .compute import HISTORY_YEARS

logger = logging.getLogger(__name__)


@receiver(extract_loaded, dispatch_uid="indicators.extract_loaded")
def queue_recomputation(sender, extract, superseded=None, **kwargs) -> None:
    from .services import indicators_queue_recomputation

    if extract.kind != ExtractKind.CIN_CENSUS or not extract.collection_year:
        return
    years = list(range(extract.collection_year, extract.collection_year + HISTORY_YEARS + 1))
    indicators_queue_recomputation(partnership_id=extract.partnership_id, years=years)
