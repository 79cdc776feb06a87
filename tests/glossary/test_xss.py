"""Hostile Markdown and HTML in every field people can write ends up inert wherever it is shown."""

import io
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.urls import reverse
from pypdf import PdfReader

from glossary.entries import Entry
from glossary.interchange.options import ExportOptions
from glossary.interchange.pdf import render_pdf
from glossary.services import proposals as services
from tests.workflow_helpers import approve, outside_a_transaction, send_queued_mail

PAYLOAD = (
    "<script>alert('x')</script> [click](javascript:alert(1)) <img src=x onerror=alert(1)> "
    '<svg onload=alert(1)><circle/></svg> <a href="javascript:alert(2)">a</a> '
    '<iframe src="https://evil.example"></iframe> <object data=x></object>'
)
# Short fields get a payload that fits them.
SHORT = "<b onmouseover=x>s</b>"


class LiveMarkup(HTMLParser):
    """Collects what a browser would run: inline scripts, handlers, javascript: URLs, embeds."""

    def __init__(self):
        super().__init__()
        self.problems = []
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        source = attributes.get("src") or ""
        # A JSON-LD block is data a browser never runs; its text is checked for escapes elsewhere.
        data_block = attributes.get("type") == "application/ld+json" and not source
        if tag == "script" and not data_block and not (source.startswith("/") and not source.startswith("//")):
            self.problems.append(f"<script {attrs}>")  # inline, or from another site
        if tag in {"iframe", "object", "embed", "svg"}:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{tag} {name}=")
            if name in {"href", "src", "action", "formaction", "data"} and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"{tag} {name}={value}")


def live_markup(html: str) -> list[str]:
    parser = LiveMarkup()
    parser.feed(html)
    return parser.problems


@pytest.fixture
def hostile(ada, ivan, marco, maya, it, marketing, django_capture_on_commit_callbacks):
    entry = Entry(
        name="XSS <script>alert(1)</script>",
        abbreviation=SHORT,
        synonyms=f"{SHORT}\nsynonym <img src=x onerror=alert(1)>",
        summary=PAYLOAD,
        examples=PAYLOAD,
        tags=(f"tag {SHORT}",),
        definitions={it.pk: PAYLOAD, marketing.pk: PAYLOAD},
    )
    with django_capture_on_commit_callbacks(execute=True):
        published = services.proposal_create(author=ada, reason=PAYLOAD, entry=entry)
        approve(published, ivan, comment=PAYLOAD)
        approve(published, marco, comment=PAYLOAD)
    published.refresh_from_db()
    term = published.term
    with django_capture_on_commit_callbacks(execute=True):
        pending = services.proposal_create(
            author=maya,
            reason=PAYLOAD,
            term=term,
            entry=Entry(**{**Entry.from_term(term).__dict__, "summary": PAYLOAD + " v2"}),
        )
        services.proposal_comment(proposal=pending, user=ivan, body=PAYLOAD)
        pending.refresh_from_db()
        services.proposal_request_changes(proposal=pending, user=marco, comment=PAYLOAD, seen_revision=1)
    return term, pending


def test_hostile_input_is_inert_in_every_page(client, hostile, ivan, admin_user):
    term, proposal = hostile
    client.force_login(ivan)
    pages = [
        reverse("glossary:term_list"),
        reverse("glossary:term_list") + "?q=" + "%3Cscript%3E",
        term.get_absolute_url(),
        reverse("glossary:term_history", args=[term.slug]),
        proposal.get_absolute_url(),
        reverse("glossary:my_proposals"),
        reverse("glossary:sign_off_queue"),
        reverse("glossary:term_propose_change", args=[term.slug]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert live_markup(response.content.decode()) == [], url
    assert "&lt;script&gt;" in client.get(term.get_absolute_url()).content.decode()

    client.force_login(admin_user)
    for url in [
        reverse("admin:glossary_term_changelist"),
        reverse("admin:glossary_term_change", args=[term.pk]),
        reverse("admin:glossary_term_history", args=[term.pk]),
        reverse("admin:glossary_proposal_change", args=[proposal.pk]),
        reverse("admin:glossary_comment_changelist"),
        reverse("admin:glossary_tag_changelist"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        problems = [
            p for p in live_markup(response.content.decode()) if "script" in p or " on" in p or "javascript" in p
        ]
        assert problems == [], url


@outside_a_transaction
def test_hostile_input_is_plain_text_in_emails(hostile):
    send_queued_mail()
    assert mail.outbox, "the workflow sent e-mails"
    for message in mail.outbox:
        assert message.content_subtype == "plain"
        assert not getattr(message, "alternatives", None)


@pytest.mark.slow
def test_hostile_input_is_inert_in_the_pdf(hostile):
    term, _ = hostile
    pdf = render_pdf(ExportOptions(term=term.slug))
    raw = pdf.decode("latin-1")
    assert "/JavaScript" not in raw and "/JS " not in raw
    reader = PdfReader(io.BytesIO(pdf))
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action is not None:
                uri = str(action.get_object().get("/URI", ""))
                assert not uri.lower().startswith("javascript"), uri
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "<script>" in text, "the payload is printed as text, not interpreted"
