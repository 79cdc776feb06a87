"""Markdown reaches the PDF as a tree of plain data, built from the same parser as the pages."""

import pytest

from glossary.interchange.pdf.fonts import REPLACEMENT, ZERO_WIDTH_SPACE, printable
from glossary.interchange.pdf.markdown import markdown_tree


def test_paragraphs_emphasis_code_and_line_breaks():
    tree = markdown_tree("A *soft* and **strong** `code`\nnext line  \nhard break\n\nSecond.", set())
    assert tree == [
        {
            "p": [
                "A ",
                {"em": ["soft"]},
                " and ",
                {"strong": ["strong"]},
                " ",
                {"code": "code"},
                " next line",
                {"br": True},
                "hard break",
            ]
        },
        {"p": ["Second."]},
    ]


def test_lists_nest_and_ordered_lists_keep_their_start():
    tree = markdown_tree("3. three\n4. four\n   - inner\n", set())
    [ordered] = tree
    assert ordered["start"] == 3
    assert ordered["ol"][0] == [{"p": ["three"]}]
    assert ordered["ol"][1] == [{"p": ["four"]}, {"ul": [[{"p": ["inner"]}]]}]


def test_links_to_exported_terms_stay_inside_the_pdf_others_go_to_the_site(settings):
    settings.SITE_URL = "https://glossary.example.com"
    tree = markdown_tree(
        "[in](/terms/api/) [out](/terms/lead/) [web](https://w3.org/x) [mail](mailto:a@b.c) [rel](/tags/)", {"api"}
    )
    links = [node for node in tree[0]["p"] if isinstance(node, dict)]
    assert links == [
        {"link": ["in"], "term": "api"},
        {"link": ["out"], "url": "https://glossary.example.com/terms/lead/"},
        {"link": ["web"], "url": "https://w3.org/x"},
        {"link": ["mail"], "url": "mailto:a@b.c"},
        {"link": ["rel"], "url": "https://glossary.example.com/tags/"},
    ]


def test_a_text_parsed_once_serves_every_pdf_with_its_own_links(settings):
    from glossary.interchange.pdf.markdown import _parsed

    settings.SITE_URL = "https://glossary.example.com"
    text = "An [API](/terms/api/) *with* a [site](/tags/) link, unique to this test."
    inside = markdown_tree(text, {"api"})
    outside = markdown_tree(text, {"lead"})
    misses = _parsed.cache_info().misses
    assert markdown_tree(text, {"api", "lead"}) == inside  # settling one PDF's links left the shared tree open
    assert _parsed.cache_info().misses == misses  # and the text was not parsed again
    assert inside[0]["p"][1] == {"link": ["API"], "term": "api"}
    assert outside[0]["p"][1] == {"link": ["API"], "url": "https://glossary.example.com/terms/api/"}
    assert inside[0]["p"][5] == outside[0]["p"][5] == {"link": ["site"], "url": "https://glossary.example.com/tags/"}
    # Another site address is another tree.
    settings.SITE_URL = "https://terms.example.org"
    assert markdown_tree(text, set())[0]["p"][1] == {"link": ["API"], "url": "https://terms.example.org/terms/api/"}


@pytest.mark.parametrize("href", ["javascript:alert(1)", "file:///etc/passwd", "data:text/html,x", "ftp://x.example/"])
def test_a_link_the_site_would_not_follow_is_text_alone(href):
    [paragraph] = markdown_tree(f"[click]({href})", set())
    assert all("url" not in node and "term" not in node for node in paragraph["p"] if isinstance(node, dict))
    assert "click" in str(paragraph)


def test_images_are_their_description_and_headings_quotes_code_and_rules_are_kept():
    tree = markdown_tree(
        "# Title\n\n![a chart](http://x.example/c.png)\n\n> quoted\n\n    code block\n\n---\n\n<b>raw</b>", set()
    )
    assert tree == [
        {"h": ["Title"]},
        {"p": ["a chart"]},
        {"quote": [{"p": ["quoted"]}]},
        {"pre": "code block"},
        {"hr": True},
        {"p": ["<b>raw</b>"]},  # raw HTML is off: it is text, as on the pages
    ]


def test_typst_syntax_in_the_text_is_plain_text():
    source = '#read("/etc/passwd") $x$ ] @label <label> // /* #set page(width: 1pt)'
    [paragraph] = markdown_tree(source, set())
    assert "".join(node for node in paragraph["p"] if isinstance(node, str)) == source


def test_printable_replaces_what_no_font_draws_and_drops_controls():
    assert printable("Ζώνη Жёлтый Ąžuolas") == "Ζώνη Жёлтый Ąžuolas"
    assert printable("漢字 🧠 ก") == f"{REPLACEMENT}{REPLACEMENT} {REPLACEMENT} {REPLACEMENT}"
    assert printable("a\x00b\x1bc\x7fd\ud800") == "abcd"
    assert printable("line\nbreak\ttab") == "line\nbreak\ttab"


def test_printable_lets_an_overlong_word_break():
    word = "x" * 10_000
    out = printable(word)
    assert out.replace(ZERO_WIDTH_SPACE, "") == word
    assert max(len(piece) for piece in out.split(ZERO_WIDTH_SPACE)) <= 40
    assert printable("ordinary words stay whole") == "ordinary words stay whole"
