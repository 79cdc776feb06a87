"""One HTTP POST of a delivery, bounded in time and in what it reads back.

Runs in the task worker or `manage.py glossary_tick`, never in a web request. Redirects are not
followed (a receiver must not send the signed body on to another host); a 3xx counts as a failure
that tells the admin which address to register instead. Proxy variables in the environment are
ignored: the signed body goes straight to the registered address, or through the one proxy named
by GLOSSARY_WEBHOOK_PROXY. The address is read as the form read it, and a literal IP address or
`localhost` that may not be reached is refused before anything is sent, proxy or not; straight
connections go only to public addresses and allowed networks (`addresses`).
"""

import time
from dataclasses import dataclass

import requests
import urllib3
from django.conf import settings

from webhooks.addresses import CheckedAddressAdapter, WebhookUrlRefused, host_problem, webhook_url_parse

EXCERPT_CHARS = 500


@dataclass(frozen=True)
class Outcome:
    status_code: int | None = None
    error: str = ""
    excerpt: str = ""
    bytes_read: int = 0
    truncated: bool = False
    duration_ms: int = 0

    @property
    def succeeded(self) -> bool:
        return not self.error and self.status_code is not None and 200 <= self.status_code < 300


def post(url: str, *, body: bytes, headers: dict[str, str]) -> Outcome:
    """POST `body` to `url`; give up after GLOSSARY_WEBHOOK_TIMEOUT_SECONDS in all, read at most
    GLOSSARY_WEBHOOK_RESPONSE_LIMIT bytes of the answer."""
    try:
        address = webhook_url_parse(url)
    except WebhookUrlRefused as refusal:
        return Outcome(error=f"Not sent: {refusal}"[:300])
    # Checked here as well as where a straight connection opens: through a proxy, no connection
    # of ours ever opens to the host.
    problem = host_problem(address.host)
    if problem:
        return Outcome(error=f"Not sent: {problem}"[:300])
    timeout = settings.GLOSSARY_WEBHOOK_TIMEOUT_SECONDS
    limit = settings.GLOSSARY_WEBHOOK_RESPONSE_LIMIT
    started = time.monotonic()
    deadline = started + timeout
    status_code, error, read, truncated = None, "", bytearray(), False

    def elapsed_ms() -> int:
        return int((time.monotonic() - started) * 1000)

    session = requests.Session()
    session.trust_env = False
    if settings.GLOSSARY_WEBHOOK_PROXY:
        session.proxies = {"http": settings.GLOSSARY_WEBHOOK_PROXY, "https": settings.GLOSSARY_WEBHOOK_PROXY}
    else:
        session.mount("http://", CheckedAddressAdapter())
        session.mount("https://", CheckedAddressAdapter())
    try:
        with session.post(
            address.url,
            data=body,
            headers={"Content-Type": "application/json", "User-Agent": "CommonGround-Webhooks/1", **headers},
            timeout=timeout,
            allow_redirects=False,
            stream=True,
        ) as response:
            status_code = response.status_code
            raw = response.raw
            while len(read) < limit:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    error = f"The answer took longer than {timeout:g} s to read; stopped reading."
                    break
                # Each read waits at most for what is left of the deadline and returns what one
                # receive brought: a receiver sending a byte at a time cannot hold it longer.
                sock = getattr(raw.connection, "sock", None)
                if sock is not None:
                    sock.settimeout(remaining)
                try:
                    chunk = raw.read1(8192, decode_content=False)
                except (urllib3.exceptions.ReadTimeoutError, TimeoutError):
                    error = f"The answer took longer than {timeout:g} s to read; stopped reading."
                    break
                except (urllib3.exceptions.HTTPError, OSError) as problem:
                    error = f"The answer broke off: {_reason(problem)}"
                    break
                if not chunk:
                    break
                read += chunk[: limit - len(read)]
            truncated = len(read) >= limit and not error
            if response.is_redirect:
                location = response.headers.get("Location", "")[:150]
                error = f"Redirected to {location}; redirects are not followed, register the final address."
    except requests.Timeout:
        error = f"No answer within {timeout:g} s."
    except requests.ConnectionError as problem:
        reason = _reason(problem)
        # A read that times out while streaming arrives as a connection error.
        error = f"No answer within {timeout:g} s." if "timed out" in reason.lower() else f"Could not connect: {reason}"
    except requests.RequestException as problem:
        error = f"The request failed: {_reason(problem)}"
    finally:
        session.close()
    return Outcome(
        status_code=status_code,
        error=error[:300],
        excerpt=bytes(read[: EXCERPT_CHARS * 4]).decode("utf-8", "replace")[:EXCERPT_CHARS],
        bytes_read=len(read),
        truncated=truncated,
        duration_ms=elapsed_ms(),
    )


def _reason(problem: Exception) -> str:
    # requests nests the cause deeply; its innermost message is the one people understand.
    cause = problem
    for _ in range(10):
        inner = cause.__cause__ or (cause.args[0] if cause.args and isinstance(cause.args[0], Exception) else None)
        if inner is None:
            break
        cause = inner
    return str(cause)[:200] or type(cause).__name__
