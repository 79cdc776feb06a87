"""Retention: `glossary_tick` removes watch notices mailed long ago and webhook deliveries finished
long ago, and nothing that is still to be sent, nor anything whose removal would tell a change twice.

Everything is made through the real services under the conftest `clock`; webhook deliveries go to a
receiver on 127.0.0.1 (or to a port there that nobody listens on).
"""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from glossary.models import Term, Watch, WatchNotice
from glossary.services.proposals import proposal_create
from glossary.services.watching import watch_notices_prune, watch_set
from tests.webhooks.receivers import closed_port_url, receiving, status
from tests.workflow_helpers import new_term_entry, outside_a_transaction, send_queued_mail
from webhooks import payloads
from webhooks.models import WebhookAttempt, WebhookDelivery
from webhooks.sending import webhook_delivery_attempt
from webhooks.services import webhook_deliveries_prune, webhook_endpoint_pause, webhook_event_fire

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
IMMEDIATE, DAILY = Watch.Delivery.IMMEDIATE, Watch.Delivery.DAILY


def day(n: int, hour: int = 9) -> datetime.datetime:
    """Day n of 2026 (day 0 is 1 January), at `hour` UTC."""
    return datetime.datetime(2026, 1, 1, hour, tzinfo=UTC) + datetime.timedelta(days=n)


def tick(clock, moment: datetime.datetime) -> str:
    clock.now = moment
    out = StringIO()
    call_command("glossary_tick", "--now", moment.isoformat(), stdout=out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def windows(settings):
    settings.TIME_ZONE = "UTC"
    settings.GLOSSARY_KEEP_NOTICES_DAYS = 90
    settings.GLOSSARY_KEEP_WEBHOOK_DELIVERIES_DAYS = 30


# --- Watch notices ---------------------------------------------------------------------------------


@pytest.fixture
def notices(clock, ada, maya, it, marketing, make_user):
    """Maya hears of each change at once, Dan in a daily digest nobody has sent yet, Eva at once but
    her mail was claimed by a sender that died. Two changes: one on day 0, one on day 80. The mail
    worker sends them, so the tests that use it run outside a test transaction."""
    dan = make_user("dan", department=it, email="dan@example.com")
    eva = make_user("eva", department=it, email="eva@example.com")
    watch_set(user=maya, delivery=IMMEDIATE)
    watch_set(user=dan, delivery=DAILY)
    watch_set(user=eva, delivery=IMMEDIATE)
    made = {}
    for n, name in [(0, "Omnichannel"), (80, "Platform")]:
        clock.now = day(n)
        # Eva's mail server is away for this one change: her notice is claimed and never finished.
        proposal_create(author=ada, reason=f"Settle {name}", entry=new_term_entry(it, marketing, name=name))
        WatchNotice.objects.filter(user=eva, sent_at__isnull=True).update(claimed_at=day(n), claim="a-sender-that-died")
        send_queued_mail()
        made[n] = {
            notice.user.username: notice
            for notice in WatchNotice.objects.filter(created_at=day(n)).select_related("user")
        }
    for by_user in made.values():
        assert by_user["maya"].sent_at is not None
        assert by_user["dan"].sent_at is None and by_user["eva"].sent_at is None
    return made


@outside_a_transaction
def test_notices_mailed_more_than_90_days_ago_are_removed_and_unsent_and_recent_ones_stay(notices):
    old_sent = notices[0]["maya"]
    assert watch_notices_prune(now=day(90, hour=8)) == 0  # mailed 89 days 23 hours ago: kept
    assert watch_notices_prune(now=day(95)) == 1
    assert not WatchNotice.objects.filter(pk=old_sent.pk).exists()
    kept = set(WatchNotice.objects.values_list("user__username", "created_at"))
    assert kept == {
        ("dan", day(0)),
        ("eva", day(0)),  # still to be mailed, however old, claimed or not
        ("maya", day(80)),
        ("dan", day(80)),
        ("eva", day(80)),
    }


@outside_a_transaction
def test_pruning_notices_twice_removes_nothing_more(notices):
    assert watch_notices_prune(now=day(200)) == 2  # both of Maya's
    left = set(WatchNotice.objects.values_list("pk", flat=True))
    assert watch_notices_prune(now=day(200)) == 0
    assert (
        set(WatchNotice.objects.values_list("pk", flat=True))
        == left
        == {notices[n][user].pk for n in (0, 80) for user in ("dan", "eva")}
    )


@outside_a_transaction
def test_the_notice_window_follows_its_setting(notices, settings):
    settings.GLOSSARY_KEEP_NOTICES_DAYS = 0  # keeps them all
    assert watch_notices_prune(now=day(300)) == 0
    settings.GLOSSARY_KEEP_NOTICES_DAYS = 100
    assert watch_notices_prune(now=day(95)) == 0
    settings.GLOSSARY_KEEP_NOTICES_DAYS = 10
    assert watch_notices_prune(now=day(95)) == 2
    assert WatchNotice.objects.filter(user__username="maya").count() == 0


@outside_a_transaction
def test_notices_are_removed_in_batches_each_its_own_delete(notices, clock, ada, it, marketing):
    clock.now = day(1)
    proposal_create(author=ada, reason="Settle Web", entry=new_term_entry(it, marketing, name="Web"))
    send_queued_mail()
    assert WatchNotice.objects.filter(sent_at__lt=day(5)).count() == 3  # Maya's of days 0 and 1, Eva's of day 1
    with CaptureQueriesContext(connection) as queries:
        assert watch_notices_prune(now=day(95), batch_size=2) == 3
    deletes = [q["sql"] for q in queries if q["sql"].startswith("DELETE")]
    assert len(deletes) == 2


def test_an_overdue_terms_warning_is_kept_while_the_term_has_that_review_date_so_nobody_is_warned_twice(
    clock, maya, make_term, mailoutbox
):
    clock.now = day(0)
    platform = make_term("Platform", it_text="Tools.", marketing_text="A system.", status=Term.Status.APPROVED)
    Term.objects.filter(pk=platform.pk).update(review_by=day(40).date())
    watch_set(user=maya, term=platform, delivery=IMMEDIATE)
    tick(clock, day(20))  # due soon
    tick(clock, day(41))  # overdue
    assert [m.subject for m in mailoutbox] == [
        "[Common Ground] “Platform” is due for review by 10 February 2026",
        "[Common Ground] “Platform” is overdue for review (review by 10 February 2026)",
    ]
    # Both warnings were mailed over 90 days ago, but the term is still overdue for that date: were
    # they removed, the next tick would record and mail them again.
    out = tick(clock, day(200))
    assert "old watch notices removed: 0" in out and "review-date warnings recorded: 0" in out
    tick(clock, day(201))
    assert len(mailoutbox) == 2
    assert WatchNotice.objects.count() == 2

    # A confirmed review moves the date on: the old date's warnings can never come back, and go.
    Term.objects.filter(pk=platform.pk).update(review_by=day(500).date())
    assert "old watch notices removed: 2" in tick(clock, day(202))
    assert WatchNotice.objects.count() == 0 and len(mailoutbox) == 2


# --- Webhook deliveries ------------------------------------------------------------------------------


@pytest.fixture
def deliveries(clock, admin_user, settings):
    """On day 0: one delivered at once, one given up after 24 hours of refused tries, one still
    retrying, one waiting for its paused endpoint, one delivered only on day 20; on day 20 one more
    delivered at once. Named by what happened to them."""
    from webhooks.services import webhook_endpoint_register

    settings.GLOSSARY_WEBHOOKS_ALLOW_HTTP = True

    def endpoint(url):
        return webhook_endpoint_register(
            user=admin_user, url=url, events_wanted=[payloads.PROPOSAL_OPENED], endpoint_format="standard"
        )[0]

    def fire(target, at):
        clock.now = at
        return webhook_event_fire(kind=payloads.TEST, data=payloads.test_data(), endpoints=[target], now=at)[0]

    def attempt(delivery, at):
        clock.now = at
        assert webhook_delivery_attempt(delivery_id=delivery.pk, now=at) is not None

    made = {}
    with receiving(status(204, b"")) as receiver:
        good, refused, paused = endpoint(receiver.url), endpoint(closed_port_url()), endpoint(receiver.url)
        webhook_endpoint_pause(endpoint=paused, user=admin_user)
        made["delivered"] = fire(good, day(0))
        attempt(made["delivered"], day(0))
        made["given_up"] = fire(refused, day(0))
        attempt(made["given_up"], day(0))
        attempt(made["given_up"], day(1))
        made["retrying"] = fire(refused, day(0, hour=10))
        attempt(made["retrying"], day(0, hour=10))
        clock.now = day(0)
        [made["waiting"]] = webhook_event_fire(kind=payloads.PROPOSAL_OPENED, data={}, endpoints=[paused], now=day(0))
        made["delivered_late"] = fire(good, day(0))
        attempt(made["delivered_late"], day(20))
        made["delivered_recently"] = fire(good, day(20))
        attempt(made["delivered_recently"], day(20))
    for delivery in made.values():
        delivery.refresh_from_db()
    states = {name: delivery.state for name, delivery in made.items()}
    assert states == {
        "delivered": "succeeded",
        "given_up": "failed",
        "retrying": "pending",
        "waiting": "pending",
        "delivered_late": "succeeded",
        "delivered_recently": "succeeded",
    }
    return made


def kept(deliveries) -> set[str]:
    ids = set(WebhookDelivery.objects.values_list("pk", flat=True))
    return {name for name, delivery in deliveries.items() if delivery.pk in ids}


def test_finished_deliveries_whose_last_try_is_over_30_days_old_go_with_their_attempts(deliveries):
    gone = [deliveries["delivered"].pk, deliveries["given_up"].pk]
    assert WebhookAttempt.objects.filter(delivery_id__in=gone).count() == 3
    attempts_kept = WebhookAttempt.objects.exclude(delivery_id__in=gone).count()

    assert webhook_deliveries_prune(now=day(30, hour=8)) == 0  # delivered 29 days 23 hours ago
    assert webhook_deliveries_prune(now=day(35)) == 2
    assert kept(deliveries) == {"retrying", "waiting", "delivered_late", "delivered_recently"}
    assert WebhookAttempt.objects.filter(delivery_id__in=gone).count() == 0
    assert WebhookAttempt.objects.count() == attempts_kept

    # Aged by the last try, not by when the event was fired; what waits is kept however old.
    assert webhook_deliveries_prune(now=day(51)) == 2
    assert kept(deliveries) == {"retrying", "waiting"}
    assert webhook_deliveries_prune(now=day(400)) == 0
    assert kept(deliveries) == {"retrying", "waiting"}


def test_the_delivery_window_follows_its_setting(deliveries, settings):
    settings.GLOSSARY_KEEP_WEBHOOK_DELIVERIES_DAYS = 60
    assert webhook_deliveries_prune(now=day(35)) == 0
    settings.GLOSSARY_KEEP_WEBHOOK_DELIVERIES_DAYS = 10
    assert webhook_deliveries_prune(now=day(35)) == 4
    assert kept(deliveries) == {"retrying", "waiting"}


def test_a_zero_delivery_window_keeps_every_delivery(deliveries, settings):
    settings.GLOSSARY_KEEP_WEBHOOK_DELIVERIES_DAYS = 0
    assert webhook_deliveries_prune(now=day(400)) == 0
    assert len(kept(deliveries)) == 6


def test_deliveries_are_removed_in_batches_each_its_own_delete(deliveries):
    with CaptureQueriesContext(connection) as queries:
        assert webhook_deliveries_prune(now=day(35), batch_size=1) == 2
    deletes = [
        q["sql"] for q in queries if q["sql"].startswith("DELETE") and "webhookdelivery" in q["sql"].split("WHERE")[0]
    ]
    assert len(deletes) == 2


def test_the_endpoint_page_says_how_long_deliveries_are_kept_and_lists_what_is_left(deliveries, admin_client, settings):
    webhook_deliveries_prune(now=day(35))
    endpoint = deliveries["delivered_late"].endpoint
    page = admin_client.get(reverse("webhooks:detail", args=[endpoint.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "kept 30 days after their last try" in text
    assert text.count("<code>webhook.test</code>") == 2  # late and recent; the first one is gone
    settings.GLOSSARY_KEEP_WEBHOOK_DELIVERIES_DAYS = 1
    assert (
        "kept 1 day after their last try"
        in admin_client.get(reverse("webhooks:detail", args=[endpoint.pk])).content.decode()
    )


# --- The tick -----------------------------------------------------------------------------------------


@outside_a_transaction
def test_the_tick_reports_what_it_removed_and_a_second_run_removes_nothing(clock, notices, deliveries):
    out = tick(clock, day(95))
    assert "old watch notices removed: 1" in out
    assert "old webhook deliveries removed: 4" in out  # delivered, given up, delivered late, delivered recently
    notices_left = set(WatchNotice.objects.values_list("pk", flat=True))
    deliveries_left = kept(deliveries)
    again = tick(clock, day(95))
    assert "old watch notices removed: 0" in again and "old webhook deliveries removed: 0" in again
    assert set(WatchNotice.objects.values_list("pk", flat=True)) == notices_left
    assert kept(deliveries) == deliveries_left
    assert deliveries_left == {"retrying", "waiting"}  # the one retrying was given up by this tick, just now


# --- The task worker's results --------------------------------------------------------------------


@outside_a_transaction
def test_finished_task_results_are_removed_when_old_and_waiting_ones_stay(ada, it, marketing, settings):
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from glossary.interchange.tasks import build_pdf_export
    from glossary.services.task_results import task_results_prune

    settings.GLOSSARY_KEEP_TASK_RESULTS_DAYS = 30
    proposal_create(author=ada, entry=new_term_entry(it, marketing), reason="Proposed.")  # queues its mails
    send_queued_mail()
    finished = list(DBTaskResult.objects.all())
    assert finished and {task.status for task in finished} == {"SUCCESSFUL"}
    last_finished = max(task.finished_at for task in finished)
    waiting = build_pdf_export.enqueue("00000000-0000-0000-0000-000000000000")  # no worker takes it here
    later = timezone.now() + datetime.timedelta(days=365)

    assert task_results_prune(now=last_finished + datetime.timedelta(days=29)) == 0
    assert task_results_prune(now=last_finished + datetime.timedelta(days=31)) == len(finished)
    assert [str(pk) for pk in DBTaskResult.objects.values_list("pk", flat=True)] == [str(waiting.id)]
    assert task_results_prune(now=later) == 0, "a task still waiting is never removed"
    settings.GLOSSARY_KEEP_TASK_RESULTS_DAYS = 0
    assert task_results_prune(now=later) == 0
