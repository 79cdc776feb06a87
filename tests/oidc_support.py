"""A real OpenID Connect provider for the tests (tests/oidc_provider/server.js) and a way to log
in through it: the Django test client plays the app's side, a `requests` session the browser's
side at the provider (its own log-in form, its cookies, its redirects).

Nothing here talks to anything but the provider it started on 127.0.0.1.
"""

import json
import os
import re
import shutil
import socket
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests

PROVIDER_DIR = Path(__file__).resolve().parent / "oidc_provider"
CLIENT_ID = "common-ground"
CLIENT_SECRET = "common-ground-test-secret"
APP_ORIGIN = "http://testserver"
CALLBACK = f"{APP_ORIGIN}/oidc/callback/"
AFTER_LOGOUT = f"{APP_ORIGIN}/"
PASSWORD = "provider-password"


@dataclass
class IdentityProvider:
    issuer: str
    users_file: Path
    process: subprocess.Popen
    output: list[str] = field(default_factory=list)

    def set_users(self, users: dict) -> None:
        """The directory as it is now: {login: {sub, email, name, groups, ...}}; read at each log-in."""
        with_passwords = {login: {"password": PASSWORD, **user} for login, user in users.items()}
        self.users_file.write_text(json.dumps(with_passwords))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def provider_node_or_skip() -> str:
    """Node.js, when it and the provider's npm package are installed. Outside CI a test that needs
    them skips, saying why (`make test-fast` installs no npm package); under CI=true it fails, so
    CI never passes without having run them."""
    node = shutil.which("node")
    missing = None
    if node is None:
        missing = "no Node.js (apt-get install nodejs npm)"
    elif not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        missing = "its npm package is not installed: `npm ci --prefix tests/oidc_provider` (`make test` runs it)"
    if missing:
        message = f"The test identity provider needs Node.js and its package: {missing}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return node


def provider_start(tmp_dir: Path, redirect_uris: list[str], post_logout_uris: list[str]) -> IdentityProvider:
    node = provider_node_or_skip()
    users_file = tmp_dir / "directory.json"
    users_file.write_text("{}")
    process = subprocess.Popen(
        [
            node,
            str(PROVIDER_DIR / "server.js"),
            str(users_file),
            CLIENT_ID,
            CLIENT_SECRET,
            ",".join(redirect_uris),
            ",".join(post_logout_uris),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=PROVIDER_DIR,
    )
    output: list[str] = []
    issuer = None
    # Its first JSON line names the issuer (warnings about the development setup come first).
    for line in process.stdout:
        output.append(line)
        if line.startswith("{"):
            issuer = json.loads(line)["issuer"]
            break
    if issuer is None:
        process.wait(timeout=5)
        raise RuntimeError("The test identity provider did not start:\n" + "".join(output))
    # Keep reading its output so a full pipe never blocks it.
    threading.Thread(target=lambda: output.extend(process.stdout), daemon=True).start()
    return IdentityProvider(issuer=issuer, users_file=users_file, process=process, output=output)


def closed_port_address() -> str:
    """An address on 127.0.0.1 where nothing listens: a provider that is down."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def oidc_settings(settings, issuer: str, **extra) -> None:
    """Configure the app for this provider, as the environment variables would."""
    settings.OIDC_ISSUER = issuer
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_PROVIDER_NAME = "Test IdP"
    settings.OIDC_RP_SCOPES = "openid email profile groups"
    settings.OIDC_GROUP_MAP = {
        "glossary-it": {"department": "it", "role": "Contributor"},
        "glossary-it-approvers": {"department": "it", "role": "Department approver"},
        "glossary-marketing": {"department": "marketing", "role": "Contributor"},
        "glossary-marketing-approvers": {"department": "marketing", "role": "Department approver"},
        "glossary-admins": {"role": "Glossary admin"},
    }
    settings.AUTHENTICATION_BACKENDS = [
        "axes.backends.AxesStandaloneBackend",
        "accounts.oidc.BreakGlassPasswordGate",
        "accounts.backends.DepartmentAwareBackend",
        "accounts.oidc.OidcBackend",
    ]
    # As config/settings.py does: log-out's form may redirect to the provider.
    settings.CONTENT_SECURITY_POLICY = settings.CONTENT_SECURITY_POLICY.replace(
        "form-action 'self'", f"form-action 'self' {issuer}"
    )
    for name, value in extra.items():
        setattr(settings, name, value)


_FORM_ACTION = re.compile(r'<form[^>]*action="([^"]+)"')


def provider_sign_in(
    client, login: str, *, password: str = PASSWORD, next_url: str | None = None, before_callback=None
):
    """Start the log-in at the app, sign in at the provider's own page, and return the app's
    answer to the provider's redirect back (the callback), with its address in `.callback_url`.
    `before_callback()` runs just before the browser comes back to the app."""
    start = client.get("/oidc/authenticate/", {"next": next_url} if next_url else {})
    assert start.status_code == 302, start
    browser = requests.Session()
    url = start["Location"]
    signed_in = False
    for _ in range(20):
        if url.startswith(APP_ORIGIN):
            if before_callback is not None:
                before_callback()
            parts = urlsplit(url)
            response = client.get(f"{parts.path}?{parts.query}")
            response.callback_url = f"{parts.path}?{parts.query}"
            return response
        answer = browser.get(url, allow_redirects=False, timeout=10)
        if answer.status_code in (302, 303) and "Location" in answer.headers:
            url = urljoin(url, answer.headers["Location"])
            continue
        action = _FORM_ACTION.search(answer.text)
        assert answer.status_code == 200 and action and not signed_in, answer.text[:2000]
        posted = browser.post(
            urljoin(url, action.group(1)),
            data={"login": login, "password": password},
            allow_redirects=False,
            timeout=10,
        )
        assert posted.status_code == 303, posted.text[:2000]
        signed_in = True
        url = urljoin(url, posted.headers["Location"])
    raise AssertionError("The log-in went round in circles")
