"""Webhook deliveries: signed, retried with back-off, given up and paused, sent once however many
senders run, and never waited for by the page that fired the event."""

import itertools
import json
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts import roles
from glossary import queues
from glossary.services.proposals import proposal_create
from tests.databases import postgres_only
from tests.webhooks.receivers import (
    broken_off,
    closed_port_url,
    deliver_first,
    hang,
    huge,
    receiving,
    redirect_to,
    status,
    trickle,
    verify,
)
from tests.workflow_helpers import new_term_entry
from webhooks import payloads
from webhooks.models import WebhookAttempt, WebhookDelivery
from webhooks.sending import webhook_deliveries_due, webhook_delivery_attempt
from webhooks.services import webhook_event_fire, webhook_test_send
from webhooks.tasks import deliver_webhook

pytestmark = pytest.mark.django_db


@pytest.mark.slow
def test_a_receiver_that_fails_twice_then_succeeds_gets_three_signed_tries_and_one_success_is_recorded(
    register, ada, it, marketing, django_capture_on_commit_callbacks
):
    with receiving(status(500), status(503), status(204, b"")) as receiver:
        endpoint, secret = register(receiver.url, wanted=[payloads.PROPOSAL_OPENED])
        with django_capture_on_commit_callbacks(execute=True):
            proposal_create(author=ada, reason="Settle the word", entry=new_term_entry(it, marketing))
        delivery = WebhookDelivery.objects.get(endpoint=endpoint)
        assert receiver.received == []  # proposing only stored the delivery

        delivery = deliver_first(delivery)
        assert (delivery.state, delivery.attempt_count, delivery.last_status_code) == ("pending", 1, 500)
        first_retry = delivery.next_attempt_at
        assert first_retry - delivery.first_attempt_at == timedelta(seconds=30)
        assert webhook_deliveries_due(first_retry - timedelta(seconds=1)) == 0  # not due yet

        assert webhook_deliveries_due(first_retry) == 1
        delivery.refresh_from_db()
        assert delivery.next_attempt_at - first_retry == timedelta(minutes=2)
        assert webhook_deliveries_due(delivery.next_attempt_at) == 1

    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempt_count, delivery.last_status_code) == ("succeeded", 3, 204)
    attempts = list(delivery.attempts.order_by("attempted_at"))
    assert [(a.status_code, a.succeeded) for a in attempts] == [(500, False), (503, False), (204, True)]
    assert len(receiver.received) == 3
    for _, headers, body in receiver.received:
        assert headers["webhook-id"] == delivery.message_id  # the same message on every try
        assert verify(secret, headers, body)
        assert not verify(secret.replace(secret[-6:], "AAAAA="), headers, body)
    sent = receiver.bodies()[0]
    assert sent["type"] == "proposal.opened"
    assert sent["data"]["proposal"]["name"] == "Omnichannel"
    assert sent["data"]["proposal"]["definitions"] == [
        {"department": "IT", "text": "Integrated systems."},
        {"department": "Marketing", "text": "One experience."},
    ]


@pytest.mark.slow
def test_the_readmes_signature_check_accepts_a_real_delivery_and_refuses_a_changed_body(register):
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    snippet = readme.split("## Webhooks", 1)[1].split("```python", 1)[1].split("```", 1)[0]
    namespace = {}
    exec(snippet, namespace)
    with receiving(status(200)) as receiver:
        endpoint, secret = register(receiver.url)
        deliver_first(webhook_test_send(endpoint=endpoint))
    ((_, headers, body),) = receiver.received
    assert namespace["verify"](secret, headers, body)
    assert not namespace["verify"](secret, headers, body.replace(b"test", b"tost"))


# The worker commits and reconnects as in production, so this test runs outside a test transaction.
@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_task_worker_sends_what_the_send_test_event_button_queued(register, admin_client):
    with receiving(status(200)) as receiver:
        endpoint, secret = register(receiver.url)
        assert admin_client.post(reverse("webhooks:test", args=[endpoint.pk])).status_code == 302
        assert receiver.received == []
        call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", queues.WEBHOOKS)
    ((_, headers, body),) = receiver.received
    assert verify(secret, headers, body)
    assert json.loads(body)["type"] == "webhook.test"
    assert WebhookDelivery.objects.get().state == WebhookDelivery.State.SUCCEEDED
    page = admin_client.get(reverse("webhooks:detail", args=[endpoint.pk])).content.decode()
    assert "Delivered" in page and ">200<" in page


def test_retries_back_off_and_give_up_24_hours_after_the_first_try_then_the_endpoint_is_paused_and_admins_told(
    register, admin_user, mailoutbox, django_capture_on_commit_callbacks
):
    admin_user.email = "root@example.com"
    admin_user.save()
    endpoint, _ = register(closed_port_url())
    delivery = webhook_test_send(endpoint=endpoint)
    start = timezone.now() + timedelta(minutes=1)  # ahead of the clock: every try is stamped with the time given
    times = []
    with django_capture_on_commit_callbacks(execute=True):
        now = start
        while delivery.state == WebhookDelivery.State.PENDING and len(times) < 50:
            assert webhook_deliveries_due(now) == 1
            assert webhook_deliveries_due(now) == 0  # the same moment again sends nothing twice
            times.append(now)
            delivery.refresh_from_db()
            now = delivery.next_attempt_at or now
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert gaps[:6] == [
        timedelta(seconds=30),
        timedelta(minutes=2),
        timedelta(minutes=10),
        timedelta(hours=1),
        timedelta(hours=3),
        timedelta(hours=6),
    ]
    assert times[-1] - times[0] == timedelta(hours=24)
    assert delivery.state == WebhookDelivery.State.FAILED
    assert delivery.attempt_count == len(times) == WebhookAttempt.objects.filter(delivery=delivery).count()
    assert "Could not connect" in delivery.attempts.first().error
    # A test event checks the endpoint and never pauses it; a real event failing for 24 hours does.
    endpoint.refresh_from_db()
    assert not endpoint.is_paused
    assert mailoutbox == []


def test_an_endpoint_whose_every_delivery_failed_for_24_hours_is_paused_and_its_admins_are_emailed(
    register, admin_user, make_user, mailoutbox, django_capture_on_commit_callbacks
):
    admin_user.email = "root@example.com"
    admin_user.save()
    make_user("other-admin", role=roles.GLOSSARY_ADMIN, email="other@example.com")
    make_user("reader", role=roles.READER, email="reader@example.com")
    endpoint, _ = register(closed_port_url())
    start = timezone.now() + timedelta(minutes=1)  # ahead of the clock: every try is stamped with the time given
    (delivery,) = webhook_event_fire(kind=payloads.TERM_PUBLISHED, data={"term": None, "proposal": None}, now=start)
    with django_capture_on_commit_callbacks(execute=True):
        now = start
        while delivery.state == WebhookDelivery.State.PENDING:
            webhook_deliveries_due(now)
            delivery.refresh_from_db()
            endpoint.refresh_from_db()
            if delivery.next_attempt_at and not endpoint.is_paused:
                assert mailoutbox == []
            now = delivery.next_attempt_at or now
    endpoint.refresh_from_db()
    assert endpoint.is_paused
    assert endpoint.paused_at == start + timedelta(hours=24)
    assert "every delivery failed for 24 hours" in endpoint.paused_reason
    assert len(mailoutbox) == 2
    assert sorted(m.to[0] for m in mailoutbox) == ["other@example.com", "root@example.com"]
    assert endpoint.url in mailoutbox[0].body
    assert reverse("webhooks:detail", args=[endpoint.pk]) in mailoutbox[0].body

    # While paused, events are kept, not sent; resuming sends them.
    (waiting,) = webhook_event_fire(kind=payloads.TERM_PUBLISHED, data={"term": None, "proposal": None}, now=now)
    assert webhook_deliveries_due(now + timedelta(hours=1)) == 0
    with receiving(status(200)) as receiver:
        endpoint.url = receiver.url
        endpoint.save()
        from webhooks.services import webhook_endpoint_resume

        webhook_endpoint_resume(endpoint=endpoint, user=admin_user)
        assert webhook_deliveries_due(now + timedelta(hours=1)) == 1
    waiting.refresh_from_db()
    assert waiting.state == WebhookDelivery.State.SUCCEEDED
    assert len(receiver.received) == 1


@pytest.mark.slow
def test_running_the_tick_twice_sends_each_due_delivery_once(register):
    with receiving(status(200)) as receiver:
        endpoint, _ = register(receiver.url)
        now = timezone.now()
        webhook_event_fire(kind=payloads.TERM_PUBLISHED, data={"term": None, "proposal": None}, now=now)
        webhook_event_fire(
            kind=payloads.TERM_DEPRECATED, data={"term": None, "proposal": None, "replaced_by": None}, now=now
        )
        from io import StringIO

        first, second = StringIO(), StringIO()
        call_command("glossary_tick", stdout=first)
        call_command("glossary_tick", stdout=second)
        assert "webhook deliveries tried: 2" in first.getvalue()
        assert "webhook deliveries tried: 0" in second.getvalue()
        assert webhook_deliveries_due(timezone.now()) == 0
    assert sorted(body["type"] for body in receiver.bodies()) == ["term.deprecated", "term.published"]
    assert WebhookAttempt.objects.count() == 2


def test_a_delivery_claimed_by_one_sender_is_not_sent_by_another_at_the_same_moment(register):
    from webhooks.sending import _claim

    endpoint, _ = register(closed_port_url())
    now = timezone.now()
    (delivery,) = webhook_event_fire(kind=payloads.TERM_PUBLISHED, data={"term": None, "proposal": None}, now=now)
    assert _claim(delivery.pk, now)  # the first sender, still sending
    assert webhook_deliveries_due(now) == 0
    # A second sender that listed the delivery as due just before the first claimed it (the task
    # worker's first try and a tick at the same moment) finds it taken.
    assert webhook_delivery_attempt(delivery_id=delivery.pk, now=now) is None
    assert deliver_webhook.call(delivery.pk) is None
    assert WebhookAttempt.objects.count() == 0


def slowly(code):
    def answer(handler, receiver):
        time.sleep(0.05)
        status(code)(handler, receiver)

    return answer


@pytest.mark.slow
@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_ticks_running_at_once_on_postgresql_send_each_delivery_once(register):
    from tests.databases import run_together

    with receiving(slowly(200)) as receiver:
        endpoint, _ = register(receiver.url)
        now = timezone.now()
        for _ in range(10):
            webhook_event_fire(kind=payloads.TEST, data=payloads.test_data(), endpoints=[endpoint], now=now)
        outcomes = run_together(lambda: webhook_deliveries_due(now), lambda: webhook_deliveries_due(now))
    assert sum(outcomes) == 10, outcomes
    assert len(receiver.received) == 10
    assert len({headers["webhook-id"] for _, headers, _ in receiver.received}) == 10
    assert WebhookAttempt.objects.count() == 10


@pytest.mark.slow
def test_a_ten_megabyte_answer_is_read_only_up_to_the_cap_and_recorded(register, settings):
    with receiving(huge(10 * 1024 * 1024)) as receiver:
        endpoint, _ = register(receiver.url)
        started = time.monotonic()
        delivery = deliver_first(webhook_test_send(endpoint=endpoint))
        assert time.monotonic() - started < 5
    attempt = delivery.attempts.get()
    assert attempt.status_code == 200 and attempt.succeeded
    assert attempt.response_truncated
    assert attempt.response_bytes == settings.GLOSSARY_WEBHOOK_RESPONSE_LIMIT == 64 * 1024
    assert attempt.response_excerpt == "x" * 500


@pytest.mark.slow
def test_a_receiver_that_never_answers_times_out_and_the_page_that_fired_the_event_does_not_wait(
    register, admin_client, settings, django_capture_on_commit_callbacks
):
    from config import settings as project_settings

    assert project_settings.GLOSSARY_WEBHOOK_TIMEOUT_SECONDS == 10
    settings.GLOSSARY_WEBHOOK_TIMEOUT_SECONDS = 1
    with receiving(hang) as receiver:
        endpoint, _ = register(receiver.url)
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(reverse("webhooks:test", args=[endpoint.pk]))
        assert time.monotonic() - started < 0.9
        assert response.status_code == 302
        delivery = WebhookDelivery.objects.get(endpoint=endpoint)
        assert delivery.attempt_count == 0 and receiver.received == []  # only queued

        started = time.monotonic()
        delivery = deliver_first(delivery)
        took = time.monotonic() - started
    assert 0.9 < took < 3
    attempt = delivery.attempts.get()
    assert attempt.error == "No answer within 1 s."
    assert attempt.status_code is None
    assert delivery.state == "pending" and delivery.next_attempt_at is not None


@pytest.mark.slow
def test_a_receiver_that_trickles_its_answer_is_cut_off_at_the_timeout(register, settings):
    settings.GLOSSARY_WEBHOOK_TIMEOUT_SECONDS = 1
    with receiving(trickle) as receiver:
        endpoint, _ = register(receiver.url)
        started = time.monotonic()
        delivery = deliver_first(webhook_test_send(endpoint=endpoint))
        took = time.monotonic() - started
    assert 0.9 < took < 2.5
    attempt = delivery.attempts.get()
    assert attempt.status_code == 200 and not attempt.succeeded
    assert attempt.error == "The answer took longer than 1 s to read; stopped reading."
    assert 5 <= attempt.response_bytes <= 20


@pytest.mark.slow
def test_an_answer_that_breaks_off_is_a_failed_try_not_a_crash(register):
    with receiving(broken_off) as receiver:
        endpoint, _ = register(receiver.url)
        delivery = deliver_first(webhook_test_send(endpoint=endpoint))
    attempt = delivery.attempts.get()
    assert not attempt.succeeded and attempt.error.startswith("The answer broke off")
    assert attempt.response_excerpt == "partial"
    assert delivery.state == WebhookDelivery.State.PENDING and delivery.next_attempt_at is not None


@pytest.mark.slow
def test_a_workflow_page_that_fires_an_event_returns_without_calling_the_receiver(
    register, client, proposal, ivan, settings, django_capture_on_commit_callbacks
):
    settings.GLOSSARY_WEBHOOK_TIMEOUT_SECONDS = 5
    with receiving(hang) as receiver:
        register(receiver.url, wanted=[payloads.PROPOSAL_DECIDED])
        client.force_login(ivan)
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("glossary:proposal_action", args=[proposal.pk, "approve"]), {"comment": "", "revision": 1}
            )
        assert time.monotonic() - started < 2
        assert response.status_code == 302
        assert receiver.received == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.event == payloads.PROPOSAL_DECIDED and delivery.attempt_count == 0


@pytest.mark.slow
def test_redirects_are_not_followed(register):
    with receiving(redirect_to("/elsewhere"), status(200)) as receiver:
        endpoint, _ = register(receiver.url)
        delivery = deliver_first(webhook_test_send(endpoint=endpoint))
    assert [path for path, _, _ in receiver.received] == ["/hook"]
    attempt = delivery.attempts.get()
    assert attempt.status_code == 302 and not attempt.succeeded
    assert "/elsewhere" in attempt.error and "not followed" in attempt.error


@pytest.mark.slow
def test_deliveries_go_through_the_configured_proxy_only(register, settings, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", closed_port_url())  # the environment's proxy is not used
    settings.GLOSSARY_WEBHOOK_ALLOWED_NETWORKS = ""  # the proxy decides where it goes on to, not us
    with receiving(status(200)) as proxy:
        settings.GLOSSARY_WEBHOOK_PROXY = proxy.url.removesuffix("/hook")
        endpoint, _ = register("http://hooks.example.invalid/glossary")
        delivery = deliver_first(webhook_test_send(endpoint=endpoint))
    assert [path for path, _, _ in proxy.received] == ["http://hooks.example.invalid/glossary"]
    assert delivery.state == WebhookDelivery.State.SUCCEEDED


@pytest.mark.slow
def test_the_environments_proxy_variables_are_not_used(register, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", closed_port_url())
    monkeypatch.setenv("http_proxy", closed_port_url())
    with receiving(status(200)) as receiver:
        endpoint, _ = register(receiver.url)
        delivery = deliver_first(webhook_test_send(endpoint=endpoint))
    assert delivery.state == WebhookDelivery.State.SUCCEEDED and len(receiver.received) == 1
