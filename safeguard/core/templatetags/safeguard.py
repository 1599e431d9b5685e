from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag(takes_context=True)
def sort_th(context, key: str, label: str):
    """A sortable table header cell that works without JavaScript (a link per column)."""
    current = context.get("current_sort", "")
    base = context.get("querystring_without_sort", "")
    if current == key:
        aria, next_sort, arrow = "ascending", f"-{key}", " ▲"
    elif current == f"-{key}":
        aria, next_sort, arrow = "descending", key, " ▼"
    else:
        aria, next_sort, arrow = "none", key, ""
    return format_html(
        '<th scope="col" class="govuk-table__header" aria-sort="{}"><a class="govuk-link sg-table-sort-link" '
        'href="?{}sort={}">{}<span aria-hidden="true">{}</span></a></th>',
        aria,
        base,
        next_sort,
        label,
        arrow,
    )


@register.filter
def yesno_gb(value) -> str:
    return "Yes" if value else "No"
