"""The formatted diff of Markdown fields: what reviewers read first on the proposal and history pages."""

import random
from html.parser import HTMLParser

import pytest

from glossary.rendered_diffs import rendered_diff
from glossary.rendering import render_markdown


class _Text(HTMLParser):
    """The text of an HTML fragment, leaving out what is inside one kind of mark; checks the marks hold text only."""

    def __init__(self, leave_out: str | None):
        super().__init__(convert_charrefs=True)
        self.leave_out, self.inside, self.parts, self.marks = leave_out, [], [], []

    def handle_starttag(self, tag, attrs):
        if self.inside and self.inside[-1] in ("ins", "del"):
            raise AssertionError(f"<{tag}> inside <{self.inside[-1]}>")
        if tag not in ("br", "hr"):
            self.inside.append(tag)
        if tag in ("ins", "del"):
            self.marks.append(tag)

    def handle_endtag(self, tag):
        assert self.inside and self.inside[-1] == tag, f"unbalanced </{tag}> in {self.inside}"
        self.inside.pop()

    def handle_data(self, data):
        if self.leave_out not in self.inside:
            self.parts.append(data)


def text(html: str, leave_out: str | None = None) -> str:
    """The characters of the text, whitespace aside: where one side's paragraph or list item ends,
    the diff keeps one side's structure, so a line break between two words may come or go."""
    parser = _Text(leave_out)
    parser.feed(str(html))
    parser.close()
    assert not parser.inside, f"left open: {parser.inside}"
    return "".join("".join(parser.parts).split())


def marks(html: str) -> list[str]:
    parser = _Text(None)
    parser.feed(str(html))
    return parser.marks


def assert_reads_as_both(old: str, new: str):
    html = rendered_diff(old, new)
    assert text(html, leave_out="ins") == text(render_markdown(old)), "without the insertions: the old text"
    assert text(html, leave_out="del") == text(render_markdown(new)), "without the deletions: the new text"
    return html


def test_a_changed_word_in_formatted_text_is_marked_in_the_formatted_text():
    html = assert_reads_as_both(
        "A *consistent, fitting experience*", "A *consistent, seamless experience* on every channel"
    )
    assert html == (
        "<p>A <em>consistent, <del>fitting</del><ins>seamless</ins> experience</em><ins> on every channel</ins></p>\n"
    )
    assert "*" not in html


def test_formatting_changed_on_the_same_words_is_marked_too():
    html = assert_reads_as_both("Pay *before* delivery", "Pay **before** delivery")
    assert "<em><del>before</del></em><strong><ins>before</ins></strong>" in html


def test_a_link_whose_address_changed_is_marked():
    html = assert_reads_as_both("See [the guide](https://a.example/).", "See [the guide](https://b.example/).")
    assert '<a href="https://a.example/"' in html and '<a href="https://b.example/"' in html
    assert marks(html) == ["del", "ins"] and "<del>the guide</del>" in html


def test_new_list_items_are_shown_as_list_items_with_their_words_inserted():
    html = assert_reads_as_both("- Reach\n- Clicks", "- Reach\n- Conversions\n- Revenue")
    assert (
        html
        == "<ul>\n<li>Reach</li>\n<li><del>Clicks</del><ins>Conversions</ins></li>\n<li><ins>Revenue</ins></li>\n</ul>\n"
    )


def test_an_empty_side_is_all_inserted_or_all_deleted():
    assert rendered_diff("", "Only *new*") == "<p><ins>Only </ins><em><ins>new</ins></em></p>\n"
    assert rendered_diff("Gone", "") == "<p><del>Gone</del></p>\n"
    assert rendered_diff("Same **text**", "Same **text**") == render_markdown("Same **text**")


def test_markup_typed_as_text_stays_text_and_links_keep_only_safe_schemes():
    html = assert_reads_as_both("Safe text", "<script>alert(1)</script> and [x](javascript:alert(1)) & <b>bold</b>")
    assert "<script" not in html and "<b>" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;" in html


# Markdown pieces that turn into different structures: paragraphs, lists, quotes, code, headings, links.
PIECES = [
    "word",
    "other",
    "*em*",
    "**strong**",
    "`code`",
    "[link](https://example.com/a)",
    "[link](https://example.com/b)",
    "\n\n",
    "\n- ",
    "\n1. ",
    "\n> ",
    "\n\n    code block\n\n",
    "\n### Heading\n",
    " & ",
    " < ",
    " > ",
    '"',
    "é",
    "  \n",
    "\n---\n",
    ",",
    ".",
    " ",
]


@pytest.mark.parametrize("seed", range(300))
def test_without_insertions_it_reads_as_the_old_text_and_without_deletions_as_the_new(seed):
    rnd = random.Random(seed)
    old_pieces = [rnd.choice(PIECES) for _ in range(rnd.randrange(0, 30))]
    new_pieces = list(old_pieces)
    for _ in range(rnd.randrange(1, 6)):
        place = rnd.randrange(len(new_pieces) + 1)
        if new_pieces and rnd.random() < 0.5:
            del new_pieces[min(place, len(new_pieces) - 1)]
        else:
            new_pieces.insert(place, rnd.choice(PIECES))
    assert_reads_as_both("".join(old_pieces), "".join(new_pieces))


def test_a_long_repetitive_text_is_diffed_in_bounded_work():
    # "a a a …" of 100,000 characters with scattered edits: a plain SequenceMatcher over its tokens
    # would compare every pair of equal words. bench/diffs.py has the figures.
    old = "a " * 50_000
    words = old.split()
    for index in random.Random(1).sample(range(len(words)), 10):
        words[index] = "zz"
    new = " ".join(words)
    html = assert_reads_as_both(old, new)
    assert marks(html).count("ins") == 10, "a few edits in a long text are each marked on their own"
    # Far more edits than the budget affords: the changed middle is shown replaced, still correct.
    for index in random.Random(2).sample(range(len(words)), 2_000):
        words[index] = "zz"
    assert_reads_as_both(old, " ".join(words))
