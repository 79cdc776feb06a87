"""Errors as RFC 9457 problem details: `application/problem+json` with a status, a title, a detail
and, for invalid input, the list of what is wrong where.

Every error the API raises on purpose comes out in this shape; `install` replaces django-ninja's
own handlers (which answer `{"detail": ...}`) so that a client reads one format.
"""

from http import HTTPStatus

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from ninja.errors import AuthenticationError, HttpError, ValidationError

CONTENT_TYPE = "application/problem+json"


def problem(status: int, detail: str, **extra) -> JsonResponse:
    body = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status, "detail": detail, **extra}
    return JsonResponse(body, status=status, content_type=CONTENT_TYPE, json_dumps_params={"ensure_ascii": False})


def field_errors(errors: list[dict]) -> list[dict]:
    """pydantic's errors as {"field": "query.page", "message": ...}: where, then what."""
    return [
        {"field": ".".join(str(part) for part in error.get("loc", ())), "message": error.get("msg", "Invalid value.")}
        for error in errors
    ]


def install(api) -> None:
    api.add_exception_handler(
        ValidationError,
        lambda request, exc: problem(
            422, "The request has invalid values; see errors.", errors=field_errors(exc.errors)
        ),
    )
    api.add_exception_handler(
        AuthenticationError,
        lambda request, exc: problem(401, "Log in, or send an API token in the Authorization header."),
    )
    api.add_exception_handler(HttpError, _http_error)
    api.add_exception_handler(Http404, lambda request, exc: problem(404, str(exc) or "Not found."))
    api.add_exception_handler(PermissionDenied, lambda request, exc: problem(403, str(exc) or "Not allowed."))


def _http_error(request, exc: HttpError) -> JsonResponse:
    response = problem(exc.status_code, str(exc))
    if getattr(exc, "retry_after", None):
        response["Retry-After"] = str(exc.retry_after)
    return response
