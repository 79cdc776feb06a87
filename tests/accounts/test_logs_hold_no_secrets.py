"""Logs never hold a log-in's secrets or a third party's page.

Every failure path of the OpenID Connect log-in and of webhook deliveries runs with every logger
at DEBUG, configured as DJANGO_LOG_LEVEL=DEBUG configures production (JSON lines on stderr), and
both pytest's capture of every record and the JSON lines are searched for each secret value: the
code, state, nonce, PKCE verifier, tokens, client secret, webhook secret and signature, tokens in
addresses, and a marker placed in the third party's page. Each secret is a random string of its
own, so finding none means something. The line saying what went wrong must be there.

The real test provider (tests/oidc_provider) gives the answers it gives; a misbehaving provider
started here on 127.0.0.1 gives the ones it will not (an HTML error page echoing the code and
verifier, a bad signature, a timeout, ...). Nothing talks to anything but servers on 127.0.0.1.
"""

import base64
import contextlib
import io
import json
import logging
import logging.config
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, quote_plus, urljoin, urlsplit

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings as django_settings
from django.contrib.messages import get_messages
from django.core.cache import cache

from accounts.models import User
from accounts.oidc import OidcBackend
from common.log_text import log_excerpt
from common.logs import JsonLineFormatter, logging_settings
from tests.oidc_support import (
    CALLBACK,
    CLIENT_SECRET,
    closed_port_address,
    oidc_settings,
    provider_sign_in,
)
from webhooks import formats, payloads, signing
from webhooks.models import WebhookEndpoint
from webhooks.services import webhook_endpoint_register, webhook_test_send
from webhooks.tasks import deliver_webhook

# A log line is for a person to read: what failed, where, and the provider's own words, briefly.
LONGEST_MESSAGE = 600


def distinctive(name: str) -> str:
    """A value found nowhere else, so that finding it in the log means it leaked."""
    return f"{name}-{secrets.token_hex(12)}"


# --- The log, as production writes it ----------------------------------------------------------


class CapturedLog:
    def __init__(self, caplog, json_stream: io.StringIO):
        self.caplog = caplog
        self.json_stream = json_stream

    def text(self) -> str:
        """Everything written: each record as pytest formats it (tracebacks included) and each
        JSON line the stderr handler wrote."""
        return self.caplog.text + "\n" + self.json_stream.getvalue()

    def lines(self) -> list[dict]:
        return [json.loads(line) for line in self.json_stream.getvalue().splitlines()]

    def line_saying(self, *fragments: str) -> dict:
        """The JSON line whose message holds all the fragments; it must be one short line."""
        matching = [line for line in self.lines() if all(f in line["message"] for f in fragments)]
        assert matching, f"no log line says {fragments}; the lines: {[line['message'][:300] for line in self.lines()]}"
        line = matching[0]
        assert len(line["message"]) <= LONGEST_MESSAGE, line["message"][:2000]
        assert not any(ord(c) < 32 or 127 <= ord(c) < 160 for c in line["message"]), line["message"]
        return line


@pytest.fixture
def log(caplog):
    """Every logger at DEBUG as production configures them, the stderr handler writing its JSON
    lines into a buffer; and pytest's capture of every record at DEBUG on the root logger."""
    caplog.set_level(logging.DEBUG)
    logging.config.dictConfig(logging_settings(json_lines=True, level="DEBUG"))
    (stderr,) = [h for h in logging.getLogger().handlers if isinstance(h.formatter, JsonLineFormatter)]
    json_stream = io.StringIO()
    stderr.setStream(json_stream)
    for name in ("accounts", "mozilla_django_oidc", "glossary", "django_tasks", "requests", "django.request"):
        assert logging.getLogger(name).isEnabledFor(logging.DEBUG)
    yield CapturedLog(caplog, json_stream)
    logging.config.dictConfig(django_settings.LOGGING)


def assert_holds_none(log: CapturedLog, secret_values: dict[str, str]) -> None:
    text = log.text()
    assert len(secret_values) >= 1 and all(secret_values.values())
    leaked = sorted(
        name
        for name, value in secret_values.items()
        if any(form in text for form in {value, quote(value, safe=""), quote_plus(value)})
    )
    assert not leaked, f"the log holds the {', '.join(leaked)}"


def test_a_log_excerpt_is_one_short_line_without_the_secrets_it_is_told_of():
    secret = distinctive("se/cret+")
    text = f"first line\r\nsecond {secret} \x1b[2J{quote_plus(secret)} \u2028{'long ' * 100}"

    excerpt = log_excerpt(text, limit=80, hide=[secret, None])

    assert excerpt.startswith("first line second [hidden] [2J[hidden] long long")
    assert len(excerpt) == 80 and excerpt.endswith("…")
    assert secret not in excerpt and not any(ord(c) < 32 or c == "\u2028" for c in excerpt)


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- A misbehaving provider on 127.0.0.1 -------------------------------------------------------

SUBJECT = "sub-of-ivan"


def json_body(document, status=200):
    """An answer of JSON: `document`, or what `document(provider)` gives at the time."""

    def answer(handler, provider):
        written = document(provider) if callable(document) else document
        handler.reply(status, json.dumps(written).encode(), "application/json")

    return answer


def page(status, text, content_type="text/html; charset=utf-8"):
    def answer(handler, provider):
        handler.reply(status, text(provider).encode() if callable(text) else text.encode(), content_type)

    return answer


def slow(handler, provider):
    """Answers later than the app waits."""
    provider.release.wait(django_settings.OIDC_TIMEOUT * 3 + 1)


def hangs_up(handler, provider):
    handler.close_connection = True
    handler.connection.shutdown(2)


class MisbehavingProvider:
    """An OpenID provider that answers correctly by default (discovery, JWKS, an ID token signed
    with its key for the nonce it was told, userinfo) and as a test says, endpoint by endpoint."""

    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.answers = {}
        self.id_token_changes: dict = {}
        self.id_token_key = self.key
        self.id_token_algorithm = "RS256"
        self.nonce = None
        self.minted: list[str] = []
        self.token_requests: list[dict] = []
        self.paths_asked: list[str] = []
        self.access_token = distinctive("access-token")
        self.refresh_token = distinctive("refresh-token")
        self.marker = distinctive("MARKER-of-the-providers-page")
        self.release = threading.Event()
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def reply(self, status, body, content_type, headers=()):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers:
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def answer(self):
                path = urlsplit(self.path).path
                provider.paths_asked.append(path)
                if path == "/token":
                    body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                    provider.token_requests.append(
                        {
                            "form": {name: values[0] for name, values in parse_qs(body).items()},
                            "raw": body,
                            "authorization": self.headers.get("Authorization", ""),
                        }
                    )
                default = provider.correct.get(path)
                answer = provider.answers.get(path, default)
                if answer is None:
                    self.reply(404, b"not here", "text/plain")
                    return
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    answer(self, provider)

            do_GET = do_POST = answer

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.host = f"127.0.0.1:{self.server.server_address[1]}"
        self.issuer = f"http://{self.host}"
        self.correct = {
            "/.well-known/openid-configuration": json_body(MisbehavingProvider.discovery),
            "/jwks": json_body(MisbehavingProvider.jwks),
            "/token": json_body(MisbehavingProvider.tokens),
            "/userinfo": json_body({"sub": SUBJECT, "email": "ivan@corp.example"}),
        }
        # shutdown() waits for the loop's next poll, by default half a second of every test.
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def stop(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def discovery(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/auth",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
        }

    def jwks(self) -> dict:
        public = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {"keys": [{**public, "kid": "k1", "use": "sig", "alg": "RS256"}]}

    def id_token(self) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": SUBJECT,
            "aud": django_settings.OIDC_RP_CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": self.nonce,
            **self.id_token_changes,
        }
        token = jwt.encode(claims, self.id_token_key, algorithm=self.id_token_algorithm, headers={"kid": "k1"})
        self.minted.append(token)
        return token

    def tokens(self) -> dict:
        return {
            "access_token": self.access_token,
            "token_type": "Bearer",
            "expires_in": 300,
            "refresh_token": self.refresh_token,
            "id_token": self.id_token(),
        }

    def echo_page(self, provider=None) -> str:
        """An error page of the kind some providers send: it repeats the request it refuses
        (the code, the verifier, the client's credentials), in 162 KB of markup."""
        request = self.token_requests[-1] if self.token_requests else {"form": {}, "raw": "", "authorization": ""}
        basic = request["authorization"].removeprefix("Basic ")
        credentials = base64.b64decode(basic).decode() if basic else ""
        echoed = "".join(f"<tr><td>{name}</td><td>{value}</td></tr>" for name, value in request["form"].items())
        return (
            f"<!doctype html><html><head><title>Error {self.marker}</title></head><body>\n"
            f"<h1>Something went wrong</h1><p>{self.marker}</p>\n<table>{echoed}</table>\n"
            f"<pre>{request['raw']}\nAuthorization: {request['authorization']}\n{credentials}\n"
            f"Bearer {self.access_token}</pre>\n" + "<div class='padding'>" + "x" * 160_000 + "</div></body></html>\n"
        )


@pytest.fixture
def bad_idp(settings, db):
    provider = MisbehavingProvider()
    oidc_settings(settings, provider.issuer, OIDC_TIMEOUT=0.5)
    settings.OIDC_RP_CLIENT_SECRET = distinctive("client-secret")
    yield provider
    provider.stop()


def callback_with(client, provider, *, before_callback=None):
    """Start the log-in at the app and come back with a code, as the provider would send the
    browser: the app's answer and every secret of this log-in the log must not hold."""
    start = client.get("/oidc/authenticate/")
    assert start.status_code == 302 and start["Location"].startswith(f"{provider.issuer}/auth?"), start
    query = parse_qs(urlsplit(start["Location"]).query)
    state, nonce = query["state"][0], query["nonce"][0]
    provider.nonce = nonce
    code = distinctive("authorization-code")
    kept = {
        "authorization code": code,
        "state": state,
        "nonce": nonce,
        "PKCE verifier": client.session["oidc_states"][state]["code_verifier"],
        "client secret": django_settings.OIDC_RP_CLIENT_SECRET,
        "Basic credentials": base64.b64encode(
            f"{django_settings.OIDC_RP_CLIENT_ID}:{django_settings.OIDC_RP_CLIENT_SECRET}".encode()
        ).decode(),
        "access token": provider.access_token,
        "refresh token": provider.refresh_token,
        "marker in the provider's page": provider.marker,
    }
    if before_callback is not None:
        before_callback()
    response = client.get("/oidc/callback/", {"code": code, "state": state})
    kept.update({f"ID token {n}": token for n, token in enumerate(provider.minted)})
    return response, kept


def test_the_misbehaving_provider_logs_in_when_it_behaves(client, bad_idp, log):
    """The control for the tests below: with correct answers the log-in works, so each failure
    below is the one its test arranged."""
    response, kept = callback_with(client, bad_idp)

    assert response.status_code == 302 and response["Location"] == "/"
    assert User.objects.filter(oidc_identities__subject=SUBJECT).exists()
    assert bad_idp.token_requests[-1]["form"]["code"] == kept["authorization code"]
    assert_holds_none(log, kept)


def redirect_with_token(provider):
    provider.redirect_token = distinctive("token-in-a-redirect")

    def answer(handler, provider):
        location = f"{provider.issuer}/elsewhere?token={provider.redirect_token}"
        handler.reply(307, b"", "text/plain", [("Location", location)])

    return answer


def oauth_error_echoing(handler, provider):
    """An OAuth error whose description repeats the request, over many lines, with escape codes."""
    form = provider.token_requests[-1]["form"]
    description = (
        f"code {form.get('code')} does not match\r\nverifier {form.get('code_verifier')} \x1b[31m{'much more ' * 500}"
    )
    json_body({"error": "invalid_grant", "error_description": description}, status=400)(handler, provider)


# (which endpoint misbehaves, how, and what the log line must say)
TOKEN_AND_LATER_FAILURES = [
    pytest.param(
        "/token",
        lambda p: page(500, p.echo_page),
        ("token request at {host}", "HTTP 500"),
        id="token endpoint answers an HTML error page echoing the code and verifier",
    ),
    pytest.param(
        "/token",
        lambda p: oauth_error_echoing,
        ("token request at {host}", "HTTP 400", "invalid_grant", "does not match"),
        id="token endpoint answers an OAuth error echoing the code, over lines, with escape codes",
    ),
    pytest.param(
        "/token",
        lambda p: page(502, lambda p: f"Bad gateway {p.marker}", "text/plain"),
        ("token request at {host}", "HTTP 502"),
        id="token endpoint answers a 502",
    ),
    pytest.param(
        "/token",
        lambda p: page(200, p.echo_page),
        ("token request at {host}", "not JSON"),
        id="token endpoint answers 200 with an HTML page",
    ),
    pytest.param(
        "/token",
        lambda p: json_body([p.access_token, p.marker]),
        ("token request at {host}", "not a JSON object"),
        id="token endpoint answers a JSON list",
    ),
    pytest.param(
        "/token",
        lambda p: json_body({"access_token": p.access_token, "token_type": "Bearer"}),
        ("no ID token",),
        id="token endpoint answers without an ID token",
    ),
    pytest.param(
        "/token",
        redirect_with_token,
        ("token request at {host}", "HTTP 307"),
        id="token endpoint redirects to an address carrying a token",
    ),
    pytest.param(
        "/token", lambda p: slow, ("token request at {host}", "no answer within"), id="token endpoint times out"
    ),
    pytest.param(
        "/token", lambda p: hangs_up, ("token request at {host}", "could not connect"), id="token endpoint hangs up"
    ),
    pytest.param(
        "/jwks", lambda p: page(500, p.echo_page), ("JWKS at {host}", "HTTP 500"), id="JWKS answers a 500 page"
    ),
    pytest.param(
        "/jwks",
        lambda p: page(200, lambda p: f"{{not json {p.marker}", "application/json"),
        ("JWKS at {host}", "not JSON"),
        id="JWKS is not JSON",
    ),
    pytest.param("/jwks", lambda p: slow, ("JWKS at {host}", "no answer within"), id="JWKS times out"),
    pytest.param(
        "/userinfo",
        lambda p: page(500, p.echo_page),
        ("userinfo at {host}", "HTTP 500"),
        id="userinfo answers a 500 page echoing the access token",
    ),
    pytest.param(
        "/userinfo",
        lambda p: page(401, lambda p: f"token {p.access_token} refused {p.marker}", "text/plain"),
        ("userinfo at {host}", "HTTP 401"),
        id="userinfo refuses the access token",
    ),
    pytest.param(
        "/userinfo",
        lambda p: page(200, p.echo_page, "application/json"),
        ("userinfo at {host}", "not JSON"),
        id="userinfo says JSON but sends a page",
    ),
    pytest.param("/userinfo", lambda p: slow, ("userinfo at {host}", "no answer within"), id="userinfo times out"),
    pytest.param(
        "/userinfo",
        lambda p: json_body({"sub": "someone-else", "note": p.marker}),
        ("another subject",),
        id="userinfo about another person",
    ),
]


@pytest.mark.parametrize("path, misbehaviour, said", TOKEN_AND_LATER_FAILURES)
def test_a_failing_token_exchange_jwks_or_userinfo_logs_what_failed_and_no_secret(
    client, bad_idp, log, path, misbehaviour, said
):
    bad_idp.answers[path] = misbehaviour(bad_idp)

    response, kept = callback_with(client, bad_idp)

    if hasattr(bad_idp, "redirect_token"):
        kept["token in the redirect's address"] = bad_idp.redirect_token
        assert "/elsewhere" not in bad_idp.paths_asked  # the code and secret are not sent on
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert not User.objects.exists()
    assert_holds_none(log, kept)
    line = log.line_saying(*(fragment.format(host=bad_idp.host) for fragment in said))
    assert line["request_id"] == response["X-Request-ID"]


ID_TOKEN_FAILURES = [
    pytest.param(
        lambda p: setattr(p, "id_token_key", rsa.generate_private_key(public_exponent=65537, key_size=2048)),
        "Signature verification failed",
        id="signed with another key",
    ),
    pytest.param(
        lambda p: p.id_token_changes.update(nonce=distinctive("nonce-of-another-log-in")),
        "nonce does not match",
        id="another log-in's nonce",
    ),
    pytest.param(lambda p: p.id_token_changes.update(aud="another-app"), "Audience", id="for another client"),
    pytest.param(lambda p: p.id_token_changes.update(exp=int(time.time()) - 3600), "expired", id="expired"),
    pytest.param(lambda p: p.id_token_changes.update(iss="http://127.0.0.1:1"), "issuer", id="from another issuer"),
    pytest.param(
        lambda p: (
            setattr(p, "id_token_key", django_settings.OIDC_RP_CLIENT_SECRET),
            setattr(p, "id_token_algorithm", "HS256"),
        ),
        "HS256",
        id="HS256 with the client secret",
    ),
]


@pytest.mark.parametrize("spoil, said", ID_TOKEN_FAILURES)
def test_a_refused_id_token_logs_why_and_no_secret(client, bad_idp, log, spoil, said):
    spoil(bad_idp)

    response, kept = callback_with(client, bad_idp)

    assert response["Location"] == "/accounts/login/"
    assert any("could not be completed" in message for message in messages_of(response))
    assert not User.objects.exists()
    assert_holds_none(log, kept)
    line = log.line_saying("refused", said)
    assert line["request_id"] == response["X-Request-ID"]


def test_an_id_token_that_is_not_a_jwt_logs_so_and_not_the_token(client, bad_idp, log):
    garbage = distinctive("garbage-id-token")
    bad_idp.answers["/token"] = json_body({"access_token": bad_idp.access_token, "id_token": garbage})

    response, kept = callback_with(client, bad_idp)

    assert response["Location"] == "/accounts/login/"
    assert_holds_none(log, {**kept, "ID token": garbage})
    log.line_saying("refused", "not a JWT")


DISCOVERY_FAILURES = [
    pytest.param(lambda p: page(500, p.echo_page), ("discovery at {host}", "HTTP 500"), id="a 500 page"),
    pytest.param(
        lambda p: page(200, lambda p: f"<html>{p.marker}</html>"),
        ("discovery at {host}", "not JSON"),
        id="an HTML page",
    ),
    pytest.param(lambda p: json_body([p.marker]), ("discovery at {host}", "not a JSON object"), id="a JSON list"),
    pytest.param(
        lambda p: json_body({**p.discovery(), "issuer": "http://127.0.0.1:1/other\n" + "x" * 5000}),
        ("discovery at {host}", "issuer"),
        id="another issuer, over lines and long",
    ),
    pytest.param(
        lambda p: json_body({"issuer": p.issuer, "note": p.marker}),
        ("discovery at {host}", "token_endpoint"),
        id="no endpoints",
    ),
    pytest.param(lambda p: slow, ("discovery at {host}", "no answer within"), id="a timeout"),
]


@pytest.mark.parametrize("misbehaviour, said", DISCOVERY_FAILURES)
def test_failing_discovery_at_the_start_logs_what_failed_and_no_page(client, bad_idp, log, misbehaviour, said):
    bad_idp.answers["/.well-known/openid-configuration"] = misbehaviour(bad_idp)

    response = client.get("/oidc/authenticate/")

    assert response["Location"] == "/accounts/login/"
    assert_holds_none(
        log, {"marker in the provider's page": bad_idp.marker, "client secret": django_settings.OIDC_RP_CLIENT_SECRET}
    )
    line = log.line_saying(*(fragment.format(host=bad_idp.host) for fragment in said))
    assert line["request_id"] == response["X-Request-ID"]


def test_a_provider_nobody_answers_for_is_logged_as_such(client, settings, db, log):
    address = closed_port_address()
    oidc_settings(settings, address, OIDC_TIMEOUT=0.5)

    response = client.get("/oidc/authenticate/")

    assert response["Location"] == "/accounts/login/"
    assert_holds_none(log, {"client secret": settings.OIDC_RP_CLIENT_SECRET})
    log.line_saying(f"discovery at {address.removeprefix('http://')}", "could not connect")


def test_discovery_failing_between_the_start_and_the_callback_logs_no_code(client, bad_idp, log):
    def break_discovery():
        cache.clear()
        bad_idp.answers["/.well-known/openid-configuration"] = page(503, bad_idp.echo_page)

    response, kept = callback_with(client, bad_idp, before_callback=break_discovery)

    assert response["Location"] == "/accounts/login/"
    assert bad_idp.token_requests == []
    assert_holds_none(log, kept)
    assert log.line_saying(f"discovery at {bad_idp.host}", "HTTP 503")["request_id"] == response["X-Request-ID"]


def test_logging_out_while_discovery_fails_logs_why_and_not_the_id_token(client, bad_idp, log):
    logged_in, kept = callback_with(client, bad_idp)
    assert logged_in["Location"] == "/"
    cache.clear()
    bad_idp.answers["/.well-known/openid-configuration"] = page(500, bad_idp.echo_page)

    response = client.post("/accounts/logout/")

    assert response["Location"] == "/" and not client.get("/").wsgi_request.user.is_authenticated
    assert_holds_none(log, kept)
    log.line_saying("log-out", f"discovery at {bad_idp.host} answered HTTP 500")


def test_an_error_the_provider_sends_the_browser_back_with_is_logged_bounded(client, bad_idp, log):
    start = client.get("/oidc/authenticate/")
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]
    description = f"state {state} refused \x1b[2J\r\n{bad_idp.marker}" + " and more" * 1000

    response = client.get(
        "/oidc/callback/", {"error": "access_denied", "error_description": description, "state": state}
    )

    assert response["Location"] == "/accounts/login/"
    assert_holds_none(log, {"state": state})
    line = log.line_saying("access_denied", "refused")
    assert line["request_id"] == response["X-Request-ID"]


# --- The real provider's answers ---------------------------------------------------------------


@pytest.fixture
def idp(idp):
    """The provider (tests/accounts/conftest.py), knowing Ivan."""
    idp.set_users({"ivan": {"sub": "a1b2-ivan", "email": "ivan@corp.example", "groups": ["glossary-it"]}})
    return idp


@pytest.fixture
def tokens_received(monkeypatch):
    """What the real provider's token endpoint answered, kept to search the log for."""
    received = {}
    real_get_token = OidcBackend.get_token

    def get_token(self, payload):
        received["sent code"] = payload["code"]
        answer = real_get_token(self, payload)
        received.update({name: value for name, value in answer.items() if name.endswith("_token")})
        return answer

    monkeypatch.setattr(OidcBackend, "get_token", get_token)
    return received


def session_secrets(client) -> dict[str, str]:
    ((state, kept),) = client.session["oidc_states"].items()
    return {"state": state, "nonce": kept["nonce"], "PKCE verifier": kept["code_verifier"]}


def test_a_log_in_through_the_real_provider_logs_no_code_verifier_or_token(client, idp, it, log, tokens_received):
    kept = {}
    response = provider_sign_in(client, "ivan", before_callback=lambda: kept.update(session_secrets(client)))

    assert response.status_code == 302 and response["Location"] == "/"
    code = parse_qs(urlsplit(response.callback_url).query)["code"][0]
    assert {"access_token", "id_token"} <= set(tokens_received)
    assert_holds_none(log, {**kept, "authorization code": code, "client secret": CLIENT_SECRET, **tokens_received})


def test_a_code_the_real_provider_does_not_know_logs_its_oauth_error_not_the_code(client, idp, log):
    start = client.get("/oidc/authenticate/")
    kept = session_secrets(client)
    code = distinctive("authorization-code")

    response = client.get("/oidc/callback/", {"code": code, "state": kept["state"]})

    assert start.status_code == 302 and response["Location"] == "/accounts/login/"
    assert any("could not be completed" in message for message in messages_of(response))
    assert_holds_none(log, {**kept, "authorization code": code, "client secret": CLIENT_SECRET})
    line = log.line_saying("token request", "HTTP 400", "invalid_grant")
    assert line["request_id"] == response["X-Request-ID"]


def test_a_wrong_client_secret_at_the_real_provider_logs_invalid_client_not_the_secret(client, idp, settings, log):
    settings.OIDC_RP_CLIENT_SECRET = distinctive("wrong-client-secret")
    kept = {}

    response = provider_sign_in(client, "ivan", before_callback=lambda: kept.update(session_secrets(client)))

    code = parse_qs(urlsplit(response.callback_url).query)["code"][0]
    assert response["Location"] == "/accounts/login/"
    assert_holds_none(log, {**kept, "authorization code": code, "client secret": settings.OIDC_RP_CLIENT_SECRET})
    log.line_saying("token request", "HTTP 401", "invalid_client")


def test_an_error_the_real_provider_sends_back_is_logged_without_the_state(client, idp, log):
    """prompt=none without a session at the provider: it sends the browser back with
    error=login_required."""
    start = client.get("/oidc/authenticate/")
    kept = session_secrets(client)
    answer = requests.get(start["Location"] + "&prompt=none", allow_redirects=False, timeout=10)
    back = urljoin(start["Location"], answer.headers["Location"])
    assert back.startswith(CALLBACK) and "error=login_required" in back, back

    response = client.get(f"/oidc/callback/?{urlsplit(back).query}")

    assert response["Location"] == "/accounts/login/"
    assert_holds_none(log, {**kept, "client secret": CLIENT_SECRET})
    log.line_saying("login_required")


# --- Webhook deliveries ------------------------------------------------------------------------


class Receiver:
    """A webhook receiver on 127.0.0.1 answering every delivery as told, keeping what it got."""

    def __init__(self, answer):
        self.received: list[dict] = []
        self.release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.received.append({k.lower(): v for k, v in self.headers.items()})
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    answer(self, receiver)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.marker = distinctive("MARKER-of-the-receivers-page")
        # shutdown() waits for the loop's next poll, by default half a second of every test.
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def stop(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def echo(self) -> bytes:
        headers = self.received[-1]
        return (
            f"<html><h1>500 {self.marker}</h1><pre>{json.dumps(headers)}</pre>" + "x" * 100_000 + "</html>"
        ).encode()


def failing_with_echo(handler, receiver):
    body = receiver.echo()
    handler.send_response(500)
    handler.send_header("Content-Type", "text/html")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def broken_headers_echoing_the_signature(handler, receiver):
    """Header lines that do not parse, repeating the signature and the secret address."""
    headers = receiver.received[-1]
    handler.wfile.write(
        b"HTTP/1.1 500 Broken\r\nContent-Length: 2\r\n"
        + f"X-Echo {headers['webhook-signature']} {receiver.marker}\r\n".encode()
        + f"Broken line for {handler.path}\r\n\r\nno".encode()
    )
    handler.close_connection = True


def redirect_with_a_token(handler, receiver):
    receiver.redirect_token = distinctive("token-in-a-redirect")
    handler.send_response(302)
    handler.send_header("Location", f"{receiver.origin}/moved?token={receiver.redirect_token}")
    handler.send_header("Content-Length", "0")
    handler.end_headers()


def hang(handler, receiver):
    receiver.release.wait(30)


# (how the receiver answers, where the endpoint points, what the delivery's attempt records)
WEBHOOK_FAILURES = [
    pytest.param(failing_with_echo, "receiver", "The receiver answered 500", id="a 500 page echoing the signature"),
    pytest.param(
        broken_headers_echoing_the_signature,
        "receiver",
        "The receiver answered 500",
        id="headers that do not parse, echoing the signature",
    ),
    pytest.param(redirect_with_a_token, "receiver", "Redirected to", id="a redirect to an address carrying a token"),
    pytest.param(hang, "receiver", "No answer within", id="a timeout"),
    pytest.param(None, "closed port", "Could not connect", id="connection refused"),
    pytest.param(None, "private address", "private or local address", id="a private address, refused"),
]


@pytest.mark.parametrize("answer, where, recorded", WEBHOOK_FAILURES)
def test_a_failing_webhook_delivery_logs_no_secret_signature_or_page(
    admin_user, settings, log, answer, where, recorded
):
    settings.GLOSSARY_WEBHOOKS_ALLOW_HTTP = True
    settings.GLOSSARY_WEBHOOK_ALLOWED_NETWORKS = "127.0.0.1/32"
    settings.GLOSSARY_WEBHOOK_TIMEOUT_SECONDS = 0.5
    receiver = Receiver(answer or failing_with_echo)
    # A Slack-style address: its path is the secret.
    path_token = distinctive("T0KEN-in-the-path")
    url = f"{closed_port_address() if where == 'closed port' else receiver.origin}/services/{path_token}"
    try:
        endpoint, secret = webhook_endpoint_register(
            user=admin_user,
            url=url,
            events_wanted=list(payloads.SUBSCRIBABLE),
            endpoint_format=WebhookEndpoint.Format.STANDARD,
        )
        if where == "private address":
            settings.GLOSSARY_WEBHOOK_ALLOWED_NETWORKS = ""
        delivery = webhook_test_send(endpoint=endpoint)
        deliver_webhook.call(delivery.pk)
    finally:
        receiver.stop()

    attempt = delivery.attempts.get()
    assert not attempt.succeeded and recorded in attempt.error
    assert (where == "receiver") == bool(receiver.received)
    # The signature the delivery carried (or would have), to search the log for.
    signature = signing.signature(
        secret=secret,
        message_id=delivery.message_id,
        timestamp=int(attempt.attempted_at.timestamp()),
        body=formats.body(endpoint.format, delivery.payload),
    )
    if receiver.received:
        assert receiver.received[-1]["webhook-signature"] == signature
    kept = {
        "webhook secret": secret,
        "signature": signature.removeprefix("v1,"),
        "token in the address's path": path_token,
        "marker in the receiver's page": receiver.marker,
    }
    if hasattr(receiver, "redirect_token"):
        kept["token in the redirect's address"] = receiver.redirect_token
    assert_holds_none(log, kept)
