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
        try:
            return reverse("public_documents:document", args=[slug, name])
        except NoReverseMatch:  # the documents library has no public page of that shape
            return None

    return mark_safe(resolve_internal_links(html, chapter_url=chapter_url, document_url=document_url))
