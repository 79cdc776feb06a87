"""`manage.py glossary_tick`: daily digests, review-date warnings and approvers' reminders, each
sent once however often the tick runs. The clock is passed explicitly (`--now`), or frozen where
the workflow reads it."""

import datetime
import smtplib
from dataclasses import replace
from io import StringIO
from unittest import mock

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import CommandError, call_command
from django.utils import timezone

from glossary.entries import Entry
from glossary.models import ApproverReminder, Term, Watch, WatchNotice
from glossary.services import proposals as services
from glossary.services.tick import glossary_tick
from glossary.services.watching import watch_set
from tests.databases import postgres_only, run_together
from tests.workflow_helpers import approve, new_term_entry, outside_a_transaction, send_queued_mail

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
IMMEDIATE, DAILY = Watch.Delivery.IMMEDIATE, Watch.Delivery.DAILY


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, 3, day, hour, minute, second, tzinfo=UTC)


def frozen(moment: datetime.datetime):
    return mock.patch("django.utils.timezone.now", return_value=moment)


def tick(moment: datetime.datetime) -> str:
    out = StringIO()
    call_command("glossary_tick", "--now", moment.isoformat(), stdout=out)
    return out.getvalue()


def mails_to(mailoutbox, user):
    return [m for m in mailoutbox if m.to == [user.email]]


@pytest.fixture(autouse=True)
def digest_at_seven(settings):
    settings.GLOSSARY_DIGEST_HOUR = 7
    settings.TIME_ZONE = "UTC"
    settings.GLOSSARY_REMINDER_DAYS = 3


@pytest.fixture
def platform(make_term):
    with frozen(at(1, 9)):
        return make_term("Platform", it_text="Tools.", marketing_text="A system.", status=Term.Status.APPROVED)


@outside_a_transaction
def test_a_digest_holds_each_change_once_and_a_second_tick_sends_nothing(ada, ivan, marco, maya, platform, mailoutbox):
    watch_set(user=maya, term=platform, delivery=DAILY)
    watch_set(user=maya, delivery=DAILY)  # the same changes reach her through two watches
    with frozen(at(10, 10)):
        proposal = services.proposal_create(
            author=ada,
            reason="Say it better",
            term=platform,
            entry=replace(Entry.from_term(platform), summary="Shared tools."),
        )
        approve(proposal, ivan)
        approve(proposal, marco)
    send_queued_mail()
    assert mails_to(mailoutbox, maya) == []  # a digest, not a mail per change

    assert "daily digests sent: 0" in tick(at(10, 12))  # before the next digest hour
    assert "daily digests sent: 1" in tick(at(11, 7, 5))
    [digest] = mails_to(mailoutbox, maya)
    assert digest.subject == "[Common Ground] Daily digest: 2 changes"
    assert digest.body.count("proposed change of “Platform”") == 1
    assert digest.body.count("“Platform” changed: Say it better") == 1
    assert "Stop: http" in digest.body and "List-Unsubscribe" in digest.extra_headers

    assert "daily digests sent: 0" in tick(at(11, 7, 5, 30))
    assert "daily digests sent: 0" in tick(at(12, 7, 5))
    assert len(mails_to(mailoutbox, maya)) == 1
    assert not WatchNotice.objects.filter(sent_at=None).exists()


def test_a_change_after_the_digest_goes_in_the_next_one_only(ada, maya, platform, mailoutbox):
    watch_set(user=maya, term=platform, delivery=DAILY)
    with frozen(at(10, 10)):
        services.proposal_create(
            author=ada, reason="First", term=platform, entry=replace(Entry.from_term(platform), summary="One.")
        )
    tick(at(11, 7))
    with frozen(at(11, 9)):
        services.proposal_create(
            author=ada, reason="Second", term=platform, entry=replace(Entry.from_term(platform), summary="Two.")
        )
    tick(at(11, 10))
    tick(at(12, 7))
    first, second = mails_to(mailoutbox, maya)
    assert "First" in first.body and "Second" not in first.body
    assert "Second" in second.body and "First" not in second.body


def test_a_notice_claimed_by_another_tick_is_not_sent_again_until_that_claim_is_stale(ada, maya, platform, mailoutbox):
    watch_set(user=maya, term=platform, delivery=DAILY)
    with frozen(at(10, 10)):
        services.proposal_create(
            author=ada, reason="First", term=platform, entry=replace(Entry.from_term(platform), summary="One.")
        )
    # Another process took it at 07:00 and has not finished (or died).
    WatchNotice.objects.update(claimed_at=at(11, 7), claim="another-process")
    assert "daily digests sent: 0" in tick(at(11, 7, 1))
    assert "daily digests sent: 1" in tick(at(11, 7, 20))
    assert len(mails_to(mailoutbox, maya)) == 1


def test_a_watched_term_warns_once_when_its_review_comes_due_and_once_when_overdue(maya, platform, mailoutbox):
    Term.objects.filter(pk=platform.pk).update(review_by=datetime.date(2026, 4, 1))
    watch_set(user=maya, term=platform, delivery=IMMEDIATE)
    assert "review-date warnings recorded: 0" in tick(at(1, 12))  # 31 days ahead: not yet
    assert "review-date warnings recorded: 1" in tick(at(2, 12))
    assert "review-date warnings recorded: 0" in tick(at(2, 12, 1))
    assert [m.subject for m in mails_to(mailoutbox, maya)] == [
        "[Common Ground] “Platform” is due for review by 1 April 2026"
    ]
    tick(at(31, 23))
    assert len(mails_to(mailoutbox, maya)) == 1
    tick(datetime.datetime(2026, 4, 2, 8, tzinfo=UTC))
    tick(datetime.datetime(2026, 4, 2, 8, 1, tzinfo=UTC))
    assert [m.subject for m in mails_to(mailoutbox, maya)][1:] == [
        "[Common Ground] “Platform” is overdue for review (review by 1 April 2026)"
    ]


def test_review_warnings_reach_only_watchers(ada, platform, mailoutbox):
    Term.objects.filter(pk=platform.pk).update(review_by=datetime.date(2026, 3, 5))
    assert "review-date warnings recorded: 0" in tick(at(10, 12))
    assert mailoutbox == []


def test_approvers_are_reminded_after_n_days_and_not_again_within_the_next_n(
    ada, ivan, marco, it, marketing, mailoutbox, django_capture_on_commit_callbacks
):
    with frozen(at(1, 9)):
        proposal = services.proposal_create(author=ada, reason="Settle it", entry=new_term_entry(it, marketing))
    assert "approver reminders sent: 0" in tick(at(4, 8, 59))  # 2 days 23 h 59 min
    assert "approver reminders sent: 2" in tick(at(4, 9))
    assert "approver reminders sent: 0" in tick(at(4, 9, 1))
    assert "approver reminders sent: 0" in tick(at(6, 9))
    [to_ivan] = mails_to(mailoutbox, ivan)
    assert to_ivan.subject == "[Common Ground] Reminder: “Omnichannel” waits for IT"
    assert f"/proposals/{proposal.pk}/" in to_ivan.body and "waited 3 days" in to_ivan.body
    assert len(mails_to(mailoutbox, marco)) == 1

    with frozen(at(6, 9)):
        approve(proposal, ivan)  # IT has signed; only Marketing is still waited on
    assert "approver reminders sent: 1" in tick(at(7, 9))
    assert (len(mails_to(mailoutbox, ivan)), len(mails_to(mailoutbox, marco))) == (1, 2)
    assert ApproverReminder.objects.count() == 3


def test_a_new_revision_starts_the_wait_again(ada, ivan, it, marketing, mailoutbox):
    with frozen(at(1, 9)):
        proposal = services.proposal_create(author=ada, reason="Settle it", entry=new_term_entry(it, marketing))
    with frozen(at(3, 9)):
        services.proposal_update(
            proposal=proposal,
            user=ada,
            reason="Clearer",
            seen_revision=1,
            entry=new_term_entry(it, marketing, it_text="Clearer."),
        )
    assert "approver reminders sent: 0" in tick(at(5, 9))
    assert "approver reminders sent: 1" in tick(at(6, 9))  # Ivan, for IT; Marketing has no approver here


def test_the_tick_run_twice_at_the_same_moment_sends_nothing_twice(
    ada, ivan, maya, platform, it, marketing, mailoutbox
):
    Term.objects.filter(pk=platform.pk).update(review_by=datetime.date(2026, 3, 12))
    watch_set(user=maya, delivery=DAILY)
    with frozen(at(1, 9)):
        services.proposal_create(author=ada, reason="Settle it", entry=new_term_entry(it, marketing))
    first = glossary_tick(now=at(10, 8))
    assert first["daily digests sent"] == 1 and first["approver reminders sent"] == 1
    count = len(mailoutbox)
    assert set(glossary_tick(now=at(10, 8)).values()) == {0}
    assert len(mailoutbox) == count


def test_the_tick_refuses_a_moment_or_an_interval_it_cannot_use():
    with pytest.raises(CommandError, match="is not a moment"):
        call_command("glossary_tick", "--now", "yesterday")
    with pytest.raises(CommandError, match="at least 1"):
        call_command("glossary_tick", "--every", "0")


def test_the_tick_without_now_sends_what_is_due_by_the_clock(ada, maya, platform, mailoutbox):
    watch_set(user=maya, term=platform, delivery=DAILY)
    services.proposal_create(
        author=ada, reason="Now", term=platform, entry=replace(Entry.from_term(platform), summary="One.")
    )
    WatchNotice.objects.update(created_at=timezone.now() - datetime.timedelta(days=1))
    out = StringIO()
    call_command("glossary_tick", stdout=out)
    assert "daily digests sent: 1" in out.getvalue()
    assert len(mails_to(mailoutbox, maya)) == 1


class MailServerAway(BaseEmailBackend):
    """A mail server that refuses every message, as one that is down does."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


@outside_a_transaction
def test_a_mail_that_could_not_be_sent_goes_out_at_the_next_tick(ada, maya, platform, mailoutbox, settings):
    watch_set(user=maya, term=platform, delivery=IMMEDIATE)
    settings.EMAIL_BACKEND = f"{__name__}.MailServerAway"
    services.proposal_create(
        author=ada, reason="Now", term=platform, entry=replace(Entry.from_term(platform), summary="One.")
    )
    send_queued_mail()  # the mail worker tries, the server refuses, the notice is left for the tick
    notice = WatchNotice.objects.get()
    assert (notice.sent_at, notice.claimed_at) == (None, None)

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert "immediate watch e-mails sent: 1" in tick(timezone.now())
    assert "immediate watch e-mails sent: 0" in tick(timezone.now())
    assert len(mails_to(mailoutbox, maya)) == 1


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_ticks_at_the_same_instant_send_each_change_once(ada, maya, marco, platform, mailoutbox):
    watch_set(user=maya, delivery=DAILY)
    watch_set(user=marco, term=platform, delivery=DAILY)
    with frozen(at(10, 10)):
        for n in range(5):
            services.proposal_create(
                author=ada,
                reason=f"Change {n}",
                term=platform,
                entry=replace(Entry.from_term(platform), summary=f"Try {n}."),
            )
    outcomes = run_together(lambda: glossary_tick(now=at(11, 7, 5)), lambda: glossary_tick(now=at(11, 7, 5)))
    assert not [o for o in outcomes if isinstance(o, Exception)]
    assert sum(o["daily digests sent"] for o in outcomes) == 2
    for person in (maya, marco):
        [digest] = [m for m in mails_to(mailoutbox, person) if "Daily digest" in m.subject]
        assert all(digest.body.count(f"Change {n}") == 1 for n in range(5))
