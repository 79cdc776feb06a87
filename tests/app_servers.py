"""Real app servers for the tests: gunicorn in production mode, on 127.0.0.1, with a settings
module the test writes into its temporary folder."""

import http.client
import http.cookiejar
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
# The servers only talk to 127.0.0.1; a proxy from the environment must not carry that elsewhere.
PROXY_VARIABLES = {"http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"}


@dataclass
class AppServer:
    url: str
    process: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@dataclass
class Answer:
    status: int
    headers: Message
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode()


def http_get(server: AppServer, path: str, headers: dict[str, str] | None = None) -> Answer:
    """One GET, exactly as given (a Host header of its own included), redirects not followed."""
    address = urlsplit(server.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return Answer(response.status, response.headers, response.read())
    finally:
        connection.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def production_environment(settings_folder: Path, settings_module: str, **variables: str) -> dict[str, str]:
    """The environment of a production-mode server on 127.0.0.1 over plain http, reading the
    settings module `settings_module` from `settings_folder`, with `variables` on top."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "SENTRY_")) and name not in PROXY_VARIABLES
    }
    return {
        **environment,
        "PYTHONPATH": os.pathsep.join([str(settings_folder), str(ROOT)]),
        "DJANGO_SETTINGS_MODULE": settings_module,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SSL_REDIRECT": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_HSTS_SECONDS": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        **variables,
    }


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """`manage.py` with `args` in that environment; fails the test if it fails."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def migrated_sqlite_database(tmp_path_factory, destination: Path) -> str:
    """A fully migrated SQLite database at `destination`, as a DATABASE_URL: a copy of one migrated
    once per test run, since migrating takes seconds."""
    template = tmp_path_factory.getbasetemp() / "migrated-template.sqlite3"
    if not template.exists():
        manage(
            production_environment(ROOT, "config.settings", DATABASE_URL=f"sqlite:///{template}"),
            "migrate",
            "--no-input",
            "-v0",
        )
    shutil.copyfile(template, destination)
    return f"sqlite:///{destination}"


def collected_static(tmp_path_factory) -> str:
    """A STATIC_ROOT for production servers, which serve static files by their hashed names:
    collected once per test run, as collecting hashes and compresses every file (seconds), and
    only ever read by the servers."""
    root = tmp_path_factory.getbasetemp() / "collected-static"
    if not (root / "staticfiles.json").exists():
        folder = tmp_path_factory.mktemp("collecting-static")
        (folder / "collecting_settings.py").write_text(SERVER_SETTINGS.format(static_root=str(root)))
        manage(production_environment(folder, "collecting_settings"), "collectstatic", "--no-input", "-v0")
    return str(root)


def start_gunicorn(env: dict[str, str], log: Path) -> AppServer:
    """One gunicorn with one worker on a free port, its output (stdout and stderr) in `log`."""
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [GUNICORN, "config.wsgi", "--workers", "1", "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return AppServer(f"http://127.0.0.1:{port}", process, log)


def wait_until_serving(server: AppServer, path: str = "/accounts/login/", timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"gunicorn at {server.url} exited with {server.process.returncode}:\n{server.output()}")
        try:
            with urllib.request.urlopen(f"{server.url}{path}", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"gunicorn at {server.url} did not answer within {timeout} s:\n{server.output()}")


def stop(process: subprocess.Popen) -> None:
    """Stop one server: its master and worker, which share the process group it was started in."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
            process.wait(timeout=30)
            return
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            continue


@contextmanager
def serving(env: dict[str, str], folder: Path, names: tuple[str, ...] = ("a", "b")) -> Iterator[list[AppServer]]:
    """One gunicorn per name (logs `gunicorn-<name>.log` in `folder`), each answering before the
    block runs, all stopped after it: processes with nothing in memory in common."""
    servers = []
    try:
        for name in names:
            servers.append(start_gunicorn(env, folder / f"gunicorn-{name}.log"))
        for server in servers:
            wait_until_serving(server)
        yield servers
    finally:
        for server in servers:
            stop(server.process)


def database_url() -> str:
    """The test database (e.g. test_commonground on PostgreSQL), as the servers' DATABASE_URL."""
    db = connection.settings_dict

    def quote(value) -> str:
        return urllib.parse.quote(str(value or ""), safe="")

    credentials = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}{port}/{quote(db['NAME'])}"


PASSWORD = "pw-for-tests-only"  # what conftest's make_user gives everyone


# The servers run config.settings in production mode; the only change is where collectstatic
# writes (a temporary folder, not the project's).
SERVER_SETTINGS = """\
from config.settings import *  # noqa: F401,F403

STATIC_ROOT = {static_root!r}
"""


@dataclass
class Response:
    status: int
    url: str
    content_type: str
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode()


class Browser:
    """One person's browser: its cookies (session, CSRF) go to every server, as behind a load balancer."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def log_in(self, server: AppServer, username: str) -> None:
        self.get(f"{server.url}/accounts/login/")
        response = self.post(f"{server.url}/accounts/login/", {"username": username, "password": PASSWORD})
        assert urllib.parse.urlsplit(response.url).path == "/", f"{username} could not log in on {server.url}"

    def get(self, url: str) -> Response:
        return self._open(urllib.request.Request(url))

    def post(self, url: str, data: dict) -> Response:
        csrf = next(cookie.value for cookie in self.jar if cookie.name == "csrftoken")
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": csrf}).encode()
        return self._open(urllib.request.Request(url, data=body, headers={"Referer": url}))

    def _open(self, request) -> Response:
        try:
            with self.opener.open(request, timeout=60) as r:
                return Response(r.status, r.url, r.headers.get_content_type(), r.read())
        except urllib.error.HTTPError as error:
            return Response(error.code, error.url, error.headers.get_content_type(), error.read())
