"""Markdown as a small tree of plain data, for the PDF's Typst layout to draw.

The tree is built from markdown-it's tokens (the parser the web pages use, raw HTML off), so the
PDF shows what the page shows. User text stays text: every string in the tree is drawn by Typst as
a literal string, never read as Typst markup.

Blocks, each a dict with one key naming it:
    {"p": inlines}  {"h": inlines}  {"quote": blocks}  {"pre": "text"}  {"hr": True}
    {"ul": [blocks, ...]}  {"ol": [blocks, ...], "start": n}
Inlines: a plain string, or
    {"em": inlines}  {"strong": inlines}  {"code": "text"}  {"br": True}
    {"link": inlines, "url": "https://…"}  {"link": inlines, "term": "slug"} (a term in this PDF)
"""

from functools import lru_cache
from urllib.parse import urljoin, urlsplit

from django.conf import settings

from glossary.interchange.pdf.fonts import printable
from glossary.rendering import _markdown

LINK_SCHEMES = {"http", "https", "mailto"}
_TERM_PATH = "/terms/"
# An open link to a term: (its slug, its address on the site), settled by `_within` for each PDF.
_TERM_LINK = "term_or_url"


def markdown_tree(source: str, exported_slugs: set[str]) -> list[dict]:
    """The blocks of `source`; links to terms in `exported_slugs` become links within the PDF.

    The tree is shared between renders (treat it as read-only): parsing is most of the work of
    preparing a PDF, and after an edit the next export differs from the last by one term, while the
    worker and the web server live on. Only a text linking to terms is copied, to say which of its
    links stay within this PDF."""
    blocks, links_terms = _parsed(source or "", settings.SITE_URL)
    return _within(blocks, exported_slugs) if links_terms else blocks


@lru_cache(maxsize=8192)
def _parsed(source: str, site_url: str) -> tuple[list[dict], bool]:
    """The tree of `source` with each link to a term left open (`_TERM_LINK`), and whether it has any."""
    blocks, _ = _blocks(_markdown.parse(source), 0, None, site_url)
    return blocks, _has_term_link(blocks)


def _has_term_link(value) -> bool:
    if isinstance(value, list):
        return any(_has_term_link(item) for item in value)
    return isinstance(value, dict) and (_TERM_LINK in value or any(_has_term_link(inner) for inner in value.values()))


def _within(value, slugs: set[str]):
    """A copy of a tree whose open term links are settled: within the PDF if the term is in it."""
    if isinstance(value, list):
        return [_within(item, slugs) for item in value]
    if not isinstance(value, dict):
        return value
    node = {key: _within(inner, slugs) for key, inner in value.items() if key != _TERM_LINK}
    if _TERM_LINK in value:
        slug, url = value[_TERM_LINK]
        node.update({"term": slug} if slug in slugs else {"url": url})
    return node


def _blocks(tokens, i: int, closing: str | None, site_url: str) -> tuple[list[dict], int]:
    """Blocks from tokens[i] up to the token `closing` (or the end); returns them and where it stopped."""
    blocks = []
    while i < len(tokens):
        token = tokens[i]
        if token.type == closing:
            return blocks, i + 1
        kind = token.type
        if kind in ("paragraph_open", "heading_open"):
            inline = tokens[i + 1]
            # Headings inside a definition are drawn as bold lines, not document headings: they
            # would otherwise enter the contents and the bookmarks.
            blocks.append({"h" if kind == "heading_open" else "p": _inlines(inline.children or [], site_url)})
            i += 3
        elif kind in ("bullet_list_open", "ordered_list_open"):
            items, i = _list_items(tokens, i + 1, kind.replace("_open", "_close"), site_url)
            if kind == "ordered_list_open":
                blocks.append({"ol": items, "start": int(token.attrs.get("start", 1))})
            else:
                blocks.append({"ul": items})
        elif kind == "blockquote_open":
            inner, i = _blocks(tokens, i + 1, "blockquote_close", site_url)
            blocks.append({"quote": inner})
        elif kind in ("code_block", "fence"):
            blocks.append({"pre": printable(token.content.rstrip("\n"))})
            i += 1
        elif kind == "hr":
            blocks.append({"hr": True})
            i += 1
        else:  # html_block cannot occur (raw HTML is off); anything unforeseen is skipped, not fatal
            i += 1
    return blocks, i


def _list_items(tokens, i: int, closing: str, site_url: str) -> tuple[list[list[dict]], int]:
    items = []
    while i < len(tokens) and tokens[i].type != closing:
        if tokens[i].type == "list_item_open":
            item, i = _blocks(tokens, i + 1, "list_item_close", site_url)
            items.append(item)
        else:
            i += 1
    return items, i + 1


def _inlines(children, site_url: str) -> list:
    """The inline tokens of one paragraph as a list, nested where emphasis and links nest."""
    root: list = []
    stack = [root]
    for token in children:
        here = stack[-1]
        kind = token.type
        if kind == "text":
            _append_text(here, token.content)
        elif kind == "softbreak":
            _append_text(here, " ")
        elif kind == "hardbreak":
            here.append({"br": True})
        elif kind == "code_inline":
            here.append({"code": printable(token.content)})
        elif kind in ("em_open", "strong_open"):
            node = {kind.removesuffix("_open"): []}
            here.append(node)
            stack.append(node[kind.removesuffix("_open")])
        elif kind == "link_open":
            node = {"link": [], **_link_target(token.attrs.get("href", ""), site_url)}
            here.append(node)
            stack.append(node["link"])
        elif kind in ("em_close", "strong_close", "link_close"):
            if len(stack) > 1:
                stack.pop()
        elif kind == "image":
            # Nothing is fetched: an image is its description.
            _append_text(here, token.content or "")
        # raw HTML is off, so html_inline never comes; anything else unforeseen is left out
    return root


def _append_text(inlines: list, text: str) -> None:
    text = printable(text)
    if inlines and isinstance(inlines[-1], str):
        inlines[-1] += text
    elif text:
        inlines.append(text)


def _link_target(href: str, site_url: str) -> dict:
    """Where a link goes: a term (open until the PDF's terms are known: `_within`), or an absolute
    web address. A scheme the site does not link to (the web pages drop it too) leaves the text
    without a link."""
    parts = urlsplit(href)
    url = urljoin(site_url.rstrip("/") + "/", href) if not parts.scheme else href
    if not parts.scheme and not parts.netloc and parts.path.startswith(_TERM_PATH):
        slug = parts.path[len(_TERM_PATH) :].strip("/")
        if slug and "/" not in slug:
            return {_TERM_LINK: (slug, url)}
    if urlsplit(url).scheme.lower() not in LINK_SCHEMES:
        return {}
    return {"url": url}
