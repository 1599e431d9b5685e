"""Chapter text: authored in Markdown, stored as sanitised HTML.

Only the tags a procedures chapter needs survive (headings, lists, tables, links, emphasis);
scripts, styles, event handlers and javascript: links never reach a page.

Two extensions for authors:

- links to another chapter or to a library document by their stable names, which work on every
  partnership site that publishes the manual and are checked before a release goes live:
  ``[Section 47 enquiries](chapter:section-47-enquiries)``,
  ``[escalation policy](document:escalation-policy)``;
- practice points, on a line of their own: ``[[practice-point: toxic-trio]]`` (see
  ``practice_points.py``), rendered as a highlighted box with the point's statement.
"""

from __future__ import annotations

import re

import markdown as md
import nh3
from django.core.exceptions import ValidationError
from django.utils.html import escape

from .practice_points import PRACTICE_POINTS

ALLOWED_TAGS = {
    "h2",
    "h3",
    "h4",
    "p",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "a",
    "blockquote",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "hr",
    "br",
    "code",
    "pre",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}}
URL_SCHEMES = {"http", "https", "mailto", "chapter", "document"}

PRACTICE_POINT_RE = re.compile(r"<p>\[\[practice-point:\s*([a-z0-9-]+)\s*\]\]</p>")
SHORTCODE_RE = re.compile(r"\[\[practice-point:\s*([^\]\s]*)\s*\]\]")
INTERNAL_LINK_RE = re.compile(r'href="(chapter|document):([A-Za-z0-9_-]*)"')


def practice_point_codes(text: str) -> list[str]:
    return SHORTCODE_RE.findall(text or "")


MAX_CHARACTERS = 100_000  # the longest real chapters are about a tenth of this
MAX_OPEN_BRACKETS = 1_500  # link parsing is quadratic in unmatched brackets; real chapters have < 300 links
MAX_LINE_PREFIX = 64  # list and quote markers at the start of a line: deeper nesting than any chapter needs
LINE_PREFIX_RE = re.compile(r"^[ \t>*+\-]*", re.MULTILINE)


def validate_markdown(text: str) -> None:
    """Refuse text that cannot be a chapter: too long, pathologically nested, or naming practice point
    codes that do not exist (the message names the ones that do)."""
    text = text or ""
    if len(text) > MAX_CHARACTERS:
        raise ValidationError(
            {
                "body_markdown": f"The text is {len(text):,} characters; a chapter can have up to {MAX_CHARACTERS:,}. "
                "Split it into two chapters."
            }
        )
    if text.count("[") > MAX_OPEN_BRACKETS:
        raise ValidationError(
            {
                "body_markdown": f"The text has {text.count('['):,} square brackets; up to {MAX_OPEN_BRACKETS:,} are "
                "allowed. Remove brackets that are not links."
            }
        )
    if any(len(prefix) > MAX_LINE_PREFIX for prefix in LINE_PREFIX_RE.findall(text)):
        raise ValidationError(
            {"body_markdown": "A list or quotation is nested too deeply. Use at most a few levels of indentation."}
        )
    unknown = sorted({code for code in practice_point_codes(text) if code not in PRACTICE_POINTS})
    if unknown:
        raise ValidationError(
            {
                "body_markdown": f"There is no practice point called {', '.join(unknown)}. "
                f"Use one of: {', '.join(sorted(PRACTICE_POINTS))}."
            }
        )


def _practice_point_html(match: re.Match) -> str:
    point = PRACTICE_POINTS.get(match.group(1))
    if point is None:
        return match.group(0)
    return (
        f'<div class="govuk-inset-text sg-practice-point" data-practice-point="{escape(point.code)}">'
        f'<h3 class="govuk-heading-s">Practice point: {escape(point.title)}</h3>'
        f'<p class="govuk-body">{escape(point.statement)}</p></div>'
    )


def render_markdown(text: str) -> str:
    try:
        html = md.markdown(text or "", extensions=["tables", "sane_lists"], output_format="html")
    except RecursionError:
        raise ValidationError({"body_markdown": "The text is nested too deeply to display."}) from None
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES)
    return PRACTICE_POINT_RE.sub(_practice_point_html, clean)


def internal_links(html: str) -> list[tuple[str, str]]:
    """``[(kind, name)]`` for every ``chapter:`` and ``document:`` link in rendered chapter HTML."""
    return INTERNAL_LINK_RE.findall(html or "")


def resolve_internal_links(html: str, *, chapter_url, document_url) -> str:
    """Turn ``chapter:slug`` and ``document:slug`` links into addresses on the site being read.

    ``chapter_url(slug)`` and ``document_url(slug)`` return the address, or None when the target
    is not published (the link then goes nowhere rather than to a wrong page)."""

    def replace(match: re.Match) -> str:
        kind, name = match.groups()
        url = chapter_url(name) if kind == "chapter" else document_url(name)
        return f'href="{escape(url)}"' if url else 'href="#" data-broken-link="true"'

    return INTERNAL_LINK_RE.sub(replace, html or "")
