"""The bodies a webhook sends: the standard envelope, Slack's message, Teams' adaptive card."""

import json

import pytest

from glossary.models import Term
from webhooks import formats, payloads
from webhooks.models import WebhookEndpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def published_envelope(make_term):
    term = make_term(
        "Lead",
        it_text="A **record** in the CRM.\n\nCreated by the web form.",
        marketing_text="- A person who showed interest\n- and gave their e-mail",
        status=Term.Status.APPROVED,
    )
    return term, {
        "type": payloads.TERM_PUBLISHED,
        "timestamp": "2026-11-26T10:00:00+00:00",
        "data": {"term": payloads.term_data(term), "proposal": None},
    }


def test_a_slack_body_says_what_happened_links_the_term_and_gives_each_departments_first_line(published_envelope):
    term, envelope = published_envelope
    message = json.loads(formats.body(WebhookEndpoint.Format.SLACK, envelope))
    assert list(message) == ["text"]
    lines = message["text"].split("\n")
    assert lines[0] == "“Lead” is published: every department approved it."
    assert lines[1] == f"<http://127.0.0.1:8000{term.get_absolute_url()}|Lead>"
    assert lines[2:] == ["• *IT*: A record in the CRM.", "• *Marketing*: A person who showed interest"]


def test_slack_markup_in_a_name_is_shown_as_written():
    envelope = {"type": payloads.TEST, "data": {"message": "a <b> & c", "term": None, "proposal": None}}
    assert json.loads(formats.body("slack", envelope)) == {"text": "a &lt;b&gt; &amp; c"}


def test_a_teams_body_is_an_adaptive_card_with_the_definitions_and_a_link(published_envelope):
    term, envelope = published_envelope
    message = json.loads(formats.body(WebhookEndpoint.Format.TEAMS, envelope))
    assert message["type"] == "message"
    (attachment,) = message["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard"
    assert card["body"][0]["text"] == "“Lead” is published: every department approved it."
    assert card["body"][1]["facts"] == [
        {"title": "IT", "value": "A record in the CRM."},
        {"title": "Marketing", "value": "A person who showed interest"},
    ]
    assert card["actions"] == [
        {"type": "Action.OpenUrl", "title": "Open “Lead”", "url": f"http://127.0.0.1:8000{term.get_absolute_url()}"}
    ]


def test_a_standard_body_is_the_envelope_itself(published_envelope):
    _, envelope = published_envelope
    assert json.loads(formats.body(WebhookEndpoint.Format.STANDARD, envelope)) == envelope
