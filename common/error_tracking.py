"""Errors reported to Sentry (or a service speaking its protocol) when SENTRY_DSN is set; without
it the SDK is not even imported, and nothing is sent.

The SDK is told to send no personal data (no cookies, no Authorization header, no user, no client
address), no request bodies and no local variables; the query string (feed tokens) and outgoing HTTP calls (webhook
addresses, some of which are themselves the secret) are removed from each event here. Each event
carries the request id its user sees on the error page, as the tag `request_id`.
"""

from common.request_id import current_request_id


def error_tracking_start(*, dsn: str, release: str, environment: str, traces_sample_rate: float) -> None:
    """Start the Sentry SDK, sending to `dsn`. Settings call it only when SENTRY_DSN is set."""
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        integrations=[DjangoIntegration()],
        send_default_pii=False,
        max_request_body_size="never",
        # A frame's variables hold the request (its repr is the whole address, feed token
        # included), form data and the tokens being checked; the traceback's code lines stay.
        include_local_variables=False,
        release=release,
        environment=environment,
        traces_sample_rate=traces_sample_rate,
        before_send=event_without_secrets,
        before_send_transaction=event_without_secrets,
        before_breadcrumb=breadcrumb_without_secrets,
    )


def event_without_secrets(event: dict, hint: dict) -> dict:
    request = event.get("request")
    if request:
        request.pop("query_string", None)
        request.pop("cookies", None)
        request.pop("data", None)
    if "spans" in event:
        event["spans"] = [span for span in event["spans"] if not is_outgoing_http(span.get("op"))]
    request_id = current_request_id()
    if request_id:
        event.setdefault("tags", {})["request_id"] = request_id
    return event


def breadcrumb_without_secrets(crumb: dict, hint: dict) -> dict | None:
    return None if crumb.get("type") == "http" or is_outgoing_http(crumb.get("category")) else crumb


def is_outgoing_http(kind: str | None) -> bool:
    """A span or breadcrumb of an HTTP call this process made (its address in full)."""
    return bool(kind) and (kind == "httplib" or kind.startswith("http.client"))
