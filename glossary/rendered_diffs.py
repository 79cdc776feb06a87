"""Differences between two Markdown texts as they read: the formatted text, words marked with <ins> and <del>.

Why: reviewers judge a definition as people will read it. A diff of the Markdown source
(`A *consistent, fitting experience*`) makes them parse markup before they can see what changed,
so the proposal and history pages show this diff first and the source diff (glossary.diffs) one
click away.

How:

1. Both texts are rendered by glossary.rendering, the HTML the term page shows, and cut into
   tokens: each tag whole, each word, whitespace run, punctuation mark and character reference
   (`&amp;`) whole, so a change never splits a tag or a reference. A piece of text is keyed by its
   words *and* the inline formatting around it (emphasis, code, the link's address), so a word
   that became bold or whose link changed is marked as changed, not hidden behind equal text.
2. Tokens are aligned as glossary.diffs aligns words, within a budget of work proportional to the
   two renderings' length (glossary.matching): SequenceMatcher when it fits, else the anchored
   blocks with Myers' algorithm; over budget even so, everything between the common start and
   end is shown as deleted, then inserted. A hostile text ("a a a …" with edits) costs linear
   time. Words carry the whitespace after them while aligning, so lone spaces do not match
   across rewritten sentences; each changed block is then narrowed to the tokens that differ.
3. Equal tokens are written as they are. A changed block writes the old side's tokens, then the
   new side's: tags from both sides (so a new list or paragraph shows as one), and each run of
   text wrapped in <del> on the old side and <ins> on the new. No mark ever wraps a tag.
4. Writing both sides' tags can leave them unbalanced or misnested (a paragraph that became a list
   item); nh3 parses the result as a browser would and writes it balanced and safe, keeping only
   the rendering module's tags plus <ins> and <del>.

The property the tests hold it to (tests/test_rendered_diffs.py): the text outside <ins> is the
old rendering's text and the text outside <del> the new one's, whitespace aside.
"""

import re

from django.utils.safestring import SafeString, mark_safe

from glossary.diffs import MIN_STEPS, STEPS_PER_CHARACTER
from glossary.matching import Budget, blocks, matcher_blocks, run_length
from glossary.rendering import clean_html, render_markdown

# A tag (attribute values are double-quoted by nh3 and may hold ">"), a character reference, a
# whitespace run, a word, or one other character.
_TOKENS = re.compile(r'<[^>"]*(?:"[^"]*"[^>"]*)*>|&#?\w+;|\s+|\w+|[^\w\s]')
_TAG_NAME = re.compile(r"</?([a-z0-9]+)")
# Formatting inside a paragraph that changes how its words read: a word is keyed with these around it.
_INLINE = {"em", "strong", "code", "a"}
_VOID = {"br", "hr"}
MARKS = frozenset({"ins", "del"})


def rendered_diff(old: str, new: str) -> SafeString:
    """The new Markdown text rendered, with the words deleted since `old` in <del> and inserted in <ins>."""
    old_html, new_html = render_markdown(old or ""), render_markdown(new or "")
    if old_html == new_html:
        return new_html
    contexts: dict[tuple, int] = {}  # shared, so that the same formatting has the same key on both sides
    a, b = _Tokens(old_html, contexts), _Tokens(new_html, contexts)
    steps = max(MIN_STEPS, int(STEPS_PER_CHARACTER * (len(old_html) + len(new_html))))
    found = matcher_blocks(a.units, b.units, Budget(steps))
    if found is None:
        found = blocks(a.units, b.units, Budget(steps))
    if found is None:
        found = [(False, 0, len(a.units), 0, len(b.units))]  # narrowed below to its changed middle
    html = []
    for equal, i1, i2, j1, j2 in found:
        old_start, old_end = a.starts[i1], a.starts[i2]
        new_start, new_end = b.starts[j1], b.starts[j2]
        if equal:
            html += a.texts[old_start:old_end]
            continue
        # Narrowed to the tokens that differ: "fast " → "slow." marks the words, not the space.
        length = min(old_end - old_start, new_end - new_start)
        same_start = run_length(a.keys, old_start, b.keys, new_start, length)
        same_end = 0
        while same_end < length - same_start and a.keys[old_end - same_end - 1] == b.keys[new_end - same_end - 1]:
            same_end += 1  # one step a token, at most the block's length: linear over the whole diff
        html += a.texts[old_start : old_start + same_start]
        html += _marked(a, old_start + same_start, old_end - same_end, "del")
        html += _marked(b, new_start + same_start, new_end - same_end, "ins")
        html += a.texts[old_end - same_end : old_end]
    return _tidy(clean_html("".join(html), MARKS))


_BLOCK = r"<(?:/?(?:p|ul|ol|li|pre|blockquote|h[3-6])|hr)(?: [^>]*)?>"
# Whitespace marked between two block tags (the line breaks between paragraphs) shows nothing, and
# a paragraph closed early by a list that replaced it is left empty: both would only be noise.
_BLOCK_SPACE = re.compile(rf"({_BLOCK})<(ins|del)>(\s*)</\2>(?={_BLOCK}|\Z)")
_EMPTY_PARAGRAPH = re.compile(r"<p></p>")


def _tidy(html: str) -> SafeString:
    # Removing whole elements and marks keeps the cleaned HTML balanced.
    return mark_safe(_EMPTY_PARAGRAPH.sub("", _BLOCK_SPACE.sub(r"\1\3", html)))


def _marked(tokens: "_Tokens", start: int, end: int, mark: str) -> list[str]:
    """The tokens from start to end, each run of text inside <mark>, tags left as they are."""
    html, run = [], []
    for index in range(start, end):
        text = tokens.texts[index]
        if tokens.is_tag[index]:
            if run:
                html.append(f"<{mark}>{''.join(run)}</{mark}>")
                run = []
            html.append(text)
        else:
            run.append(text)
    if run:
        html.append(f"<{mark}>{''.join(run)}</{mark}>")
    return html


class _Tokens:
    """One rendering cut into tokens, with what aligning them needs.

    `keys[i]` is what token i is compared by: a tag by itself, a piece of text by its characters
    and the inline formatting it sits in. `units` are the keys of the tokens as aligned (a word
    with the whitespace after it is one unit) and `starts[u]` the token unit u starts at.
    """

    def __init__(self, html: str, contexts: dict[tuple, int]):
        self.texts = _TOKENS.findall(html)
        self.is_tag = [text.startswith("<") and len(text) > 1 for text in self.texts]
        self.keys = []
        open_inline: list[tuple[str, str]] = []  # (name, the whole start tag: a link's address matters)
        for text, is_tag in zip(self.texts, self.is_tag):
            if not is_tag:
                context = contexts.setdefault(tuple(tag for _, tag in open_inline), len(contexts))
                self.keys.append((text, context))
                continue
            self.keys.append(text)
            name = _TAG_NAME.match(text)
            name = name.group(1) if name else ""
            if name not in _INLINE or name in _VOID:
                continue
            if text.startswith("</"):
                for index in range(len(open_inline) - 1, -1, -1):
                    if open_inline[index][0] == name:
                        del open_inline[index]
                        break
            else:
                open_inline.append((name, text))
        self.units, self.starts = [], []
        index, count = 0, len(self.texts)
        while index < count:
            self.starts.append(index)
            joined = not self.is_tag[index] and not self.texts[index].isspace() and index + 1 < count
            if joined and not self.is_tag[index + 1] and self.texts[index + 1].isspace():
                self.units.append((self.keys[index], self.keys[index + 1]))
                index += 2
            else:
                self.units.append(self.keys[index])
                index += 1
        self.starts.append(count)
