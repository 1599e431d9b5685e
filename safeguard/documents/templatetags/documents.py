from django import template

register = template.Library()


@register.filter
def review_state(document, today) -> str:
    """``overdue``, ``due`` or ``later`` (see ``Document.review_state``)."""
    return document.review_state(today)
