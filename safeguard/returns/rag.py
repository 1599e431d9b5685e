"""Red, amber or green for a figure against its indicator's target.

The data set's RAG rating, as partnership data sets commonly define it (a target and an amber
threshold set by the board for each indicator; see docs/data-set.md):

- **Higher is better**: green when the value is at or above the target; amber when it is below the
  target but at or above the amber threshold; red below the amber threshold.
- **Lower is better**: green at or below the target; amber above the target but at or below the
  amber threshold; red above it.
- Without a target, with a neutral polarity, or without a value (not available, or not yet
  supplied): no rating. Without an amber threshold there is no amber: missing the target is red.

A target of 70% with an amber threshold of 60% for "ICPCs within 15 working days": 68.4% is amber,
72% green, 55% red.
"""

from __future__ import annotations

from decimal import Decimal

from .choices import Polarity, Rag


def rag_rating(
    value: Decimal | float | None,
    *,
    polarity: str,
    target: Decimal | float | None,
    amber_threshold: Decimal | float | None = None,
) -> str | None:
    """``Rag.GREEN``, ``Rag.AMBER``, ``Rag.RED`` or ``None`` (no rating)."""
    if value is None or target is None or polarity == Polarity.NEUTRAL:
        return None
    value, target = Decimal(str(value)), Decimal(str(target))
    amber = None if amber_threshold is None else Decimal(str(amber_threshold))
    if polarity == Polarity.HIGHER_IS_BETTER:
        if value >= target:
            return Rag.GREEN
        return Rag.AMBER if amber is not None and value >= amber else Rag.RED
    if value <= target:
        return Rag.GREEN
    return Rag.AMBER if amber is not None and value <= amber else Rag.RED


def direction_of_travel(
    latest: Decimal | float | None, previous: Decimal | float | None, *, polarity: str
) -> tuple[str, str] | None:
    """How the latest figure moved from the previous one: (``"up"``/``"down"``/``"same"``, and
    ``"better"``/``"worse"``/``"no judgement"`` against the polarity). ``None`` without both."""
    if latest is None or previous is None:
        return None
    latest, previous = Decimal(str(latest)), Decimal(str(previous))
    if latest == previous:
        return "same", "no change"
    moved = "up" if latest > previous else "down"
    if polarity == Polarity.NEUTRAL:
        return moved, "no judgement"
    better = (moved == "up") == (polarity == Polarity.HIGHER_IS_BETTER)
    return moved, "better" if better else "worse"
