"""Errors as RFC 9457 problem details: `application/problem+json` with a status, a title, a detail
and, for invalid input, `errors`: what is wrong where, as {"field": "body.content.name", "message"}.

Every refusal comes out in this shape, whoever raised it: django-ninja (wrong types, unknown
fields), glossary.api.parsing (a body that is not careful JSON), Django (a 404, PermissionDenied from glossary.workflow, a body over
DATA_UPLOAD_MAX_MEMORY_SIZE, a ValidationError from a service) or the API itself. `install`
replaces django-ninja's own handlers, which answer `{"detail": ...}`.
"""

from http import HTTPStatus

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from ninja.errors import AuthenticationError, HttpError, ValidationError

from glossary.entries import BY_NAME
from glossary.api.parsing import BodyRefused
from glossary.services.proposals import WorkflowConflict

CONTENT_TYPE = "application/problem+json"


def problem(status: int, detail: str, **extra) -> JsonResponse:
    body = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status, "detail": detail, **extra}
    return JsonResponse(body, status=status, content_type=CONTENT_TYPE, json_dumps_params={"ensure_ascii": False})


class Conflict(HttpError):
    """409: what the caller read has moved on; `extra` says where it is now."""

    def __init__(self, message: str, **extra):
        super().__init__(409, message)
        self.extra = extra


def invalid(location: tuple, message: str) -> ValidationError:
    """A refusal of one value, as django-ninja words its own: answered 422 with the field named."""
    return ValidationError([{"loc": location, "msg": message}])


def field_errors(errors: list[dict]) -> list[dict]:
    """pydantic's errors as {"field": "query.page", "message": ...}: where, then what.

    django-ninja puts the parameter's name after "body"; every call names its body `body`, which
    would read "body.body.reason", so it is said once.
    """
    found = []
    for error in errors:
        location = [str(part) for part in error.get("loc", ())]
        if location[:2] == ["body", "body"]:
            location = location[1:]
        found.append({"field": ".".join(location), "message": error.get("msg", "Invalid value.")})
    return found


def _service_field(name: str) -> str:
    """Where a service's ValidationError key is in a request body: content fields under `content`,
    by their names in files."""
    if name == NON_FIELD_ERRORS:
        return "body"
    if name in BY_NAME:
        return f"body.content.{BY_NAME[name].export_name}"
    return f"body.{name}"


def _invalid(request, exc: ValidationError) -> JsonResponse:
    return problem(422, "The request has invalid values; see errors.", errors=field_errors(exc.errors))


def _not_publishable(request, exc: DjangoValidationError) -> JsonResponse:
    errors = [
        {"field": _service_field(name), "message": message}
        for name, messages in exc.message_dict.items()
        for message in messages
    ]
    return problem(422, "This could not be published as it stands; see errors.", errors=errors)


def _unauthenticated(request, exc: AuthenticationError) -> JsonResponse:
    # django-ninja's own refusal, when no way in matched, says only "Unauthorized".
    said = str(exc)
    return problem(401, said if said != "Unauthorized" else "Log in, or send an API token in the Authorization header.")


def _http_error(request, exc: HttpError) -> JsonResponse:
    if isinstance(exc.__cause__, BodyRefused):  # django-ninja words a parser's refusal vaguely
        return problem(400, str(exc.__cause__))
    response = problem(exc.status_code, str(exc), **getattr(exc, "extra", {}))
    if getattr(exc, "retry_after", None):
        response["Retry-After"] = str(exc.retry_after)
    return response


def install(api) -> None:
    api.add_exception_handler(ValidationError, _invalid)
    api.add_exception_handler(DjangoValidationError, _not_publishable)
    api.add_exception_handler(AuthenticationError, _unauthenticated)
    api.add_exception_handler(HttpError, _http_error)
    api.add_exception_handler(Http404, lambda request, exc: problem(404, str(exc) or "Not found."))
    api.add_exception_handler(PermissionDenied, lambda request, exc: problem(403, str(exc) or "Not allowed."))
    api.add_exception_handler(WorkflowConflict, lambda request, exc: problem(409, str(exc)))
    api.add_exception_handler(
        RequestDataTooBig, lambda request, exc: problem(413, "The body is larger than this server accepts.")
    )
