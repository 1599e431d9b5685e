"""The checks on the figures in an agency's return: one small function per rule, each with a message
that says what to fix. The form, the spreadsheet upload and the API all go through ``check_return``
(called by ``services.return_save`` and ``services.return_submit``), so a figure refused on one is
refused on all of them, with the same words.

Rules
-----
Always (a draft save too):

- ``whole_number``: figures are whole numbers of 0 or more (up to 2,147,483,647).
- ``numerator_not_above_denominator``: for a percentage, the number counted cannot be more than the
  number it is out of.
- ``not_available_has_reason`` and ``not_available_has_no_figure``: "not available" takes a reason
  and no figure. (A reason typed without ticking "not available" is not kept.)
- ``localities_not_above_whole_area``: for a by-locality indicator, the localities' figures cannot
  add up to more than the whole area's (the whole area includes every locality).
- ``text_fits``: reasons up to 500 characters, comments up to 5,000.

On submit only (a draft may be partial):

- ``not_blank``: every row has a figure, or is marked not available with a reason.
- ``percentage_complete``: a percentage has both its numerator and its denominator.
- ``comment_for_large_change``: a comment is required when the figure moves more than the
  indicator's ``comment_above_change_percent`` from the last submitted period's figure (the
  percentage itself for percentages). From 0 to anything else is always more.

Pure Python: the callers hand in the rows and the previous figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .choices import Unit

MAX_FIGURE = 2_147_483_647  # PositiveIntegerField on every database
MAX_REASON = 500
MAX_COMMENT = 5000
WHOLE_NUMBER = "Enter a whole number of 0 or more"


@dataclass(frozen=True)
class Slot:
    """One row of a return: an indicator, for the whole area (``locality`` None) or one locality."""

    indicator: object  # DataSetIndicator
    locality: object | None = None  # Locality

    @property
    def key(self) -> tuple[int, int | None]:
        return (self.indicator.pk, self.locality.pk if self.locality is not None else None)

    @property
    def path(self) -> str:
        """``cse-referrals`` or ``cse-referrals/north``: names the row in messages and the API."""
        return self.indicator.code if self.locality is None else f"{self.indicator.code}/{self.locality.code}"

    @property
    def area(self) -> str:
        return "Whole area" if self.locality is None else self.locality.name

    @property
    def label(self) -> str:
        return self.indicator.title if self.locality is None else f"{self.indicator.title}: {self.locality.name}"

    @property
    def is_percent(self) -> bool:
        return self.indicator.unit == Unit.PERCENT


@dataclass
class Entry:
    """What was typed for one row, as typed: figures may be text, numbers or empty."""

    value: object = None
    denominator: object = None
    not_available: bool = False
    reason: str = ""
    comment: str = ""


@dataclass(frozen=True)
class Figures:
    """One row's figures once checked."""

    value: int | None
    denominator: int | None
    not_available: bool
    reason: str
    comment: str

    @property
    def is_blank(self) -> bool:
        return self.value is None and self.denominator is None and not self.not_available


@dataclass(frozen=True)
class Previous:
    """The last submitted figure for a row, for comparison."""

    value: Decimal | None
    period_label: str


@dataclass(frozen=True)
class Problem:
    slot: Slot
    field: str  # "value", "denominator", "not_available", "reason" or "comment"
    message: str


# --- The rules ------------------------------------------------------------------------------------
def whole_number(raw) -> tuple[int | None, str | None]:
    """A figure as typed -> (the number or None when blank, a message when it is not a whole number
    of 0 or more). Accepts 12, "12", " 1,234 " and the 12.0 a spreadsheet may hold."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, None
    if isinstance(raw, bool):
        return None, WHOLE_NUMBER
    if isinstance(raw, float):
        if not raw.is_integer():
            return None, f"{WHOLE_NUMBER}: {_shown(raw)} is not a whole number"
        raw = int(raw)
    if isinstance(raw, Decimal):
        if raw != raw.to_integral_value():
            return None, f"{WHOLE_NUMBER}: {raw} is not a whole number"
        raw = int(raw)
    if isinstance(raw, str):
        text = raw.strip().replace(",", "")
        if text.startswith("-") and text[1:].isascii() and text[1:].isdigit():
            return None, f"{WHOLE_NUMBER}: a figure cannot be negative"
        if not text.isascii() or not text.isdigit():
            return None, f"{WHOLE_NUMBER}, for example 12 (no letters, spaces or decimal points)"
        raw = int(text)
    if not isinstance(raw, int):
        return None, WHOLE_NUMBER
    if raw < 0:
        return None, f"{WHOLE_NUMBER}: a figure cannot be negative"
    if raw > MAX_FIGURE:
        return None, f"Enter a number no bigger than {MAX_FIGURE:,}"
    return raw, None


def numerator_not_above_denominator(value: int | None, denominator: int | None, indicator) -> str | None:
    if value is None or denominator is None or value <= denominator:
        return None
    counted = indicator.numerator_label or "the number counted"
    out_of = indicator.denominator_label or "the number it is out of"
    return (
        f"The numerator ({counted}: {value:,}) cannot be more than the denominator ({out_of}: {denominator:,}). "
        "Check both figures"
    )


def not_available_has_reason(not_available: bool, reason: str) -> str | None:
    if not_available and not reason:
        return "Say why the figure is not available, for example 'the new case system cannot report it yet'"
    return None


def not_available_has_no_figure(not_available: bool, value: int | None, denominator: int | None) -> str | None:
    if not_available and (value is not None or denominator is not None):
        return "Remove the figure, or untick 'Not available': a figure cannot be given and not available"
    return None


def text_fits(text: str, limit: int, what: str) -> str | None:
    if len(text) > limit:
        return f"Shorten the {what} to {limit:,} characters or fewer (it has {len(text):,})"
    return None


def not_blank(figures: Figures) -> str | None:
    if figures.is_blank:
        return "Enter the figure, or tick 'Not available' and say why"
    return None


def percentage_complete(value: int | None, denominator: int | None, indicator) -> tuple[str, str] | None:
    """(field, message) when only one half of a percentage was given."""
    if value is not None and denominator is None:
        return "denominator", f"Enter the denominator ({indicator.denominator_label or 'what it is out of'})"
    if value is None and denominator is not None:
        return "value", f"Enter the numerator ({indicator.numerator_label or 'the number counted'})"
    return None


def change_percent(new: Decimal, old: Decimal) -> Decimal | None:
    """How far ``new`` moved from ``old``, in per cent of ``old`` (None: from 0 to something)."""
    if old == 0:
        return Decimal(0) if new == 0 else None
    return abs(new - old) * 100 / abs(old)


def comment_for_large_change(
    current: Decimal | None, previous: Previous | None, threshold: int, comment: str, *, unit: str = Unit.COUNT
) -> str | None:
    if current is None or previous is None or previous.value is None or comment:
        return None
    moved = change_percent(current, previous.value)
    if moved is not None and moved <= threshold:
        return None
    direction = "rose" if current > previous.value else "fell"
    by = "" if moved is None else f" by {moved:.0f}%"
    return (
        f"Add a comment saying why: the figure {direction}{by}, from {decimal_text(previous.value, unit)} in "
        f"{previous.period_label} to {decimal_text(current, unit)} (a comment is needed above {threshold}%)"
    )


def localities_not_above_whole_area(whole: Figures, parts: list[Figures]) -> list[tuple[str, str]]:
    """(field, message) for each of the whole area's figures the localities add up to more than."""
    problems = []
    for field, what in (("value", "figure"), ("denominator", "denominator")):
        total = getattr(whole, field)
        given = [getattr(part, field) for part in parts if getattr(part, field) is not None]
        if total is not None and given and sum(given) > total:
            problems.append(
                (
                    field,
                    f"The localities' {what}s add up to {sum(given):,}, more than the whole area's {total:,}. "
                    "The whole area includes every locality: check the figures",
                )
            )
    return problems


# --- Putting them together ------------------------------------------------------------------------
def figure_value(indicator, value: int | None, denominator: int | None) -> Decimal | None:
    """The figure the data set shows: the count, or 100 x numerator / denominator for a percentage
    (None without a denominator above 0)."""
    if value is None:
        return None
    if indicator.unit == Unit.PERCENT:
        if not denominator:
            return None
        return (Decimal(100) * value / denominator).quantize(Decimal("0.0001"))
    return Decimal(value)


def check_row(slot: Slot, entry: Entry, *, previous: Previous | None, submitting: bool):
    """One row -> (its figures, or None when a figure could not be read; its problems)."""
    problems: list[Problem] = []

    def add(field: str, message: str | None) -> None:
        if message:
            problems.append(Problem(slot, field, message))

    value, message = whole_number(entry.value)
    add("value", message)
    denominator = None
    if slot.is_percent:
        denominator, message = whole_number(entry.denominator)
        add("denominator", message)
    if problems:
        return None, problems
    not_available = bool(entry.not_available)
    reason = (entry.reason or "").strip() if not_available else ""
    comment = (entry.comment or "").strip()
    figures = Figures(value, denominator, not_available, reason, comment)
    add("value", not_available_has_no_figure(not_available, value, denominator))
    add("reason", not_available_has_reason(not_available, reason))
    add("reason", text_fits(reason, MAX_REASON, "reason"))
    add("comment", text_fits(comment, MAX_COMMENT, "comment"))
    add("value", numerator_not_above_denominator(value, denominator, slot.indicator))
    if submitting and not problems:
        add("value", not_blank(figures))
        if slot.is_percent and not not_available:
            half = percentage_complete(value, denominator, slot.indicator)
            if half:
                add(*half)
        if not problems:
            current = figure_value(slot.indicator, value, denominator)
            threshold = slot.indicator.comment_above_change_percent
            unit = slot.indicator.unit
            add("comment", comment_for_large_change(current, previous, threshold, comment, unit=unit))
    return figures, problems


def check_return(
    rows: list[tuple[Slot, Entry]], *, previous: dict[tuple, Previous], submitting: bool
) -> tuple[dict[tuple, Figures], list[Problem]]:
    """Every row of a return -> (figures by slot key, every problem found, in row order)."""
    figures: dict[tuple, Figures] = {}
    problems: list[Problem] = []
    for slot, entry in rows:
        checked, found = check_row(slot, entry, previous=previous.get(slot.key), submitting=submitting)
        problems.extend(found)
        if checked is not None:
            figures[slot.key] = checked
    problems.extend(_locality_problems(rows, figures))
    order = {slot.key: i for i, (slot, _) in enumerate(rows)}
    problems.sort(key=lambda p: order[p.slot.key])
    return figures, problems


def _locality_problems(rows, figures) -> list[Problem]:
    wholes = {slot.indicator.pk: slot for slot, _ in rows if slot.locality is None}
    parts: dict[int, list[Figures]] = {}
    for slot, _ in rows:
        if slot.locality is not None and slot.key in figures:
            parts.setdefault(slot.indicator.pk, []).append(figures[slot.key])
    problems = []
    for indicator_id, found in parts.items():
        whole_slot = wholes.get(indicator_id)
        if whole_slot is None or whole_slot.key not in figures:
            continue
        for field, message in localities_not_above_whole_area(figures[whole_slot.key], found):
            problems.append(Problem(whole_slot, field, message))
    return problems


def figure_text(unit: str, value: int | None, denominator: int | None, not_available: bool = False) -> str:
    """A row's figures in words: "12", "45 of 50 (90.0%)", "not available", or "" when blank."""
    if not_available:
        return "not available"
    if value is None and denominator is None:
        return ""
    if unit == Unit.PERCENT:
        if value is None or denominator is None:
            return f"{'' if value is None else f'{value:,}'} of {'' if denominator is None else f'{denominator:,}'}"
        share = f" ({100 * value / denominator:.1f}%)" if denominator else ""
        return f"{value:,} of {denominator:,}{share}"
    return f"{value:,}"


def decimal_text(value: Decimal | None, unit: str) -> str:
    """A data set figure for people: "44", "1,234", "88.5%" (one decimal place for percentages)."""
    if value is None:
        return ""
    if unit == Unit.PERCENT:
        return f"{value:.1f}%"
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.1f}"


def _shown(number: float) -> str:
    return f"{number:g}"
