"""Template tags for chapter text on the public site and in the workspace preview."""

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import mark_safe

from safeguard.procedures.markdown import resolve_internal_links

register = template.Library()


@register.simple_tag
def chapter_body(html: str, partnership, manual):
    """Chapter HTML (already sanitised) with its chapter/document links pointing at this site."""
    slug = partnership.slug

    def chapter_url(name):
        return reverse("procedures:chapter", args=[slug, manual.slug, name])

    def document_url(name):
        # Documents live in the library of the partnership that owns the manual, also when an adopting
        # partnership's site shows the chapter.
        try:
            return reverse("public_documents:detail", args=[manual.partnership.slug, name])
        except NoReverseMatch:
            return None

    return mark_safe(resolve_internal_links(html, chapter_url=chapter_url, document_url=document_url))
