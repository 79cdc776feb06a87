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

from urllib.parse import urljoin, urlsplit

from django.conf import settings

from glossary.exports.pdf.fonts import printable
from glossary.rendering import _markdown

LINK_SCHEMES = {"http", "https", "mailto"}
_TERM_PATH = "/terms/"


def markdown_tree(source: str, exported_slugs: set[str]) -> list[dict]:
    """The blocks of `source`; links to terms in `exported_slugs` become links within the PDF."""
    tokens = _markdown.parse(source or "")
    blocks, _ = _blocks(tokens, 0, None, exported_slugs)
    return blocks


def _blocks(tokens, i: int, closing: str | None, slugs) -> tuple[list[dict], int]:
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
            blocks.append({"h" if kind == "heading_open" else "p": _inlines(inline.children or [], slugs)})
            i += 3
        elif kind in ("bullet_list_open", "ordered_list_open"):
            items, i = _list_items(tokens, i + 1, kind.replace("_open", "_close"), slugs)
            if kind == "ordered_list_open":
                blocks.append({"ol": items, "start": int(token.attrs.get("start", 1))})
            else:
                blocks.append({"ul": items})
        elif kind == "blockquote_open":
            inner, i = _blocks(tokens, i + 1, "blockquote_close", slugs)
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


def _list_items(tokens, i: int, closing: str, slugs) -> tuple[list[list[dict]], int]:
    items = []
    while i < len(tokens) and tokens[i].type != closing:
        if tokens[i].type == "list_item_open":
            item, i = _blocks(tokens, i + 1, "list_item_close", slugs)
            items.append(item)
        else:
            i += 1
    return items, i + 1


def _inlines(children, slugs) -> list:
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
            node = {"link": [], **_link_target(token.attrs.get("href", ""), slugs)}
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


def _link_target(href: str, slugs) -> dict:
    """Where a link goes: a term in this PDF, or an absolute web address. A scheme the site does
    not link to (the web pages drop it too) leaves the text without a link."""
    site = settings.SITE_URL.rstrip("/") + "/"
    parts = urlsplit(href)
    if not parts.scheme and not parts.netloc and parts.path.startswith(_TERM_PATH):
        slug = parts.path[len(_TERM_PATH):].strip("/")
        if slug in slugs and "/" not in slug:
            return {"term": slug}
    url = urljoin(site, href) if not parts.scheme else href
    if urlsplit(url).scheme.lower() not in LINK_SCHEMES:
        return {}
    return {"url": url}
