"""Filters for the data set's pages: a figure, a figure linked to where it came from, a source, and
a row of an indicator's data table.

They do what small template includes would, at a fraction of the cost: the dashboard shows over a
thousand figures (60 indicators x 20 quarters), and the template work per figure was most of the
time spent rendering it. Every text is escaped (``html.escape``, which is what Django's ``escape``
does, without its lazy-string wrapper). Markers ("c", ":") always carry words for screen readers.
"""

from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

from safeguard.core.suppression import Figure

register = template.Library()

_NOT_AVAILABLE = ':<span class="govuk-visually-hidden"> (not available)</span>'


def _figure(value) -> str:
    if not isinstance(value, Figure):
        return _NOT_AVAILABLE
    if value.is_marker:
        return f'{escape(value.display)}<span class="govuk-visually-hidden"> ({escape(value.label)})</span>'
    return escape(value.display)


def _linked(point) -> str:
    shown, source = point.figure, point.source
    if source is None or not source.link:
        return _figure(shown)
    words = f"{shown.label}, {source.link_text}" if shown.is_marker else source.link_text
    return (
        f'<a class="govuk-link" href="{escape(source.link)}">{escape(shown.display)}'
        f'<span class="govuk-visually-hidden"> ({escape(words)})</span></a>'
    )


def _source(value) -> str:
    if value is None:
        return ""
    if value.link:
        return f'<a class="govuk-link" href="{escape(value.link)}">{escape(value.text)}</a>'
    return escape(value.text)


@register.filter
def figure(value) -> SafeString:
    """A ``suppression.Figure``: its text, and for a marker, words for screen readers. Anything else
    (no figure at all) is ":", not available."""
    return mark_safe(_figure(value))


@register.filter
def linked_figure(point) -> SafeString:
    """A ``dashboard.Point``'s figure, linked to the return it came from when the reader may open it."""
    return mark_safe(_linked(point))


@register.filter
def source(value) -> SafeString:
    """A ``dashboard.FigureSource``: its words, as a link when the reader may follow it."""
    return mark_safe(_source(value))


@register.filter
def trend_row(point) -> SafeString:
    """One row of an indicator's data table: the period, its figure (linked to its source) and the
    benchmarks."""
    cell = '<td class="govuk-table__cell govuk-table__cell--numeric">'
    benchmarks = "".join(f"{cell}{_figure(b)}</td>" for b in point.benchmarks)
    return mark_safe(
        f'<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">{escape(point.label)}</th>'
        f"{cell}{_linked(point)}</td>{benchmarks}</tr>"
    )


@register.filter
def source_item(point) -> SafeString:
    """One line of "Where these figures came from": the period and its source."""
    if point.source is None:
        return mark_safe("")
    return mark_safe(f"<li>{escape(point.label)}: {_source(point.source)}</li>")
