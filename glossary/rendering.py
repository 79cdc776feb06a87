"""Markdown in, safe HTML out.

markdown-it renders CommonMark with raw HTML switched off, so typed tags come out as text;
nh3 then keeps only the tags and URL schemes a definition needs, as a second line of defence.
"""

import html as html_lib
import re
from functools import lru_cache

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})

ALLOWED_TAGS = {
    "p",
    "br",
    "em",
    "strong",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "hr",
    "h3",
    "h4",
    "h5",
    "h6",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


# Rendering is a pure function of the text; list pages render the same definitions on every
# request, so recently seen texts are remembered (bounded, per process).
@lru_cache(maxsize=4096)
def render_markdown(source: str) -> SafeString:
    html = _markdown.render(source or "")
    # Headings in a definition would outrank the page's own; keep them below h3.
    html = re.sub(r"<(/?)h[12]>", r"<\1h3>", html)
    return clean_html(html)


def clean_html(html: str, extra_tags: frozenset[str] = frozenset()) -> SafeString:
    """Only the tags, attributes and URL schemes a definition needs (plus `extra_tags`), balanced."""
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS | extra_tags,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(clean)


def plain_text(source: str) -> str:
    """The words of a Markdown text without its markup, e.g. for one-line previews."""
    return html_lib.unescape(nh3.clean(_markdown.render(source or ""), tags=set()))


@lru_cache(maxsize=8192)
def first_line(source: str, limit: int = 160) -> str:
    """The first paragraph or list item of a Markdown text, as plain words, cut at `limit`."""
    lines = [line for line in plain_text(source).splitlines() if line.strip()]
    words = " ".join(lines[0].split()) if lines else ""
    if len(words) <= limit:
        return words
    return words[: limit - 1].rsplit(" ", 1)[0] + "…"
