"""Webhooks: registering endpoints, the workflow's events, signed deliveries, retries, pausing.

Every delivery goes to a receiver the test starts on 127.0.0.1 (or to a port on 127.0.0.1 that
nobody listens on); nothing leaves this machine.
"""

import base64
import hashlib
import hmac
import ipaddress
import json
import socket
import threading
import time
from contextlib import contextmanager
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts import roles
from glossary import queues
from glossary.models import Term
from glossary.services.proposals import proposal_create
from tests.databases import postgres_only
from tests.workflow_helpers import approve, decide, new_term_entry
from webhooks import formats, payloads, signing
from webhooks.addresses import CheckedAddressAdapter, embedded_ipv4
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from webhooks.sending import webhook_deliveries_due, webhook_delivery_attempt
from webhooks.services import webhook_endpoint_register, webhook_event_fire, webhook_test_send
from webhooks.tasks import deliver_webhook

pytestmark = pytest.mark.django_db

ALL_EVENTS = list(payloads.SUBSCRIBABLE)


# --- A receiver on 127.0.0.1 -------------------------------------------------------------------

class Receiver:
    """An HTTP server on 127.0.0.1 that records every request and answers as told, in turn.

    Each answer is a function taking the request handler; the last one repeats.
    """

    def __init__(self, answers):
        self.answers = list(answers)
        self.received: list[tuple[str, dict, bytes]] = []
        self.release = threading.Event()  # ends any answer that hangs, when the test is over
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.received.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                answer = receiver.answers.pop(0) if len(receiver.answers) > 1 else receiver.answers[0]
                try:
                    answer(self, receiver)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the sender stopped reading, as it should

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def bodies(self):
        return [json.loads(body) for _, _, body in self.received]


def status(code, body=b"ok"):
    def answer(handler, receiver):
        handler.send_response(code)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return answer


def huge(size):
    def answer(handler, receiver):
        handler.send_response(200)
        handler.send_header("Content-Length", str(size))
        handler.end_headers()
        chunk = b"x" * 65536
        for _ in range(size // len(chunk)):
            handler.wfile.write(chunk)

    return answer


def hang(handler, receiver):
    receiver.release.wait(30)


def trickle(handler, receiver):
    """Answers at once, then sends its body a byte at a time, for ever."""
    handler.send_response(200)
    handler.send_header("Content-Length", "1000000")
    handler.end_headers()
    while not receiver.release.wait(0.1):
        handler.wfile.write(b".")
        handler.wfile.flush()


def broken_off(handler, receiver):
    """Promises a long body, sends a little, hangs up."""
    handler.send_response(200)
    handler.send_header("Content-Length", "100000")
    handler.end_headers()
    handler.wfile.write(b"partial")
    handler.close_connection = True


def redirect_to(path):
    def answer(handler, receiver):
        handler.send_response(302)
        handler.send_header("Location", receiver.url.replace("/hook", path))
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return answer


@contextmanager
def receiving(*answers):
    receiver = Receiver(answers)
    receiver.thread.start()
    try:
        yield receiver
    finally:
        receiver.release.set()
        receiver.server.shutdown()
        receiver.server.server_close()


def closed_port_url():
    """An address on 127.0.0.1 where nothing listens: every try is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"


def verify(secret: str, headers: dict, body: bytes) -> bool:
    """The receiver's check, written from the Standard Webhooks convention, not from our code."""
    key = base64.b64decode(secret.split("_", 1)[1])
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(part == f"v1,{expected}" for part in headers["webhook-signature"].split(" "))


@pytest.fixture
def register(admin_user, settings):
    """Registers endpoints as an admin; plain http is allowed, for the receivers on 127.0.0.1."""
    settings.GLOSSARY_WEBHOOKS_ALLOW_HTTP = True

    def make(url, *, wanted=ALL_EVENTS, endpoint_format=WebhookEndpoint.Format.STANDARD):
        return webhook_endpoint_register(user=admin_user, url=url, events_wanted=wanted, endpoint_format=endpoint_format)

    return make


def deliver_first(delivery):
    """What the task worker does for a new delivery."""
    deliver_webhook.call(delivery.pk)
    delivery.refresh_from_db()
    return delivery


# --- Delivering, signing, retrying -------------------------------------------------------------

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

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
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
    gaps = [later - earlier for earlier, later in zip(times, times[1:])]
    assert gaps[:6] == [
        timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10), timedelta(hours=1), timedelta(hours=3),
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
        webhook_event_fire(kind=payloads.TERM_DEPRECATED, data={"term": None, "proposal": None, "replaced_by": None}, now=now)
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
    from tests.test_concurrency import run_together

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
            response = client.post(reverse("glossary:proposal_action", args=[proposal.pk, "approve"]), {"comment": "", "revision": 1})
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


# --- Only public addresses and allowed networks ------------------------------------------------

@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_a_delivery_to_a_local_address_is_refused_before_it_is_sent_and_nothing_reaches_it(register, settings, host):
    with receiving(status(200)) as receiver:
        # Registered while the loopback network was allowed…
        endpoint, _ = register(receiver.url.replace("127.0.0.1", host))
        # …and sent after it no longer is.
        settings.GLOSSARY_WEBHOOK_ALLOWED_NETWORKS = ""
        delivery = deliver_first(webhook_test_send(endpoint=endpoint))
    assert receiver.received == []
    attempt = delivery.attempts.get()
    assert not attempt.succeeded and attempt.status_code is None
    assert attempt.error == (
        "Not sent: 127.0.0.1 is a private or local address: webhooks go only to public addresses "
        "and to the networks in GLOSSARY_WEBHOOK_ALLOWED_NETWORKS."
    )
    assert delivery.state == WebhookDelivery.State.PENDING  # tried again later, in case the network is allowed


def test_a_name_that_resolves_to_a_local_address_is_refused_where_the_connection_opens(settings):
    """The check behind the one before sending: a name (here `localhost`, from the hosts file) is
    judged by the addresses it resolves to when the connection opens, not when it was registered."""
    settings.GLOSSARY_WEBHOOK_ALLOWED_NETWORKS = ""
    session = requests.Session()
    session.trust_env = False
    session.mount("http://", CheckedAddressAdapter())
    with receiving(status(200)) as receiver, pytest.raises(requests.ConnectionError) as refused:
        session.post(receiver.url.replace("127.0.0.1", "localhost"), data=b"{}", timeout=5)
    assert receiver.received == []
    assert "127.0.0.1 is a private or local address" in str(refused.value)
    settings.GLOSSARY_WEBHOOK_ALLOWED_NETWORKS = "127.0.0.0/8"
    with receiving(status(200)) as receiver:
        assert session.post(receiver.url.replace("127.0.0.1", "localhost"), data=b"{}", timeout=5).status_code == 200
    assert len(receiver.received) == 1


# Ways to write an address on this machine that a check reading the URL differently, or judging an
# IPv6 address by itself, once took for another host or for a public address; `{port}` is the
# receiver's. Each with what the form says of it.
USER_INFO = "Leave out the user name and password"
LOCAL = "127.0.0.1 is a private or local address"
LOCAL_SPELLINGS = {
    "http://127.0.0.1:{port}\\@example.com/hook": USER_INFO,  # urlsplit: example.com; requests: 127.0.0.1
    "http://hooks.example.com@127.0.0.1:{port}/hook": USER_INFO,
    "http://user:password@127.0.0.1:{port}/hook": USER_INFO,
    "http://[::7f00:1]:{port}/hook": LOCAL,  # IPv4-compatible
    "http://[::127.0.0.1]:{port}/hook": LOCAL,
    "http://[::ffff:127.0.0.1]:{port}/hook": LOCAL,  # IPv4-mapped
    "http://[64:ff9b::7f00:1]:{port}/hook": LOCAL,  # NAT64
    "http://[64:ff9b:1::7f00:1]:{port}/hook": LOCAL,  # NAT64, a network's own prefix
    "http://[2002:7f00:1::]:{port}/hook": LOCAL,  # 6to4
    "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]:{port}/hook": LOCAL,  # Teredo, client 127.0.0.1
    # Spellings the resolver reads as 127.0.0.1: no host name, so not a web address to the form.
    "http://127.1:{port}/hook": "Enter a full web address",
    "http://2130706433:{port}/hook": "Enter a full web address",
}


@pytest.mark.parametrize("proxied", [False, True], ids=["straight", "through a proxy"])
@pytest.mark.parametrize("spelling, message", list(LOCAL_SPELLINGS.items()))
def test_a_local_address_in_any_spelling_is_refused_at_the_field(admin_client, settings, spelling, message, proxied):
    settings.GLOSSARY_WEBHOOK_ALLOWED_NETWORKS = ""
    settings.GLOSSARY_WEBHOOKS_ALLOW_HTTP = True
    settings.GLOSSARY_WEBHOOK_PROXY = closed_port_url().removesuffix("/hook") if proxied else ""
    url = spelling.format(port=8221)
    response = admin_client.post(reverse("webhooks:add"), {"url": url, "events": ALL_EVENTS, "format": "standard"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_url_error"' in page and message in page
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.slow
@pytest.mark.parametrize("proxied", [False, True], ids=["straight", "through a proxy"])
@pytest.mark.parametrize("spelling", LOCAL_SPELLINGS)
def test_a_stored_local_address_in_any_spelling_is_not_sent_to_with_or_without_a_proxy(
    admin_user, settings, spelling, proxied
):
    settings.GLOSSARY_WEBHOOK_ALLOWED_NETWORKS = ""
    with receiving(status(200)) as receiver, receiving(status(200)) as proxy:
        settings.GLOSSARY_WEBHOOK_PROXY = proxy.url.removesuffix("/hook") if proxied else ""
        # As an endpoint kept from before these rules: stored as it was typed, past the form.
        endpoint = WebhookEndpoint.objects.create(
            url=spelling.format(port=receiver.server.server_address[1]), events=ALL_EVENTS,
            format=WebhookEndpoint.Format.STANDARD, secret=signing.new_secret(), created_by=admin_user,
        )
        delivery = deliver_first(webhook_test_send(endpoint=endpoint))
    assert receiver.received == [] and proxy.received == []
    attempt = delivery.attempts.get()
    assert attempt.error.startswith("Not sent: ") and attempt.status_code is None
    assert (USER_INFO if LOCAL_SPELLINGS[spelling] == USER_INFO else LOCAL) in attempt.error


@pytest.mark.parametrize(
    "host, carried",
    [
        ("[64:ff9b::808:808]", "8.8.8.8"),
        ("[2002:808:808::]", "8.8.8.8"),
        ("[::ffff:8.8.8.8]", "8.8.8.8"),
        ("[2001:0:4136:e378:8000:63bf:f7f7:f7f7]", "8.8.8.8"),  # Teredo, client 8.8.8.8
    ],
)
def test_an_ipv6_address_carrying_a_public_ipv4_address_is_accepted(admin_client, settings, host, carried):
    settings.GLOSSARY_WEBHOOK_ALLOWED_NETWORKS = ""
    url = f"https://{host}/hook"
    response = admin_client.post(reverse("webhooks:add"), {"url": url, "events": ALL_EVENTS, "format": "standard"})
    assert response.status_code == 201
    assert WebhookEndpoint.objects.get().url == url
    assert embedded_ipv4(ipaddress.IPv6Address(host.strip("[]"))) == (ipaddress.IPv4Address(carried),)


def test_a_network_the_administrator_allows_gets_its_deliveries(register, settings):
    settings.GLOSSARY_WEBHOOK_ALLOWED_NETWORKS = "10.0.0.0/8, not-a-network, 127.0.0.1/32"
    with receiving(status(200)) as receiver:
        endpoint, _ = register(receiver.url)
        delivery = deliver_first(webhook_test_send(endpoint=endpoint))
    assert delivery.state == WebhookDelivery.State.SUCCEEDED and len(receiver.received) == 1


@pytest.mark.parametrize(
    "url, shown",
    [
        ("https://169.254.169.254/latest/meta-data/", "169.254.169.254"),  # a cloud's metadata service
        ("https://10.1.2.3/hook", "10.1.2.3"),
        ("https://192.168.0.1:8443/hook", "192.168.0.1"),
        ("https://localhost/hook", "127.0.0.1"),
        ("https://127.0.0.1:9000/hook", "127.0.0.1"),
        ("https://[::1]/hook", "::1"),
        ("https://[::ffff:127.0.0.1]/hook", "127.0.0.1"),
        ("https://0.0.0.0/hook", "0.0.0.0"),
        ("https://[fd00::1]/hook", "fd00::1"),
    ],
)
def test_a_private_or_local_address_is_refused_next_to_the_field(admin_client, settings, url, shown):
    settings.GLOSSARY_WEBHOOK_ALLOWED_NETWORKS = ""
    response = admin_client.post(reverse("webhooks:add"), {"url": url, "events": ALL_EVENTS, "format": "standard"})
    assert response.status_code == 400
    page = response.content.decode()
    assert f"{shown} is a private or local address" in page and 'id="id_url_error"' in page
    assert not WebhookEndpoint.objects.exists()
    # A public address, and the same private one once its network is allowed, are taken.
    public = {"url": "https://hooks.example.com/glossary", "events": ALL_EVENTS, "format": "standard"}
    assert admin_client.post(reverse("webhooks:add"), public).status_code == 201
    settings.GLOSSARY_WEBHOOK_ALLOWED_NETWORKS = "0.0.0.0/0,::/0"
    assert admin_client.post(reverse("webhooks:add"), {**public, "url": url}).status_code == 201


# --- Which events the workflow fires ---------------------------------------------------------------

def test_the_workflow_fires_opened_decided_and_published_to_subscribed_endpoints_only(
    register, ada, it, marketing, ivan, marco, django_capture_on_commit_callbacks
):
    everything, _ = register("https://hooks.example.com/all")
    only_published, _ = register("https://hooks.example.com/published", wanted=[payloads.TERM_PUBLISHED])
    with django_capture_on_commit_callbacks(execute=True):
        proposal = proposal_create(author=ada, reason="Settle the word", entry=new_term_entry(it, marketing))
    with django_capture_on_commit_callbacks(execute=True):
        approve(proposal, ivan)
    with django_capture_on_commit_callbacks(execute=True):
        approve(proposal, marco, comment="Fine by us")

    sent = list(everything.deliveries.order_by("pk"))
    assert [d.event for d in sent] == ["proposal.opened", "proposal.decided", "proposal.decided", "term.published"]
    assert [d.payload["data"]["decision"]["department"] for d in sent[1:3]] == ["IT", "Marketing"]
    assert sent[2].payload["data"]["decision"] == {
        "decision": "approve", "label": "Approved", "department": "Marketing", "approver": str(marco), "comment": "Fine by us",
    }
    published = sent[3].payload["data"]
    term = Term.objects.get(name="Omnichannel")
    assert published["term"]["url"].endswith(term.get_absolute_url())
    assert published["term"]["version"] == term.version
    assert published["proposal"]["id"] == proposal.pk
    assert [d.event for d in only_published.deliveries.all()] == ["term.published"]
    # Nobody sent anything: the deliveries wait for the task worker.
    assert WebhookAttempt.objects.count() == 0


def test_rejecting_fires_a_decision_and_deprecating_fires_deprecated_with_the_replacement(
    register, ada, it, marketing, ivan, marco, make_term, django_capture_on_commit_callbacks
):
    from glossary.entries import Entry
    from glossary.models import Proposal
    from glossary.workflow import Action

    endpoint, _ = register("https://hooks.example.com/all")
    with django_capture_on_commit_callbacks(execute=True):
        proposal = proposal_create(author=ada, reason="Settle the word", entry=new_term_entry(it, marketing))
    with django_capture_on_commit_callbacks(execute=True):
        decide(proposal, ivan, Action.REJECT, "We have a word for it already.")
    rejected = endpoint.deliveries.get(event=payloads.PROPOSAL_DECIDED)
    assert rejected.payload["data"]["decision"]["decision"] == "reject"
    assert rejected.payload["data"]["decision"]["comment"] == "We have a word for it already."

    old = make_term("Web 2.0", it_text="Old web.", marketing_text="Social web.", status=Term.Status.APPROVED)
    new = make_term("Social media", it_text="Platforms.", marketing_text="Channels.", status=Term.Status.APPROVED)
    entry = Entry.from_term(old)
    from dataclasses import replace

    with django_capture_on_commit_callbacks(execute=True):
        deprecation = proposal_create(
            author=ada, reason="Nobody says it", entry=replace(entry, status=Term.Status.DEPRECATED), term=old,
            kind=Proposal.Kind.DEPRECATE, replaced_by=new,
        )
    with django_capture_on_commit_callbacks(execute=True):
        approve(deprecation, ivan)
    with django_capture_on_commit_callbacks(execute=True):
        approve(deprecation, marco)
    deprecated = endpoint.deliveries.get(event=payloads.TERM_DEPRECATED)
    assert deprecated.payload["data"]["term"]["name"] == "Web 2.0"
    assert deprecated.payload["data"]["replaced_by"]["name"] == "Social media"
    assert not endpoint.deliveries.filter(event=payloads.TERM_PUBLISHED).exists()


def test_a_review_due_event_raised_by_the_glossary_becomes_a_delivery_with_its_date(
    register, make_term, django_capture_on_commit_callbacks
):
    from datetime import date

    from glossary import events

    endpoint, _ = register("https://hooks.example.com/reviews", wanted=[payloads.TERM_REVIEW_DUE])
    term = make_term("Churn", it_text="Cancelled contracts.", marketing_text="Customers we lose.")
    with django_capture_on_commit_callbacks(execute=True):
        events.raise_event(events.TermReviewDue(term_id=term.pk, review_by=date(2027, 1, 31)))
    payload = endpoint.deliveries.get().payload
    assert payload["type"] == "term.review_due"
    assert payload["data"]["review_by"] == "2027-01-31"
    assert formats.headline(payload) == "“Churn” is due for review by 2027-01-31."


def test_the_tick_announces_each_terms_review_date_once_when_it_comes_near(
    register, make_term, django_capture_on_commit_callbacks
):
    import datetime

    from django.utils import timezone

    from glossary.services.review import review_due_announce

    endpoint, _ = register("https://hooks.example.com/reviews", wanted=[payloads.TERM_REVIEW_DUE])
    due = make_term("Churn", it_text="Cancelled contracts.", marketing_text="Customers we lose.", status=Term.Status.APPROVED)
    later = make_term("Cohort", it_text="A group.", marketing_text="People alike.", status=Term.Status.APPROVED)
    now = timezone.now()
    today = timezone.localdate(now)
    Term.objects.filter(pk=due.pk).update(review_by=today + datetime.timedelta(days=10))
    Term.objects.filter(pk=later.pk).update(review_by=today + datetime.timedelta(days=90))

    with django_capture_on_commit_callbacks(execute=True):
        assert review_due_announce(now=now) == 1
        assert review_due_announce(now=now + datetime.timedelta(minutes=5)) == 0  # the next tick
    [delivery] = endpoint.deliveries.all()
    assert delivery.payload["data"]["term"]["name"] == "Churn"
    assert delivery.payload["data"]["review_by"] == (today + datetime.timedelta(days=10)).isoformat()
    # A review confirmed since gives a new date, announced again when its time comes.
    Term.objects.filter(pk=due.pk).update(review_by=today + datetime.timedelta(days=20))
    with django_capture_on_commit_callbacks(execute=True):
        assert review_due_announce(now=now) == 1
    assert endpoint.deliveries.count() == 2


# --- Slack and Teams bodies ------------------------------------------------------------------------

@pytest.fixture
def published_envelope(make_term):
    term = make_term(
        "Lead",
        it_text="A **record** in the CRM.\n\nCreated by the web form.",
        marketing_text="- A person who showed interest\n- and gave their e-mail",
        status=Term.Status.APPROVED,
    )
    return term, {"type": payloads.TERM_PUBLISHED, "timestamp": "2026-11-26T10:00:00+00:00",
                  "data": {"term": payloads.term_data(term), "proposal": None}}


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


# --- The pages -------------------------------------------------------------------------------------

def test_registering_an_endpoint_shows_its_secret_once(admin_client):
    response = admin_client.post(
        reverse("webhooks:add"),
        {"url": "https://hooks.example.com/glossary", "events": [payloads.PROPOSAL_OPENED, payloads.TERM_PUBLISHED], "format": "slack"},
    )
    assert response.status_code == 201
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret.startswith("whsec_") and len(base64.b64decode(endpoint.secret[6:])) == 32
    assert endpoint.secret in response.content.decode()
    assert endpoint.events == [payloads.PROPOSAL_OPENED, payloads.TERM_PUBLISHED]
    assert endpoint.format == "slack"

    page = admin_client.get(reverse("webhooks:detail", args=[endpoint.pk])).content.decode()
    assert endpoint.secret not in page
    assert "Nothing delivered yet" in page
    listing = admin_client.get(reverse("webhooks:list")).content.decode()
    assert endpoint.secret not in listing and "https://hooks.example.com/glossary" in listing
    assert all(endpoint.secret not in str(v) for v in endpoint.history.values_list(flat=True))


def test_a_new_secret_is_made_only_after_confirming_and_shown_once(admin_client, register):
    endpoint, old = register("https://hooks.example.com/glossary")
    confirm = admin_client.get(reverse("webhooks:secret", args=[endpoint.pk]))
    assert confirm.status_code == 200 and "Yes, make a new secret" in confirm.content.decode()
    endpoint.refresh_from_db()
    assert endpoint.secret == old
    response = admin_client.post(reverse("webhooks:secret", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert endpoint.secret != old
    assert endpoint.secret in response.content.decode()
    assert endpoint.secret not in admin_client.get(reverse("webhooks:detail", args=[endpoint.pk])).content.decode()


def test_deleting_an_endpoint_asks_first(admin_client, register):
    endpoint, _ = register("https://hooks.example.com/glossary")
    webhook_test_send(endpoint=endpoint)
    confirm = admin_client.get(reverse("webhooks:delete", args=[endpoint.pk]))
    assert "cannot be undone" in confirm.content.decode()
    assert WebhookEndpoint.objects.exists()
    response = admin_client.post(reverse("webhooks:delete", args=[endpoint.pk]), follow=True)
    assert not WebhookEndpoint.objects.exists() and not WebhookDelivery.objects.exists()
    assert "No endpoints yet" in response.content.decode()


def test_an_event_whose_message_cannot_be_made_fails_like_a_delivery_and_the_tick_goes_on(register):
    endpoint, _ = register(closed_port_url(), endpoint_format=WebhookEndpoint.Format.SLACK)
    now = timezone.now()
    webhook_event_fire(kind=payloads.TERM_REVIEW_DUE, data={"term": None, "proposal": None}, now=now)  # no review_by
    webhook_event_fire(kind=payloads.TEST, data=payloads.test_data(), endpoints=[endpoint], now=now)
    assert webhook_deliveries_due(now) == 2
    broken, fine = endpoint.deliveries.order_by("pk")
    assert "could not be made" in broken.attempts.get().error
    assert "Could not connect" in fine.attempts.get().error
    assert broken.attempt_count == fine.attempt_count == 1


def test_a_paused_endpoint_still_gets_its_test_events(admin_client, register):
    endpoint, _ = register(closed_port_url())
    admin_client.post(reverse("webhooks:pause", args=[endpoint.pk]))
    admin_client.post(reverse("webhooks:test", args=[endpoint.pk]))
    assert webhook_deliveries_due(timezone.now()) == 1
    assert WebhookDelivery.objects.get().attempts.count() == 1


def test_pausing_keeps_events_and_resuming_sends_them(admin_client, register):
    endpoint, _ = register(closed_port_url())
    admin_client.post(reverse("webhooks:pause", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert endpoint.is_paused
    webhook_event_fire(kind=payloads.TERM_PUBLISHED, data={"term": None, "proposal": None})
    assert webhook_deliveries_due(timezone.now()) == 0
    page = admin_client.get(reverse("webhooks:detail", args=[endpoint.pk])).content.decode()
    assert "Paused" in page and "Resume" in page
    admin_client.post(reverse("webhooks:resume", args=[endpoint.pk]))
    assert webhook_deliveries_due(timezone.now()) == 1


def test_the_detail_page_lists_deliveries_with_status_code_attempts_and_next_try(admin_client, register):
    endpoint, _ = register(closed_port_url())
    delivery = deliver_first(webhook_test_send(endpoint=endpoint))
    page = admin_client.get(reverse("webhooks:detail", args=[endpoint.pk])).content.decode()
    assert "webhook.test" in page and "Waiting to be sent" in page
    assert "Could not connect" in page
    assert delivery.next_attempt_at.strftime("%H:%M:%S") in page


@pytest.mark.parametrize(
    "url, message",
    [
        ("not a url", "Enter a full web address"),
        ("ftp://files.example.com/hook", "Enter a full web address"),
        ("https://", "Enter a full web address"),
        ("", "Give the address"),
        ("https://example.com/" + "a" * 2000, "at most 2000 characters"),
        ("https://example.com/\x00", "Null characters are not allowed"),
    ],
)
def test_an_address_that_is_not_a_web_address_is_refused_next_to_the_field(admin_client, url, message):
    response = admin_client.post(reverse("webhooks:add"), {"url": url, "events": ALL_EVENTS, "format": "standard"})
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert 'id="id_url_error"' in page and 'aria-describedby="id_url_helptext id_url_error"' in page
    assert not WebhookEndpoint.objects.exists()


def test_plain_http_is_refused_in_production_unless_allowed(admin_client, settings):
    settings.DEBUG = False
    settings.GLOSSARY_WEBHOOKS_ALLOW_HTTP = False
    data = {"url": "http://hooks.example.com/glossary", "events": ALL_EVENTS, "format": "standard"}
    response = admin_client.post(reverse("webhooks:add"), data)
    assert response.status_code == 400
    assert "Use an https:// address" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()
    settings.GLOSSARY_WEBHOOKS_ALLOW_HTTP = True
    assert admin_client.post(reverse("webhooks:add"), data).status_code == 201


def test_the_service_refuses_bad_input_too(admin_user, settings):
    from django.core.exceptions import ValidationError

    settings.DEBUG = False
    with pytest.raises(ValidationError) as refused:
        webhook_endpoint_register(user=admin_user, url="http://x.example", events_wanted=["nope"], endpoint_format="xml")
    assert set(refused.value.message_dict) == {"url", "events", "format"}
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize(
    "data, message",
    [
        ({"format": "standard"}, "Choose at least one event."),
        ({"format": "standard", "events": ["term.exploded"]}, "Choose among the listed events."),
        ({"format": "xml", "events": ALL_EVENTS}, "Select a valid choice"),
    ],
)
def test_events_and_format_must_be_among_those_listed(admin_client, data, message):
    response = admin_client.post(reverse("webhooks:add"), {"url": "https://hooks.example.com/x", **data})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_only_glossary_admins_see_and_use_the_webhook_pages(client, make_user, it, register):
    endpoint, secret = register("https://hooks.example.com/glossary")
    pages = [
        ("get", reverse("webhooks:list")),
        ("get", reverse("webhooks:add")),
        ("post", reverse("webhooks:add")),
        ("get", reverse("webhooks:detail", args=[endpoint.pk])),
        ("post", reverse("webhooks:test", args=[endpoint.pk])),
        ("post", reverse("webhooks:pause", args=[endpoint.pk])),
        ("post", reverse("webhooks:resume", args=[endpoint.pk])),
        ("get", reverse("webhooks:delete", args=[endpoint.pk])),
        ("post", reverse("webhooks:delete", args=[endpoint.pk])),
        ("get", reverse("webhooks:secret", args=[endpoint.pk])),
        ("post", reverse("webhooks:secret", args=[endpoint.pk])),
    ]
    for method, url in pages:
        assert getattr(client, method)(url).status_code == 302  # to the log-in page
    for role in (roles.READER, roles.CONTRIBUTOR, roles.APPROVER):
        client.force_login(make_user(f"user-{role}", department=it, role=role))
        assert "Webhooks" not in client.get(reverse("glossary:term_list")).content.decode()
        for method, url in pages:
            assert getattr(client, method)(url, {"url": "https://evil.example", "events": ALL_EVENTS}).status_code == 403
    endpoint.refresh_from_db()
    assert (endpoint.secret, endpoint.is_paused) == (secret, False)
    assert WebhookEndpoint.objects.count() == 1 and not WebhookDelivery.objects.exists()

    client.force_login(make_user("admin2", role=roles.GLOSSARY_ADMIN))
    home = client.get(reverse("glossary:term_list")).content.decode()
    assert f'href="{reverse("webhooks:list")}"' in home
    assert client.get(reverse("webhooks:list")).status_code == 200


def test_the_webhook_list_has_an_empty_state(admin_client):
    page = admin_client.get(reverse("webhooks:list")).content.decode()
    assert "No endpoints yet" in page
    assert admin_client.get(reverse("webhooks:add")).status_code == 200
