"""The PDF laid out by Typst: user text stays text, the fonts travel with the project, letters flow on."""

import io
from dataclasses import replace

import pypdfium2
import pytest
from django.core.management import call_command
from pypdf import PdfReader

from glossary.entries import Entry
from glossary.interchange.options import ExportOptions
from glossary.interchange.pdf import render_pdf, typesetting
from glossary.interchange.pdf.fonts import REPLACEMENT, ZERO_WIDTH_SPACE
from glossary.models import Proposal, Term
from glossary.services import proposals as services
from tests.interchange.pdfs import outline_titles, pdf_text
from tests.workflow_helpers import approve

pytestmark = pytest.mark.slow

# Each would change the document if Typst read it as markup.
HOSTILE = [
    '#read("/etc/passwd")',
    '#import "x.typ"',
    "]",
    "$x$",
    "\\",
    "@label",
    "<label>",
    "//",
    "/*",
    "#set page(width: 1pt)",
]
HOSTILE_LINE = " ".join(HOSTILE)


def words(pdf: bytes) -> str:
    """The PDF's text with line breaks and the invisible break opportunities taken out."""
    return pdf_text(pdf).replace(ZERO_WIDTH_SPACE, "")


def test_typst_markup_in_every_field_is_printed_literally(make_term, make_user, it):
    long_word = "Antidisestablishment" * 500  # 10,000 characters, no space
    make_term(
        HOSTILE_LINE,
        it_text=f"{HOSTILE_LINE}\n\n{long_word}",
        marketing_text=f"- {HOSTILE_LINE}",
        abbreviation="$x$ ] @l <l> // /*",
        synonyms='#read("/etc/passwd")\n#set page(width: 1pt)',
        summary=HOSTILE_LINE,
        examples=HOSTILE_LINE,
        owner=HOSTILE_LINE,
        tags=['#import "x.typ"'],
        status=Term.Status.APPROVED,
    )
    pdf = render_pdf(ExportOptions())
    text = words(pdf)
    # Name (twice: contents and heading), IT and Marketing definitions, summary, examples, owner.
    assert text.count(HOSTILE_LINE) >= 7
    assert "$x$ ] @l <l> // /*" in text
    assert 'Also called: #read("/etc/passwd"), #set page(width: 1pt)' in text
    assert 'Tags: #import "x.typ"' in text
    # The long word breaks into lines (and pages, whose header and number come between), whole.
    assert text.count("Antidisestablishment") == 500
    assert "root:x:0:0" not in text
    reader = PdfReader(io.BytesIO(pdf))
    # `#set page(width: 1pt)` did not take effect: every page is A4.
    assert {(round(page.mediabox.width), round(page.mediabox.height)) for page in reader.pages} == {(595, 842)}
    assert HOSTILE_LINE in outline_titles(pdf)


def test_the_layout_can_read_nothing_outside_its_own_empty_folder(tmp_path, monkeypatch):
    """Even a layout that tried could not read a file beside or above the folder Typst works in."""
    secret = tmp_path / "secret.txt"
    secret.write_text("the secret")
    for target in ["/etc/passwd", str(secret), "../secret.txt"]:
        layout = tmp_path / "hostile.typ"
        layout.write_text(f'#set document(title: "x")\n#read("{target}")\n')
        monkeypatch.setattr(typesetting, "LAYOUT", layout)
        with pytest.raises(typesetting.TypesettingError) as refused:
            typesetting.typeset({})
        message = str(refused.value)
        assert message.startswith("Typst: ") and ("not found" in message or "escape the project root" in message)
        assert "the secret" not in message and "root:x" not in message


def test_a_render_that_takes_too_long_is_stopped_with_a_message(glossary_in_every_status, settings):
    settings.GLOSSARY_PDF_TIMEOUT_SECONDS = 0.01
    with pytest.raises(typesetting.TypesettingError, match="took longer than 0.01 seconds"):
        render_pdf(ExportOptions())


def test_greek_cyrillic_and_accents_print_and_a_missing_glyph_shows_a_mark(make_term):
    make_term(
        "Ζώνη",
        it_text="Жёлтый *Ąžuolas* **Ελληνικά** `Ёжик` Øresund Čeština",
        marketing_text="漢字 and 🧠 have no glyph here",
        status=Term.Status.APPROVED,
    )
    text = words(render_pdf(ExportOptions()))
    for printed in ["Ζώνη", "Жёлтый", "Ąžuolas", "Ελληνικά", "Ёжик", "Øresund", "Čeština"]:
        assert printed in text
    assert f"{REPLACEMENT}{REPLACEMENT} and {REPLACEMENT} have no glyph here" in text


def test_the_same_glossary_gives_the_same_pdf(glossary_in_every_status):
    assert render_pdf(ExportOptions()) == render_pdf(ExportOptions())


def test_a_deprecated_term_says_which_to_use_instead(make_term, ada, ivan, marco):
    old = make_term("Web 2.0", it_text="Sites people write in.", marketing_text="Social.", status=Term.Status.APPROVED)
    new = make_term("Social media", it_text="Platforms.", marketing_text="Channels.", status=Term.Status.APPROVED)
    entry = replace(Entry.from_term(old), status=Term.Status.DEPRECATED)
    proposal = services.proposal_create(
        author=ada, reason="Gone", entry=entry, term=old, kind=Proposal.Kind.DEPRECATE, replaced_by=new
    )
    approve(proposal, ivan)
    approve(proposal, marco)
    text = words(render_pdf(ExportOptions(status="deprecated")))
    assert "Web 2.0" in text and "Use Social media instead." in text


def test_one_term_pdf_has_no_cover_and_its_name_as_title(glossary_in_every_status):
    term = Term.objects.get(name="API")
    pdf = render_pdf(ExportOptions(term=term.slug))
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.metadata.title == "API"
    assert len(reader.pages) == 1 and "Contents" not in reader.pages[0].extract_text()
    assert outline_titles(pdf) == ["API"]


def test_an_export_with_no_terms_says_so_after_the_cover(glossary_in_every_status):
    reader = PdfReader(io.BytesIO(render_pdf(ExportOptions(query="no such word anywhere"))))
    assert len(reader.pages) == 2
    assert "No terms match this export." in reader.pages[1].extract_text()
    assert "Contents" not in reader.pages[1].extract_text()


def test_cover_names_the_filters_of_the_export(glossary_in_every_status):
    reader = PdfReader(io.BytesIO(render_pdf(ExportOptions(tag="customer-experience", query="channel"))))
    cover = " ".join(reader.pages[0].extract_text().split())
    assert "Only terms with tag Customer experience, matching “channel”." in cover


def _content_bottoms(pdf: bytes) -> list[float]:
    """Per page, how far down the text reaches, as a share of the page's text area (0 top, 1 bottom).
    The running header and the page number are left out."""
    document = pypdfium2.PdfDocument(pdf)
    shares = []
    for page in document:
        height = page.get_height()
        top, bottom = height - 20 / 25.4 * 72, 18 / 25.4 * 72  # the page's margins
        text = page.get_textpage()
        lowest = top
        for index in range(text.count_rects()):
            left, rect_bottom, right, rect_top = text.get_rect(index)
            if bottom < rect_bottom and rect_top < top:
                lowest = min(lowest, rect_bottom)
        shares.append((top - lowest) / (top - bottom))
    return shares


def test_letters_flow_on_and_no_page_after_the_contents_is_less_than_half_full(db):
    call_command("load_demo", verbosity=0)
    pdf = render_pdf(ExportOptions())
    reader = PdfReader(io.BytesIO(pdf))
    first_term_page = next(n for n, page in enumerate(reader.pages) if "Contents" not in page.extract_text() and n > 0)
    fills = _content_bottoms(pdf)[first_term_page:-1]
    assert fills and min(fills) > 0.5, fills
    # Some page holds the end of one letter and the start of the next.
    letters = [title for title in outline_titles(pdf) if len(title) == 1]
    starts = {}
    for n, page in enumerate(reader.pages[first_term_page:], start=first_term_page):
        for line in page.extract_text().splitlines():
            if line.strip() in letters:
                starts.setdefault(n, []).append(line.strip())
    assert any(len(on_page) > 1 for on_page in starts.values()) or len(reader.pages) - first_term_page < len(letters)


def test_an_overdue_term_is_marked_and_every_term_shows_its_review_date(make_term):
    import datetime

    from django.utils import timezone

    today = timezone.localdate()
    overdue = make_term("Funnel", it_text="Stages.", marketing_text="Steps.", status=Term.Status.APPROVED)
    current = make_term("Lead", it_text="A row.", marketing_text="A person.", status=Term.Status.APPROVED)
    # Dates set as a past review would have left them (a proposal may not choose a past date).
    Term.objects.filter(pk=overdue.pk).update(review_by=today - datetime.timedelta(days=3))
    Term.objects.filter(pk=current.pk).update(review_by=today + datetime.timedelta(days=200))
    text = words(render_pdf(ExportOptions()))
    overdue_since = (today - datetime.timedelta(days=3)).strftime("%-d %B %Y")
    assert text.count("Review overdue since") == 1
    assert f"Funnel Approved Review overdue since {overdue_since}." in text
    assert f"Review by: {(today + datetime.timedelta(days=200)).strftime('%-d %B %Y')}" in text


def test_the_state_page_carries_the_dashboards_figures_when_asked_for(glossary_in_every_status, reader_client):
    from django.urls import reverse
    from django.utils import timezone

    from glossary.dashboard.selectors import dashboard_figures
    from glossary.dashboard.tables import dashboard_sections

    without = render_pdf(ExportOptions())
    assert "State of our common language" not in words(without)
    response = reader_client.get(reverse("glossary:glossary_pdf"), {"state": "on"})
    assert response["Content-Type"] == "application/pdf"
    assert "-with-state-" in response["Content-Disposition"]
    text = " ".join(words(response.content).split())
    assert "State of our common language" in outline_titles(response.content)
    assert "Figures for the whole glossary on" in text
    for _, heading, tables in dashboard_sections(dashboard_figures(now=timezone.now())):
        assert heading in text
        for table in tables:
            assert table.title in text and " ".join(table.summary.split()) in text
            for row in table.rows:
                assert all(str(cell) in text for cell in row.cells if cell is not None)


def test_the_state_page_follows_the_exports_tag_and_a_one_term_pdf_has_none(glossary_in_every_status):
    text = " ".join(words(render_pdf(ExportOptions(tag="customer-experience", state=True))).split())
    assert "Figures for terms tagged Customer experience on" in text
    api = Term.objects.get(name="API")
    assert "State of our common language" not in words(render_pdf(ExportOptions(term=api.slug, state=True)))


def test_the_export_command_adds_the_state_page_on_request(glossary_in_every_status, tmp_path):
    out = tmp_path / "g.pdf"
    call_command("export_pdf", str(out), "--state", stderr=io.StringIO())
    assert "State of our common language" in outline_titles(out.read_bytes())
