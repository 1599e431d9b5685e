"""Chapter text: authored in Markdown, stored as sanitised HTML.

Only the tags a procedures chapter needs survive (headings, lists, tables, links, emphasis);
scripts, styles, event handlers and javascript: links never reach a page.
"""

import markdown as md
import nh3

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


def render_markdown(text: str) -> str:
    html = md.markdown(text or "", extensions=["tables", "sane_lists"], output_format="html")
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes={"http", "https", "mailto"})
