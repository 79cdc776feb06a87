"""Load run: gunicorn on loopback, 20 concurrent clients for 30 seconds, browsing and searching
with wrk while a second client proposes and approves changes over HTTP.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/commonground_bench REDIS_URL=redis://127.0.0.1:6379/3 \\
        .venv/bin/python bench/load.py [--instances 2] [--seconds 30] [--connections 20]

Needs a seeded, disposable database (run bench/pages.py first, or pass --seed 10000) and Debian's
wrk. With --instances 2, two app servers on different ports share PostgreSQL and Redis; the run
also checks that a publish on one invalidates the PDF cached by the other.
Prints requests per second, latency p50/p90/p99, errors, worker memory (RSS), and the same load
against a bare view for comparison.
"""

import argparse
import html
import http.cookiejar
import os
import random
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


def production_env(database_url: str, redis_url: str) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": SECRET,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SSL_REDIRECT": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_HSTS_SECONDS": "0",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "LOGIN_FAILURE_LIMIT": "1000",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    }


SECRET = secrets.token_urlsafe(64)


class Browser:
    """A logged-in HTTP client with cookies and CSRF handling, on loopback only."""

    def __init__(self, base: str, username: str, password: str = "common-ground-demo"):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.get("/accounts/login/")
        self.post("/accounts/login/", {"username": username, "password": password})

    def cookie(self, name: str) -> str:
        return next((c.value for c in self.jar if c.name == name), "")

    def get(self, path: str):
        with self.opener.open(self.base + path, timeout=60) as response:
            return response.status, response.read()

    def post(self, path: str, data: dict):
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": self.cookie("csrftoken")}).encode()
        request = urllib.request.Request(self.base + path, data=body, headers={"Referer": self.base + path})
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()


def start_server(port: int, workers: int, env: dict) -> subprocess.Popen:
    server = subprocess.Popen(
        [GUNICORN, "config.wsgi", "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2)
            return server
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not start on port {port}")


def worker_rss_mib(server: subprocess.Popen) -> list[float]:
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    sizes = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        sizes.append(int(re.search(r"VmRSS:\s+(\d+)", status)[1]) / 1024)
    return sizes


def wrk(base: str, paths: list[str], cookie: str, seconds: int, connections: int) -> dict:
    quoted = ", ".join(f'"{p}"' for p in paths)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(
            f"local paths = {{{quoted}}}\n"
            f'wrk.headers["Cookie"] = "{cookie}"\n'
            'request = function() return wrk.format("GET", paths[math.random(#paths)]) end\n'
        )
    result = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s", "-s", script.name, base],
        capture_output=True,
        text=True,
        check=True,
    )
    out = result.stdout

    def latency(label):
        match = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)", out, re.M)
        value, unit = float(match[1]), match[2]
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1]),
        "p50": latency(50),
        "p90": latency(90),
        "p99": latency(99),
        "errors": (int(errors[1]) if errors else 0) + (sum(map(int, socket.groups())) if socket else 0),
    }


def propose_and_publish(maya: "Browser", approvers: list, slug: str, tally: dict) -> None:
    """Maya proposes a new common-ground summary for a term; each approver signs it off."""
    page = maya.get(f"/terms/{slug}/propose/")[1].decode()
    data = {
        name: html.unescape(value)
        for name, value in re.findall(r'<textarea[^>]*name="(definition_\w+)"[^>]*>\s*(.*?)</textarea>', page, re.S)
    }
    data.update(
        name=html.unescape(re.search(r'name="name"[^>]*value="([^"]*)"', page)[1]),
        reason="Load test",
        summary=f"Agreed under load {time.time()}",
    )
    status, _ = maya.post(f"/terms/{slug}/propose/", data)
    tally["requests"] += 2
    if status not in (200, 302):
        tally["errors"] += 1
        return
    proposal = re.search(r'href="/proposals/(\d+)/"', maya.get("/proposals/mine/")[1].decode())[1]
    for approver in approvers:
        status, _ = approver.post(f"/proposals/{proposal}/approve/", {"revision": "1"})
        tally["requests"] += 1
        tally["errors"] += status not in (200, 302)
    state = re.search(r'class="state state-(\w+)"', maya.get(f"/proposals/{proposal}/")[1].decode())[1]
    tally["requests"] += 1
    tally["published"] += state == "published"
    tally["not_published"] = tally.get("not_published", 0) + (state != "published")


def workflow_client(bases: list[str], term_slugs: list[str], stop: threading.Event, tally: dict):
    """A few proposals and approvals while the load runs, spread over the instances."""
    maya, ivan, marco = Browser(bases[0], "maya"), Browser(bases[-1], "ivan"), Browser(bases[0], "marco")
    while not stop.is_set():
        propose_and_publish(maya, [ivan, marco], random.choice(term_slugs), tally)
        stop.wait(1.0)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--instances", type=int, default=1)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) + 1)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0, help="seed this many terms first (bench/pages.py's seeding)")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not database_url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a disposable, seeded PostgreSQL database.")
    if args.instances > 1 and not redis_url:
        sys.exit("Several instances need a shared cache: set REDIS_URL.")
    env = production_env(database_url, redis_url)
    os.environ.update({k: v for k, v in env.items() if k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))})
    import django

    django.setup()
    if args.seed:
        from bench.pages import seed

        seed(args.seed)
    from django.core.management import call_command

    from glossary.models import Term

    call_command("collectstatic", "--no-input", verbosity=0)
    slugs = list(Term.objects.order_by("?").values_list("slug", flat=True)[:300])
    browse = (
        [
            "/",
            "/?page=7",
            "/?letter=P",
            "/?letter=C",
            "/?q=omnichannel",
            "/?q=cross-channel",
            "/?q=omnichanel",
            "/proposals/awaiting-me/",
        ]
        + [f"/terms/{s}/" for s in slugs[:40]]
        + [f"/terms/{s}/history/" for s in slugs[40:50]]
    )

    ports = [8101 + n for n in range(args.instances)]
    servers = [start_server(port, args.workers, env) for port in ports]
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        reader = Browser(bases[0], "ada")
        cookie = f"sessionid={reader.cookie('sessionid')}"
        for path in browse:  # every path must answer 200 before the load starts
            try:
                reader.get(path)
            except urllib.error.HTTPError as error:
                raise SystemExit(f"{path} answered {error.code} before the load run") from None
        if args.instances > 1:
            check_shared_pdf_cache(bases, slugs[-1])
        stop, tally = threading.Event(), {"requests": 0, "errors": 0, "published": 0}
        writer = threading.Thread(target=workflow_client, args=(bases, slugs[50:], stop, tally), daemon=True)
        writer.start()
        share = max(args.connections // len(bases), 1)
        results = [None] * len(bases)

        def run(i):
            results[i] = wrk(bases[i], browse, cookie, args.seconds, share)

        threads = [threading.Thread(target=run, args=(i,)) for i in range(len(bases))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        stop.set()
        writer.join(timeout=30)
        rss = [size for server in servers for size in worker_rss_mib(server)]
        term_only = wrk(
            bases[0], [f"/terms/{s}/" for s in slugs[:40]], cookie, max(args.seconds // 3, 5), args.connections
        )
        size = len(Browser(bases[0], "ada").get(f"/terms/{slugs[0]}/")[1])
        bare = wrk(bases[0], [f"/__bare__/{size}/"], cookie, max(args.seconds // 3, 5), args.connections)
    finally:
        for server in servers:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)

    print(
        f"{args.instances} instance(s) x {args.workers} gunicorn workers, {args.connections} connections, "
        f"{args.seconds} s, {os.cpu_count()} cores, database {django.db.connection.vendor}, "
        f"cache {'Redis' if redis_url else 'in-process'}"
    )
    for base, r in zip(bases, results, strict=True):
        print(
            f"  mixed browsing/search on {base}: {r['rps']:.0f} req/s, p50 {r['p50']:.1f} ms, p90 {r['p90']:.1f} ms, "
            f"p99 {r['p99']:.1f} ms, errors {r['errors']}"
        )
    print(
        f"  proposals and approvals alongside: {tally['requests']} requests, {tally['published']} published, "
        f"{tally.get('not_published', 0)} not published, errors {tally['errors']}"
    )
    print(
        f"  term page alone: {term_only['rps']:.0f} req/s (p50 {term_only['p50']:.1f} ms); bare view of the same size: "
        f"{bare['rps']:.0f} req/s -> {100 * term_only['rps'] / bare['rps']:.0f}% of bare"
    )
    print(f"  worker RSS after the run: {', '.join(f'{s:.0f}' for s in rss)} MiB")


def check_shared_pdf_cache(bases: list[str], slug: str) -> None:
    """A PDF rendered by one instance is served by the other from Redis, until a publish on the
    other instance changes the glossary; the next download is then rendered afresh."""
    a, b = Browser(bases[0], "ada"), Browser(bases[1], "ada")
    first = a.get("/export/glossary.pdf?letter=Z")[1]
    assert b.get("/export/glossary.pdf?letter=Z")[1] == first, "instance B did not reuse A's cached PDF"
    time.sleep(1.1)  # the PDF's creation time, in seconds, tells a fresh render from a cached one
    tally = {"requests": 0, "errors": 0, "published": 0}
    propose_and_publish(Browser(bases[1], "maya"), [Browser(bases[1], "ivan"), Browser(bases[1], "marco")], slug, tally)
    assert tally["published"] == 1 and tally["errors"] == 0, tally
    assert a.get("/export/glossary.pdf?letter=Z")[1] != first, "instance A served a stale PDF after B published"
    print("  shared cache: B reused A's PDF; a publish on B made A render a fresh one")


if __name__ == "__main__":
    main()
