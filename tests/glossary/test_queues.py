"""The task queues apart: exports, webhook deliveries and mail each wait only behind their own kind,
each run by the real `db_worker` on its queue; the mail a click causes is sent by the mail worker,
never by the click's request."""

import importlib
import socket
import threading
import time
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult, get_date_max

from glossary import queues
from glossary.interchange.tasks import build_pdf_export
from glossary.mail import tasks as mail_tasks
from glossary.models import PdfExport, Proposal, WatchNotice
from glossary.services.watching import watch_set
from tests.webhooks.receivers import receiving, status
from tests.workflow_helpers import approve, outside_a_transaction, send_queued_mail
from webhooks import payloads
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.services import webhook_endpoint_register, webhook_test_send
from webhooks.tasks import deliver_webhook

pytestmark = pytest.mark.django_db

READY = "READY"


def run_worker(queue_name: str) -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", queue_name)


def export_status(client, export) -> dict:
    return client.get(reverse("glossary:pdf_export_status", args=[export.pk])).json()


def webhook_endpoint(admin_user, settings, url: str) -> WebhookEndpoint:
    settings.GLOSSARY_WEBHOOKS_ALLOW_HTTP = True  # for the receiver on 127.0.0.1
    endpoint, _ = webhook_endpoint_register(
        user=admin_user,
        url=url,
        events_wanted=list(payloads.SUBSCRIBABLE),
        endpoint_format=WebhookEndpoint.Format.STANDARD,
    )
    return endpoint


# --- exports behind webhooks ---------------------------------------------------------------------


@pytest.mark.slow
@outside_a_transaction
def test_a_full_webhook_queue_holds_no_export_back_and_the_export_hears_of_no_export_ahead(
    reader_client, admin_user, glossary_in_every_status, settings
):
    settings.GLOSSARY_PDF_INLINE_LIMIT = 1
    with receiving(status(200)) as receiver:
        endpoint = webhook_endpoint(admin_user, settings, receiver.url)
        for _ in range(72):
            webhook_test_send(endpoint=endpoint)
        assert DBTaskResult.objects.filter(queue_name=queues.WEBHOOKS, status=READY).count() == 72

        reader_client.get(reverse("glossary:glossary_pdf"))
        export = PdfExport.objects.get()
        waiting = export_status(reader_client, export)
        assert (waiting["place_in_queue"], waiting["message"]) == (
            1,
            "Waiting for the worker: yours is next in the queue",
        )

        run_worker(queues.EXPORTS)

        assert export_status(reader_client, export)["state"] == "ready"
        # Every webhook task still waits for its own worker; not one receiver was called meanwhile.
        assert DBTaskResult.objects.filter(queue_name=queues.WEBHOOKS, status=READY).count() == 72
        assert receiver.received == []

        run_worker(queues.WEBHOOKS)

        assert len(receiver.received) == 72
    assert set(WebhookDelivery.objects.values_list("state", flat=True)) == {WebhookDelivery.State.SUCCEEDED}


def test_the_place_in_the_queue_counts_only_exports_even_with_other_tasks_on_the_exports_queue(
    reader_client, glossary_in_every_status, settings, django_capture_on_commit_callbacks
):
    settings.GLOSSARY_PDF_INLINE_LIMIT = 1
    # Tasks of another kind queued first on the exports' own queue are not exports ahead.
    for delivery_id in range(5):
        deliver_webhook.using(queue_name=queues.EXPORTS).enqueue(delivery_id)
    with django_capture_on_commit_callbacks(execute=True):
        reader_client.get(reverse("glossary:glossary_pdf"))
    with django_capture_on_commit_callbacks(execute=True):
        reader_client.get(reverse("glossary:glossary_pdf"), {"include_in_review": "on"})
    first, second = PdfExport.objects.order_by("created_at")
    assert export_status(reader_client, first)["place_in_queue"] == 1
    assert export_status(reader_client, second)["message"] == "Waiting for the worker: 1 export is ahead of yours"


# --- mail off the request -------------------------------------------------------------------------


@outside_a_transaction
def test_a_workflow_action_queues_its_mail_and_the_mail_worker_sends_it(
    client, proposal, ivan, marco, maya, mailoutbox
):
    watch_set(user=maya, delivery="immediate")
    client.force_login(ivan)
    client.post(reverse("glossary:proposal_action", args=[proposal.pk, "approve"]), {"comment": "", "revision": 1})
    client.force_login(marco)
    response = client.post(
        reverse("glossary:proposal_action", args=[proposal.pk, "approve"]), {"comment": "", "revision": 1}
    )
    assert response.status_code == 302
    assert Proposal.objects.get(pk=proposal.pk).state == Proposal.State.PUBLISHED

    assert mailoutbox == []  # nothing was sent by the requests
    queued = set(DBTaskResult.objects.filter(queue_name=queues.MAIL, status=READY).values_list("task_path", flat=True))
    assert queued == {
        mail_tasks.mail_proposal_waiting.module_path,
        mail_tasks.mail_proposal_published.module_path,
        mail_tasks.mail_watch_notices.module_path,
    }
    run_worker(queues.EXPORTS)
    run_worker(queues.WEBHOOKS)
    assert mailoutbox == []  # the other queues' workers leave mail alone

    send_queued_mail()

    assert [m.subject for m in mailoutbox if m.to == ["ada@example.com"]] == [
        "[Common Ground] “Omnichannel” is approved"
    ]
    assert [m.subject for m in mailoutbox if m.to == ["maya@example.com"]] == [
        "[Common Ground] “Omnichannel” is a new term: Settle the word"
    ]
    assert not DBTaskResult.objects.filter(queue_name=queues.MAIL).exclude(status="SUCCESSFUL").exists()


@outside_a_transaction
def test_a_watch_notice_the_tick_sent_first_is_not_sent_again_by_the_mail_worker(
    proposal, ivan, marco, maya, mailoutbox
):
    watch_set(user=maya, delivery="immediate")
    approve(proposal, ivan)
    approve(proposal, marco)
    out = StringIO()
    call_command("glossary_tick", stdout=out)
    assert "immediate watch e-mails sent: 1" in out.getvalue()

    send_queued_mail()
    send_queued_mail()

    assert len([m for m in mailoutbox if m.to == [maya.email]]) == 1
    assert WatchNotice.objects.get(user=maya).sent_at is not None


class SilentMailServer:
    """A mail server on 127.0.0.1 that takes connections and never says a word, as a stuck one does."""

    def __init__(self):
        self.connections = 0
        self.release = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        held = []
        self.listener.settimeout(0.1)
        while not self.release.is_set():
            try:
                conn, _ = self.listener.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            held.append(conn)
        for conn in held:
            conn.close()

    def stop(self):
        self.release.set()
        self.thread.join(5)
        self.listener.close()


@pytest.fixture
def silent_mail_server(settings):
    server = SilentMailServer()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS, settings.EMAIL_TIMEOUT = False, 0.3
    yield server
    server.stop()


@pytest.mark.slow
@outside_a_transaction
def test_a_mail_server_that_does_not_answer_neither_holds_nor_fails_the_request(
    client, proposal, ivan, marco, maya, silent_mail_server
):
    watch_set(user=maya, delivery="immediate")
    approve(proposal, ivan)
    client.force_login(marco)
    started = time.monotonic()
    response = client.post(
        reverse("glossary:proposal_action", args=[proposal.pk, "approve"]), {"comment": "", "revision": 1}
    )
    assert response.status_code == 302 and time.monotonic() - started < 1
    assert Proposal.objects.get(pk=proposal.pk).state == Proposal.State.PUBLISHED
    assert silent_mail_server.connections == 0  # the request never spoke to it

    send_queued_mail()

    assert silent_mail_server.connections > 0
    published = DBTaskResult.objects.get(task_path=mail_tasks.mail_proposal_published.module_path)
    assert published.status == "FAILED"  # recorded with its traceback, for the admin's Task results
    # A watch notice whose mail failed is left unsent and unclaimed, for the next tick.
    notice = WatchNotice.objects.get(user=maya)
    assert (notice.sent_at, notice.claimed_at) == (None, None)


# --- upgrading from one queue ----------------------------------------------------------------------


def test_exports_and_deliveries_left_on_the_old_single_queue_move_onto_their_own():
    # The task paths of that release: deliveries were sent by a task inside the glossary app then,
    # and exports were built by one in glossary.exports.
    old_delivery_path = "glossary.webhooks.tasks.deliver_webhook"
    old_export_path = "glossary.exports.tasks.build_pdf_export"

    def left_waiting(task_path, status=READY):
        return DBTaskResult.objects.create(
            args_kwargs={"args": ["x"], "kwargs": {}},
            task_path=task_path,
            queue_name="default",
            backend_name="default",
            run_after=get_date_max(),
            status=status,
        )

    export, delivery = left_waiting(old_export_path), left_waiting(old_delivery_path)
    finished = left_waiting(old_delivery_path, "SUCCESSFUL")
    migration = importlib.import_module("glossary.migrations.0018_tasks_onto_their_queues")

    migration.move_waiting_tasks(apps, None)

    queue_of = dict(DBTaskResult.objects.values_list("pk", "queue_name"))
    assert (queue_of[export.pk], queue_of[delivery.pk], queue_of[finished.pk]) == (
        queues.EXPORTS,
        queues.WEBHOOKS,
        "default",
    )

    # Then webhooks became their own app: the waiting delivery names the task where it lives now.
    importlib.import_module("webhooks.migrations.0002_own_tables").forwards(apps, None)
    delivery.refresh_from_db()
    assert (delivery.task_path, delivery.queue_name) == (deliver_webhook.module_path, queues.WEBHOOKS)

    # Then exports and imports moved to glossary.interchange: the waiting export follows its task.
    importlib.import_module("glossary.migrations.0022_task_paths_follow_their_modules").forwards(apps, None)
    export.refresh_from_db()
    assert (export.task_path, export.queue_name) == (build_pdf_export.module_path, queues.EXPORTS)


def test_mail_left_waiting_under_the_old_task_module_names_the_task_where_it_lives_now():
    waiting = {
        task: DBTaskResult.objects.create(
            args_kwargs={"args": [1], "kwargs": {}},
            task_path=f"glossary.mail_tasks.{task.name}",
            queue_name=queues.MAIL,
            backend_name="default",
            run_after=get_date_max(),
            status=READY,
        )
        for task in (
            mail_tasks.mail_proposal_waiting,
            mail_tasks.mail_proposal_decided,
            mail_tasks.mail_proposal_published,
            mail_tasks.mail_proposal_out_of_date,
            mail_tasks.mail_watch_notices,
        )
    }

    importlib.import_module("glossary.migrations.0022_task_paths_follow_their_modules").forwards(apps, None)

    for task, row in waiting.items():
        row.refresh_from_db()
        assert row.task_path == task.module_path
