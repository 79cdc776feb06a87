"""Word-level differences between two versions of a text, as HTML with <ins> and <del>.

A plain SequenceMatcher over every word and space is quadratic in the number of matching token
pairs: a long repetitive text ("a a a …", a sentence repeated with a few edits) took seconds, a
100,000-character one minutes. Here each diff has a budget of work proportional to the length of
its two texts, so a page of diffs is bounded by the fields' maxima, and tries in turn:

1. Tokens: every word, whitespace run and punctuation mark on its own, with SequenceMatcher, as
   the page always did, when the pairs of matching tokens it would visit fit in the budget (each
   of its searches is charged before it runs, so it stops before going over). Short texts and
   small changes look exactly as they did.
2. Words that carry their trailing whitespace: half the tokens, and no lone space that matches
   every other space. glossary.matching cuts off the common start and end (free, and alone
   enough for a single edit anywhere), splits the middle at the words found once on each side
   (patience diff's anchors: most words of real prose), and aligns each gap with SequenceMatcher
   if it fits in half of what is left, else with Myers' O(ND) algorithm, whose cost grows with
   the number of edits instead of with repetition: it takes what SequenceMatcher cannot, a long
   repetitive text with a few scattered edits.
3. Sentences and lines, aligned the same way with a fresh budget, then the words of each changed
   group with what that leaves, when words are over budget (many edits across a long, repetitive
   text).
4. Whatever is left is shown as deleted and inserted as a whole, less its common start and end.

Changes found on words are narrowed to tokens by cutting the ones they start and end with:
"fast " → "slow " marks only the words. Why not Myers alone: its smallest diff matches stray
common words ("the", "of") across rewritten sentences, where longest matches read better. Why not
lines first: a Markdown paragraph is one line, so lines narrow little where the budget is needed.

Every path keeps one property: the text outside <ins> is the old text, the text outside <del> is
the new one, both escaped. bench/diffs.py shows the worst cases.
"""

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from glossary.matching import Budget, blocks, matcher_blocks, run_length

_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")
# A word or a run of punctuation with the whitespace after it; whitespace alone only at the start.
_WORDS = re.compile(r"(?:\w+|[^\w\s]+)\s*|\s+")
# Where a sentence or a line ends: after the whitespace that follows . ! or ?, and after a newline.
# (A lookbehind, so that a long run of dots is not tried again from each of its positions.)
_SENTENCE_ENDS = re.compile(r"(?<=[.!?])\s+|\n")

# Steps of work (glossary.matching: about 0.2 µs each) a diff may spend per character of its two
# texts at each stage: tokens, words, sentences.
STEPS_PER_CHARACTER = 2
MIN_STEPS = 10_000  # enough for any short text, token by token

EQUAL, DELETE, INSERT = "=", "-", "+"


def tokenize(value: str) -> list[str]:
    return _TOKENS.findall(value or "")


def word_diff(old: str, new: str) -> SafeString:
    """Mark deleted words with <del> and inserted words with <ins>; everything else is escaped."""
    html = []
    for op, text in diff_pieces(old or "", new or ""):
        if op == EQUAL:
            html.append(escape(text))
        elif op == DELETE:
            html.append(f"<del>{escape(text)}</del>")
        else:
            html.append(f"<ins>{escape(text)}</ins>")
    return mark_safe("".join(html))


def diff_pieces(old: str, new: str, steps: int | None = None) -> list[tuple[str, str]]:
    """The diff as (op, text) pieces, op one of EQUAL, DELETE, INSERT; in each run of changes the
    deletions come first. `steps` overrides the budget of work (tests force each path with it)."""
    if old == new:
        return [(EQUAL, old)] if old else []
    if steps is None:
        steps = max(MIN_STEPS, int(STEPS_PER_CHARACTER * (len(old) + len(new))))
    for stage in STAGES:
        pieces = stage(old, new, Budget(steps))
        if pieces is not None:
            return _tidy(pieces)
    return _tidy(_changed(old, new))


def _token_pieces(old: str, new: str, budget: Budget) -> list[tuple[str, str]] | None:
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    found = matcher_blocks(a, b, budget)
    if found is None:
        return None
    pieces = []
    for equal, i1, i2, j1, j2 in found:
        if equal:
            pieces.append((EQUAL, "".join(a[i1:i2])))
        else:
            pieces += [(DELETE, "".join(a[i1:i2])), (INSERT, "".join(b[j1:j2]))]
    return pieces


def _word_pieces(old: str, new: str, budget: Budget) -> list[tuple[str, str]] | None:
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    found = blocks(a, b, budget)
    if found is None:
        return None
    pieces = []
    for equal, i1, i2, j1, j2 in found:
        if equal:
            pieces.append((EQUAL, "".join(a[i1:i2])))
        else:
            pieces += _changed("".join(a[i1:i2]), "".join(b[j1:j2]))
    return pieces


def _sentence_pieces(old: str, new: str, budget: Budget) -> list[tuple[str, str]] | None:
    a, b = _sentences(old), _sentences(new)
    # Half at most for aligning sentences, so that the words of the changed ones get the rest.
    found = blocks(a, b, budget.part(0.5))
    # A single changed group is the word diff that was just over budget, all over again.
    if found is None or sum(not equal for equal, *_ in found) < 2:
        return None
    pieces = []
    for equal, i1, i2, j1, j2 in found:
        old_text, new_text = "".join(a[i1:i2]), "".join(b[j1:j2])
        if equal:
            pieces.append((EQUAL, old_text))
        else:
            pieces += _word_pieces(old_text, new_text, budget) or _changed(old_text, new_text)
    return pieces


def _sentences(text: str) -> list[str]:
    ends = [match.end() for match in _SENTENCE_ENDS.finditer(text)]
    return [text[start:end] for start, end in zip([0, *ends], [*ends, len(text)], strict=True) if start < end]


# Tried in turn, each with a budget of its own, before marking everything (tests leave some out).
STAGES = (_token_pieces, _word_pieces, _sentence_pieces)


def _changed(old: str, new: str) -> list[tuple[str, str]]:
    """`old` replaced by `new`, less the tokens (word, whitespace, punctuation mark) they start and end with."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    start = run_length(a, 0, b, 0, min(len(a), len(b)))
    end = run_length(a[::-1], 0, b[::-1], 0, min(len(a), len(b)) - start)
    return [
        (EQUAL, "".join(a[:start])),
        (DELETE, "".join(a[start : len(a) - end])),
        (INSERT, "".join(b[start : len(b) - end])),
        (EQUAL, "".join(a[len(a) - end :])),
    ]


def _tidy(pieces: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Without empty pieces, neighbours joined: each run of changes is its deletions, then its insertions."""
    tidy, equal, deleted, inserted = [], [], [], []

    def end_of_changes():
        for op, texts in ((DELETE, deleted), (INSERT, inserted)):
            if texts:
                tidy.append((op, "".join(texts)))
                texts.clear()

    for op, text in pieces:
        if not text:
            continue
        if op == EQUAL:
            end_of_changes()
            equal.append(text)
            continue
        if equal:
            tidy.append((EQUAL, "".join(equal)))
            equal.clear()
        (deleted if op == DELETE else inserted).append(text)
    end_of_changes()
    if equal:
        tidy.append((EQUAL, "".join(equal)))
    return tidy
