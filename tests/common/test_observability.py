"""Errors are seen: a server error in production mode leaves one JSON log line with its traceback
and request id, a mail to ADMINS and a Sentry event, and the user's error page names the same id;
none of them holds the request's secrets."""

import email
import email.policy
import gzip
import json
import re
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils.crypto import get_random_string

from common.release import release_fingerprint
from tests.app_servers import (
    ROOT,
    collected_static,
    http_get,
    manage,
    migrated_sqlite_database,
    production_environment,
    start_gunicorn,
    stop,
    wait_until_serving,
)
from tests.failing_urls import FAILURE_MESSAGE

ADMINS = "Ops <ops@example.com>, b@example.com"
FAILING_PATH = "/tests/fail/"

SERVER_SETTINGS = """\
from config.settings import *  # noqa: F401,F403

STATIC_ROOT = {static_root!r}
ROOT_URLCONF = "tests.failing_urls"
EMAIL_FILE_PATH = {mail_folder!r}
"""


class SentryReceiver:
    """Accepts what the Sentry SDK sends (envelopes) on 127.0.0.1 and keeps every item."""

    def __init__(self):
        self.bodies: list[bytes] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                receiver.bodies.append(body)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.dsn = f"http://publickey@127.0.0.1:{self.server.server_port}/1"
        # shutdown() waits for the loop's next poll, by default half a second of every test.
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def events(self) -> list[dict]:
        return [
            json.loads(payload)
            for body in self.bodies
            for header, payload in envelope_items(body)
            if header.get("type") == "event"
        ]

    def event_tagged(self, request_id: str, timeout: float = 20) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for event in self.events():
                if event.get("tags", {}).get("request_id") == request_id:
                    return event
            time.sleep(0.1)
        pytest.fail(f"no Sentry event tagged {request_id} arrived; events: {self.events()}")


def envelope_items(body: bytes) -> list[tuple[dict, bytes]]:
    """An envelope's items: a header line, then per item a header line and its payload, which is
    `length` bytes long when the header says so, else the rest of its line."""
    _, _, rest = body.partition(b"\n")
    items = []
    while rest.strip():
        header_line, _, rest = rest.partition(b"\n")
        header = json.loads(header_line)
        if "length" in header:
            payload, rest = rest[: header["length"]], rest[header["length"] + 1 :]
        else:
            payload, _, rest = rest.partition(b"\n")
        items.append((header, payload))
    return items


@pytest.fixture(scope="module")
def sentry_receiver():
    receiver = SentryReceiver()
    yield receiver
    receiver.server.shutdown()


@pytest.fixture(scope="module")
def failing_server(tmp_path_factory, sentry_receiver):
    """Gunicorn in production mode with the failing view, ADMINS mailed into a folder, and Sentry
    sending to the receiver."""
    folder = tmp_path_factory.mktemp("failing-server")
    (folder / "failing_settings.py").write_text(
        SERVER_SETTINGS.format(static_root=collected_static(tmp_path_factory), mail_folder=str(folder / "mail"))
    )
    env = production_environment(
        folder,
        "failing_settings",
        DATABASE_URL=migrated_sqlite_database(tmp_path_factory, folder / "db.sqlite3"),
        DJANGO_ADMINS=ADMINS,
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        SENTRY_DSN=sentry_receiver.dsn,
        SENTRY_ENVIRONMENT="observability-tests",
    )
    server = start_gunicorn(env, folder / "gunicorn.log")
    server.mail_folder = folder / "mail"
    try:
        wait_until_serving(server)
        yield server
    finally:
        stop(server.process)


def request_with_secrets() -> tuple[dict[str, str], list[str]]:
    """Headers of a signed-in API caller with a feed token too, and the secret values in them."""
    bearer, session = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    csrf = get_random_string(32)  # a well-formed CSRF secret, which Django keeps and copies into META
    headers = {"Authorization": f"Bearer {bearer}", "Cookie": f"sessionid={session}; csrftoken={csrf}"}
    return headers, [bearer, session, csrf]


def fail_with_secrets(server) -> tuple[str, list[str]]:
    """Request the failing view with secrets in its headers and query; its request id and the secrets."""
    headers, hidden = request_with_secrets()
    feed_token = secrets.token_urlsafe(24)
    answer = http_get(server, f"{FAILING_PATH}?token={feed_token}", headers)
    assert answer.status == 500, server.output()
    return answer.headers["X-Request-ID"], [*hidden, feed_token]


def json_lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def wait_for_line(server, request_id: str, level: str, timeout: float = 10) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in json_lines(server.output()):
            if line["request_id"] == request_id and line["level"] == level:
                return line
        time.sleep(0.1)
    pytest.fail(f"no {level} line for request {request_id}:\n{server.output()}")


@pytest.mark.slow
def test_a_server_error_shows_its_request_id_on_the_page_and_logs_one_json_line_with_its_traceback(failing_server):
    answer = http_get(failing_server, FAILING_PATH)
    request_id = answer.headers["X-Request-ID"]

    assert answer.status == 500
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    page = answer.text
    assert f'<code class="request-id">{request_id}</code>' in page and "quote this reference" in page
    assert 'class="site-header"' in page, "the page is drawn in the site's layout"
    assert "Traceback" not in page and FAILURE_MESSAGE not in page and "DeliberateFailure" not in page

    lines = [line for line in json_lines(failing_server.output()) if line["request_id"] == request_id]
    assert len(lines) == 1, failing_server.output()
    line = lines[0]
    assert (line["level"], line["logger"], line["method"], line["path"], line["status"]) == (
        "ERROR",
        "django.request",
        "GET",
        FAILING_PATH,
        500,
    )
    assert line["message"] == f"Internal Server Error: {FAILING_PATH}"
    assert line["traceback"].startswith("Traceback (most recent call last):")
    assert line["traceback"].rstrip().endswith(f"DeliberateFailure: {FAILURE_MESSAGE}")
    assert "failing_view" in line["traceback"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", line["time"])


@pytest.mark.slow
def test_no_header_cookie_or_query_secret_reaches_the_log(failing_server):
    request_id, hidden = fail_with_secrets(failing_server)
    headers, api_secrets = request_with_secrets()
    refused = http_get(failing_server, "/api/v1/terms", headers)
    assert refused.status == 401

    error = wait_for_line(failing_server, request_id, "ERROR")
    assert error["path"] == FAILING_PATH, "the path is logged without its query"
    warning = wait_for_line(failing_server, refused.headers["X-Request-ID"], "WARNING")
    assert (warning["path"], warning["status"]) == ("/api/v1/terms", 401)
    output = failing_server.output()
    for secret in [*hidden, *api_secrets]:
        assert secret not in output


def admin_mails(folder) -> list[email.message.EmailMessage]:
    messages = []
    for path in sorted(folder.glob("*.log")):
        for raw in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if raw.strip():
                messages.append(email.message_from_bytes(raw, policy=email.policy.default))
    return messages


@pytest.mark.slow
def test_admins_are_mailed_the_traceback_and_request_id_without_the_requests_secrets(failing_server):
    request_id, hidden = fail_with_secrets(failing_server)

    mails = [m for m in admin_mails(failing_server.mail_folder) if request_id in m.get_content()]
    assert len(mails) == 1, failing_server.output()
    mail = mails[0]
    body = mail.get_content()
    assert mail["To"] == "ops@example.com, b@example.com"
    assert mail["Subject"] == f"[Common Ground] ERROR (EXTERNAL IP): Internal Server Error: {FAILING_PATH}"
    assert f"Request id: {request_id}" in body
    assert "Traceback (most recent call last):" in body and "in failing_view" in body
    assert f"Exception Value: {FAILURE_MESSAGE}" in body
    assert "HTTP_AUTHORIZATION = '********************'" in body, "the header is named, its value hidden"
    raw = b"".join(path.read_bytes() for path in failing_server.mail_folder.glob("*.log"))
    for secret in hidden:
        assert secret not in body and secret.encode() not in raw


@pytest.mark.slow
def test_sentry_receives_the_failing_views_exception_tagged_with_the_request_id(failing_server, sentry_receiver):
    assert json.loads(http_get(failing_server, "/tests/error-tracking/").body) == {"started": True}
    request_id, hidden = fail_with_secrets(failing_server)

    event = sentry_receiver.event_tagged(request_id)
    exception = event["exception"]["values"][-1]
    assert (exception["type"], exception["value"]) == ("DeliberateFailure", FAILURE_MESSAGE)
    assert exception["stacktrace"]["frames"][-1]["function"] == "failing_view"
    assert event["release"] == release_fingerprint(ROOT)
    assert event["environment"] == "observability-tests"
    assert event["request"]["url"].endswith(FAILING_PATH)
    everything_sent = b"".join(sentry_receiver.bodies)
    for secret in hidden:
        at = everything_sent.find(secret.encode())
        assert at == -1, everything_sent[max(0, at - 300) : at + 100]


@pytest.mark.slow
def test_without_a_sentry_dsn_the_sdk_is_not_even_imported():
    env = production_environment(ROOT, "config.settings")
    code = "import sys; print('sentry_sdk' in sys.modules)"
    assert manage(env, "shell", "--no-imports", "-c", code).stdout.split() == ["False"]
    with_dsn = manage(
        {**env, "SENTRY_DSN": "http://publickey@127.0.0.1:9/1"},
        "shell",
        "--no-imports",
        "-c",
        "import sentry_sdk; print(sentry_sdk.is_initialized())",
    )
    assert with_dsn.stdout.split() == ["True"], "the check above would pass for a settings file that never starts it"


@pytest.mark.parametrize("incoming", ["abc\ndef", "x" * 1000, "a b", "id;rm", "ü", ""])
def test_an_unsafe_incoming_request_id_is_replaced_not_echoed(client, incoming):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=incoming)

    assert response["X-Request-ID"] != incoming
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_a_short_plain_incoming_request_id_is_kept(client):
    incoming = "lb-7f3a.1_Z" + "9" * 53  # 64 characters, the longest kept
    response = client.get("/healthz", HTTP_X_REQUEST_ID=incoming)

    assert response["X-Request-ID"] == incoming
    assert client.get("/healthz", HTTP_X_REQUEST_ID=incoming + "9")["X-Request-ID"] != incoming + "9"


def test_each_request_gets_its_own_id(client):
    ids = {client.get("/healthz")["X-Request-ID"] for _ in range(3)}
    assert len(ids) == 3
