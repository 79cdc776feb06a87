"""The mail queue: the e-mail a change made in a web request causes, sent by the task worker
(`manage.py db_worker --queue-name mail`) once the change has committed, so that nobody's click
waits on the mail server. Each task is given ids and reads the rest when it runs.

The `queue_*` functions are the workflow's events' subscribers (glossary.events, subscribed in
GlossaryConfig.ready()): called after commit, each queues one task. Mail the clock sends (digests,
reminders, review warnings) goes from `glossary_tick` itself.
"""

from django.utils import timezone
from django_tasks import task

from glossary import events, queues
from glossary.mail import proposals
from glossary.models import SignOff
from glossary.services import watching


@task(queue_name=queues.MAIL)
def mail_proposal_waiting(proposal_id: int) -> int:
    return proposals.proposal_waiting(proposal_id)


@task(queue_name=queues.MAIL)
def mail_proposal_decided(proposal_id: int, sign_off_id: int) -> int:
    return proposals.proposal_decided(proposal_id, sign_off_id)


@task(queue_name=queues.MAIL)
def mail_proposal_published(proposal_id: int) -> int:
    return proposals.proposal_published(proposal_id)


@task(queue_name=queues.MAIL)
def mail_proposal_out_of_date(proposal_id: int) -> int:
    return proposals.proposal_out_of_date(proposal_id)


@task(queue_name=queues.MAIL)
def mail_watch_notices(event_key: str) -> int:
    """Mail the immediate watch notices of one change (its key names it in WatchNotice).

    Each notice is claimed before it is sent and marked sent after, so one that `glossary_tick` has
    sent meanwhile is not sent again; one whose mail fails is left for the next tick.
    """
    return watching.send_immediate(now=timezone.now(), event_key=event_key)


def queue_waiting_mail(event: events.ProposalOpened | events.ProposalRevised) -> None:
    """A new proposal or revision: the approvers it waits for hear of it."""
    mail_proposal_waiting.enqueue(event.proposal_id)


def queue_decision_mail(event: events.ProposalDecided) -> None:
    """Changes requested or rejected: the author hears why. An approval tells the author nothing
    until the last one publishes."""
    if event.decision != SignOff.Decision.APPROVE:
        mail_proposal_decided.enqueue(event.proposal_id, event.sign_off_id)


def queue_published_mail(event: events.ProposalPublished | events.TermDeprecated) -> None:
    mail_proposal_published.enqueue(event.proposal_id)


def queue_out_of_date_mail(event: events.ProposalOutOfDate) -> None:
    mail_proposal_out_of_date.enqueue(event.proposal_id)


def queue_watch_mail(event: events.Event) -> None:
    """The immediate notices `watching.watch_notices_record` recorded in the change's transaction."""
    mail_watch_notices.enqueue(watching.notice_key(event))
