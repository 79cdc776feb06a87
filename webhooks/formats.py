"""The body of a delivery: the Standard Webhooks JSON envelope, or a chat message.

Slack's incoming webhooks take `{"text": ...}` in their mrkdwn; Teams' incoming webhooks (the
Workflows "when a Teams webhook request is received" flow) take a message with an Adaptive Card.
Both say what happened, link the term (or the proposal) and give each department's one-line
definition. Everything comes from the stored payload, so every retry sends the same bytes.
"""

import json

from webhooks import payloads
from webhooks.models import WebhookEndpoint

Format = WebhookEndpoint.Format


def headline(envelope: dict) -> str:
    """One sentence saying what happened, in plain words."""
    kind, data = envelope["type"], envelope["data"]
    proposal, term = data.get("proposal") or {}, data.get("term") or {}
    if kind == payloads.PROPOSAL_OPENED:
        return f"{proposal['author']} proposed a change to the glossary: “{proposal['name']}”."
    if kind == payloads.PROPOSAL_DECIDED:
        decision = data["decision"]
        return (
            f"{decision['approver']} ({decision['department']}) {decision['label'].lower()} "
            f"the proposal “{proposal['name']}”."
        )
    if kind == payloads.TERM_PUBLISHED:
        return f"“{term['name']}” is published: every department approved it."
    if kind == payloads.TERM_DEPRECATED:
        instead = data.get("replaced_by")
        return f"“{term['name']}” is deprecated." + (f" Use “{instead['name']}” instead." if instead else "")
    if kind == payloads.TERM_REVIEW_DUE:
        return f"“{term['name']}” is due for review by {data['review_by']}."
    return data.get("message") or kind


def _subject(envelope: dict) -> dict | None:
    """What the message links to: the term once there is one, else the proposal."""
    data = envelope["data"]
    if envelope["type"] in (payloads.PROPOSAL_OPENED, payloads.PROPOSAL_DECIDED):
        return data.get("proposal")
    return data.get("term") or data.get("proposal")


def _slack_escape(text: str) -> str:
    # Slack reads &, < and > as markup; everything else is shown as written.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_message(envelope: dict) -> dict:
    lines = [_slack_escape(headline(envelope))]
    subject = _subject(envelope)
    if subject:
        lines.append(f"<{subject['url']}|{_slack_escape(subject['name'])}>")
        lines += [f"• *{_slack_escape(d['department'])}*: {_slack_escape(d['text'])}" for d in subject["definitions"]]
    return {"text": "\n".join(lines)}


def teams_message(envelope: dict) -> dict:
    body = [{"type": "TextBlock", "text": headline(envelope), "wrap": True, "weight": "Bolder"}]
    actions = []
    subject = _subject(envelope)
    if subject:
        body.append(
            {
                "type": "FactSet",
                "facts": [{"title": d["department"], "value": d["text"]} for d in subject["definitions"]],
            }
        )
        actions.append({"type": "Action.OpenUrl", "title": f"Open “{subject['name']}”", "url": subject["url"]})
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
        "actions": actions,
    }
    # Plain `text` too, for receivers that show only that.
    text = headline(envelope) + (f" {subject['url']}" if subject else "")
    return {
        "type": "message",
        "text": text,
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}
        ],
    }


def body(endpoint_format: str, envelope: dict) -> bytes:
    if endpoint_format == Format.SLACK:
        message = slack_message(envelope)
    elif endpoint_format == Format.TEAMS:
        message = teams_message(envelope)
    else:
        message = envelope
    return json.dumps(message, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
