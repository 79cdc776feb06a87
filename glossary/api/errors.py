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
from django.urls import Resolver404, resolve
from ninja.errors import AuthenticationError, HttpError, ValidationError

from glossary.api import schemas
from glossary.api.parsing import BodyRefused
from glossary.entries import BY_NAME
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


# Bodies told apart by one field (glossary.api.schemas): a proposal by its kind, a watch by its
# target. pydantic names the variant in an error's location ("body.change.term"), which is no field.
VARIANTS = {
    "kind": frozenset(schemas.PROPOSAL_KINDS),
    "target": frozenset(("term", "tag", "glossary")),
}
_UNTOLD = {"union_tag_invalid", "union_tag_not_found"}


def field_errors(errors: list[dict]) -> list[dict]:
    """pydantic's errors as {"field": "query.page", "message": ...}: where, then what.

    django-ninja puts the parameter's name after "body"; every call names its body `body`, which
    would read "body.body.reason", so it is said once. In a body told apart by a field, the variant
    is left out of the location ("body.term", not "body.change.term"), a field that variant takes
    no value for says so, and a missing or unknown kind is an error at that field.
    """
    found = []
    for error in errors:
        location = [str(part) for part in error.get("loc", ())]
        if location[:2] == ["body", "body"]:
            location = location[1:]
        message = error.get("msg", "Invalid value.")
        if error.get("type") in _UNTOLD:
            told_by = str((error.get("ctx") or {}).get("discriminator", "")).strip("'")
            location.append(told_by)
            message = f"One of: {', '.join(sorted(VARIANTS.get(told_by, ())))}."
        elif location[:1] == ["body"] and len(location) > 2:
            told_by = next((name for name, tags in VARIANTS.items() if location[1] in tags), None)
            if told_by:
                variant = location.pop(1)
                if error.get("type") in {"none_required", "extra_forbidden"}:
                    message = f"Not with {told_by} {variant}: leave it out."
        found.append({"field": ".".join(location), "message": message})
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


class UnknownAddressesAsProblems:
    """Under /api/, an address nothing answers (404) or a method it does not take (405) is a problem
    too, in production and development alike, where Django would answer its 404 page (the debug
    page in development) and django-ninja a plain-text 405. The 405 keeps its Allow header.

    Last in MIDDLEWARE, so the others still add their headers to the problem. An unknown address is
    answered before Django looks for a view, so no page is drawn for it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        try:
            resolve(request.path_info)
        except Resolver404:
            return problem(404, f"Nothing answers at {request.path[:200]}; the calls are listed at /api/v1/docs.")
        response = self.get_response(request)
        if response.status_code == 405 and response.get("Content-Type") != CONTENT_TYPE:
            allowed = response.get("Allow", "")
            refusal = problem(405, f"{request.method[:20]} is not taken here; {allowed or 'no method'} is.")
            refusal["Allow"] = allowed
            return refusal
        return response

    def process_exception(self, request, exception):
        # A view outside the calls (django-ninja's own at /api/v1/, which only points at the docs).
        if request.path.startswith("/api/") and isinstance(exception, Http404):
            return problem(404, f"Nothing answers at {request.path[:200]}; the calls are listed at /api/v1/docs.")
        return None
