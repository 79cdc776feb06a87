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

The property the tests hold it to (tests/glossary/test_rendered_diffs.py): the text outside <ins> is the
old rendering's text and the text outside <del> the new one's, whitespace aside.
"""

import re
from functools import lru_cache

from django.utils.safestring import SafeString, mark_safe

from glossary.diffs import MIN_STEPS, STEPS_PER_CHARACTER
from glossary.matching import Budget, blocks, matcher_blocks, run_length
from glossary.rendering import clean_html, render_markdown

_TAG = r'<[^>"]*(?:"[^"]*"[^>"]*)*>'  # attribute values are double-quoted by nh3 and may hold ">"
# What is aligned: a tag, a word (or character reference, or other character) with the whitespace
# after it, or whitespace alone.
_UNITS = re.compile(rf"{_TAG}|(?:&#?\w+;|\w+|[^\w\s])\s*|\s+")
# What a changed unit is narrowed to: a tag, a character reference, a whitespace run, a word, or one other character.
_TOKENS = re.compile(rf"{_TAG}|&#?\w+;|\s+|\w+|[^\w\s]")
_TAG_NAME = re.compile(r"</?([a-z0-9]*)")
# Formatting inside a paragraph that changes how its words read: a word is keyed with these around it.
_INLINE = {"em", "strong", "code", "a"}
_ANY_INLINE = re.compile(r"<(?:em|strong|code|a)[ >]")
MARKS = frozenset({"ins", "del"})


# A pure function of the two texts; a proposal's page shows the same diffs on every visit (bounded, per process).
@lru_cache(maxsize=256)
def rendered_diff(old: str, new: str) -> SafeString:
    """The new Markdown text rendered, with the words deleted since `old` in <del> and inserted in <ins>."""
    old_html, new_html = render_markdown(old or ""), render_markdown(new or "")
    if old_html == new_html:
        return new_html
    contexts: dict[tuple, int] = {}  # shared, so that the same formatting has the same key on both sides
    a, b = _Units(old_html, contexts), _Units(new_html, contexts)
    steps = max(MIN_STEPS, int(STEPS_PER_CHARACTER * (len(old_html) + len(new_html))))
    found = matcher_blocks(a.keys, b.keys, Budget(steps))
    if found is None:
        found = blocks(a.keys, b.keys, Budget(steps))
    if found is None:
        found = [(False, 0, len(a.keys), 0, len(b.keys))]  # narrowed below to its changed middle
    html = []
    for equal, i1, i2, j1, j2 in found:
        if equal:
            html += a.texts[i1:i2]
            continue
        # Narrowed to the tokens that differ: "fast " → "slow." marks the words, not the space.
        old_texts, old_keys = a.tokens(i1, i2)
        new_texts, new_keys = b.tokens(j1, j2)
        length = min(len(old_keys), len(new_keys))
        start = run_length(old_keys, 0, new_keys, 0, length)
        end = 0
        while end < length - start and old_keys[-end - 1] == new_keys[-end - 1]:
            end += 1  # one step a token, at most the block's length: linear over the whole diff
        after = old_texts[len(old_texts) - end :]
        html += old_texts[:start]
        html += _marked(old_texts[start : len(old_texts) - end], "del", html, after or a.texts[i2 : i2 + 1])
        html += _marked(new_texts[start : len(new_texts) - end], "ins", html, after or a.texts[i2 : i2 + 1])
        html += after
    return _tidy(clean_html("".join(html), MARKS))


_BLOCK = r"<(?:/?(?:p|ul|ol|li|pre|blockquote|h[3-6])|hr)(?: [^>]*)?>"
# Whitespace marked between two block tags (the line breaks between paragraphs) shows nothing, and
# a paragraph closed early by a list that replaced it is left empty: both would only be noise.
_BLOCK_TAG = re.compile(_BLOCK)
_BLOCK_SPACE = re.compile(rf"({_BLOCK})<(ins|del)>(\s*)</\2>(?={_BLOCK}|\Z)")
_EMPTY_PARAGRAPH = re.compile(r"<p></p>")


def _tidy(html: str) -> SafeString:
    # Removing whole elements and marks keeps the cleaned HTML balanced.
    return mark_safe(_EMPTY_PARAGRAPH.sub("", _BLOCK_SPACE.sub(r"\1\3", html)))


def _is_tag(text: str) -> bool:
    return len(text) > 1 and text[0] == "<" and text[-1] == ">"


def _marked(texts: list[str], mark: str, before: list[str], after: list[str]) -> list[str]:
    """The tokens with each run of text inside <mark>, tags left as they are.

    Whitespace alone between two block tags (the line break between two list items) shows nothing
    and is left unmarked; `before` and `after` are the tokens around these.
    """
    html, run_start = [], None
    preceding = before[-1] if before else ""
    for index, text in enumerate([*texts, None]):  # None: the end, where a run ends too
        if text is not None and not (len(text) > 1 and text[0] == "<" and text[-1] == ">"):
            if run_start is None:
                run_start = index  # a run of text begins
            continue
        if run_start is not None:
            run = "".join(texts[run_start:index])
            following = text if text is not None else after[0] if after else ""
            block_space = run.isspace() and _BLOCK_TAG.fullmatch(preceding) and _BLOCK_TAG.fullmatch(following)
            html.append(run if block_space else f"<{mark}>{run}</{mark}>")
            run_start = None
        if text is not None:
            html.append(text)
            preceding = text
    return html


class _Units:
    """One rendering cut into units, each with the key it is aligned by.

    A tag is its own key; a word is keyed by its characters and, inside inline formatting, by that
    formatting too (`contexts` numbers each combination, the same for both sides).
    """

    def __init__(self, html: str, contexts: dict[tuple, int]):
        self.texts = texts = _UNITS.findall(html)
        self.keys = keys = list(texts)
        self.context: dict[int, int] = {}  # unit index -> its formatting, for the units inside some
        inline = []
        if _ANY_INLINE.search(html):  # most definitions have no formatting inside their paragraphs
            inline = [i for i, text in enumerate(texts) if _is_tag(text) and _TAG_NAME.match(text).group(1) in _INLINE]
        open_inline: list[tuple[str, str]] = []  # (name, the whole start tag: a link's address matters)
        for index, following in zip(inline, [*inline[1:], len(texts)], strict=False):
            text = texts[index]
            name = _TAG_NAME.match(text).group(1)
            if text.startswith("</"):
                for position in range(len(open_inline) - 1, -1, -1):
                    if open_inline[position][0] == name:
                        del open_inline[position]
                        break
            else:
                open_inline.append((name, text))
            if not open_inline:
                continue
            context = contexts.setdefault(tuple(tag for _, tag in open_inline), len(contexts))
            for between in range(index + 1, following):
                if not _is_tag(texts[between]):
                    keys[between] = (texts[between], context)
                    self.context[between] = context

    def tokens(self, start: int, end: int) -> tuple[list[str], list]:
        """The tokens of units start to end, and their keys.

        Units never split a token, so each stretch of units in the same formatting is cut in one go.
        """
        texts, keys, index = [], [], start
        while index < end:
            context = self.context.get(index)
            stop = index + 1
            while stop < end and self.context.get(stop) == context:
                stop += 1
            pieces = _TOKENS.findall("".join(self.texts[index:stop]))
            texts += pieces
            if context is None:
                keys += pieces
            else:  # the tags among them stay their own keys
                keys += [piece if _is_tag(piece) else (piece, context) for piece in pieces]
            index = stop
        return texts, keys
