"""The e-mails of watching: a change as it happens, a daily digest, an approver's reminder.

Plain text only, like every mail the glossary sends. Each watcher's mail carries a signed link that
removes the watches it came from without logging in, also as a `List-Unsubscribe` header (with
`List-Unsubscribe-Post`, RFC 8058, so a mail program's own unsubscribe button works in one click).
"""

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.urls import reverse

from glossary.models import Proposal, WatchNotice
from glossary.selectors.watching import UNSUBSCRIBE_SALT


def absolute(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def unsubscribe_url(user_id: int, watches) -> str:
    token = signing.dumps({"u": user_id, "w": sorted({w.pk for w in watches})}, salt=UNSUBSCRIBE_SALT, compress=True)
    return absolute(reverse("glossary:unsubscribe", kwargs={"token": token}))


def _message(subject: str, body: str, address: str, unsubscribe: str | None = None) -> EmailMessage:
    headers = {}
    if unsubscribe:
        headers = {"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    return EmailMessage(f"[Common Ground] {subject}", body, settings.DEFAULT_FROM_EMAIL, [address], headers=headers)


def _footer(watches, unsubscribe: str) -> str:
    watched = "; ".join(sorted({w.describe() for w in watches}))
    return (
        f"\n-- \nYou get this because you watch {watched}.\n"
        f"Stop: {unsubscribe}\nAll your watches: {absolute(reverse('glossary:my_watches'))}\n"
    )


def notice_message(notice: WatchNotice) -> EmailMessage:
    """One change, mailed as it happens."""
    link = unsubscribe_url(notice.user_id, [notice.watch])
    body = f"{notice.headline}\n\n{absolute(notice.link)}\n" + _footer([notice.watch], link)
    return _message(notice.headline, body, notice.user.email, link)


def digest_message(user, notices: list[WatchNotice]) -> EmailMessage:
    """Every change since the last digest, in the order they happened, each once."""
    watches = {n.watch_id: n.watch for n in notices}.values()
    link = unsubscribe_url(user.pk, watches)
    lines = [f"{len(notices)} change{'s' if len(notices) != 1 else ''} in the glossary since your last digest:\n"]
    for notice in notices:
        lines.append(f"- {notice.created_at:%d %b %H:%M} · {notice.headline}\n  {absolute(notice.link)}")
    body = "\n".join(lines) + "\n" + _footer(watches, link)
    subject = f"Daily digest: {len(notices)} change{'s' if len(notices) != 1 else ''}"
    return _message(subject, body, user.email, link)


def reminder_message(proposal: Proposal, department, days: int, address: str) -> EmailMessage:
    body = (
        f"“{proposal.name}” ({proposal.get_kind_display().lower()}, revision {proposal.revision}, "
        f"proposed by {proposal.author}) has waited {days} days for {department}'s sign-off.\n\n"
        f"Review it: {absolute(proposal.get_absolute_url())}\n"
        f"Everything waiting for you: {absolute(reverse('glossary:sign_off_queue'))}\n"
    )
    return _message(f"Reminder: “{proposal.name}” waits for {department}", body, address)
