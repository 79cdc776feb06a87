"""Word diffs: correct on every path, small for small edits, bounded for any input."""

import re

import pytest
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glossary import diffs
from glossary.diffs import DELETE, INSERT, diff_pieces, word_diff
from glossary.matching import Budget, blocks, myers_blocks

# Each path forced by leaving out the stages before it; the sentence path still diffs words inside.
PATHS = {
    "tokens": diffs.STAGES,
    "words": (diffs._word_pieces, diffs._sentence_pieces),
    "sentences": (diffs._sentence_pieces,),
    "whole": (),
}

TOKENS = [
    "a",
    "b",
    "the",
    "customer",
    " ",
    "  ",
    "\n",
    "\n\n",
    "\t",
    ".",
    ",",
    "!",
    "?",
    "- ",
    "<b>",
    "&",
    '"',
    "'",
    "é",
    "日本",
    "x" * 40,
]
texts = st.lists(st.sampled_from(TOKENS), max_size=40).map("".join)


@st.composite
def long_repetitive_pair(draw):
    """A unit repeated up to 3,000 times, and the same text with a few edits: too costly for a plain word diff."""
    unit = draw(st.lists(st.sampled_from(TOKENS), min_size=1, max_size=6).map("".join))
    old = unit * draw(st.integers(min_value=200, max_value=3000))
    new = old
    for _ in range(draw(st.integers(min_value=1, max_value=30))):
        at = draw(st.integers(min_value=0, max_value=len(new)))
        cut = draw(st.integers(min_value=0, max_value=5))
        new = new[:at] + draw(texts) + new[at + cut :]
    return old, new


def shown_old(html: str) -> str:
    return re.sub(r"</?del>", "", re.sub(r"<ins>.*?</ins>", "", html, flags=re.S))


def shown_new(html: str) -> str:
    return re.sub(r"</?ins>", "", re.sub(r"<del>.*?</del>", "", html, flags=re.S))


def marked(old: str, new: str, **options) -> tuple[list[str], list[str]]:
    """The deleted pieces and the inserted ones."""
    pieces = diff_pieces(old, new, **options)
    return [t for op, t in pieces if op == DELETE], [t for op, t in pieces if op == INSERT]


def assert_rebuilds(html: str, old: str, new: str) -> None:
    assert shown_old(html) == escape(old)
    assert shown_new(html) == escape(new)


@pytest.mark.slow
@pytest.mark.parametrize("path", PATHS)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(old=texts, new=texts)
def test_removing_insertions_shows_the_old_text_and_removing_deletions_the_new_one(monkeypatch, path, old, new):
    monkeypatch.setattr(diffs, "STAGES", PATHS[path])
    assert_rebuilds(word_diff(old, new), old, new)


@pytest.mark.slow
@pytest.mark.parametrize("path", PATHS)
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(pair=long_repetitive_pair())
def test_long_repetitive_texts_rebuild_on_every_path(monkeypatch, path, pair):
    monkeypatch.setattr(diffs, "STAGES", PATHS[path])
    old, new = pair
    assert_rebuilds(word_diff(old, new), old, new)


@pytest.mark.slow
@pytest.mark.parametrize("steps", [0, 500, 5_000, None])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pair=long_repetitive_pair())
def test_any_budget_gives_a_diff_that_rebuilds_both_texts(steps, pair):
    old, new = pair
    pieces = diff_pieces(old, new, steps=steps)
    assert "".join(t for op, t in pieces if op != INSERT) == old
    assert "".join(t for op, t in pieces if op != DELETE) == new


def test_changing_one_word_in_a_long_text_marks_only_that_word():
    words = [f"word{n}" for n in range(3_000)]
    old = " ".join(words)
    assert len(old) > 20_000
    words[1_234] = "changed"
    assert marked(old, " ".join(words)) == (["word1234"], ["changed"])


def test_one_word_changed_in_one_long_repeated_word_marks_only_that_word():
    old = "a " * 10_000
    new = old[:9_000] + "b" + old[9_001:]
    assert marked(old, new) == (["a"], ["b"])


def test_scattered_edits_in_a_repeated_word_mark_only_the_edited_words():
    old = ["a"] * 10_000
    new = list(old)
    for at in (100, 4_000, 9_900):
        new[at] = "b"
    deleted, inserted = marked(" ".join(old), " ".join(new))
    assert [piece.strip() for piece in deleted] == ["a"] * 3
    assert [piece.strip() for piece in inserted] == ["b"] * 3


def test_scattered_edits_in_a_repeated_sentence_mark_only_the_edited_words():
    sentence = "The customer sees one brand on every channel. "
    old = sentence * 450
    new = old
    for at in (5, 150, 300, 445):
        start = at * len(sentence)
        new = new[:start] + sentence.replace("brand", "price") + new[start + len(sentence) :]
    assert marked(old, new) == (["brand"] * 4, ["price"] * 4)


def test_a_text_diffed_by_sentences_marks_only_words_in_changed_sentences(monkeypatch):
    monkeypatch.setattr(diffs, "STAGES", PATHS["sentences"])
    sentences = [f"Sentence {n} says the same thing again." for n in range(200)]
    old = " ".join(sentences)
    sentences[20] = sentences[20].replace("same", "other")
    sentences[180] = sentences[180].replace("thing", "word")
    assert marked(old, " ".join(sentences)) == (["same", "thing"], ["other", "word"])


def test_texts_too_costly_for_words_are_still_diffed_by_sentence():
    # Every sentence is different, but made of the same two words: no word marks a place, and
    # 200 edits are too many to find among 5,000 repeated words.
    sentences = [" ".join("b" if bit == "1" else "a" for bit in f"{n:012b}") + "." for n in range(400)]
    old = " ".join(sentences)
    edited = [s[:-1] + " c." if n % 2 == 0 else s for n, s in enumerate(sentences)]
    assert marked(old, " ".join(edited)) == ([], [" c"] * 200)


def test_when_nothing_fits_the_middle_is_marked_whole_but_the_common_ends_are_not():
    old = "Same start. One middle with many words. Same end."
    new = "Same start. Another middle, not the same. Same end."
    assert marked(old, new, steps=0) == (["One middle with many words"], ["Another middle, not the same"])


@pytest.mark.parametrize("path", PATHS)
def test_markup_is_escaped_on_every_path(monkeypatch, path):
    monkeypatch.setattr(diffs, "STAGES", PATHS[path])
    sentences = ["Keep <b>this</b> & that."] * 300
    old = " ".join(sentences)
    sentences[40] = "<script>alert(1)</script>"
    sentences[260] = "<img src=x onerror=alert(2)>"
    html = word_diff(old, " ".join(sentences))
    assert not re.search(r"<(?!/?(ins|del)>)", re.sub(r"&lt;|&gt;|&amp;", "", html))
    assert "&lt;script&gt;" in shown_new(html) and "&lt;img src=x onerror=alert(2)&gt;" in shown_new(html)
    assert_rebuilds(html, old, " ".join(sentences))


def test_insertion_into_and_deletion_of_an_empty_text():
    assert word_diff("", "new <words>") == "<ins>new &lt;words&gt;</ins>"
    assert word_diff("old words", "") == "<del>old words</del>"
    assert word_diff("same & same", "same & same") == "same &amp; same"


@pytest.mark.parametrize(
    "old, new",
    [
        ("a " * 50_000 + "z", "b " * 25_000 + "a " * 25_000 + "y"),
        ("a a a " * 16_667 + ".", " ".join(["a", "b"] * 25_000) + "."),
        ("x" * 104_001, "x" * 52_000 + "y" + "x" * 52_000),
        (".,;:!? " * 15_000, "!?.,;: " * 15_000),
        ("a\n" * 50_000, "a\nb\n" * 25_000),
        ("." * 100_000 + "x", "." * 50_000 + "?" + "." * 50_000),
    ],
    ids=["repeated word rewritten", "two words interleaved", "one long word", "punctuation", "short lines", "dots"],
)
def test_pathological_texts_of_100_000_characters_still_give_a_correct_diff(old, new):
    assert_rebuilds(word_diff(old, new), old, new)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(a=st.lists(st.sampled_from("abc"), max_size=25), b=st.lists(st.sampled_from("abc"), max_size=25))
def test_myers_finds_a_smallest_diff(a, b):
    found = myers_blocks(a, b, Budget(10**9))
    assert_blocks_cover(found, a, b)
    edits = sum(i2 - i1 + j2 - j1 for equal, i1, i2, j1, j2 in found if not equal)
    assert edits == len(a) + len(b) - 2 * longest_common_subsequence(a, b)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(
    a=st.lists(st.sampled_from("abc"), max_size=60),
    b=st.lists(st.sampled_from("abc"), max_size=60),
    steps=st.integers(min_value=0, max_value=3_000),
)
def test_blocks_cover_both_lists_in_order_or_give_up(a, b, steps):
    found = blocks(a, b, Budget(steps))
    if found is not None:
        assert_blocks_cover(found, a, b)


def test_blocks_give_up_on_a_repetitive_middle_over_budget():
    a = ["a"] * 300
    b = ["b" if n % 3 == 0 else "a" for n in range(300)]
    assert blocks(a, b, Budget(10_000)) is None
    assert_blocks_cover(blocks(a, b, Budget(10_000_000)), a, b)


def assert_blocks_cover(found, a, b) -> None:
    i = j = 0
    for equal, i1, i2, j1, j2 in found:
        assert (i1, j1) == (i, j)
        if equal:
            assert a[i1:i2] == b[j1:j2]
        i, j = i2, j2
    assert (i, j) == (len(a), len(b))


def longest_common_subsequence(a, b) -> int:
    lengths = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for x in range(len(a) - 1, -1, -1):
        for y in range(len(b) - 1, -1, -1):
            lengths[x][y] = lengths[x + 1][y + 1] + 1 if a[x] == b[y] else max(lengths[x + 1][y], lengths[x][y + 1])
    return lengths[0][0]
