"""Receivers the webhook tests start on 127.0.0.1 (or a port there nobody listens on), and how they answer:
nothing leaves this machine."""

import base64
import contextlib
import hashlib
import hmac
import json
import socket
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from webhooks import payloads
from webhooks.tasks import deliver_webhook

ALL_EVENTS = list(payloads.SUBSCRIBABLE)


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
                with contextlib.suppress(
                    BrokenPipeError, ConnectionResetError
                ):  # the sender stopped reading, as it should
                    answer(self, receiver)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        # shutdown() waits for the loop's next poll, by default half a second of every test.
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

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


def deliver_first(delivery):
    """What the task worker does for a new delivery."""
    deliver_webhook.call(delivery.pk)
    delivery.refresh_from_db()
    return delivery
