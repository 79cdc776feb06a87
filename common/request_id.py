"""Every request's id: in the response's X-Request-ID header, on the error page and in each log
line the request writes, so that a user's "it failed" leads to the traceback.

A proxy or load balancer in front may already have given the request an id (nginx's
$request_id, an upstream service's); that one is kept when it is short and plain, so that the
id is the same in every system the request passed through. Anything else a client sends is
replaced: it would land in log lines and headers as it came.
"""

import re
import uuid
from contextvars import ContextVar

HEADER = "X-Request-ID"
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

_current_request_id: ContextVar[str | None] = ContextVar("current_request_id", default=None)


def current_request_id() -> str | None:
    """The id of the request being handled in this thread or task, or None outside a request."""
    return _current_request_id.get()


def request_id_for(incoming: str | None) -> str:
    """The incoming id if it is safe to repeat, else a new one."""
    if incoming and SAFE_REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Give each request an id (request.request_id), known to the logs while the request runs and
    sent back in X-Request-ID, error responses included."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request_id_for(request.headers.get(HEADER))
        token = _current_request_id.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            _current_request_id.reset(token)
        response[HEADER] = request.request_id
        return response
