from html.parser import HTMLParser

import pytest

from glossary.rendering import ALLOWED_TAGS, first_line, render_markdown

HOSTILE = [
    "<script>alert('x')</script>",
    "[click](javascript:alert(1))",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)><circle/></svg>",
    '<a href="javascript:alert(1)">x</a>',
]


def test_markdown_keeps_links_emphasis_and_lists():
    html = render_markdown("**bold** *it* [API](/terms/api/)\n\n- one\n- two")
    assert "<strong>bold</strong>" in html
    assert "<em>it</em>" in html
    assert '<a href="/terms/api/"' in html
    assert "<li>one</li>" in html


class TagCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attributes = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes.extend(attrs)


@pytest.mark.parametrize("payload", HOSTILE)
def test_markdown_never_outputs_live_html(payload):
    parsed = TagCollector()
    parsed.feed(render_markdown(payload))
    assert set(parsed.tags) <= ALLOWED_TAGS
    for name, value in parsed.attributes:
        assert not name.startswith("on")
        assert not (value or "").strip().lower().startswith("javascript:")


def test_first_line_is_plain_text_of_the_first_block():
    assert first_line("**Fully** integrated.\n\nSecond paragraph.") == "Fully integrated."


def test_script_in_a_definition_is_not_in_the_term_page(reader_client, make_term):
    term = make_term("Cookie", it_text="A small file <script>alert('pwned')</script> in the browser.")
    page = reader_client.get(term.get_absolute_url()).content.decode()
    assert "<script>alert('pwned')</script>" not in page
    assert "&lt;script&gt;alert(&#x27;pwned&#x27;)&lt;/script&gt;" in page or "&lt;script&gt;" in page
