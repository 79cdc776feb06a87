"""E-mails the workflow sends: to approvers when a proposal waits for them, to authors on decisions.

Plain-text only, so nothing a user typed can run in a mail reader. Sent by the task worker on the
mail queue (glossary.mail.tasks), queued when the workflow's events (glossary.events) have committed.
"""

from django.conf import settings
from django.core.mail import send_mass_mail

from glossary import workflow
from glossary.models import Proposal, SignOff
from glossary.selectors.departments import approvers_of


def _link(proposal: Proposal) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{proposal.get_absolute_url()}"


def _send(subject: str, body: str, recipients) -> int:
    addresses = sorted({u.email for u in recipients if u.email})
    if not addresses:
        return 0
    messages = [(f"[Common Ground] {subject}", body, settings.DEFAULT_FROM_EMAIL, [address]) for address in addresses]
    return send_mass_mail(messages, fail_silently=False)


def proposal_waiting(proposal_id: int) -> int:
    proposal = Proposal.objects.select_related("author").get(pk=proposal_id)
    waiting = workflow.awaiting_departments(proposal)
    recipients = [u for u in approvers_of(waiting) if u.pk != proposal.author_id]
    verb = "is waiting for your sign-off" if proposal.revision == 1 else f"changed (revision {proposal.revision})"
    body = (
        f"{proposal.author} proposed: {proposal.get_kind_display()} “{proposal.name}”.\n\n"
        f"Reason: {proposal.reason}\n\nReview it: {_link(proposal)}\n"
    )
    return _send(f"“{proposal.name}” {verb}", body, recipients)


def proposal_decided(proposal_id: int, sign_off_id: int) -> int:
    proposal = Proposal.objects.select_related("author").get(pk=proposal_id)
    sign_off = SignOff.objects.select_related("approver", "department").get(pk=sign_off_id)
    body = (
        f"{sign_off.approver} ({sign_off.department}) {sign_off.get_decision_display().lower()} "
        f"on your proposal “{proposal.name}”.\n\n{sign_off.comment}\n\nOpen it: {_link(proposal)}\n"
    )
    return _send(f"“{proposal.name}”: {sign_off.get_decision_display().lower()}", body, [proposal.author])


def proposal_published(proposal_id: int) -> int:
    proposal = Proposal.objects.select_related("author", "term").get(pk=proposal_id)
    body = (
        f"Every department approved your proposal “{proposal.name}”. It is now the official entry:\n"
        f"{settings.SITE_URL.rstrip('/')}{proposal.term.get_absolute_url()}\n"
    )
    return _send(f"“{proposal.name}” is approved", body, [proposal.author])


def proposal_out_of_date(proposal_id: int) -> int:
    proposal = Proposal.objects.select_related("author").get(pk=proposal_id)
    body = (
        f"The term changed after you proposed “{proposal.name}”, so it cannot be published as it is.\n"
        f"Update it onto the current version and it goes back to review: {_link(proposal)}\n"
    )
    return _send(f"“{proposal.name}” is out of date", body, [proposal.author])
