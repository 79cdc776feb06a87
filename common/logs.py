"""Log output: in production one JSON object per line on stderr, for a log collector to read; in
development the same events as plain lines.

What a line holds is chosen field by field, never copied from the request: no headers (the API's
Authorization, cookies), no query string (feed tokens travel in it), no body.
"""

import json
import logging
from datetime import UTC, datetime

from django.core.exceptions import ImproperlyConfigured

from common.request_id import current_request_id

# urllib3 writes each request line it sends (webhook addresses, whose paths can be secrets, as
# Slack's and Teams' are) at DEBUG, and at WARNING an answer whose headers do not parse, with the
# address and the unparsed lines, which the receiver may fill with anything (the signature it was
# sent). Every failure an operator needs reaches our code as an exception; urllib3 is held at ERROR.
QUIET_LOGGERS = {"urllib3": logging.ERROR}


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record: the id of the request it was written in, or None."""

    def filter(self, record: logging.LogRecord) -> bool:
        # Django logs a 4xx or 5xx response after the middleware returned it, the id's context
        # ended; such records carry the request itself.
        record.request_id = current_request_id() or getattr(getattr(record, "request", None), "request_id", None)
        return True


class JsonLineFormatter(logging.Formatter):
    """One line of JSON per event; a traceback stays inside its line, its newlines escaped."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        request = getattr(record, "request", None)
        # django.request and django.security pass the request; django.server passes a socket.
        if hasattr(request, "method") and hasattr(request, "path"):
            line["method"] = request.method
            line["path"] = request.path
        if hasattr(record, "status_code"):
            line["status"] = record.status_code
        if record.exc_info:
            line["traceback"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        # ASCII only: text holding a lone surrogate (bytes that did not decode, from a file or an
        # exception) would make a UTF-8 stderr refuse the whole line.
        return json.dumps(line, ensure_ascii=True, default=str)


def logging_settings(*, json_lines: bool, level: str) -> dict:
    """Django's LOGGING: every logger to stderr at `level`, and server errors (django.request) with
    their traceback also mailed to ADMINS (Django sends nothing while ADMINS is empty)."""
    level = level.strip().upper()
    numeric_level = logging.getLevelName(level)
    if not isinstance(numeric_level, int):
        raise ImproperlyConfigured(f"DJANGO_LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, not {level!r}.")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {"()": "common.logs.RequestIdFilter"},
            "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
        },
        "formatters": {
            "json": {"()": "common.logs.JsonLineFormatter"},
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
            "mail": {"format": "%(message)s\n\nRequest id: %(request_id)s"},
        },
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "filters": ["request_id"],
                "formatter": "json" if json_lines else "plain",
            },
            "mail_admins": {
                "class": "django.utils.log.AdminEmailHandler",
                "reporter_class": "common.error_reports.ErrorReporter",
                "level": "ERROR",
                "filters": ["require_debug_false", "request_id"],
                "formatter": "mail",
            },
        },
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            # Django's own handlers (its console and mail) are replaced: its events go to the root's.
            "django": {"handlers": [], "level": level, "propagate": True},
            "django.request": {"handlers": ["mail_admins"], "level": level, "propagate": True},
            **{
                name: {"level": logging.getLevelName(max(numeric_level, floor))}
                for name, floor in QUIET_LOGGERS.items()
            },
        },
    }
